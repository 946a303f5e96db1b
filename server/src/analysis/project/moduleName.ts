// A Python file's dotted module name, from the packages (folders with __init__.py) around it.
import * as fs from 'fs';
import * as path from 'path';

export interface ModuleIdentity {
  /** `pkg.sub.mod` for pkg/sub/mod.py, `pkg.sub` for pkg/sub/__init__.py. */
  module: string;
  /** The package relative imports resolve against: `pkg.sub` in both cases above. */
  packageName: string;
}

export function moduleIdentity(file: string, exists: (p: string) => boolean = fs.existsSync): ModuleIdentity {
  const stem = path.basename(file).replace(/\.pyi?$/, '');
  const packages: string[] = [];
  for (let dir = path.dirname(path.resolve(file)); exists(path.join(dir, '__init__.py')); dir = path.dirname(dir)) {
    packages.unshift(path.basename(dir));
    if (path.dirname(dir) === dir) break;
  }
  const packageName = packages.join('.');
  const module = stem === '__init__' ? packageName || stem : [...packages, stem].join('.');
  return { module, packageName };
}
