// A Python file's dotted module name, from the packages (folders with __init__.py) around it.
import * as fs from 'fs';
import * as path from 'path';
import type { AnalysisOptions, ProjectFacts } from '../options';

export interface ModuleIdentity {
  /** `pkg.sub.mod` for pkg/sub/mod.py, `pkg.sub` for pkg/sub/__init__.py. */
  module: string;
  /** The package relative imports resolve against: `pkg.sub` in both cases above. */
  packageName: string;
  /**
   * A test module, as test runners find them: `test_*.py`, `*_test.py`, `*_tests.py`, `tests.py`,
   * `conftest.py`, or any module of a `test`/`tests` package. Its code runs under a harness, one test
   * at a time, so `--assume-concurrent` does not apply to it (its own threads still count).
   */
  isTest: boolean;
}

const TEST_STEM = /^(test_\w*|\w+_tests?|tests?|conftest)$/;
const TEST_PACKAGE = /^tests?$/;

export function moduleIdentity(file: string, exists: (p: string) => boolean = fs.existsSync): ModuleIdentity {
  const stem = path.basename(file).replace(/\.pyi?$/, '');
  const packages: string[] = [];
  for (let dir = path.dirname(path.resolve(file)); exists(path.join(dir, '__init__.py')); dir = path.dirname(dir)) {
    packages.unshift(path.basename(dir));
    if (path.dirname(dir) === dir) break;
  }
  const packageName = packages.join('.');
  const module = stem === '__init__' ? packageName || stem : [...packages, stem].join('.');
  return { module, packageName, isTest: TEST_STEM.test(stem) || packages.some((p) => TEST_PACKAGE.test(p)) };
}

/** The options one module of a project is analysed with: its package, what the project tells it, its mode. */
export function moduleOptions(options: AnalysisOptions, identity: ModuleIdentity | undefined, project: ProjectFacts | undefined): AnalysisOptions {
  if (!identity) return { ...options, project };
  return {
    ...options,
    packageName: identity.packageName,
    project,
    assumeConcurrent: !!options.assumeConcurrent && !identity.isTest,
    testModule: identity.isTest || undefined,
  };
}
