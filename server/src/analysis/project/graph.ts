// Thread reachability across modules: a fixpoint over module summaries. A function is reached when a
// thread API in any module is handed it, or a reached function calls it through an import.
import type { ContainerAccess, ProjectFacts } from '../options';
import { isStrongerAccess, type ModuleSummary } from './summary';
import { applicationModules } from './mainLoop';
import { ASSUMED_VIA } from '../model/threads';
import { push } from '../model/module';

export type { ContainerAccess, ProjectFacts };

/** Two modules' facts are equal (to skip re-analysing modules whose facts did not change). */
export function sameFacts(a: ProjectFacts | undefined, b: ProjectFacts | undefined): boolean {
  return (
    sameEntries(a?.threadEntries, b?.threadEntries) &&
    sameEntries(a?.callerLocks, b?.callerLocks) &&
    sameEntries(a?.calledBeforeStart, b?.calledBeforeStart) &&
    sameEntries(a?.importCallers, b?.importCallers) &&
    sameEntries(a?.primedAtImport, b?.primedAtImport) &&
    sameAccesses(a?.containerChanges, b?.containerChanges) &&
    sameAccesses(a?.containerIterations, b?.containerIterations) &&
    sameSet(a?.threadClasses, b?.threadClasses) &&
    sameSet(a?.ownedClasses, b?.ownedClasses) &&
    sameSet(a?.guiClasses, b?.guiClasses) &&
    sameDecorators(a?.lockDecorators, b?.lockDecorators) &&
    sameHooks(a?.constructionHooks, b?.constructionHooks) &&
    sameSet(a?.classHooks, b?.classHooks) &&
    sameWrappers(a?.spawnerWrappers, b?.spawnerWrappers) &&
    sameWrappers(a?.handOverWrappers, b?.handOverWrappers) &&
    sameSet(a?.threadStarters, b?.threadStarters) &&
    sameSet(a?.guiOwnedClasses, b?.guiOwnedClasses) &&
    sameEntries(a?.handedClasses, b?.handedClasses) &&
    sameEntries(a?.handOverDecorators, b?.handOverDecorators) &&
    sameEntries(a?.spawnerDecorators, b?.spawnerDecorators) &&
    sameSet(a?.selfCallEntries, b?.selfCallEntries) &&
    sameSet(a?.calledFromOtherModules, b?.calledFromOtherModules) &&
    sameHooks(a?.inPlaceClasses, b?.inPlaceClasses) &&
    sameEntries(a?.toolkitShims, b?.toolkitShims) &&
    sameHooks(a?.threadCallArguments, b?.threadCallArguments) &&
    a?.mainLoop === b?.mainLoop
  );
}

function sameWrappers(a: ReadonlyMap<string, { index: number; via: string; name?: string }> | undefined, b: ReadonlyMap<string, { index: number; via: string; name?: string }> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [k, v] of a ?? []) {
    const w = b?.get(k);
    if (!w || w.index !== v.index || w.via !== v.via || w.name !== v.name) return false;
  }
  return true;
}

function sameDecorators(a: ProjectFacts['lockDecorators'], b: ProjectFacts['lockDecorators']): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [k, v] of a ?? []) {
    const w = b?.get(k);
    if (!w || w.self !== v.self || w.locks.join() !== v.locks.join()) return false;
  }
  return true;
}

function sameHooks(a: ProjectFacts['constructionHooks'], b: ProjectFacts['constructionHooks']): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [k, v] of a ?? []) if (b?.get(k)?.join() !== v.join()) return false;
  return true;
}

function sameSet(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  return (a?.size ?? 0) === (b?.size ?? 0) && [...(a ?? [])].every((x) => b?.has(x));
}

function sameAccesses(a: ReadonlyMap<string, ContainerAccess> | undefined, b: ReadonlyMap<string, ContainerAccess> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [k, v] of a ?? []) {
    const w = b?.get(k);
    if (!w || w.where !== v.where || w.line !== v.line || w.onThread !== v.onThread || w.locked !== v.locked) return false;
  }
  return true;
}

export class ProjectGraph {
  private readonly summaries = new Map<string, ModuleSummary>();

  set(summary: ModuleSummary): void {
    if (!this.summaries.has(summary.module)) this.roots = undefined;
    this.summaries.set(summary.module, summary);
  }

  delete(module: string): void {
    this.summaries.delete(module);
    this.roots = undefined;
  }

  /** Every module's facts from the rest of the run (modules with none are absent). */
  facts(): Map<string, ProjectFacts> {
    const result = new Map<string, ProjectFacts>();
    const add = <K extends keyof ProjectFacts>(key: K, byModule: Map<string, NonNullable<ProjectFacts[K]>>) => {
      for (const [module, map] of byModule) {
        if (!result.has(module)) result.set(module, {});
        result.get(module)![key] = map;
      }
    };
    const { entries, handed, onSelf, onThreads } = this.threadReach();
    add('threadEntries', entries);
    add('threadCallArguments', this.threadCallArguments(entries, onThreads));
    add('handedClasses', handed);
    add('selfCallEntries', onSelf);
    add('callerLocks', this.callerLocks());
    add('calledBeforeStart', this.calledBeforeStart());
    add('importCallers', this.importCallers());
    add('primedAtImport', this.primedAtImport());
    const { changes, iterations } = this.containerAccesses();
    add('containerChanges', changes);
    add('containerIterations', iterations);
    add('threadClasses', this.classesByModule((s) => s.threadClasses));
    add('ownedClasses', this.ownedClasses());
    add('guiClasses', this.classesByModule((s) => s.guiClasses, true));
    add('spawnerWrappers', this.spawnerWrappersByModule());
    add('handOverWrappers', this.wrappersByModule((s) => s.handOverWrappers));
    add('threadStarters', this.threadStartersByModule());
    add('guiOwnedClasses', this.guiOwnedClasses());
    add('lockDecorators', this.lockDecoratorsByModule());
    add('handOverDecorators', this.handOverDecoratorsByModule());
    add('spawnerDecorators', this.decoratorsByModule((s) => s.spawnerDecorators));
    add('constructionHooks', this.constructionHooksByModule());
    add('classHooks', this.classHooksByModule());
    add('calledFromOtherModules', this.methodsCalledFromOtherModules());
    add('inPlaceClasses', this.inPlaceClassesByModule());
    add('toolkitShims', this.toolkitShimsByModule());
    for (const [module, mainLoop] of this.mainLoops()) {
      if (!result.has(module)) result.set(module, {});
      result.get(module)!.mainLoop = mainLoop;
    }
    return result;
  }

  /**
   * The modules of applications → the main loop their application runs. An application is a top-level
   * package of the run (or its modules outside any package, a script directory) one of whose modules
   * runs a main loop (mainLoop.ts) that an entry point starts: its own `if __name__ == "__main__":`, or
   * the package's `__main__` module. A library's
   * GUI backend that runs a loop for its callers has neither (and a test's or an example's is no entry).
   */
  mainLoops(): Map<string, string> {
    return applicationModules(this.summaries.values());
  }


  /**
   * For every module, the spawner wrappers of the modules it calls into (`pkg.utils.spawn` hands its
   * first argument to a thread): the calls it makes of them are thread spawns.
   */
  spawnerWrappersByModule(): Map<string, Map<string, { index: number; via: string; name?: string }>> {
    return this.wrappersByModule((s) => s.spawnerWrappers);
  }

  /** For every module, the wrappers of one kind (spawners, hand-overs) of the modules it calls into. */
  wrappersByModule(wrappersOf: (s: ModuleSummary) => Record<string, { index: number; via: string; name?: string }> | undefined): Map<string, Map<string, { index: number; via: string; name?: string }>> {
    const all = new Map<string, { index: number; via: string; name?: string }>();
    for (const s of this.summaries.values()) for (const [name, w] of Object.entries(wrappersOf(s) ?? {})) all.set(`${s.module}.${name}`, w);
    const result = new Map<string, Map<string, { index: number; via: string; name?: string }>>();
    if (all.size === 0) return result;
    // Methods by their class (`pkg.worker.Worker` → [['send', …]]).
    const methods = new Map<string, Array<[string, { index: number; via: string; name?: string }]>>();
    for (const [name, w] of all) {
      const dot = name.lastIndexOf('.');
      const cls = name.slice(0, dot);
      if (/^_*[A-Z]/.test(cls.slice(cls.lastIndexOf('.') + 1))) methods.set(cls, [...(methods.get(cls) ?? []), [name.slice(dot + 1), w]]);
    }
    for (const s of this.summaries.values()) {
      const used = new Map<string, { index: number; via: string; name?: string }>();
      for (const callees of Object.values(s.calls)) {
        for (const q of callees) {
          if (all.has(this.normalized(q))) used.set(q, all.get(this.normalized(q))!);
          // A module that makes objects of a class (`Worker()`) may call its methods (`worker.send(fn)`).
          for (const [method, w] of methods.get(this.normalized(q)) ?? []) used.set(`${q}.${method}`, w);
        }
      }
      for (const q of Object.keys(s.importCalls ?? {})) if (all.has(this.normalized(q))) used.set(q, all.get(this.normalized(q))!);
      // A module the text gate skipped: what it imports (a wrapper, or the module that defines one).
      for (const q of s.imported ?? []) for (const [name, w] of all) if (name === q || name.startsWith(`${q}.`)) used.set(name, w);
      if (used.size > 0) result.set(s.module, used);
    }
    return result;
  }

  /**
   * For every module, its classes whose objects the run makes on the GUI thread only: made in GUI-thread
   * code of some module, and nowhere else in any module (a module the text gate skipped is not seen:
   * its constructions are unknown, so a class it imports is left out).
   */
  guiOwnedClasses(): Map<string, Set<string>> {
    const onGui = new Set<string>();
    const elsewhere = new Set<string>();
    for (const s of this.summaries.values()) {
      for (const q of s.madeOnGui ?? []) onGui.add(this.normalized(q));
      for (const q of s.madeElsewhere ?? []) elsewhere.add(this.normalized(q));
      for (const q of s.imported ?? []) elsewhere.add(this.normalized(q));
    }
    const result = new Map<string, Set<string>>();
    for (const q of onGui) {
      if (elsewhere.has(q)) continue;
      const owner = this.split(q);
      if (!owner || owner[1].includes('.')) continue;
      if (!result.has(owner[0])) result.set(owner[0], new Set());
      result.get(owner[0])!.add(owner[1]);
    }
    return result;
  }

  /** For every module, the thread-starting methods of the other modules' classes it makes objects of. */
  threadStartersByModule(): Map<string, Set<string>> {
    const byClass = new Map<string, string[]>();
    for (const s of this.summaries.values()) {
      for (const m of s.threadStarters ?? []) {
        const cls = `${s.module}.${m.slice(0, m.lastIndexOf('.'))}`;
        byClass.set(cls, [...(byClass.get(cls) ?? []), `${s.module}.${m}`]);
      }
    }
    const result = new Map<string, Set<string>>();
    if (byClass.size === 0) return result;
    for (const s of this.summaries.values()) {
      const found = new Set<string>();
      // Named as this module spells the class (`google.cloud.….Dispatcher.start`), as its model asks.
      for (const callees of Object.values(s.calls)) for (const q of callees) for (const m of byClass.get(this.normalized(q)) ?? []) found.add(`${q}${m.slice(m.lastIndexOf('.'))}`);
      if (found.size > 0) result.set(s.module, found);
    }
    return result;
  }

  /** The run's class-creation hooks (every metaclass's), for every module (none: absent). */
  classHooksByModule(): Map<string, Set<string>> {
    const hooks = new Set<string>();
    for (const s of this.summaries.values()) for (const name of s.classHooks ?? []) hooks.add(name);
    const result = new Map<string, Set<string>>();
    if (hooks.size > 0) for (const module of this.summaries.keys()) result.set(module, hooks);
    return result;
  }

  /** For every module, the construction hooks of the classes of other modules it derives from. */
  constructionHooksByModule(): Map<string, Map<string, string[]>> {
    const all = new Map<string, string[]>();
    for (const s of this.summaries.values()) for (const [cls, hooks] of Object.entries(s.constructionHooks ?? {})) all.set(`${s.module}.${cls}`, hooks);
    const result = new Map<string, Map<string, string[]>>();
    if (all.size === 0) return result;
    for (const s of this.summaries.values()) {
      const used = new Map((s.importedBases ?? []).filter((q) => all.has(q)).map((q) => [q, all.get(q)!] as const));
      if (used.size > 0) result.set(s.module, used);
    }
    return result;
  }

  /** For every module, the hand-over decorators of other modules it uses (`@misc.idle`). */
  handOverDecoratorsByModule(): Map<string, Map<string, string>> {
    return this.decoratorsByModule((s) => s.handOverDecorators);
  }

  /** For every module, the decorators of one kind (hand-overs, spawners) of other modules it uses. */
  decoratorsByModule(decoratorsOf: (s: ModuleSummary) => Record<string, string> | undefined): Map<string, Map<string, string>> {
    const all = new Map<string, string>();
    for (const s of this.summaries.values()) for (const [name, via] of Object.entries(decoratorsOf(s) ?? {})) all.set(`${s.module}.${name}`, via);
    const result = new Map<string, Map<string, string>>();
    if (all.size === 0) return result;
    for (const s of this.summaries.values()) {
      const used = new Map((s.importedDecorators ?? []).filter((q) => all.has(this.normalized(q))).map((q) => [q, all.get(this.normalized(q))!] as const));
      if (used.size > 0) result.set(s.module, used);
    }
    return result;
  }

  /** For every module, the lock decorators of other modules it uses (`@with_lock` from `pkg.util`). */
  lockDecoratorsByModule(): Map<string, Map<string, { self: string | null; locks: string[] }>> {
    const all = new Map<string, { self: string | null; locks: string[] }>();
    for (const s of this.summaries.values()) for (const [name, d] of Object.entries(s.lockDecorators ?? {})) all.set(`${s.module}.${name}`, d);
    const result = new Map<string, Map<string, { self: string | null; locks: string[] }>>();
    if (all.size === 0) return result;
    // `from pkg.internal import synchronized`, which `pkg/internal/__init__.py` re-exports from
    // `pkg.internal.concurrency`: the one decorator of that name inside the package.
    const defined = (q: string) => {
      if (all.has(q)) return all.get(q);
      const dot = q.lastIndexOf('.');
      const found = [...all.keys()].filter((k) => k.startsWith(`${q.slice(0, dot)}.`) && k.endsWith(q.slice(dot)));
      return found.length === 1 ? all.get(found[0]) : undefined;
    };
    for (const s of this.summaries.values()) {
      const used = new Map((s.importedDecorators ?? []).flatMap((q) => {
        const d = defined(q);
        return d ? [[q, d] as const] : [];
      }));
      if (used.size > 0) result.set(s.module, used);
    }
    return result;
  }

  /**
   * For every module, the classes of other modules it derives from that are of a kind (Thread
   * subclasses, GUI objects): each module's summary names its own, knowing those of the modules it
   * imports from the previous round.
   */
  classesByModule(kind: (s: ModuleSummary) => string[] | undefined, made = false): Map<string, Set<string>> {
    const known = new Set<string>();
    for (const s of this.summaries.values()) for (const name of kind(s) ?? []) known.add(`${s.module}.${name}`);
    const result = new Map<string, Set<string>>();
    if (known.size === 0) return result;
    for (const s of this.summaries.values()) {
      const found = new Set((s.importedBases ?? []).filter((q) => known.has(this.normalized(q))));
      // Also the classes it makes objects of (`FileNotFoundDialog(…)`), when asked — only where a thread
      // of the module runs code (FT220's widgets made on a worker): elsewhere the fact changes nothing
      // and would only make the module be analysed again.
      if (made && Object.keys(s.reachable).length > 0) for (const callees of Object.values(s.calls)) for (const q of callees) if (known.has(this.normalized(q))) found.add(q);
      if (found.size > 0) result.set(s.module, found);
    }
    return result;
  }

  /**
   * For every module, the names it imports from the run's GUI toolkit shims (summaries' `toolkitExports`,
   * matched against its `ownImports`, or `imported` for a module the text gate skipped): imported → toolkit.
   */
  toolkitShimsByModule(): Map<string, Map<string, string>> {
    const exported = new Map<string, string>();
    for (const s of this.summaries.values()) for (const [name, target] of Object.entries(s.toolkitExports ?? {})) exported.set(`${s.module}.${name}`, target);
    const result = new Map<string, Map<string, string>>();
    if (exported.size === 0) return result;
    for (const s of this.summaries.values()) {
      const found = new Map<string, string>();
      for (const q of s.ownImports ?? s.imported ?? []) {
        const target = exported.get(this.normalized(q));
        if (target && !q.startsWith(`${s.module}.`)) found.set(q, target);
      }
      if (found.size > 0) result.set(s.module, found);
    }
    return result;
  }

  /**
   * For every module, the classes of other modules it makes objects of or derives from that implement
   * augmented operators in place (summaries' `inPlaceClasses`): qualified name → operators.
   */
  inPlaceClassesByModule(): Map<string, Map<string, string[]>> {
    const known = new Map<string, string[]>();
    for (const s of this.summaries.values()) for (const [cls, ops] of Object.entries(s.inPlaceClasses ?? {})) known.set(`${s.module}.${cls}`, ops);
    const result = new Map<string, Map<string, string[]>>();
    if (known.size === 0) return result;
    for (const s of this.summaries.values()) {
      const found = new Map<string, string[]>();
      const referenced = [...(s.importedBases ?? []), ...Object.values(s.calls).flat()];
      for (const q of referenced) {
        const ops = known.get(this.normalized(q));
        if (ops && !q.startsWith(`${s.module}.`)) found.set(q, ops);
      }
      if (found.size > 0) result.set(s.module, found);
    }
    return result;
  }

  /**
   * For every module, the methods of its classes that another module calls on some object (the names
   * its summary's `callLocks` lists: calls not surely its own functions) — of those its summary lists
   * as named only on a receiver there (assume-concurrent runs only: nothing else asks, and a fact every
   * module had would make the run analyse every module twice). Modules without are absent.
   */
  methodsCalledFromOtherModules(): Map<string, Set<string>> {
    const callers = new Map<string, string[]>();
    for (const s of this.summaries.values()) for (const name of Object.keys(s.callLocks ?? {})) push(callers, name, s.module);
    const result = new Map<string, Set<string>>();
    for (const s of this.summaries.values()) {
      const found = new Set<string>();
      for (const name of s.receiverOnlyMethods ?? []) if (callers.get(name)?.some((m) => m !== s.module)) found.add(name);
      if (found.size > 0) result.set(s.module, found);
    }
    return result;
  }

  /**
   * Module globals changed in place by other modules, matched with the loops of their own module that
   * iterate them: for the owner, its global → one change elsewhere (a change on a thread first); for
   * each changing module, the qualified global → one loop of the owner (a loop on a thread first).
   */
  containerAccesses(): { changes: Map<string, Map<string, ContainerAccess>>; iterations: Map<string, Map<string, ContainerAccess>> } {
    const changes = new Map<string, Map<string, ContainerAccess>>();
    const iterations = new Map<string, Map<string, ContainerAccess>>();
    for (const s of this.summaries.values()) {
      for (const [qualified, change] of Object.entries(s.containerChanges ?? {})) {
        const owner = this.split(qualified);
        if (!owner || owner[0] === s.module || owner[1].includes('.')) continue;
        const [module, name] = owner;
        if (!changes.has(module)) changes.set(module, new Map());
        const byName = changes.get(module)!;
        if (isStrongerAccess(change, byName.get(name))) byName.set(name, change);
        const loops = this.summaries.get(module)!.iterations ?? {};
        if (!Object.hasOwn(loops, name)) continue;
        if (!iterations.has(s.module)) iterations.set(s.module, new Map());
        iterations.get(s.module)!.set(qualified, loops[name]);
      }
    }
    return { changes, iterations };
  }

  /**
   * See externalCallerLocks(); and a hook's lock: a method a class calls on `self` holding a lock at
   * every call (`with self._lock: … self._begin(tid)`) runs under it in the overrides subclasses in
   * other modules define, when nothing else of their module calls them and no call of that name
   * elsewhere in the run holds nothing.
   */
  callerLocks(): Map<string, Map<string, string>> {
    const result = externalCallerLocks(this.summaries.values());
    const unlocked = new Set<string>();
    for (const s of this.summaries.values()) for (const [name, lock] of Object.entries(s.callLocks ?? {})) if (lock === null) unlocked.add(name);
    let dispatch: ClassDispatch | undefined;
    for (const s of this.summaries.values()) {
      for (const [cls, c] of Object.entries(s.classes ?? {})) {
        for (const [name, lock] of Object.entries(c.selfCallLocks ?? {})) {
          if (lock === null || unlocked.has(name)) continue;
          dispatch ??= new ClassDispatch(this.summaries.values(), (q) => this.split(q));
          for (const target of dispatch.overrides(s.module, `${cls}.${name}`)) {
            const owner = this.split(target);
            if (!owner || owner[0] === s.module || !(this.summaries.get(owner[0])?.uncalled ?? []).includes(name)) continue;
            if (!result.has(owner[0])) result.set(owner[0], new Map());
            if (!result.get(owner[0])!.has(name)) result.get(owner[0])!.set(name, lock);
          }
        }
      }
    }
    return result;
  }

  /**
   * For every module, its top-level classes whose every construction in the run is owned (summaries'
   * `ownConstructions` and `constructions`): one module saying otherwise, or none constructing it, and it is not.
   */
  ownedClasses(): Map<string, Set<string>> {
    const owned = new Map<string, boolean>();
    const note = (key: string, value: boolean) => owned.set(key, (owned.get(key) ?? true) && value);
    for (const s of this.summaries.values()) {
      for (const [name, value] of Object.entries(s.ownConstructions ?? {})) note(`${s.module}.${name}`, value);
      for (const [q, value] of Object.entries(s.constructions ?? {})) {
        const owner = this.split(q);
        if (owner && !owner[1].includes('.')) note(`${owner[0]}.${owner[1]}`, value);
      }
    }
    const result = new Map<string, Set<string>>();
    for (const [key, value] of owned) {
      if (!value) continue;
      const owner = this.split(key);
      if (!owner) continue;
      if (!result.has(owner[0])) result.set(owner[0], new Set());
      result.get(owner[0])!.add(owner[1]);
    }
    return result;
  }

  /**
   * For every module, its functions that no code of the module calls and that every call of their name
   * elsewhere in the run makes before its caller starts threads: name → one such call. A name called
   * anywhere else (`callLocks` lists every name a module calls on another object or imports) is out.
   */
  calledBeforeStart(): Map<string, Map<string, string>> {
    const where = new Map<string, string | null>();
    for (const s of this.summaries.values()) {
      for (const name of Object.keys(s.callLocks ?? {})) {
        const at = s.startCalls?.[name];
        if (at === undefined) where.set(name, null);
        else if (!where.has(name)) where.set(name, at);
      }
    }
    const result = new Map<string, Map<string, string>>();
    for (const s of this.summaries.values()) {
      for (const name of s.uncalled ?? []) {
        const at = where.get(name);
        if (!at) continue;
        if (!result.has(s.module)) result.set(s.module, new Map());
        result.get(s.module)!.set(name, at);
      }
    }
    return result;
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

  /** For every module, its top-level functions another module calls unconditionally while it is imported: name → where. */
  primedAtImport(): Map<string, Map<string, string>> {
    const result = new Map<string, Map<string, string>>();
    for (const s of this.summaries.values()) {
      for (const [q, at] of Object.entries(s.primes ?? {})) {
        const owner = this.split(q);
        if (!owner || owner[1].includes('.')) continue;
        if (!result.has(owner[0])) result.set(owner[0], new Map());
        if (!result.get(owner[0])!.has(owner[1])) result.get(owner[0])!.set(owner[1], at);
      }
    }
    return result;
  }

  get size(): number {
    return this.summaries.size;
  }

  /** `pkg.mod.Cls.run` → [`pkg.mod`, `Cls.run`] for the longest known module prefix. */
  private split(qualified: string): [string, string] | null {
    const exact = this.splitExact(qualified);
    if (exact) return exact;
    // A namespace package (`google.cloud.pubsub_v1`, whose `google/` and `cloud/` have no `__init__.py`)
    // is named in imports by more than the run's module names say: drop the leading parts up to one of
    // the run's packages (at least `package.module.name` left).
    const parts = qualified.split('.');
    const packages = this.packageRoots();
    for (let i = 1; i < parts.length - 2; i++) {
      if (!packages.has(parts[i]) || packages.has(parts[0])) continue;
      const found = this.splitExact(parts.slice(i).join('.'));
      if (found) return found;
    }
    return null;
  }

  private splitExact(qualified: string): [string, string] | null {
    const parts = qualified.split('.');
    for (let i = parts.length - 1; i > 0; i--) {
      const module = parts.slice(0, i).join('.');
      if (this.summaries.has(module)) return [module, parts.slice(i).join('.')];
    }
    return null;
  }

  private roots: Set<string> | undefined;

  /** The first part of the run's modules that are in packages (`pubsub_v1` of `pubsub_v1.subscriber.client`). */
  private packageRoots(): Set<string> {
    if (!this.roots) {
      this.roots = new Set();
      for (const m of this.summaries.keys()) if (m.includes('.')) this.roots.add(m.slice(0, m.indexOf('.')));
    }
    return this.roots;
  }

  /** A qualified name as the run's modules spell it (see split). */
  private normalized(qualified: string): string {
    const owner = this.split(qualified);
    return owner ? `${owner[0]}.${owner[1]}` : qualified;
  }

  /**
   * For every module, the functions that only threads of *other* modules reach: local name → how.
   * Modules without such functions are absent.
   */
  /**
   * Like split(), and a method called through a module-level instance of the module's class
   * (`pkg.events.events.schedule`, `events = Events()`) is the class's method (`Events.schedule`).
   */
  private splitCallee(qualified: string): [string, string] | null {
    const owner = this.split(qualified);
    if (!owner) return null;
    const dot = owner[1].indexOf('.');
    const cls = dot > 0 ? this.summaries.get(owner[0])!.instances?.[owner[1].slice(0, dot)] : undefined;
    return cls && Object.hasOwn(this.summaries.get(owner[0])!.instances!, owner[1].slice(0, dot)) ? [owner[0], `${cls}${owner[1].slice(dot)}`] : owner;
  }

  externalEntries(): Map<string, Map<string, string>> {
    return this.threadReach().entries;
  }

  /**
   * The functions threads of other modules reach (module → local name → how), and the classes whose
   * objects other modules' thread code is handed (module → class → how).
   */
  threadReach(): { entries: Map<string, Map<string, string>>; handed: Map<string, Map<string, string>>; onSelf: Map<string, Set<string>>; onThreads: Set<string> } {
    const reached = new Map<string, string>();
    /** `module.Class` of objects thread code is handed → how. */
    const handedClasses = new Map<string, string>();
    /** Methods reached through `self.h()` from a method on a thread: the object itself is on that thread. */
    const bySelf = new Set<string>();
    const queue: string[] = [];
    const dispatch = new ClassDispatch(this.summaries.values(), (q) => this.split(q));
    const classOf = (owner: [string, string]) => (owner[1].includes('.') ? `${owner[0]}.${owner[1].slice(0, owner[1].indexOf('.'))}` : null);
    const reach = (written: string, via: string, overridden = true, handed = false) => {
      // `pkg.io.Backend.fetch` where `pkg/io/__init__.py` re-exports `pkg.io.base.Backend`: the class's own module.
      const owner = dispatch.canonical(this.splitCallee(written));
      const qualified = owner ? `${owner[0]}.${owner[1]}` : written;
      const cls = owner ? classOf(owner) : null;
      const newlyHanded = handed && !!cls && !handedClasses.has(cls);
      if (newlyHanded) handedClasses.set(cls!, via);
      if (reached.has(qualified) && !newlyHanded) return;
      if (!reached.has(qualified)) reached.set(qualified, via);
      queue.push(qualified);
      // The method of an object that may be a subclass's: the subclasses' overrides run there too.
      if (owner && overridden) for (const override of dispatch.overrides(owner[0], owner[1])) reach(override, via, true, handed);
    };
    // Real threads first, to the end of what they reach; then assume-concurrent's reach, which adds
    // only what no real thread reaches: a function a thread of another module calls keeps that thread
    // as its entry, though its own module assumes every function concurrent.
    for (const assumedPhase of [false, true]) {
      for (const s of this.summaries.values()) {
        // What the module's own threads reach it knows: its methods' overrides elsewhere follow from the
        // calls on `self` (selfCalls), where a subclass that overrides the caller is left out.
        for (const [local, via] of Object.entries(s.reachable)) if (via.startsWith(ASSUMED_VIA) === assumedPhase) reach(`${s.module}.${local}`, via, false);
        // Targets and calls name their callee exactly (`mod.f`, `Base.method(self)`, a module-level
        // instance's method): no dispatch to overrides.
        if (!assumedPhase) for (const [target, via] of Object.entries(s.spawns)) reach(target, via, false);
      }
      while (queue.length > 0) {
        const qualified = queue.shift()!;
        const owner = this.split(qualified);
        if (!owner) continue;
        const via = reached.get(qualified)!;
        // Own properties only: a function named `constructor` must not find Object.prototype's.
        const calls = this.summaries.get(owner[0])!.calls;
        for (const callee of Object.hasOwn(calls, owner[1]) ? calls[owner[1]] : []) reach(callee, via, false);
        const handedCalls = this.summaries.get(owner[0])!.handedCalls ?? {};
        // Objects of a class with subclasses in the run (a plugin's backends, a service's handlers) are
        // long-lived and shared with the thread that is handed them; an object of a class nobody derives
        // from is as often a message handed over once (one request's state): reached, not shared.
        for (const callee of Object.hasOwn(handedCalls, owner[1]) ? handedCalls[owner[1]] : []) reach(callee, via, true, dispatch.hasSubclasses(this.splitCallee(callee)));
        // `self.h()` in a method: the class's own or inherited method, or a subclass's override
        // (on the same object: handed to the thread if this one was).
        const cls = classOf(owner);
        for (const target of dispatch.selfCalls(owner[0], owner[1])) {
          reach(target, via, false, !!cls && handedClasses.has(cls));
          // Only a real thread puts the object on a worker (not assume-concurrent's every method).
          const reached = via.startsWith(ASSUMED_VIA) ? null : dispatch.canonical(this.splitCallee(target));
          if (reached) bySelf.add(`${reached[0]}.${reached[1]}`);
        }
      }
    }
    const result = new Map<string, Map<string, string>>();
    for (const [qualified, via] of reached) {
      const owner = this.split(qualified);
      if (!owner) continue;
      const [module, local] = owner;
      // What the module reaches itself it knows — but a real thread of another module tells more than
      // assume-concurrent does.
      const own = this.summaries.get(module)!.reachable;
      if (Object.hasOwn(own, local) && (!own[local].startsWith(ASSUMED_VIA) || via.startsWith(ASSUMED_VIA))) continue;
      if (!result.has(module)) result.set(module, new Map());
      result.get(module)!.set(local, via);
    }
    const handed = new Map<string, Map<string, string>>();
    for (const [qualified, via] of handedClasses) {
      const owner = this.split(qualified);
      if (!owner || owner[1].includes('.')) continue;
      if (!handed.has(owner[0])) handed.set(owner[0], new Map());
      handed.get(owner[0])!.set(owner[1], via);
    }
    const onSelf = new Map<string, Set<string>>();
    for (const qualified of bySelf) {
      const owner = this.split(qualified);
      if (!owner || !result.get(owner[0])?.has(owner[1])) continue;
      if (!onSelf.has(owner[0])) onSelf.set(owner[0], new Set());
      onSelf.get(owner[0])!.add(owner[1]);
    }
    // Functions (qualified) a real thread reaches, in the module's own reach or another's.
    const onThreads = new Set<string>();
    for (const [qualified, via] of reached) if (!via.startsWith(ASSUMED_VIA)) onThreads.add(qualified);
    return { entries: result, handed, onSelf, onThreads };
  }

  /**
   * For every module, its functions other modules' threads reach → the arguments (encoded) of every call
   * a really thread-reached function of another module makes of them. A function some thread reaches in a
   * way no such call shows (handed to a thread API, a callback) gets none: its branches all may run.
   */
  threadCallArguments(entries: Map<string, Map<string, string>>, onThreads: Set<string>): Map<string, Map<string, string[]>> {
    const result = new Map<string, Map<string, string[]>>();
    if (entries.size === 0) return result;
    const found = new Map<string, string[]>();
    for (const s of this.summaries.values()) {
      for (const [local, byCallee] of Object.entries(s.callArguments ?? {})) {
        if (!onThreads.has(`${s.module}.${local}`)) continue;
        for (const [callee, calls] of Object.entries(byCallee)) {
          const owner = this.split(callee);
          if (!owner || owner[0] === s.module || !entries.get(owner[0])?.has(owner[1])) continue;
          const key = `${owner[0]}.${owner[1]}`;
          const list = found.get(key) ?? [];
          for (const c of calls) if (!list.includes(c)) list.push(c);
          found.set(key, list);
        }
      }
    }
    // Handed to a thread API somewhere: the API calls it, with arguments no summary shows.
    for (const s of this.summaries.values()) {
      for (const target of Object.keys(s.spawns)) {
        const owner = this.split(target);
        if (owner) found.delete(`${owner[0]}.${owner[1]}`);
      }
    }
    for (const [key, calls] of found) {
      const owner = this.split(key)!;
      if (!result.has(owner[0])) result.set(owner[0], new Map());
      result.get(owner[0])!.set(owner[1], calls);
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

/**
 * Method dispatch across the run's modules, from the summaries' classes: which methods override a
 * method in subclasses (in any module), and where a call on `self` lands.
 */
class ClassDispatch {
  /** `module.Class` → its record. */
  private readonly classes = new Map<string, { module: string; name: string; bases: string[]; methods: Set<string>; selfCalls: Record<string, string[]> }>();
  /** `module.Class` → its direct subclasses (`module.Class`). */
  private readonly subclasses = new Map<string, string[]>();
  /** Class name → every `module.Class` of that name (a package re-exporting a class names it by its package). */
  private readonly byName = new Map<string, string[]>();

  constructor(
    summaries: Iterable<ModuleSummary>,
    private readonly split: (qualified: string) => [string, string] | null,
  ) {
    const all = [...summaries];
    for (const s of all) {
      for (const [name, c] of Object.entries(s.classes ?? {})) {
        const key = `${s.module}.${name}`;
        this.classes.set(key, { module: s.module, name, bases: c.bases, methods: new Set(c.methods), selfCalls: c.selfCalls ?? {} });
        const list = this.byName.get(name) ?? [];
        list.push(key);
        this.byName.set(name, list);
      }
    }
    for (const [key, c] of this.classes) {
      for (const base of c.bases) {
        const resolved = this.resolve(base);
        if (!resolved || resolved === key) continue;
        const list = this.subclasses.get(resolved) ?? [];
        list.push(key);
        this.subclasses.set(resolved, list);
      }
    }
  }

  /** Does a class of the run derive from the class of [module, `Class.method`]? */
  hasSubclasses(owner: [string, string] | null): boolean {
    const canonical = this.canonical(owner);
    const dot = canonical ? canonical[1].indexOf('.') : -1;
    return dot > 0 && (this.subclasses.get(`${canonical![0]}.${canonical![1].slice(0, dot)}`)?.length ?? 0) > 0;
  }

  /** [module, `Class.method`] with the class as its own module defines it (a package's re-export resolved). */
  canonical(owner: [string, string] | null): [string, string] | null {
    if (!owner) return null;
    const dot = owner[1].indexOf('.');
    if (dot <= 0 || this.classes.has(`${owner[0]}.${owner[1].slice(0, dot)}`)) return owner;
    const resolved = this.resolve(`${owner[0]}.${owner[1].slice(0, dot)}`);
    return resolved ? [this.classes.get(resolved)!.module, `${this.classes.get(resolved)!.name}${owner[1].slice(dot)}`] : owner;
  }

  /** A class as the run's modules define it: `pkg.mod.Cls`, or `pkg.Cls` re-exported from one module of the package. */
  private resolve(qualified: string): string | null {
    const owner = this.split(qualified);
    if (owner && this.classes.has(`${owner[0]}.${owner[1]}`)) return `${owner[0]}.${owner[1]}`;
    const name = qualified.slice(qualified.lastIndexOf('.') + 1);
    const prefix = qualified.slice(0, qualified.lastIndexOf('.'));
    const candidates = (this.byName.get(name) ?? []).filter((k) => k.startsWith(`${prefix}.`));
    return candidates.length === 1 ? candidates[0] : null;
  }

  /**
   * `module`, `Class.method` → the same method of every subclass (transitively) that overrides it; with
   * `caller`, only in subclasses that inherit `caller` (a subclass that overrides the calling method
   * never runs the call).
   */
  overrides(module: string, local: string, caller?: string): string[] {
    const dot = local.indexOf('.');
    if (dot <= 0 || local.indexOf('.', dot + 1) !== -1) return [];
    const start = `${module}.${local.slice(0, dot)}`;
    if (!this.classes.has(start)) return [];
    const method = local.slice(dot + 1);
    const out: string[] = [];
    const seen = new Set([start]);
    const pending = [...(this.subclasses.get(start) ?? [])];
    while (pending.length > 0) {
      const key = pending.pop()!;
      if (seen.has(key)) continue;
      seen.add(key);
      const c = this.classes.get(key)!;
      if (caller !== undefined && c.methods.has(caller)) continue;
      if (c.methods.has(method)) out.push(`${c.module}.${c.name}.${method}`);
      pending.push(...(this.subclasses.get(key) ?? []));
    }
    return out;
  }

  /**
   * `module`, `Class.method` → where each of its calls on `self` lands in other modules: the nearest
   * base's method that defines it, and the overrides in the subclasses that run this method.
   */
  selfCalls(module: string, local: string): string[] {
    const dot = local.indexOf('.');
    if (dot <= 0) return [];
    const className = local.slice(0, dot);
    const method = local.slice(dot + 1);
    const key = `${module}.${className}`;
    const c = this.classes.get(key);
    const called = c && Object.hasOwn(c.selfCalls, method) ? c.selfCalls[method] : [];
    const out: string[] = [];
    for (const name of called) {
      const definer = this.definer(key, name, new Set());
      if (definer) out.push(`${definer}.${name}`);
      out.push(...this.overrides(module, `${className}.${name}`, method));
    }
    // The module's own analysis follows its own calls on `self`, with the locks held where they are made:
    // only what lands in other modules is the graph's to add.
    return out.filter((target) => this.classes.get(target.slice(0, target.lastIndexOf('.')))?.module !== module);
  }

  /** The class (`module.Class`) whose method `name` an object of `key` runs: its own or the nearest base's. */
  private definer(key: string, name: string, seen: Set<string>): string | null {
    if (seen.has(key)) return null;
    seen.add(key);
    const c = this.classes.get(key);
    if (!c) return null;
    if (c.methods.has(name)) return key;
    for (const base of c.bases) {
      const resolved = this.resolve(base);
      const found = resolved ? this.definer(resolved, name, seen) : null;
      if (found) return found;
    }
    return null;
  }
}
