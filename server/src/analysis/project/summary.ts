// What one module tells the rest of the project about threads: which of its functions its own threads
// reach, which imported callables it hands to threads, and which imported callables each function calls.
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { ContainerAccess } from '../options';
import type { Node } from '../parser';
import { resolveRelativeModule } from '../model/imports';
import { iteratedContainer } from '../model/iteration';
import { sharedState } from '../model/sharing';
import { insideLambda } from '../model/syntax';
import { changesOfImportedGlobals, runsAlone } from '../rules/common';

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
  /** Names of this module's functions and methods that no code of the module calls (but their own recursion). */
  uncalled?: string[];
  /**
   * Qualified callables of other modules called here (`pkg.compat.filter_warnings`) → where, when every
   * such call is made at module level (while this module is imported), or null when one is in a function.
   */
  importCalls?: Record<string, string | null>;
  /**
   * Globals of other modules changed in place here from functions (`registry._handlers[k] = v`,
   * `reg._seen.append(x)`): qualified name → one such change, a change on a thread first.
   */
  containerChanges?: Record<string, ContainerAccess>;
  /** This module's globals iterated in its functions (`for k in _handlers`): name → one loop, on a thread first. */
  iterations?: Record<string, ContainerAccess>;
  /** Its top-level classes that are `threading.Thread` subclasses (directly, through its own or imported classes). */
  threadClasses?: string[];
  /** Its top-level classes that are GUI toolkit objects (a Qt/GTK/Tk/wx widget, directly or through its own or imported classes). */
  guiClasses?: string[];
  /** Qualified names of imported classes its classes derive from (`pkg.threads.BaseThread`). */
  importedBases?: string[];
  /** Its module-level decorators whose wrapper holds a lock around the call: name → the wrapper's first parameter and the locks. */
  lockDecorators?: Record<string, { self: string | null; locks: string[] }>;
  /** Its top-level classes' construction hooks: class → methods its `__init__` calls on `self` that nothing else of it calls. */
  constructionHooks?: Record<string, string[]>;
  /** Qualified names of imported decorators its functions use (`@util.with_lock` → `pkg.util.with_lock`). */
  importedDecorators?: string[];
  /** Its module-level functions that hand one of their parameters to a thread: name → position and how. */
  spawnerWrappers?: Record<string, { index: number; via: string; name?: string }>;
  /**
   * Functions that hand one of their parameters to the UI or loop thread (`run_on_main(fn)` around
   * `GLib.idle_add`): module-level functions by name, static and class methods as `Class.method`.
   */
  handOverWrappers?: Record<string, { index: number; via: string; name?: string }>;
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
  return { module, reachable: {}, spawns: {}, calls: {}, ...(imported.size > 0 ? { imported: [...imported] } : {}) };
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
    for (const n of model.ownNodes(scope)) {
      if (n.type !== 'call') continue;
      const q = model.imports.qualifyImported(n.childForFieldName('function'));
      if (q) callees.add(q);
    }
    if (callees.size > 0) summary.calls[local] = [...callees];
  }
  const importCalls: Record<string, string | null> = {};
  for (const { node: call, fn } of model.index.all('call')) {
    const q = model.imports.qualifyImported(call.childForFieldName('function'));
    if (!q || importCalls[q] === null) continue;
    // Module level, outside any function or lambda (a class body runs at import too).
    const atImport = fn === -1 && !model.scopeOf(call) && !insideLambda(call);
    importCalls[q] = atImport ? (importCalls[q] ?? `${module}, line ${call.startPosition.row + 1}`) : null;
  }
  summary.importCalls = importCalls;
  summary.containerChanges = containerChanges(model, module);
  summary.iterations = iterations(model, module);
  summary.threadClasses = [...model.classes.values()].filter((c) => c.isThreadSubclass && model.classOfName(c.name, c.node) === c).map((c) => c.name);
  summary.guiClasses = [...model.classes.values()].filter((c) => (c.guiConfined || model.isGuiController(c)) && model.classOfName(c.name, c.node) === c).map((c) => c.name);
  summary.importedBases = importedBases(model);
  const lockDecorators = model.lockDecorators(module);
  if (Object.keys(lockDecorators).length > 0) summary.lockDecorators = lockDecorators;
  const hooks = model.constructionHooks();
  if (Object.keys(hooks).length > 0) summary.constructionHooks = hooks;
  const decorators = importedDecorators(model);
  if (decorators.length > 0) summary.importedDecorators = decorators;
  const callLocks: Record<string, string | null> = {};
  // Without a `with` block, an acquire() or a lock inherited from other modules, no call holds a lock.
  const mayHoldLocks = model.index.all('with_statement').length > 0 || (model.options.project?.callerLocks?.size ?? 0) > 0 || model.index.all('call').some(({ node }) => node.childForFieldName('function')?.childForFieldName('attribute')?.text === 'acquire');
  for (const { node: call } of model.index.all('call')) {
    const callee = call.childForFieldName('function');
    const name = callee?.type === 'identifier' ? callee.text : callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    // Calls that surely reach this module's own functions (`helper()`, `self.helper()`) are their
    // in-module callers, counted there; a method call on another object may dispatch to any module.
    // A bare name neither defined nor imported here is a builtin (`len`, `print`).
    if (!name || callLocks[name] === null) continue;
    if (callee?.type === 'identifier' && !model.imports.isImported(name)) continue;
    if (surelyLocal(call, model) && model.functionsFor(callee!, call).length > 0) continue;
    const held = mayHoldLocks ? model.heldLocks(call) : [];
    if (held.length === 0) callLocks[name] = null;
    // A lock this module's own caller holds is already described; one taken here gets its place.
    else if (!Object.hasOwn(callLocks, name)) callLocks[name] = held[0].includes(' (held by the caller in ') ? held[0] : `${held[0]} (held by the caller in ${module}, line ${call.startPosition.row + 1})`;
  }
  summary.callLocks = callLocks;
  summary.uncalled = model.allScopes().filter((s) => !s.parent && model.onlySelfCalls(s.node)).map((s) => s.name);
  const wrappers: Record<string, { index: number; via: string; name?: string }> = {};
  for (const scope of model.allScopes()) {
    const wrapper = !scope.parent ? model.threads.wrappers.get(scope.node.id) : undefined;
    if (!wrapper) continue;
    // A module-level function, or the `__init__` of a module-level class (called by the class's name).
    const cls = scope.classNode ? model.classInfo(scope.classNode) : null;
    const name = !scope.classNode ? scope.name : scope.name === '__init__' && cls && atModuleLevel(scope.classNode) ? cls.name : undefined;
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

function surelyLocal(call: Node, model: ModuleModel): boolean {
  const callee = call.childForFieldName('function');
  if (callee?.type === 'identifier') return true;
  const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  return object?.type === 'identifier' && (object.text === model.scopeOf(call)?.receiver || !!model.classOfName(object.text, call));
}

/** Qualified names of the imported decorators the module's functions use (`@with_lock` from `pkg.util`). */
function importedDecorators(model: ModuleModel): string[] {
  const out = new Set<string>();
  for (const fn of model.index.functions) {
    const parent = fn.parent;
    if (parent?.type !== 'decorated_definition') continue;
    for (const d of parent.namedChildren) {
      const expr = d?.type === 'decorator' ? d.namedChildren[0] : null;
      const q = expr ? model.imports.qualifyImported(expr) : null;
      if (q) out.add(q);
    }
  }
  return [...out];
}
