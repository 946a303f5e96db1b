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
  /**
   * A test module (project/moduleName.ts): nothing imports it, so its code runs in the test harness's
   * thread unless a thread it starts reaches it — the module's other threads are no evidence about it.
   */
  testModule?: boolean;
  /** A command-line script (project/moduleName.ts): like a test module, nothing imports it to call from threads. */
  scriptModule?: boolean;
  /** Extra callables whose construction makes a lock, e.g. `mypkg.sync.SpinLock` (qualified or bare). */
  lockTypes?: readonly string[];
  /** Extra functions whose callable argument runs on another thread, e.g. `mypkg.spawn` (qualified or bare). */
  threadEntryPoints?: readonly string[];
  /** The module's package (`pkg.sub` for pkg/sub/mod.py), to resolve relative imports. */
  packageName?: string;
  /** What the other modules of the run tell this one (project/graph.ts); absent outside project runs. */
  project?: ProjectFacts;
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
  /**
   * The requirements the project declares (PEP 508 strings from pyproject.toml's `[project]`): FT216
   * says a package needs a newer release only when one of them keeps it below that release.
   */
  declaredRequirements?: readonly string[];
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

/** What the rest of the run tells one module (project/graph.ts); each map is absent when empty. */
export interface ProjectFacts {
  /** Its functions that threads started in other modules reach: local name → how. */
  threadEntries?: ReadonlyMap<string, string>;
  /**
   * Its functions that no code of the module calls and that every call elsewhere in the run makes
   * holding a lock: bare name → that lock, described with its place.
   */
  callerLocks?: ReadonlyMap<string, string>;
  /**
   * Its functions that no code of the module calls and that every call elsewhere in the run makes before
   * its caller starts threads (ModuleModel.callBeforeThreadStart): bare name → one such call, with its place.
   */
  calledBeforeStart?: ReadonlyMap<string, string>;
  /**
   * Its functions that no code of the module calls and that every call elsewhere in the run makes at
   * module level, while that module is imported: name → where.
   */
  importCallers?: ReadonlyMap<string, string>;
  /** Its top-level functions another module of the run calls unconditionally while it is imported: name → where. */
  primedAtImport?: ReadonlyMap<string, string>;
  /** Its module globals that other modules change in place: name → one such change, on a thread first. */
  containerChanges?: ReadonlyMap<string, ContainerAccess>;
  /**
   * Other modules' globals it changes in place, which their own module iterates: qualified name
   * (`pkg.registry._handlers`) → one such loop, a loop on a thread first.
   */
  containerIterations?: ReadonlyMap<string, ContainerAccess>;
  /**
   * Its top-level classes every construction of which in the run is owned (ModuleModel.constructionOwned:
   * by the call that makes it, or kept in a private field its owner reaches only holding its lock):
   * class names. Under assume-concurrent their objects are not assumed shared.
   */
  ownedClasses?: ReadonlySet<string>;
  /** Classes of other modules it derives from that are `threading.Thread` subclasses: qualified names. */
  threadClasses?: ReadonlySet<string>;
  /**
   * Decorators of other modules it uses whose wrapper holds a lock around the call (`@with_lock`):
   * qualified name → the wrapper's first parameter and the locks (through it, or qualified globals).
   */
  lockDecorators?: ReadonlyMap<string, { self: string | null; locks: readonly string[] }>;
  /**
   * Construction hooks of the classes of other modules it derives from: qualified class → the methods
   * that class's `__init__` calls on `self` and nothing else of it calls (an override runs at construction).
   */
  constructionHooks?: ReadonlyMap<string, readonly string[]>;
  /**
   * Class-creation hooks of the run: methods a metaclass's `__new__` or `__init__` (in any module) calls on
   * the class it builds (`cls.__classinit__(cls, attrs)`). They run when a class statement runs.
   */
  classHooks?: ReadonlySet<string>;
  /** Classes of other modules it derives from, or makes objects of, that are GUI toolkit objects (used on one thread only): qualified names. */
  guiClasses?: ReadonlySet<string>;
  /**
   * Names it imports from a module of the run that re-exports a GUI toolkit (a compatibility shim: `from
   * app.ui import QtCore` where `app/ui.py` imports `from PyQt6 import QtCore`): the name as imported
   * (`app.ui.QtCore`) → the toolkit's (`PyQt6.QtCore`).
   */
  toolkitShims?: ReadonlyMap<string, string>;
  /**
   * Its plain functions other modules' threads call: local name → each call's arguments as literals
   * (threadBranches.ts encodeArguments), so a branch no thread's call selects is not thread code.
   */
  threadCallArguments?: ReadonlyMap<string, readonly string[]>;
  /**
   * Functions of other modules it imports that hand one of their parameters to a thread
   * (`utils.spawn(fn)`): qualified name → the argument's position and how.
   */
  spawnerWrappers?: ReadonlyMap<string, { index: number; via: string; name?: string }>;
  /**
   * Functions of other modules it imports that hand one of their parameters to the UI or loop thread
   * (`util.run_on_main(fn)` around `GLib.idle_add`): qualified name → the argument's position and how.
   */
  handOverWrappers?: ReadonlyMap<string, { index: number; via: string; name?: string }>;
  /**
   * Its entries (of `threadEntries`) another module's method on a thread reaches through `self.h()`: the
   * object itself runs on that thread (a subclass's worker calling its base's widget code), so its
   * toolkit calls are the worker's (FT220).
   */
  selfCallEntries?: ReadonlySet<string>;
  /**
   * Decorators of other modules it uses that hand the decorated function to the UI or loop thread
   * (`@misc.idle`, whose wrapper calls `GLib.idle_add(func, …)`): qualified name → how.
   */
  handOverDecorators?: ReadonlyMap<string, string>;
  /**
   * Decorators of other modules it uses that start a thread for each call of the decorated function
   * (`@misc.run_async`, whose wrapper calls `Thread(target=func, …).start()`): qualified name → how.
   */
  spawnerDecorators?: ReadonlyMap<string, string>;
  /** Methods of other modules' classes it makes objects of that start a thread (`pkg.dispatcher.Dispatcher.start`). */
  threadStarters?: ReadonlySet<string>;
  /** Its classes whose objects the run makes on the GUI thread only (class names): the GUI's. */
  guiOwnedClasses?: ReadonlySet<string>;
  /**
   * Its top-level classes whose objects another module's thread code is handed and calls methods of
   * (a parameter annotated with the class, or a base class's, and the subclasses whose overrides run
   * there): class → how.
   */
  handedClasses?: ReadonlyMap<string, string>;
  /**
   * Methods of its classes that another module of the run calls on an object (`msg.parse_header(…)`):
   * names. A public method its own class calls only while constructing is construction code only when
   * no one else calls it.
   */
  calledFromOtherModules?: ReadonlySet<string>;
  /**
   * Classes of other modules it makes objects of or derives from whose objects implement augmented
   * operators in place (`class Event(list)`, or `__iadd__` returning `self`): qualified name → operators.
   */
  inPlaceClasses?: ReadonlyMap<string, readonly string[]>;
  /**
   * The run is an application: a module runs a GUI toolkit's main loop or Twisted's reactor from a
   * function (project/mainLoop.ts) — `Tk main loop at line 104 of pkg.main`. No importer calls its code from
   * threads of its own: what no thread of the run reaches runs on the loop's thread.
   */
  mainLoop?: string;
}
