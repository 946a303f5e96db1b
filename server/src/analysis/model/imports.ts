// Import aliases, so `th.Thread`, `Thread` and `threading.Thread` all qualify to `threading.Thread`.
import type { Node } from '../parser';
import { dottedName, namedChildren } from './syntax';

const CONCURRENCY_MODULES = ['threading', '_thread', 'concurrent.futures', 'multiprocessing.pool', 'multiprocessing.dummy', 'asyncio', 'queue'];

/** `.work` → `pkg.work`, `..util` → parent package's `util`, for a module in package `pkg`; null when it cannot be resolved. */
export function resolveRelativeModule(module: string, packageName: string | undefined): string | null {
  if (packageName === undefined) return null;
  const dots = /^\.*/.exec(module)![0].length;
  const parts = packageName ? packageName.split('.') : [];
  if (dots - 1 > parts.length) return null;
  const base = parts.slice(0, parts.length - (dots - 1));
  const rest = module.slice(dots);
  return [...base, ...(rest ? [rest] : [])].join('.') || null;
}

export class ImportTable {
  /** local name → fully qualified dotted name */
  private readonly aliases = new Map<string, string>();
  /** Modules imported with `from m import *` (their names are unknown here). */
  readonly starModules: string[] = [];

  /**
   * `statements`: every import_statement / import_from_statement of the module. `packageName`: the
   * package the module is in (`pkg.sub` for pkg/sub/mod.py and for pkg/sub/__init__.py), to resolve
   * relative imports; without it they are left out.
   */
  constructor(
    statements: Iterable<Node>,
    private readonly packageName?: string,
    /** Names of the run's GUI toolkit shims → the toolkit's (ProjectFacts.toolkitShims). */
    toolkitShims?: ReadonlyMap<string, string>,
  ) {
    for (const stmt of statements) this.add(stmt);
    // As written, before any shim's name is replaced (the run matches shims against these).
    this.ownImports = [...this.aliases.values()].filter((q) => this.inOwnPackage(q));
    // `from app.ui import QtCore`, where `app.ui` re-exports PyQt's: the name is the toolkit's.
    if (toolkitShims?.size) for (const [alias, q] of this.aliases) this.aliases.set(alias, toolkitShims.get(q) ?? q);
  }

  /** The names imported from the module's own package, as written (`from .ui import QtCore` → `app.ui.QtCore`). */
  private readonly ownImports: string[];

  ownPackageImports(): readonly string[] {
    return this.ownImports;
  }

  private resolveRelative(module: string): string | null {
    return resolveRelativeModule(module, this.packageName);
  }

  private add(stmt: Node): void {
    if (stmt.type === 'import_statement') {
      for (const item of namedChildren(stmt)) {
        if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name')?.text;
          const alias = item.childForFieldName('alias')?.text;
          if (name && alias) this.aliases.set(alias, name);
        } else if (item.type === 'dotted_name') {
          const first = item.text.split('.')[0];
          this.aliases.set(first, first);
        }
      }
    } else if (stmt.type === 'import_from_statement') {
      const written = stmt.childForFieldName('module_name')?.text;
      const module = written?.startsWith('.') ? this.resolveRelative(written) : written;
      if (!module) return;
      for (const item of namedChildren(stmt)) {
        if (item === null || item.startIndex === stmt.childForFieldName('module_name')?.startIndex) continue;
        if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name')?.text;
          const alias = item.childForFieldName('alias')?.text;
          if (name && alias) this.aliases.set(alias, `${module}.${name}`);
        } else if (item.type === 'dotted_name') {
          this.aliases.set(item.text, `${module}.${item.text}`);
        } else if (item.type === 'wildcard_import') {
          this.starModules.push(module);
        }
      }
    }
  }

  /** The qualified name of an identifier/attribute chain, e.g. `th.Lock` → `threading.Lock`. */
  qualify(node: Node | null): string | null {
    const parts = dottedName(node);
    if (!parts) return null;
    const head = this.aliases.get(parts[0]);
    return head ? [head, ...parts.slice(1)].join('.') : parts.join('.');
  }

  /** The qualified name of a dotted name written in this module (`th.Lock` → `threading.Lock`). */
  qualifyName(dotted: string): string {
    const parts = dotted.split('.');
    const head = this.aliases.get(parts[0]);
    return head ? [head, ...parts.slice(1)].join('.') : dotted;
  }

  /** The qualified name of an identifier or attribute whose head is imported (`reg._seen` → `pkg.registry._seen`), else null. */
  qualifyImported(node: Node | null): string | null {
    if (!node || (node.type !== 'identifier' && node.type !== 'attribute')) return null;
    return this.aliases.has(node.text.split('.')[0]) ? this.qualify(node) : null;
  }

  /** Is a qualified name inside the top-level package this module belongs to (`sarge.shlext.f` in `sarge`)? */
  /** Is the module known to belong to a package (a project run), so inOwnPackage can say no? */
  get inPackage(): boolean {
    return !!this.packageName?.split('.')[0];
  }

  inOwnPackage(qualified: string): boolean {
    const top = this.packageName?.split('.')[0];
    return !!top && (qualified === top || qualified.startsWith(`${top}.`));
  }

  isImported(name: string): boolean {
    return this.aliases.has(name);
  }

  /** Does the module import `module` or something from inside it (`twisted.internet` for `from twisted.internet import reactor`)? */
  importsFrom(module: string): boolean {
    for (const q of this.aliases.values()) if (q === module || q.startsWith(`${module}.`)) return true;
    return false;
  }

  /** Does the module import a name whose qualified name matches `re`? */
  /** Every qualified name the module imports. */
  qualifiedNames(): Iterable<string> {
    return this.aliases.values();
  }

  importsMatching(re: RegExp): boolean {
    for (const q of this.aliases.values()) if (re.test(q)) return true;
    return false;
  }

  /** Does the module import anything that runs code on other threads? */
  hasConcurrencyImport({ threadsOnly = false } = {}): boolean {
    for (const q of this.aliases.values()) {
      if (threadsOnly && (q === 'asyncio' || q.startsWith('asyncio.'))) continue;
      if (CONCURRENCY_MODULES.some((m) => q === m || q.startsWith(`${m}.`) || m.startsWith(`${q}.`))) return true;
    }
    return false;
  }
}
