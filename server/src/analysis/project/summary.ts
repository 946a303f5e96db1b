// What one module tells the rest of the project about threads: which of its functions its own threads
// reach, which imported callables it hands to threads, and which imported callables each function calls.
import { BUILTIN_METHODS } from '../model/builtinMethods';
import { metaclassHooksFromText } from '../model/classHooks';
import { isConstructionMethod, type ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { ContainerAccess } from '../options';
import type { Node } from '../parser';
import { resolveRelativeModule } from '../model/imports';
import { isToolkitName } from '../model/guiThread';
import { iteratedContainer } from '../model/iteration';
import { sharedState } from '../model/sharing';
import { insideLambda, positionalArguments, runsAtImport } from '../model/syntax';
import { changesOfImportedGlobals, runsAlone } from '../rules/common';
import { mainLoopFacts } from './mainLoop';
import { HAND_OVER_WORDS } from '../model/threads';
import { encodeArguments } from '../model/threadBranches';

export interface ModuleSummary {
  /** Dotted module name, e.g. `pkg.workers`. */
  module: string;
  /** Local functions (`worker`, `Pool.run`) reached from this module's own thread entries → how. */
  reachable: Record<string, string>;
  /** Qualified callables of other modules handed to thread APIs here (`pkg.jobs.process`) → how. */
  spawns: Record<string, string>;
  /** Local function → qualified callables of other modules it calls. */
  calls: Record<string, string[]>;
  /**
   * Callee name (`install` for `x.install()` and `install()`) → the lock every call of that name
   * here holds (`_lock (held by the caller in pkg.mod, line 12)`), or null when some call holds none.
   */
  callLocks?: Record<string, string | null>;
  /**
   * Callee names of `callLocks` every call of which here runs before its caller starts threads
   * (ModuleModel.callBeforeThreadStart) → one such call (`Pool._start_workers in pkg.pool, line 187`).
   */
  startCalls?: Record<string, string>;
  /**
   * Under assume-concurrent: classes of other modules constructed here (qualified, `pkg.stats.Sample`)
   * → every construction here is owned (ModuleModel.constructionOwned); and this module's own top-level
   * classes constructed here → the same. A class is owned in the run when no module says false.
   */
  constructions?: Record<string, boolean>;
  ownConstructions?: Record<string, boolean>;
  /** Names of this module's functions and methods that no code of the module calls (but their own recursion). */
  uncalled?: string[];
  /**
   * Qualified callables of other modules called here (`pkg.compat.filter_warnings`) → where, when every
   * such call is made at module level (while this module is imported), or null when one is in a function.
   */
  importCalls?: Record<string, string | null>;
  /**
   * Qualified callables of other modules this module calls unconditionally at its top level, while it is
   * imported (`PREVIEW = _('Preview')` with `_` imported from `pkg.i18n`) → where: they have run once
   * before any thread of the program could call them.
   */
  primes?: Record<string, string>;
  /**
   * Globals of other modules changed in place here from functions (`registry._handlers[k] = v`,
   * `reg._seen.append(x)`): qualified name → one such change, a change on a thread first.
   */
  containerChanges?: Record<string, ContainerAccess>;
  /** This module's globals iterated in its functions (`for k in _handlers`): name → one loop, on a thread first. */
  iterations?: Record<string, ContainerAccess>;
  /** Its top-level classes that are `threading.Thread` subclasses (directly, through its own or imported classes). */
  threadClasses?: string[];
  /** Its top-level classes whose objects implement augmented operators in place: class → operators (model/inPlace.ts). */
  inPlaceClasses?: Record<string, string[]>;
  /**
   * Under assume-concurrent: public methods of its classes its text names only on a receiver
   * (ModuleModel.receiverOnlyMethods), which the run checks against other modules' calls.
   */
  receiverOnlyMethods?: string[];
  /** Its top-level classes that are GUI toolkit objects (a Qt/GTK/Tk/wx widget, directly or through its own or imported classes). */
  guiClasses?: string[];
  /** Qualified names of imported classes its classes derive from (`pkg.threads.BaseThread`). */
  importedBases?: string[];
  /** Its module-level decorators whose wrapper holds a lock around the call: name → the wrapper's first parameter and the locks. */
  lockDecorators?: Record<string, { self: string | null; locks: string[] }>;
  /** Its top-level classes' construction hooks: class → methods its `__init__` calls on `self` that nothing else of it calls. */
  constructionHooks?: Record<string, string[]>;
  /** Methods this module's metaclasses call on the classes they build (ProjectFacts.classHooks). */
  classHooks?: string[];
  /** Qualified names of imported decorators its functions use (`@util.with_lock` → `pkg.util.with_lock`). */
  importedDecorators?: string[];
  /** Its module-level functions that hand one of their parameters to a thread: name → position and how. */
  spawnerWrappers?: Record<string, { index: number; via: string; name?: string }>;
  /**
   * Functions that hand one of their parameters to the UI or loop thread (`run_on_main(fn)` around
   * `GLib.idle_add`): module-level functions by name, static and class methods as `Class.method`.
   */
  handOverWrappers?: Record<string, { index: number; via: string; name?: string }>;
  /** Its module-level hand-over decorators (`def idle(func)` returning a wrapper that hands `func` to `GLib.idle_add`): name → how. */
  handOverDecorators?: Record<string, string>;
  /** Its module-level decorators that start a thread for each call of what they decorate → how (`starts a thread per call`). */
  spawnerDecorators?: Record<string, string>;
  /** Local function → methods it calls on a parameter annotated with an imported class (`pkg.io.base.Backend.fetch`). */
  handedCalls?: Record<string, string[]>;
  /**
   * Its top-level classes that take part in method dispatch across modules: bases (qualified: an
   * imported class, or `module.Class` for one of its own), the methods each defines, and the methods
   * each method calls on `self` (what a subclass elsewhere may override). Only classes with a base or
   * such a call.
   */
  classes?: Record<string, { bases: string[]; methods: string[]; selfCalls?: Record<string, string[]>; selfCallLocks?: Record<string, string | null> }>;
  /** Module-level names bound to an object of a class of the module (`events = Events()`): name → class. */
  instances?: Record<string, string>;
  /** Methods of its classes that start a thread themselves (`Dispatcher.start`). */
  threadStarters?: string[];
  /**
   * The classes (qualified, its own too) whose objects it makes on the GUI thread only (in a widget's
   * method, a GUI builder), and those it makes anywhere else: a class made only on the GUI thread, in
   * every module of the run, is the GUI's (graph.ts guiOwnedClasses).
   */
  madeOnGui?: string[];
  madeElsewhere?: string[];
  /**
   * A module the text gate skipped (no sign of concurrency, so never parsed): the names its import
   * statements bring (`pkg.jobs.BackgroundCall`, `pkg.jobs`), read from the text. If one of them hands its
   * argument to a thread, the module is analysed after all.
   */
  imported?: string[];
  /**
   * Names it binds by importing a GUI toolkit (`QtCore` for `from PyQt6 import QtCore`, read from the text,
   * in any branch): name → the toolkit's qualified name. Other modules importing them from here use the toolkit.
   */
  toolkitExports?: Record<string, string>;
  /** The names it imports from its own package (`from app.ui import QtCore` → `app.ui.QtCore`). */
  ownImports?: string[];
  /**
   * Local function → the functions of its own package's other modules it calls (qualified) → each distinct
   * call's arguments as literals (threadBranches.ts encodeArguments).
   */
  callArguments?: Record<string, Record<string, string[]>>;
  /** The application main loop it runs from a function (mainLoop.ts): what and where. */
  mainLoop?: string;
  /** It has an `if __name__ == "__main__":` block: run as a script, it is an entry point. */
  mainGuard?: boolean;
  /** The function that runs its main loop. */
  loopFunction?: string;
  /** The last names of what it hands to threads as `target=` (a loop run there is that thread's). */
  threadTargets?: string[];
  /** A script's calls of imported modules' functions (mainLoop.ts `entryCallsOf`). */
  entryCalls?: string[];
}

const FROM_IMPORT = /^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)/gm;
const PLAIN_IMPORT = /^[ \t]*import[ \t]+([^\n#;]+)/gm;

/** The summary of a module the text gate skipped: only what its import statements name. */
export function skippedModuleSummary(module: string, text: string, packageName?: string): ModuleSummary {
  const imported = new Set<string>();
  const resolve = (written: string): string | null => (written.startsWith('.') ? resolveRelativeModule(written, packageName) : written);
  const names = (list: string) => list.replace(/[()\\]/g, ' ').split(',').map((n) => n.trim().split(/\s+/)[0]).filter((n) => /^[A-Za-z_][\w.]*$/.test(n));
  for (const m of text.matchAll(FROM_IMPORT)) {
    const from = resolve(m[1]);
    if (from) for (const name of names(m[2])) imported.add(`${from}.${name}`);
  }
  for (const m of text.matchAll(PLAIN_IMPORT)) for (const name of names(m[1])) imported.add(name);
  const classes = classesFromText(text, module, imported);
  const toolkit = toolkitExportsFromText(text, packageName);
  const { module: _, ...loop } = mainLoopFacts(module, text);
  const classHooks = metaclassHooksFromText(text);
  return {
    module, reachable: {}, spawns: {}, calls: {},
    ...(imported.size > 0 ? { imported: [...imported] } : {}),
    ...(classHooks.length > 0 ? { classHooks } : {}),
    ...(Object.keys(classes).length > 0 ? { classes } : {}),
    ...(Object.keys(toolkit).length > 0 ? { toolkitExports: toolkit } : {}),
    ...loop,
  };
}

/**
 * The names a module binds by importing a GUI toolkit, in any branch (`try: from PyQt6 import QtCore` /
 * `except ImportError: from PyQt5 import QtCore`): exported name → qualified toolkit name (the first
 * binding found). A compatibility shim is such a module; its importers use the toolkit through it.
 */
export function toolkitExportsFromText(text: string, packageName?: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!TOOLKIT_WORD.test(text)) return out;
  for (const m of text.matchAll(FROM_IMPORT)) {
    const from = m[1].startsWith('.') ? resolveRelativeModule(m[1], packageName) : m[1];
    if (!from || !isToolkitName(from)) continue;
    for (const item of m[2].replace(/[()\\]/g, ' ').split(',')) {
      const [name, as, alias] = item.trim().split(/\s+/);
      if (!name || !/^\w+$/.test(name)) continue;
      const bound = as === 'as' && alias && /^\w+$/.test(alias) ? alias : name;
      out[bound] ??= `${from}.${name}`;
    }
  }
  for (const m of text.matchAll(PLAIN_IMPORT)) {
    for (const item of m[1].split(',')) {
      const [name, as, alias] = item.trim().split(/\s+/);
      if (name && as === 'as' && alias && /^\w+$/.test(alias) && isToolkitName(name)) out[alias] ??= name;
    }
  }
  return out;
}

/** A cheap test before the import statements are read: the text names a toolkit package at all. */
const TOOLKIT_WORD = /\b(?:PyQt[456]|PySide[26]?|qtpy|gi\.repository|tkinter|Tkinter|wx|kivy|AppKit)\b/;

const TOP_CLASS = /^class[ \t]+(\w+)[ \t]*(?:\(([^)]*)\))?[ \t]*:/gm;
const METHOD = /^([ \t]+)(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\([ \t]*(\w+)?/gm;

/**
 * ModuleSummary.classes of a module the text gate skipped, read from its text: top-level classes, their
 * bases (its own classes, or names its imports bring), the methods at the class body's first level and
 * what each calls on its first parameter. A plugin's subclass of another module's class is often such a
 * module: the base's thread may run its overrides.
 */
function classesFromText(text: string, module: string, imported: Set<string>): NonNullable<ModuleSummary['classes']> {
  const out: NonNullable<ModuleSummary['classes']> = {};
  const heads = [...text.matchAll(TOP_CLASS)];
  const own = new Set(heads.map((h) => h[1]));
  const qualify = (written: string): string | null => {
    const [first, ...rest] = written.split('.');
    if (rest.length === 0 && own.has(first)) return `${module}.${first}`;
    for (const q of imported) if (q === first || q.endsWith(`.${first}`)) return [q, ...rest].join('.');
    return null;
  };
  heads.forEach((head, i) => {
    const end = i + 1 < heads.length ? heads[i + 1].index! : text.length;
    // The body ends at the next line at column 0 that is code.
    const rest = text.slice(head.index! + head[0].length, end);
    const stop = /\n(?=[^\s#])/.exec(rest);
    const body = stop ? rest.slice(0, stop.index) : rest;
    const bases = (head[2] ?? '').split(',').map((b) => b.trim()).filter((b) => /^[A-Za-z_][\w.]*$/.test(b)).map(qualify).filter((q): q is string => !!q && q !== `${module}.${head[1]}`);
    const defs = [...body.matchAll(METHOD)];
    const indent = defs[0]?.[1];
    const methods: string[] = [];
    const selfCalls: Record<string, string[]> = {};
    defs.forEach((d, k) => {
      if (d[1] !== indent) return;
      methods.push(d[2]);
      const next = defs.slice(k + 1).find((e) => e[1] === indent);
      const methodText = body.slice(d.index!, next ? next.index : body.length);
      const receiver = d[3];
      if (!receiver) return;
      const called = new Set([...methodText.matchAll(new RegExp(`\\b${receiver}\\.(\\w+)\\(`, 'g'))].map((m) => m[1]));
      if (called.size > 0) selfCalls[d[2]] = [...called];
    });
    if (bases.length === 0 && Object.keys(selfCalls).length === 0) return;
    out[head[1]] = { bases, methods, ...(Object.keys(selfCalls).length > 0 ? { selfCalls } : {}) };
  });
  return out;
}

export function summarizeModule(model: ModuleModel, module: string): ModuleSummary {
  const summary: ModuleSummary = { module, reachable: {}, spawns: {}, calls: {} };
  for (const scope of model.allScopes()) {
    const local = model.localNameOf(scope);
    if (!local) continue;
    const entry = model.threads.entryFor(scope);
    if (entry && !entry.external) {
      summary.reachable[local] = `${entry.via} in ${module}, line ${entry.site.startPosition.row + 1}`;
    }
    const callees = new Set<string>();
    const handed = new Set<string>();
    const typed = annotatedParameters(model, scope);
    for (const n of model.ownNodes(scope)) {
      if (n.type !== 'call') continue;
      const callee = n.childForFieldName('function');
      const q = model.imports.qualifyImported(callee);
      if (q) callees.add(q);
      if (q && model.imports.inOwnPackage(q)) {
        const encoded = encodeArguments(n);
        const byCallee = ((summary.callArguments ??= {})[local] ??= {});
        const list = (byCallee[q] ??= []);
        if (!list.includes(encoded)) list.push(encoded);
      }
      // `backend.fetch()` where the parameter is annotated `backend: Backend`, an imported class.
      const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
      const cls = object?.type === 'identifier' ? typed.get(object.text) : undefined;
      if (cls) handed.add(`${cls}.${callee!.childForFieldName('attribute')!.text}`);
    }
    if (callees.size > 0) summary.calls[local] = [...callees];
    if (handed.size > 0) (summary.handedCalls ??= {})[local] = [...handed];
  }
  const toolkit = toolkitExportsFromText(model.text, model.options.packageName);
  if (Object.keys(toolkit).length > 0) summary.toolkitExports = toolkit;
  const own = model.imports.ownPackageImports();
  if (own.length > 0) summary.ownImports = [...own];
  const locking = mayHoldLocks(model);
  const classes = dispatchClasses(model, module, locking);
  if (Object.keys(classes).length > 0) summary.classes = classes;
  const { module: _, ...loop } = mainLoopFacts(module, model.text);
  Object.assign(summary, loop);
  const importCalls: Record<string, string | null> = {};
  const primes: Record<string, string> = {};
  for (const { node: call, fn } of model.index.all('call')) {
    const q = model.imports.qualifyImported(call.childForFieldName('function'));
    if (!q) continue;
    const at = `${module}, line ${call.startPosition.row + 1}${fn !== -1 && inStartupHook(call, model) ? ', in `AppConfig.ready()`' : ''}`;
    // Called unconditionally while the module is imported: it has run before any thread.
    if (fn === -1 && !(q in primes) && runsAtImport(call)) primes[q] = at;
    if (importCalls[q] === null) continue;
    // Module level, outside any function or lambda (a class body runs at import too); or in a start-up
    // hook (`AppConfig.ready()`), which runs once before the application serves anything.
    const atImport = (fn === -1 && !model.scopeOf(call) && !insideLambda(call)) || inStartupHook(call, model);
    importCalls[q] = atImport ? (importCalls[q] ?? at) : null;
  }
  // `@utils.register` on a module-level class or function (or a method of one): the decorator is
  // called while the module is imported.
  for (const reference of importTimeDecorators(model.root)) {
    const q = model.imports.qualifyImported(reference);
    if (!q) continue;
    const at = `${module}, line ${reference.startPosition.row + 1}`;
    if (importCalls[q] !== null) importCalls[q] ??= at;
    if (!(q in primes)) primes[q] = at;
  }
  summary.importCalls = importCalls;
  if (Object.keys(primes).length > 0) summary.primes = primes;
  summary.containerChanges = containerChanges(model, module);
  summary.iterations = iterations(model, module);
  summary.threadClasses = [...model.classes.values()].filter((c) => c.isThreadSubclass && model.classOfName(c.name, c.node) === c).map((c) => c.name);
  const inPlace = Object.fromEntries(
    [...model.classes.values()].filter((c) => model.classOfName(c.name, c.node) === c).map((c): [string, string[]] => [c.name, [...model.classInPlaceOperators(c)]]).filter(([, ops]) => ops.length > 0),
  );
  if (Object.keys(inPlace).length > 0) summary.inPlaceClasses = inPlace;
  summary.guiClasses = [...model.classes.values()].filter((c) => (c.guiConfined || model.isGuiController(c)) && model.classOfName(c.name, c.node) === c).map((c) => c.name);
  summary.importedBases = importedBases(model);
  const lockDecorators = model.lockDecorators(module);
  if (Object.keys(lockDecorators).length > 0) summary.lockDecorators = lockDecorators;
  const hooks = model.constructionHooks();
  if (Object.keys(hooks).length > 0) summary.constructionHooks = hooks;
  const classHooks = [...model.metaclassHooks()];
  if (classHooks.length > 0) summary.classHooks = classHooks;
  const decorators = importedDecorators(model);
  if (decorators.length > 0) summary.importedDecorators = decorators;
  const callLocks: Record<string, string | null> = {};
  // Names with a call that runs beside threads it started (or may) are null here.
  const startCalls: Record<string, string | null> = {};
  const starts = moduleStartsThreads(model);
  for (const { node: call } of model.index.all('call')) {
    const callee = call.childForFieldName('function');
    const name = callee?.type === 'identifier' ? callee.text : callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    // Calls that surely reach this module's own functions (`helper()`, `self.helper()`) are their
    // in-module callers, counted there; a method call on another object may dispatch to any module.
    // A bare name neither defined nor imported here is a builtin (`len`, `print`).
    if (!name || callLocks[name] === null) continue;
    if (callee?.type === 'identifier' && !model.imports.isImported(name)) continue;
    // `self.files.index(nzf)`, `names.append(n)`: a built-in container's or string's method, far more often
    // than a method of the run's — counted, it would lend its caller's lock to every `index` the run defines.
    if (callee?.type === 'attribute' && BUILTIN_METHODS.has(name)) continue;
    // `SCHED.shutdown()` on a library's object (`SCHED = BackgroundScheduler()`): that library's method.
    const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    if (receiver?.type === 'identifier' && model.libraryInstance(receiver.text, call)) continue;
    if (surelyLocal(call, model) && model.functionsFor(callee!, call).length > 0) continue;
    // An override calling the method it overrides (`super()._receive()`, `MultiPort._receive(self)`)
    // runs it whenever the override runs: under what the override's callers hold, judged at those calls.
    if (callsOverridden(call, name, model)) continue;
    const held = locking ? model.heldLocks(call) : [];
    if (held.length === 0) callLocks[name] = null;
    else if (!Object.hasOwn(callLocks, name)) callLocks[name] = describedLock(held[0], module, call);
    if (startCalls[name] !== null) startCalls[name] = starts && model.callBeforeThreadStart(call) ? (startCalls[name] ?? describedCall(call, model, module)) : null;
  }
  summary.callLocks = callLocks;
  if (model.options.assumeConcurrent) {
    Object.assign(summary, constructionOwnership(model));
    const receiverOnly = model.receiverOnlyMethods();
    if (receiverOnly.length > 0) summary.receiverOnlyMethods = receiverOnly;
  }
  const ordered = Object.entries(startCalls).filter((e): e is [string, string] => e[1] !== null);
  if (ordered.length > 0) summary.startCalls = Object.fromEntries(ordered);
  summary.uncalled = model.allScopes().filter((s) => !s.parent && model.onlySelfCalls(s.node)).map((s) => s.name);
  const wrappers: Record<string, { index: number; via: string; name?: string }> = {};
  for (const scope of model.allScopes()) {
    const wrapper = !scope.parent ? model.threads.wrappers.get(scope.node.id) : undefined;
    if (!wrapper) continue;
    // A module-level function, the `__init__` of a module-level class (called by the class's name), or
    // another method of one (`Worker.send`, called on objects importers make of the class).
    const cls = scope.classNode ? model.classInfo(scope.classNode) : null;
    const method = cls && atModuleLevel(scope.classNode!) && scope.receiver && !scope.isClassMethod ? (scope.name === '__init__' ? cls.name : `${cls.name}.${scope.name}`) : undefined;
    const name = !scope.classNode ? scope.name : method;
    if (name) wrappers[name] = { index: wrapper.index, name: wrapper.name, via: `${wrapper.via} in ${module}` };
  }
  if (Object.keys(wrappers).length > 0) summary.spawnerWrappers = wrappers;
  const handOvers: Record<string, { index: number; via: string; name?: string }> = {};
  const handOverWrappers = model.threads.handOverWrapperFunctions();
  for (const scope of model.allScopes()) {
    const wrapper = !scope.parent ? handOverWrappers.get(scope.node.id) : undefined;
    if (!wrapper) continue;
    const cls = scope.classNode ? model.classInfo(scope.classNode) : null;
    const name = !scope.classNode ? scope.name : cls && !scope.receiver && atModuleLevel(scope.classNode) ? `${cls.name}.${scope.name}` : undefined;
    if (name) handOvers[name] = { index: wrapper.index, name: wrapper.name, via: `${wrapper.via} in ${module}` };
  }
  if (Object.keys(handOvers).length > 0) summary.handOverWrappers = handOvers;
  const handOverDecorators: Record<string, string> = {};
  if (HAND_OVER_WORDS.test(model.text)) {
    for (const scope of model.allScopes()) {
      const via = !scope.parent && !scope.classNode ? model.threads.handOverDecorator(scope.node) : null;
      if (via) handOverDecorators[scope.name] = via;
    }
  }
  if (Object.keys(handOverDecorators).length > 0) summary.handOverDecorators = handOverDecorators;
  const spawnerDecorators: Record<string, string> = {};
  for (const { site } of model.threads.spawnTargets) {
    // The wrapper that starts the thread is nested in the decorator, a module-level function.
    const decorator = model.scopeOf(site)?.parent;
    if (!decorator || decorator.parent || decorator.classNode) continue;
    const how = model.threads.spawnerDecorator(decorator.node);
    if (how) spawnerDecorators[decorator.name] = how;
  }
  if (Object.keys(spawnerDecorators).length > 0) summary.spawnerDecorators = spawnerDecorators;
  const instances = model.moduleInstances();
  if (Object.keys(instances).length > 0) summary.instances = instances;
  const starters = model.threadStarterMethods();
  if (starters.length > 0) summary.threadStarters = starters;
  const { onGui, elsewhere } = model.classesMade(module);
  if (onGui.length > 0) summary.madeOnGui = onGui;
  if (elsewhere.length > 0) summary.madeElsewhere = elsewhere;
  for (const { target, via, site } of model.threads.spawnTargets) {
    const q = model.imports.qualifyImported(target);
    if (q) summary.spawns[q] = `${via} in ${module}, line ${site.startPosition.row + 1}`;
  }
  return summary;
}

function atModuleLevel(definition: Node): boolean {
  const statement = definition.parent?.type === 'decorated_definition' ? definition.parent : definition;
  return statement.parent?.type === 'module';
}

/** Is `access` stronger evidence of a race than `had`: on a thread where `had` is not, else without a lock where `had` has one. */
export function isStrongerAccess(access: ContainerAccess, had: ContainerAccess | undefined): boolean {
  return !had || (access.onThread && !had.onThread) || (access.onThread === had.onThread && had.locked && !access.locked);
}

function keepStronger(record: Record<string, ContainerAccess>, key: string, access: ContainerAccess): void {
  if (isStrongerAccess(access, Object.hasOwn(record, key) ? record[key] : undefined)) record[key] = access;
}

function accessAt(model: ModuleModel, module: string, scope: FunctionScope, node: Node): ContainerAccess {
  const entry = model.threads.entryFor(scope);
  return { where: `\`${model.localNameOf(scope) ?? scope.name}\` in ${module}`, line: node.startPosition.row + 1, onThread: !!entry && !entry.assumed, locked: model.heldLocks(node).length > 0 };
}

function containerChanges(model: ModuleModel, module: string): Record<string, ContainerAccess> {
  const found: Record<string, ContainerAccess> = {};
  for (const { node, scope, qualified } of changesOfImportedGlobals(model)) keepStronger(found, qualified, accessAt(model, module, scope, node));
  return found;
}

/** Parameters annotated with an imported class (`backend: Backend`, `Optional[Backend]`, `Backend | None`): name → qualified class. */
function annotatedParameters(model: ModuleModel, scope: FunctionScope): Map<string, string> {
  const out = new Map<string, string>();
  const params = scope.node.childForFieldName('parameters');
  for (const p of params ? params.namedChildren : []) {
    if (p?.type !== 'typed_parameter' && p?.type !== 'typed_default_parameter') continue;
    const name = p.type === 'typed_parameter' ? p.namedChildren.find((c) => c?.type === 'identifier') : p.childForFieldName('name');
    let type: Node | null | undefined = p.childForFieldName('type');
    if (type?.type === 'type') type = type.namedChildren[0];
    // `X | None`, `Optional[X]`: the class X.
    if (type?.type === 'binary_operator') type = [type.childForFieldName('left'), type.childForFieldName('right')].find((t) => t && t.text !== 'None');
    if (type?.type === 'generic_type' || type?.type === 'subscript') {
      const args = type.namedChildren.slice(1).flatMap((c) => (c?.type === 'type_parameter' ? c.namedChildren : [c]));
      type = /Optional$/.test(type.namedChildren[0]?.text ?? '') && args.length === 1 ? (args[0]?.type === 'type' ? args[0].namedChildren[0] : args[0]) : null;
    }
    const q = type && /^[A-Z]/.test(type.text.split('.').pop() ?? '') ? model.imports.qualifyImported(type) : null;
    if (name && q) out.set(name.text, q);
  }
  return out;
}

/** Without a `with` block, an acquire() or a lock inherited from other modules, no call holds a lock. */
function mayHoldLocks(model: ModuleModel): boolean {
  return model.index.all('with_statement').length > 0 || (model.options.project?.callerLocks?.size ?? 0) > 0 || model.index.all('call').some(({ node }) => node.childForFieldName('function')?.childForFieldName('attribute')?.text === 'acquire');
}

/** ModuleSummary.constructions and ownConstructions: for each class this module constructs, whether every construction here is owned. */
function constructionOwnership(model: ModuleModel): Pick<ModuleSummary, 'constructions' | 'ownConstructions'> {
  const constructions: Record<string, boolean> = {};
  const ownConstructions: Record<string, boolean> = {};
  for (const { node: call } of model.index.all('call')) {
    const callee = call.childForFieldName('function');
    const name = callee?.type === 'identifier' ? callee.text : callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    if (!name) continue;
    // Classes are mostly named in CapWords; a lowercase one (`shell_shlex`) counts when this module
    // defines it or imports it from its own package — other lowercase calls are functions.
    const capWords = /^_?[A-Z]/.test(name);
    const local = callee!.type === 'identifier' ? model.classOfName(name, call) : null;
    if (local && local.name === name && local.node.parent?.type === 'module') {
      ownConstructions[name] = (ownConstructions[name] ?? true) && model.constructionOwned(call, local);
      continue;
    }
    if (!capWords && (callee!.type !== 'identifier' || model.bindings.get(name)?.kind !== 'import')) continue;
    const q = model.imports.qualifyImported(callee!);
    if (q && (capWords || model.imports.inOwnPackage(q))) constructions[q] = (constructions[q] ?? true) && model.constructionOwned(call, null);
  }
  return {
    ...(Object.keys(constructions).length > 0 ? { constructions } : {}),
    ...(Object.keys(ownConstructions).length > 0 ? { ownConstructions } : {}),
  };
}

/** `\`Pool._start_workers\` in pkg.pool, line 187`: where a call is made. */
function describedCall(call: Node, model: ModuleModel, module: string): string {
  const scope = model.scopeOf(call);
  return `\`${scope ? (model.localNameOf(scope) ?? scope.name) : '<module>'}\` in ${module}, line ${call.startPosition.row + 1}`;
}

/** Can a call here come before a thread start: the module starts one, or a helper another module runs before its start calls code here. */
function moduleStartsThreads(model: ModuleModel): boolean {
  return model.text.includes('.start(') || (model.options.project?.calledBeforeStart?.size ?? 0) > 0;
}

/** A lock held at `call`, as other modules' analyses cite it: a lock this module's own caller holds is already described; one taken here gets its place. */
function describedLock(lock: string, module: string, call: Node): string {
  return lock.includes(' (held by the caller in ') ? lock : `${lock} (held by the caller in ${module}, line ${call.startPosition.row + 1})`;
}

/**
 * ModuleSummary.classes: top-level classes with a base, their methods and what each calls on `self` —
 * with the lock every such call of a name holds outside construction (null: some call holds none), for
 * the overrides subclasses in other modules define (a template method calling its hook under its lock).
 */
function dispatchClasses(model: ModuleModel, module: string, locking: boolean): NonNullable<ModuleSummary['classes']> {
  const out: NonNullable<ModuleSummary['classes']> = {};
  for (const cls of model.classes.values()) {
    const superclasses = cls.node.childForFieldName('superclasses');
    if (model.classOfName(cls.name, cls.node) !== cls) continue;
    const bases: string[] = [];
    for (const b of superclasses ? superclasses.namedChildren : []) {
      if (b?.type !== 'identifier' && b?.type !== 'attribute') continue;
      const own = b.type === 'identifier' ? model.classOfName(b.text, cls.node) : null;
      const q = own && own !== cls ? `${module}.${own.name}` : model.imports.qualifyImported(b);
      if (q) bases.push(q);
    }
    const selfCalls: Record<string, string[]> = {};
    const selfCallLocks: Record<string, string | null> = {};
    for (const [name, method] of cls.methods) {
      const scope = model.scopeOf(method.childForFieldName('body') ?? method);
      if (!scope?.receiver) continue;
      const called = new Set<string>();
      const constructing = isConstructionMethod(name, cls.node);
      for (const n of model.ownNodes(scope)) {
        const callee = n.type === 'call' ? n.childForFieldName('function') : null;
        if (callee?.type !== 'attribute' || callee.childForFieldName('object')?.text !== scope.receiver) continue;
        const calledName = callee.childForFieldName('attribute')!.text;
        called.add(calledName);
        if (!locking || constructing || selfCallLocks[calledName] === null) continue;
        const held = model.heldLocks(n);
        if (held.length === 0) selfCallLocks[calledName] = null;
        else if (!Object.hasOwn(selfCallLocks, calledName)) selfCallLocks[calledName] = describedLock(held[0], module, n);
      }
      if (called.size > 0) selfCalls[name] = [...called];
    }
    if (bases.length === 0 && Object.keys(selfCalls).length === 0) continue;
    const locked = Object.values(selfCallLocks).some((l) => l !== null);
    out[cls.name] = { bases, methods: [...cls.methods.keys()], ...(Object.keys(selfCalls).length > 0 ? { selfCalls } : {}), ...(locked ? { selfCallLocks } : {}) };
  }
  return out;
}

function importedBases(model: ModuleModel): string[] {
  const out = new Set<string>();
  for (const cls of model.classes.values()) {
    const bases = cls.node.childForFieldName('superclasses');
    for (const b of bases ? bases.namedChildren : []) {
      const q = model.imports.qualifyImported(b);
      if (q) out.add(q);
    }
  }
  return [...out];
}

const LOOP_TYPES = ['for_statement', 'for_in_clause'] as const;

function iterations(model: ModuleModel, module: string): Record<string, ContainerAccess> {
  const found: Record<string, ContainerAccess> = {};
  for (const type of LOOP_TYPES) {
    for (const { node } of model.index.all(type)) {
      const iterable = node.childForFieldName('right');
      const container = iterable ? iteratedContainer(iterable) : null;
      const scope = container?.type === 'identifier' ? model.scopeOf(node) : null;
      if (!scope || sharedState(container!, scope, model, 'object')?.kind !== 'global' || runsAlone(node, scope, { model })) continue;
      keepStronger(found, container!.text, accessAt(model, module, scope, node));
    }
  }
  return found;
}

/** `super().name(…)` or `Base.name(self, …)` inside a method called `name` of a class. */
function callsOverridden(call: Node, name: string, model: ModuleModel): boolean {
  const scope = model.scopeOf(call);
  if (!scope?.receiver || !scope.classNode || scope.name !== name) return false;
  const object = call.childForFieldName('function')?.childForFieldName('object');
  if (object?.type === 'call' && object.childForFieldName('function')?.text === 'super') return true;
  return (object?.type === 'identifier' || object?.type === 'attribute') && positionalArguments(call)[0]?.text === scope.receiver;
}

function surelyLocal(call: Node, model: ModuleModel): boolean {
  const callee = call.childForFieldName('function');
  if (callee?.type === 'identifier') return true;
  const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  return object?.type === 'identifier' && (object.text === model.scopeOf(call)?.receiver || !!model.classOfName(object.text, call));
}

/** A call made directly in the body of a start-up hook (ModuleModel.startupHooks), not in a nested function. */
function inStartupHook(call: Node, model: ModuleModel): boolean {
  const hooks = model.startupHooks();
  if (hooks.length === 0) return false;
  const scope = model.scopeOf(call);
  return !!scope && hooks.some((h) => h.id === scope.node.id) && !insideLambda(call);
}

/** Qualified names of the imported decorators the module's functions use (`@with_lock` from `pkg.util`). */
function importedDecorators(model: ModuleModel): string[] {
  const out = new Set<string>();
  for (const fn of model.index.functions) {
    const parent = fn.parent;
    if (parent?.type !== 'decorated_definition') continue;
    for (const d of parent.namedChildren) {
      const written = d?.type === 'decorator' ? d.namedChildren[0] : null;
      // `@synchronized(lock)`: the factory called.
      const expr = written?.type === 'call' ? written.childForFieldName('function') : written;
      const q = expr ? model.imports.qualifyImported(expr) : null;
      if (q) out.add(q);
    }
  }
  return [...out];
}

/** Decorators named without a call (`@register`, `@utils.register`) on definitions at module level or in a module-level class's body. */
function importTimeDecorators(root: Node): Node[] {
  const out: Node[] = [];
  const visit = (statements: readonly Node[], depth: number) => {
    for (const statement of statements) {
      const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      if (statement.type === 'decorated_definition') {
        for (const decorator of statement.children) {
          const expression = decorator.type === 'decorator' ? decorator.firstNamedChild : null;
          if (expression?.type === 'identifier' || expression?.type === 'attribute') out.push(expression);
        }
      }
      const body = definition?.type === 'class_definition' && depth === 0 ? definition.childForFieldName('body') : null;
      if (body) visit(body.namedChildren, depth + 1);
    }
  };
  visit(root.namedChildren, 0);
  return out;
}
