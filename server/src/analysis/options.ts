// What a run of the analysis is told (modes, extra names, cross-file facts) and how sure a finding is.
// Apart from types.ts so the model can read its options without importing the rule vocabulary.

/**
 * How strong the evidence behind one finding is: high when a thread entry reaches the code and the state
 * is shared, medium when sharing is evident but no entry is visible (or only assume-concurrent supplies
 * the threads for state that is shared by nature), low when only assume-concurrent says so.
 */
export type Confidence = 'high' | 'medium' | 'low';

export interface AnalysisOptions {
  /** Treat every function as callable from several threads at once (auditing a library). */
  assumeConcurrent?: boolean;
  /** Extra callables whose construction makes a lock, e.g. `mypkg.sync.SpinLock` (qualified or bare). */
  lockTypes?: readonly string[];
  /** Extra functions whose callable argument runs on another thread, e.g. `mypkg.spawn` (qualified or bare). */
  threadEntryPoints?: readonly string[];
  /** The module's package (`pkg.sub` for pkg/sub/mod.py), to resolve relative imports. */
  packageName?: string;
  /**
   * Functions of this module that run on threads started in other modules (cross-file reachability,
   * from project/graph.ts): local name (`worker`, `Pool.run`) → how they are reached.
   */
  externalThreadEntries?: ReadonlyMap<string, string>;
  /**
   * Functions of this module that no code of the module calls and that every call site elsewhere in the
   * run calls holding a lock (project/graph.ts): bare name → that lock, described with its place.
   */
  externalCallerLocks?: ReadonlyMap<string, string>;
  /**
   * Functions of this module that no code of the module calls and that every call elsewhere in the run
   * makes at module level, while that module is imported (project/graph.ts): name → where.
   */
  externalImportCallers?: ReadonlyMap<string, string>;
  /**
   * Module globals of this module that other modules change in place (project/graph.ts): name → one
   * such change, a change on a thread first.
   */
  externalContainerChanges?: ReadonlyMap<string, ContainerAccess>;
  /**
   * Other modules' globals this module changes in place, which their own module iterates: qualified
   * name (`pkg.registry._handlers`) → one such loop, a loop on a thread first.
   */
  externalContainerIterations?: ReadonlyMap<string, ContainerAccess>;
  /** Classes of other modules this module derives from that are `threading.Thread` subclasses (qualified names). */
  externalThreadClasses?: ReadonlySet<string>;
  /** Leave out findings whose confidence is below this (default: low, so every finding is kept). */
  minConfidence?: Confidence;
  /** Target Python version, e.g. "3.14" (version-aware rules). */
  targetVersion?: string;
  /**
   * Additions to FT216's table of extension packages (server/src/analysis/data/free-threading-packages.json):
   * top-level import name → the first release with free-threading support (e.g. "1.4.0"), or null when no
   * release supports it. An entry here overrides the built-in one for the same name.
   */
  extraPackages?: Readonly<Record<string, string | null>>;
}

/** An access to a module global made in another module (kept in module summaries). */
export interface ContainerAccess {
  /** The function and its module: "`Handler.run` in pkg.worker". */
  where: string;
  /** 1-based. */
  line: number;
  /** Runs on a thread (a thread entry or what it reaches), not only under assume-concurrent. */
  onThread: boolean;
  /** Made holding a lock (of its own module). */
  locked: boolean;
}
