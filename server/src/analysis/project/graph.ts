// Thread reachability across modules: a fixpoint over module summaries. A function is reached when a
// thread API in any module is handed it, or a reached function calls it through an import.
import type { ModuleSummary } from './summary';

export class ProjectGraph {
  private readonly summaries = new Map<string, ModuleSummary>();

  set(summary: ModuleSummary): void {
    this.summaries.set(summary.module, summary);
  }

  delete(module: string): void {
    this.summaries.delete(module);
  }

  /** See externalCallerLocks(). */
  callerLocks(): Map<string, Map<string, string>> {
    return externalCallerLocks(this.summaries.values());
  }

  /**
   * For every module, its functions that no code of the module calls and that every module of the run
   * calling them calls only at module level, while it is imported: name → where. Modules without such
   * functions are absent.
   */
  importCallers(): Map<string, Map<string, string>> {
    const where = new Map<string, string | null>();
    for (const s of this.summaries.values()) {
      for (const [q, at] of Object.entries(s.importCalls ?? {})) {
        if (at === null) where.set(q, null);
        else if (!where.has(q)) where.set(q, at);
      }
    }
    const result = new Map<string, Map<string, string>>();
    for (const [q, at] of where) {
      const owner = at === null ? null : this.split(q);
      if (!owner || owner[1].includes('.') || !(this.summaries.get(owner[0])!.uncalled ?? []).includes(owner[1])) continue;
      if (!result.has(owner[0])) result.set(owner[0], new Map());
      result.get(owner[0])!.set(owner[1], at!);
    }
    return result;
  }

  get size(): number {
    return this.summaries.size;
  }

  /** `pkg.mod.Cls.run` → [`pkg.mod`, `Cls.run`] for the longest known module prefix. */
  private split(qualified: string): [string, string] | null {
    const parts = qualified.split('.');
    for (let i = parts.length - 1; i > 0; i--) {
      const module = parts.slice(0, i).join('.');
      if (this.summaries.has(module)) return [module, parts.slice(i).join('.')];
    }
    return null;
  }

  /**
   * For every module, the functions that only threads of *other* modules reach: local name → how.
   * Modules without such functions are absent.
   */
  externalEntries(): Map<string, Map<string, string>> {
    const reached = new Map<string, string>();
    const queue: string[] = [];
    const reach = (qualified: string, via: string) => {
      if (reached.has(qualified)) return;
      reached.set(qualified, via);
      queue.push(qualified);
    };
    for (const s of this.summaries.values()) {
      for (const [local, via] of Object.entries(s.reachable)) reach(`${s.module}.${local}`, via);
      for (const [target, via] of Object.entries(s.spawns)) reach(target, via);
    }
    while (queue.length > 0) {
      const qualified = queue.shift()!;
      const owner = this.split(qualified);
      if (!owner) continue;
      const via = reached.get(qualified)!;
      // Own properties only: a function named `constructor` must not find Object.prototype's.
      const calls = this.summaries.get(owner[0])!.calls;
      for (const callee of Object.hasOwn(calls, owner[1]) ? calls[owner[1]] : []) reach(callee, via);
    }
    const result = new Map<string, Map<string, string>>();
    for (const [qualified, via] of reached) {
      const owner = this.split(qualified);
      if (!owner) continue;
      const [module, local] = owner;
      if (Object.hasOwn(this.summaries.get(module)!.reachable, local)) continue;
      if (!result.has(module)) result.set(module, new Map());
      result.get(module)!.set(local, via);
    }
    return result;
  }
}

/**
 * For every module, its functions that no code of the module calls and that every call of the same name
 * anywhere in the run makes holding a lock: name → that lock. Name-based, so a name any module calls
 * without a lock (`close`, `get`) never qualifies.
 */
export function externalCallerLocks(summaries: Iterable<ModuleSummary>): Map<string, Map<string, string>> {
  const all = [...summaries];
  const lockOf = new Map<string, string | null>();
  for (const s of all) {
    for (const [name, lock] of Object.entries(s.callLocks ?? {})) {
      if (lock === null) lockOf.set(name, null);
      else if (!lockOf.has(name)) lockOf.set(name, lock);
    }
  }
  const result = new Map<string, Map<string, string>>();
  for (const s of all) {
    for (const name of s.uncalled ?? []) {
      const lock = lockOf.get(name);
      if (!lock) continue;
      if (!result.has(s.module)) result.set(s.module, new Map());
      result.get(s.module)!.set(name, lock);
    }
  }
  return result;
}

/** Two entry maps are equal (to skip re-analysing modules whose entries did not change). */
export function sameEntries(a: ReadonlyMap<string, string> | undefined, b: ReadonlyMap<string, string> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [k, v] of a ?? []) if (b?.get(k) !== v) return false;
  return true;
}
