// The severity policy the race rules share: report where there is evidence of concurrency.
import type { Node } from '../parser';
import type { Confidence, RuleContext, Severity } from '../types';
import type { FunctionScope } from '../model/scopes';
import type { ModuleModel } from '../model/module';
import type { SharedState } from '../model/sharing';
import { isTestCode } from './hazards';
import { soleWriterThread } from './singleWriter';
import { sharedWritesOf, writtenOnThreads, writtenUnderLock } from './writes';
import { mutationOf, type Mutation } from '../model/mutations';
import { withItems } from '../model/locks';
import { importsGuiToolkit } from '../model/guiThread';

export { MUTATING_METHODS, isAtomicIdiom, MUTATION_TYPES, mutationOf, type Mutation } from '../model/mutations';
export { changesKnownContainer } from './knownContainer';

export interface RaceVerdict {
  severity: Severity;
  /** A sentence saying how the code gets onto threads, or '' when it is not visible. */
  where: string;
  confidence: Confidence;
  /**
   * How the access stands to the locks, for messages: "without holding a lock", or the lock held that
   * does not exclude the other threads (one each object makes for itself, on process-wide state).
   */
  unlocked: string;
}

const WITHOUT_A_LOCK = 'without holding a lock';

/**
 * Error when the code is thread-reachable; warning when the state is shared and the module shows
 * concurrency but no thread entry reaches this code, or when only assume-concurrent supplies the
 * threads; null when a lock is held, when the code cannot run beside the threads (an after-fork or
 * atexit hook, before the thread is started), or when there is no sign of concurrency at all.
 */
export function raceVerdict(node: Node, scope: FunctionScope, shared: SharedState, ctx: RuleContext): RaceVerdict | null {
  const { model } = ctx;
  const processWide = shared.kind === 'global' || shared.kind === 'class-attribute' || shared.kind === 'module-attribute';
  const held = model.heldLocks(node);
  // A module global every object changes: a lock each object has for itself does not guard it (class
  // attributes are left out: through `cls` in a metaclass, each class is the object, with its own lock).
  const ownLock = held.length > 0 && processWide && (model.onlyHandlerLock(node, scope) || (shared.kind === 'global' && model.onlyPerObjectLocks(node, scope)));
  // Nor the unlocked branch of an optional lock (`if lock is not None: with lock: … else: …`).
  if ((held.length > 0 && !ownLock) || model.isDeadCode(node) || noLockBranch(node, ctx)) return null;
  const className = ownLock ? model.classInfo(scope.classNode)?.name : undefined;
  const unlocked = ownLock ? `holding only \`${held[0]}\`, a lock each \`${className}\` object has for itself, which another object's threads do not take` : WITHOUT_A_LOCK;
  // Only the thread the object's owner field names runs it: the owner's own state (a re-entrancy count).
  if (shared.kind === 'shared-instance' && model.ownerOnly(node)) return null;
  // Declared `# guarded-by:` state is FT110's: it reports every access without the declared lock.
  if (model.guardedBy.has(shared.key)) return null;
  // A method's set-up before the threads its object starts orders that object's own state only: two
  // objects set up in two threads write process-wide state together.
  if (runsAlone(node, scope, ctx, { perObject: !(processWide && scope.classNode) })) return null;
  // Only one thread ever writes it: nothing to lose, whoever reads it.
  if (soleWriterThread(shared, scope, model)) return null;
  // A branch no thread-side call takes runs only on the callers' threads (threadBranches.ts).
  const reached = model.threads.entryFor(scope);
  const entry = reached && !reached.assumed && model.offThreadBranch(node, scope) ? null : reached;
  // Shared with one thread only, and this access is the holder's (off that thread): it races with
  // that thread's writes, and a thread that only reads the field cannot lose this update or break this check.
  if (!entry && shared.holderSide && !shared.threadWrites) return null;
  // A closure variable is shared only if the nested function really runs on several threads; closures
  // used as sequential state machines (`nonlocal pos; pos += 1`) are the common case.
  // Likewise attributes of other modules (`os.environ`, `sys.path`: FT202's business when threads touch
  // them) and instances shared only through a bound method: without a thread entry reaching this code,
  // it most likely runs before or after the threads (set-up, tear-down).
  if ((shared.kind === 'closure' || shared.kind === 'module-attribute' || shared.weak) && !entry) return null;
  if (entry?.assumed) {
    // A coroutine runs on its event loop's thread: only a real thread entry puts it beside another.
    // Tests run one at a time under their harness, however a library audit treats the library's code.
    // Nor do a green-thread module's greenlets: they share their hub's thread; nor a Twisted module's
    // code: the reactor's thread runs it, and what runs elsewhere is handed over (a real thread entry).
    // Nor is generated code audited: a generator's bindings are not the library's hand-written state.
    if (onEventLoop(scope, model) || isTestCode(scope) || model.greenThreadsOnly || runsOnReactor(model) || model.generatedCode) return null;
    // What holds whatever the mode: in an application (it runs a main loop; nobody imports it to call it
    // from threads of their own) what no thread of the run reaches runs on the loop's thread — unless a
    // lock or a thread's writes say the state is shared all the same. (A GUI object's methods have no
    // assumed entry: threads.ts.)
    if (appLoopOnly(shared, model, ctx)) return null;
    // Nor a module written against a GUI toolkit: its code runs on the toolkit's thread (its widgets may
    // be used nowhere else), the audit's "any thread may call it" notwithstanding — the same exceptions.
    if (guiModuleOnly(shared, model)) return null;
    return { severity: 'warning', where: '', confidence: assumedConfidence(shared), unlocked };
  }
  if (entry) {
    const via = entry.site === scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
    return { severity: 'error', where: ` \`${scope.name}\` runs on threads (${via}).${unlockedCallSites(scope, model)}`, confidence: shared.confidence === 'low' || ownLock ? 'medium' : 'high', unlocked };
  }
  // No thread reaches it, but importers may call it from theirs — except in a test module, which no code
  // imports, and in a GUI object's method, which the toolkit runs on the object's own thread.
  // Nor in a Twisted module: its code runs on the reactor thread (Twisted's APIs may only be called
  // there), and what runs elsewhere is handed over explicitly (`deferToThread`, `callInThread`).
  // Likewise a green-thread module (greenlet, eventlet, gevent) that starts no thread: its greenlets
  // take turns on their hub's thread.
  if (ctx.options.testModule || ctx.options.scriptModule || model.onGuiThread(scope) || runsOnReactor(model) || model.greenThreadsOnly) return null;
  // Nor a coroutine (or code only coroutines call) whose state only such code changes: one event
  // loop's thread makes every change. State plain code changes too may be changed from any thread.
  if (onEventLoop(scope, model) && changedOnLoopOnly(shared.key, model)) return null;
  // Nor in an application (it runs a GUI main loop or a reactor): nobody imports it to call it from
  // threads of their own, so what no thread of the run reaches runs on the loop's thread. State a lock
  // guards elsewhere is still meant to be shared; so is state a thread of the run writes (the loop's
  // thread and that one both touch it).
  if (appLoopOnly(shared, model, ctx)) return null;
  // Nor process-wide state of a module written against a GUI toolkit: its code runs on the toolkit's
  // thread (its widgets may be used nowhere else) unless a thread of the run reaches it — the same
  // exceptions as an application's: state a lock guards elsewhere, or a thread of the run writes.
  if (processWide && guiModuleOnly(shared, model)) return null;
  if (shared.kind === 'shared-instance' || model.hasConcurrencyEvidence) return { severity: 'warning', where: unlockedCallSites(scope, model), confidence: 'medium', unlocked };
  return null;
}

/** In a module written against a GUI toolkit, state no lock guards and no thread of the run writes: the toolkit thread's own. */
function guiModuleOnly(shared: SharedState, model: ModuleModel): boolean {
  return importsGuiToolkit(model.imports) && !shared.locked && !writtenUnderLock(model, shared.key) && !writtenOnThreads(model, shared.key);
}

/** In an application's module, state no lock guards and no thread of the run writes: the loop thread's own. */
function appLoopOnly(shared: SharedState, model: ModuleModel, ctx: RuleContext): boolean {
  return !!ctx.options.project?.mainLoop && !shared.locked && !writtenUnderLock(model, shared.key) && !writtenOnThreads(model, shared.key);
}

/**
 * Does `node` run when no thread can race with it: in an after-fork child hook, an atexit handler or a
 * finaliser (or code only they call), or before its function starts the thread? Without `perObject`,
 * not for being a helper its callers run before they start threads, nor a deferred initialiser's set-up:
 * those order what each object does before its own threads, not what two objects' callers do at once.
 */
export function runsAlone(node: Node, scope: FunctionScope, { model }: { model: ModuleModel }, { perObject = true } = {}): boolean {
  return (
    !!model.ordering.whySequential(scope) ||
    model.ordering.beforeThreadStart(node, scope, () => model.ownNodes(scope).filter((n) => n.type === 'call')) ||
    (perObject && model.orderedBeforeStartByCallers(scope)) ||
    (perObject && model.setUpBeforeThreads(node, scope)) ||
    model.afterThreadsJoined(node, scope) ||
    !!model.importPriming.onlyInInitialisation(scope)
  );
}

/** Is every write of the state made by coroutine code (or while its object is being constructed)? */
export function changedOnLoopOnly(key: string, model: ModuleModel): boolean {
  const writes = sharedWritesOf(model, key);
  return writes.every((w) => (onEventLoop(w.scope, model) || model.isConstructionOnly(w.scope)) && !onRealThread(w.scope, model));
}

/**
 * " `_remove` is called without a lock at line 27 (in `delete`), while its other calls hold `self._lock`."
 * — for a helper some of whose calls hold a lock: the call that skips it is where the fix goes.
 */
function unlockedCallSites(scope: FunctionScope, model: ModuleModel): string {
  if (scope.node.type !== 'function_definition') return '';
  const calls = model.callersOf(scope.node).filter((c) => model.scopeOf(c)?.node !== scope.node);
  if (calls.length < 2) return '';
  const held = calls.map((c) => model.heldLocks(c));
  const locked = held.filter((h) => h.length > 0);
  const bare = calls.filter((_, i) => held[i].length === 0);
  if (locked.length === 0 || bare.length === 0) return '';
  const lock = locked[0][0];
  if (!locked.every((h) => h.includes(lock))) return '';
  const first = bare[0];
  const caller = model.scopeOf(first)?.name;
  return ` \`${scope.name}\` is called without a lock at line ${first.startPosition.row + 1}${caller ? ` (in \`${caller}\`)` : ''}, while its other calls hold \`${lock}\`.`;
}

/** Does a thread the code starts (not only `--assume-concurrent`) reach the function? */
export function onRealThread(scope: FunctionScope, model: ModuleModel): boolean {
  const entry = model.threads.entryFor(scope);
  return !!entry && !entry.assumed;
}

/** A Twisted module: its code runs on the reactor's thread (Twisted's APIs may only be called there). */
function runsOnReactor(model: ModuleModel): boolean {
  return model.imports.importsFrom('twisted.internet');
}

/** A coroutine, a function nested in one, or a private function only they call: it runs on an event loop's thread. */
export function onEventLoop(scope: FunctionScope, model: ModuleModel): boolean {
  for (let s: FunctionScope | null = scope; s; s = s.parent) if (s.isAsync) return true;
  return model.onEventLoopOnly(scope);
}

/**
 * With no thread entry in sight, state shared by its nature (module globals, class attributes, mutable
 * defaults) is a medium-confidence report; objects and closures only as shared as their evidence says.
 */
function assumedConfidence(shared: SharedState): Confidence {
  switch (shared.kind) {
    case 'global':
    case 'class-attribute':
    case 'mutable-default':
      return 'medium';
    case 'shared-instance':
      return shared.confidence === 'high' ? 'medium' : shared.confidence ?? 'low';
    default:
      return 'low';
  }
}


/** `[fix]` or undefined: for the optional `alternatives` list of a finding. */
export function optional<T>(item: T | undefined): T[] | undefined {
  return item === undefined ? undefined : [item];
}

/** Whitespace-insensitive source equality of two expressions (`d[k]` vs `d[ k ]`). */
export function sameExpression(a: Node | null, b: Node | null): boolean {
  return !!a && !!b && a.text.replace(/\s+/g, '') === b.text.replace(/\s+/g, '');
}

export interface ImportedGlobalChange {
  node: Node;
  scope: FunctionScope;
  /** The other module's global, qualified (`pkg.registry._handlers`). */
  qualified: string;
}

const importedChanges = new WeakMap<ModuleModel, ImportedGlobalChange[]>();

/**
 * In-place changes of other modules' globals in this module's functions (`registry._handlers[k] = v`,
 * `reg._seen.append(x)`), code that runs alone left out: the module summary's facts and FT107's
 * cross-module writers both read them, once per analysis.
 */
export function changesOfImportedGlobals(model: ModuleModel): ImportedGlobalChange[] {
  let found = importedChanges.get(model);
  if (found) return found;
  found = [];
  for (const scope of model.allScopes()) {
    for (const n of model.ownNodes(scope)) {
      const qualified = model.imports.qualifyImported(mutationOf(n)?.container ?? null);
      if (qualified && !runsAlone(n, scope, { model })) found.push({ node: n, scope, qualified });
    }
  }
  importedChanges.set(model, found);
  return found;
}

/**
 * The other branch of an optional lock: `if lock is not None: with lock: W` / `else: W` (also `if lock:`,
 * `if self._lock:`). The unlocked path runs only when there is no lock — the configuration the code
 * declares single-threaded (a counter's lock made only when worker threads are configured).
 */
export function noLockBranch(write: Node, { model }: { model: ModuleModel }): boolean {
  for (let n = write.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type !== 'else_clause' || n.parent?.type !== 'if_statement') continue;
    const ifNode = n.parent;
    const lock = lockTested(ifNode.childForFieldName('condition'));
    const then = ifNode.childForFieldName('consequence');
    if (!lock || !then) return false;
    return then.descendantsOfType('with_statement').some((w) => !!w && withItems(w).some((item) => item.text === lock && model.isLock(item)));
  }
  return false;
}

/** `lock`, `lock is not None`, `self._lock`: the expression a test says exists. */
function lockTested(test: Node | null): string | null {
  if (!test) return null;
  if (test.type === 'identifier' || test.type === 'attribute') return test.text;
  const m = /^([\w.]+)\s+is\s+not\s+None$/.exec(test.text);
  return test.type === 'comparison_operator' && m ? m[1] : null;
}
