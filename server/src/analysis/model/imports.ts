// Import aliases, so `th.Thread`, `Thread` and `threading.Thread` all qualify to `threading.Thread`.
import type { Node } from '../parser';
import { dottedName, namedChildren } from './syntax';

const CONCURRENCY_MODULES = ['threading', '_thread', 'concurrent.futures', 'multiprocessing.pool', 'multiprocessing.dummy', 'asyncio', 'queue'];

export class ImportTable {
  /** local name → fully qualified dotted name */
  private readonly aliases = new Map<string, string>();

  /** `statements`: every import_statement / import_from_statement of the module. */
  constructor(statements: Iterable<Node>) {
    for (const stmt of statements) this.add(stmt);
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
      const module = stmt.childForFieldName('module_name')?.text;
      if (!module || module.startsWith('.')) return;
      for (const item of namedChildren(stmt)) {
        if (item === null || item.startIndex === stmt.childForFieldName('module_name')?.startIndex) continue;
        if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name')?.text;
          const alias = item.childForFieldName('alias')?.text;
          if (name && alias) this.aliases.set(alias, `${module}.${name}`);
        } else if (item.type === 'dotted_name') {
          this.aliases.set(item.text, `${module}.${item.text}`);
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

  isImported(name: string): boolean {
    return this.aliases.has(name);
  }

  /** Does the module import anything that runs code on other threads? */
  hasConcurrencyImport(): boolean {
    for (const q of this.aliases.values()) {
      if (CONCURRENCY_MODULES.some((m) => q === m || q.startsWith(`${m}.`) || m.startsWith(`${q}.`))) return true;
    }
    return false;
  }
}
