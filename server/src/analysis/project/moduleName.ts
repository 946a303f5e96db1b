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
  /**
   * A module of a `scripts` or `bin` folder: a command-line script (with a `__main__` guard, see
   * moduleOptions) that nothing imports to call from threads of its own.
   */
  isScript: boolean;
}

const TEST_STEM = /^(test_\w*|\w+_tests?|tests?|conftest)$/;
const TEST_PACKAGE = /^tests?$/;
const SCRIPT_FOLDER = /^(scripts|bin)$/;
/** `if __name__ == "__main__":` at the top level: the file is run as a program. */
const MAIN_GUARD = /^if\s+__name__\s*==\s*(['"])__main__\1\s*:/m;

export function moduleIdentity(file: string, exists: (p: string) => boolean = fs.existsSync): ModuleIdentity {
  const stem = path.basename(file).replace(/\.pyi?$/, '');
  const packages: string[] = [];
  for (let dir = path.dirname(path.resolve(file)); exists(path.join(dir, '__init__.py')); dir = path.dirname(dir)) {
    packages.unshift(path.basename(dir));
    if (path.dirname(dir) === dir) break;
  }
  const packageName = packages.join('.');
  const module = stem === '__init__' ? packageName || stem : [...packages, stem].join('.');
  const isTest = TEST_STEM.test(stem) || packages.some((p) => TEST_PACKAGE.test(p));
  return { module, packageName, isTest, isScript: SCRIPT_FOLDER.test(path.basename(path.dirname(path.resolve(file)))) };
}

/**
 * The options one module of a project is analysed with: its package, what the project tells it, its
 * mode. A test module, and a script of a `scripts`/`bin` folder that is run as a program (its text has a
 * `__main__` guard), run on their own thread unless a thread they start reaches the code:
 * `--assume-concurrent` does not apply to them.
 */
export function moduleOptions(options: AnalysisOptions, identity: ModuleIdentity | undefined, project: ProjectFacts | undefined, text?: string): AnalysisOptions {
  if (!identity) return { ...options, project };
  const script = !identity.isTest && !!identity.isScript && text !== undefined && MAIN_GUARD.test(text);
  return {
    ...options,
    packageName: identity.packageName,
    project,
    assumeConcurrent: !!options.assumeConcurrent && !identity.isTest && !script,
    testModule: identity.isTest || undefined,
    scriptModule: script || undefined,
  };
}
