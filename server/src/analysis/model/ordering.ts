// What cannot run at the same time as the threads: code that runs single-threaded by construction
// (an after-fork child hook, an atexit handler, a finaliser) and writes made before the thread that
// would race with them is started. A race needs two threads; these facts say there is only one.
import type { Node } from '../parser';
import type { ImportTable } from './imports';
import type { FunctionScope } from './scopes';
import { decoratorNames, dottedName, insideLambda, keywordArgument, namedChildren, positionalArguments } from './syntax';

export interface OrderingResolver {
  functionsFor(expr: Node, at: Node): Node[];
  /** Calls in a function's own body. */
  callsIn(fn: Node): Node[];
  scopeOf(node: Node): FunctionScope | null;
  callersOf(fn: Node): Node[];
  /** The qualified callable a module global is bound to (`_AT_FORK = getattr(os, "register_at_fork", None)`), or null. */
  aliasedCallable?(name: string): string | null;
  /** A method call that starts a thread on an object the function has just made (`self._dispatcher.start()`). */
  startsThreadOnFreshObject?(call: Node): boolean;
}

const CONSTRUCTION: ReadonlySet<string> = new Set(['__init__', '__new__', '__post_init__']);

/** Methods that run when no other reference to the object exists. */
const FINALISERS: ReadonlySet<string> = new Set(['__del__']);

/** CPython's name for a lock-like object's after-fork reset (`_at_fork_reinit`), called in the child. */
const AFTER_FORK_METHODS: ReadonlySet<string> = new Set(['_at_fork_reinit']);

/**
 * The names libraries give the child side of an after-fork hook (`_after_fork`, `init_after_fork`,
 * `reset_after_fork`, `_after_fork_cleanup`, `_on_fork`): registered in another module (or through an
 * object this model cannot follow, or called by another module's child-side code), they run in the
 * forked child. Not the parent's side, and not a guard meant to be called in normal operation
 * (`_reset_after_fork_if_needed`, `check_after_fork`).
 */
const AFTER_FORK_NAME = /^_*(?:(?:(?:re)?init_|reset_|cleanup_)?after_fork(?:_(?:in_)?child|_(?:reinit|reset|cleanup)\w*)?|on_fork(?:_(?:in_)?child)?)$/;

export class OrderingModel {
  /** function node id → why it runs on one thread only */
  private readonly sequential = new Map<number, string>();
  private readonly derived = new Map<number, string | null>();
  /** Offsets of `.start()` calls that start a thread, per function node id. */
  private readonly threadStarts = new Map<number, number[]>();

  constructor(
    calls: readonly Node[],
    functions: readonly Node[],
    private readonly imports: ImportTable,
    private readonly resolver: OrderingResolver,
    /** False when the module's text has no `.start()` call: no write can precede a thread start. */
    private readonly startsThreads = true,
    /** Functions whose docstrings may state a one-thread or test-only contract (the text mentions one). */
    contracts: readonly Node[] = [],
    /**
     * The module starts daemon threads: they are not joined before atexit handlers run, so an atexit
     * handler can race with them and is not ordered.
     */
    private readonly daemons = false,
  ) {
    for (const call of calls) this.collectHook(call);
    for (const fn of contracts) {
      if (statesOneThread(fn)) this.sequential.set(fn.id, ONE_THREAD_CONTRACT_WHY);
      else if (statesNoLockNeeded(fn)) this.sequential.set(fn.id, 'its docstring says it needs no lock');
      else if (documentedTestOnly(fn)) this.sequential.set(fn.id, 'it is documented as used only by tests');
    }
    for (const fn of functions) {
      const name = fn.childForFieldName('name')?.text ?? '';
      if (FINALISERS.has(name)) this.sequential.set(fn.id, `\`${name}\` runs when no other reference to the object is left`);
      if (AFTER_FORK_METHODS.has(name)) this.sequential.set(fn.id, `\`${name}\` resets the object in a forked child, where only the forking thread exists`);
      else if (AFTER_FORK_NAME.test(name) && this.resolver.callersOf(fn).length === 0) this.sequential.set(fn.id, `\`${name}\` is named as an after-fork hook (registered elsewhere, it runs in the forked child, where only the forking thread exists)`);
      if (!this.daemons && decoratorNames(fn).some((d) => this.qualified(d) === 'atexit.register')) this.sequential.set(fn.id, 'an atexit handler: it runs at exit, after the threads are joined');
      if (decoratorNames(fn).some((d) => FORK_MODULE_REGISTER.test(this.qualified(d)))) this.sequential.set(fn.id, 'an after-fork hook: it runs in the child process, where only the forking thread exists');
    }
  }

  private qualified(dotted: string): string {
    return this.imports.qualifyName(dotted);
  }

  private collectHook(call: Node): void {
    const fnExpr = call.childForFieldName('function');
    const alias = fnExpr?.type === 'identifier' ? this.resolver.aliasedCallable?.(fnExpr.text) ?? null : null;
    const text = alias ?? fnExpr?.text ?? '';
    if (!text.endsWith('register_at_fork') && !text.endsWith('register') && !text.endsWith('register_after_fork')) return;
    const q = alias ?? this.imports.qualify(fnExpr) ?? text;
    let target: Node | null = null;
    let why = '';
    if (q === 'os.register_at_fork') {
      target = keywordArgument(call, 'after_in_child');
      why = 'an after-fork hook: it runs in the child process, where only the forking thread exists';
    } else if (q.endsWith('register_after_fork')) {
      // multiprocessing.util.register_after_fork(obj, func) (and libraries' re-exports): func(obj) runs in the child.
      target = positionalArguments(call)[1] ?? keywordArgument(call, 'func');
      why = 'an after-fork hook: it runs in the child process, where only the forking thread exists';
    } else if (FORK_MODULE_REGISTER.test(q)) {
      // A fork-safety module's own registry (`fork_hooks.register(hook)`): its hooks run in the child.
      target = positionalArguments(call)[0] ?? null;
      why = 'an after-fork hook: it runs in the child process, where only the forking thread exists';
    } else if (q === 'atexit.register' && !this.daemons) {
      target = positionalArguments(call)[0] ?? null;
      why = 'an atexit handler: it runs at exit, after the threads are joined';
    }
    if (!target) return;
    // A hook the module's own code also calls (`close_session()` after an SSL error, on the caller's
    // thread) runs there too: registering it says where it also runs, not where it only runs.
    for (const fn of target.type === 'lambda' ? [target] : this.resolver.functionsFor(target, call)) if (target.type === 'lambda' || this.resolver.callersOf(fn).length === 0) this.sequential.set(fn.id, why);
    // The usual way to register a bound method without keeping the object alive: a nested hook that
    // calls `weakref.WeakMethod(self.reset)()`. The weakly referenced methods are the hook's real body.
    const scope = this.resolver.scopeOf(call);
    if (q !== 'os.register_at_fork' || !scope) return;
    for (const c of this.resolver.callsIn(scope.node)) {
      const name = this.imports.qualify(c.childForFieldName('function'));
      const ref = name === 'weakref.WeakMethod' || name === 'weakref.ref' ? positionalArguments(c)[0] : null;
      for (const fn of ref ? this.resolver.functionsFor(ref, c) : []) this.sequential.set(fn.id, why);
    }
  }

  /** Functions whose own body runs on one thread only, but not the functions nested in it (closures run later). */
  private readonly ownBodyOnly = new Set<number>();

  /**
   * `fn`'s body runs on one thread only, for the reason given (other modules call it only while they
   * are imported); functions it defines may be called later, from anywhere, so they are not covered.
   */
  markBodySequential(fn: Node, why: string): void {
    this.sequential.set(fn.id, why);
    this.ownBodyOnly.add(fn.id);
    this.derived.clear();
  }

  /**
   * Why code of `scope` runs on one thread only (itself a hook or finaliser, or called only from
   * such code), else null.
   */
  whySequential(scope: FunctionScope | null): string | null {
    for (let s = scope; s; s = s.parent) {
      if (s !== scope && (this.ownBodyOnly.has(s.node.id) || this.runsAtImportOnly(s))) continue;
      const why = this.derivedWhy(s, new Set());
      if (why) return why;
    }
    return null;
  }

  /**
   * Why `scope` runs while no other thread can run at all (after fork, at exit, at import, as a
   * finaliser), else null. A one-thread contract is not enough: one thread at a time in *that*
   * function still runs beside the others.
   */
  whyAlone(scope: FunctionScope | null): string | null {
    const why = this.whySequential(scope);
    return why && !why.endsWith(ONE_THREAD_CONTRACT_WHY) ? why : null;
  }

  private readonly importOnly = new Map<number, boolean>();

  /**
   * A private module-level function (`_createenviron`) that only the module's own top-level code calls
   * (`environ = _createenviron()`) runs while the module is imported, before any thread it starts —
   * as a private construction helper runs before its object is shared. Its own body only: closures
   * it returns run later. A call in a lambda runs whenever the lambda does.
   */
  private runsAtImportOnly(scope: FunctionScope): boolean {
    let known = this.importOnly.get(scope.node.id);
    if (known === undefined) {
      const callers = !scope.parent && !scope.classNode && isPrivate(scope) ? this.resolver.callersOf(scope.node) : [];
      known = callers.length > 0 && callers.every((call) => !this.resolver.scopeOf(call) && !insideLambda(call));
      this.importOnly.set(scope.node.id, known);
    }
    return known;
  }

  private derivedWhy(scope: FunctionScope, visiting: Set<number>): string | null {
    const own = this.sequential.get(scope.node.id);
    if (own) return own;
    if (this.runsAtImportOnly(scope)) return IMPORT_TIME;
    const cached = this.derived.get(scope.node.id);
    if (cached !== undefined) return cached;
    if (visiting.has(scope.node.id)) return null;
    visiting.add(scope.node.id);
    const callers = this.resolver.callersOf(scope.node);
    let why: string | null = null;
    if (callers.length > 0) {
      for (const call of callers) {
        const caller = this.resolver.scopeOf(call);
        // Construction runs before the object is shared: it orders like a hook (a reset helper called
        // from `__init__` and from an after-fork hook runs single-threaded either way).
        if (caller && CONSTRUCTION.has(caller.name)) continue;
        let callerWhy = caller ? this.derivedWhy(caller, visiting) : null;
        // Other modules may call a public function at any time: import-time callers here say nothing of theirs.
        if (callerWhy?.endsWith(IMPORT_TIME) && !isPrivate(scope)) callerWhy = null;
        if (!callerWhy) {
          why = null;
          break;
        }
        why ??= `called only from ${caller!.name}, ${callerWhy}`;
      }
    }
    visiting.delete(scope.node.id);
    this.derived.set(scope.node.id, why);
    return why;
  }

  /**
   * Does `node` run before its function starts a thread (`t = Thread(…)` … `t.start()` later in the same
   * function)? Such writes happen before the thread exists: `start()` orders them.
   */
  beforeThreadStart(node: Node, scope: FunctionScope, ownCalls: () => Node[]): boolean {
    if (!this.startsThreads) return false;
    let starts = this.threadStarts.get(scope.node.id);
    if (!starts) {
      starts = ownCalls().filter((c) => isThreadStart(c) || !!this.resolver.startsThreadOnFreshObject?.(c)).map((c) => c.startIndex);
      this.threadStarts.set(scope.node.id, starts);
    }
    return starts.some((s) => s > node.endIndex);
  }
}

const ONE_THREAD_CONTRACT_WHY = 'its docstring says one thread runs it';

/**
 * `register` of a module named for forking (`fork_hooks.register`, `mylib.internal.forking.register`):
 * what it registers runs in the forked child. Its `register_before_fork` and
 * `register_after_parent` run beside the parent's threads and do not match.
 */
export const FORK_MODULE_REGISTER = /(?:^|\.)[A-Za-z_]*fork[A-Za-z_]*\.register$/i;

/** One-thread contracts in docstrings: "Only one thread should ever be in this function", "not thread-safe". */
/**
 * "single-threaded" said of the code itself ("single-threaded only", "is single-threaded"), not of the
 * programs that use it ("most single-threaded applications share one instance").
 */
export const SINGLE_THREADED = String.raw`single[- ]threaded(?!\s+(?:applications?|apps?|programs?|processes|environments?|servers?|runtimes?|interpreters?|python|builds?|mode|case)\b)`;

export const ONE_THREAD_CONTRACT = new RegExp(String.raw`only one thread|${SINGLE_THREADED}|not thread[- ]?safe|(?:from|by|on) (?:one|a single|the same) thread`, 'i');

/**
 * "Called from the event thread only", "This method is only called in the IO thread", "Can only be
 * modified by the consuming thread": code (or a field) documented as one named thread's.
 */
export const NAMED_THREAD_CONTRACT =
  /\b(?:(?:only|solely|exclusively)\s+(?:be\s+)?(?:called|accessed|used|run|invoked|popped|modified|touched|executed|changed)|(?:called|accessed|used|runs?|invoked|popped|modified|executed|touched|changed)\s+(?:only|solely|exclusively))\s+(?:from|in|on|by)\s+(?:the|its|this|one)\s+[\w-]+(?:\s[\w-]+)?\s+thread\b|\b(?:from|in|on|by)\s+the\s+[\w-]+(?:\s[\w-]+)?\s+thread\s+only\b/i;

function statesOneThread(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  const first = body?.firstNamedChild;
  const doc = first?.type === 'expression_statement' && first.firstNamedChild?.type === 'string' ? first.firstNamedChild.text : '';
  if (doc !== '' && (ONE_THREAD_CONTRACT.test(doc) || NAMED_THREAD_CONTRACT.test(doc))) return true;
  // The comments that open the body, before its first statement (tree-sitter hangs those on the `def`).
  for (let c = body?.previousNamedSibling; c?.type === 'comment'; c = c.previousNamedSibling) if (NAMED_THREAD_CONTRACT.test(c.text)) return true;
  for (let c = first; c?.type === 'comment'; c = c.nextNamedSibling) if (NAMED_THREAD_CONTRACT.test(c.text)) return true;
  return false;
}

/**
 * "Only used during import, so not locked", "No lock needed: called before the workers start": the
 * author says the function's unlocked accesses are safe — it runs when nothing else touches that state.
 */
export const NO_LOCK_NEEDED = /\b(?:so|thus|hence|therefore)\s+(?:it\s+is\s+|it's\s+)?(?:not|no)\s+lock(?:ed|ing)?\b|\bno\s+lock(?:ing)?\s+(?:is\s+)?(?:needed|required|necessary)\b|\b(?:does\s+not|doesn't|do\s+not|don't)\s+need\s+(?:a\s+|the\s+|to\s+)?lock/i;

function statesNoLockNeeded(fn: Node): boolean {
  const first = fn.childForFieldName('body')?.firstNamedChild;
  const doc = first?.type === 'expression_statement' && first.firstNamedChild?.type === 'string' ? first.firstNamedChild.text : '';
  return doc !== '' && NO_LOCK_NEEDED.test(doc.replace(/\s+/g, ' '));
}

/** "Used only for testing", "for tests only", "test-only": a helper the library itself never runs. */
export const TEST_ONLY = /\b(?:used only (?:for|in|by) test|only used (?:for|in|by) test|for test(?:s|ing)? only|only for test|test[- ]only\b)/i;

/** A function whose docstring, or the comment right above its `def` (or its decorators), says only tests use it. */
function documentedTestOnly(fn: Node): boolean {
  const first = fn.childForFieldName('body')?.firstNamedChild;
  const doc = first?.type === 'expression_statement' && first.firstNamedChild?.type === 'string' ? first.firstNamedChild.text : '';
  if (TEST_ONLY.test(doc)) return true;
  const def = fn.parent?.type === 'decorated_definition' ? fn.parent : fn;
  const above = def.previousSibling;
  return above?.type === 'comment' && above.endPosition.row === def.startPosition.row - 1 && TEST_ONLY.test(above.text);
}

/**
 * `t.start()` where `t` names a thread (`thread`, `self._thread`, `worker_thread`) or `Thread(…).start()`.
 * Process objects and timers start threads of control too.
 */
export function isThreadStart(call: Node): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'start') return false;
  if (namedChildren(call.childForFieldName('arguments')!).length > 0) return false;
  const receiver = fn.childForFieldName('object');
  if (!receiver) return false;
  if (receiver.type === 'call') return /(?:Thread|Timer)$/.test(receiver.childForFieldName('function')?.text ?? '');
  const parts = dottedName(receiver);
  if (!parts) return false;
  if (/thread|timer|worker/i.test(parts[parts.length - 1])) return true;
  // `t = threading.Thread(…)` … `t.start()`, `self.t = Thread(…)` … `self.t.start()`: a name bound to a
  // thread in the same function.
  let def: Node | null = call.parent;
  while (def && def.type !== 'function_definition') def = def.parent;
  const name = parts.join('\\s*\\.\\s*');
  return !!def && new RegExp(`(?<![\\w.])${name}\\s*=\\s*[\\w.]*(?:Thread|Timer|Process)\\(`).test(def.text);
}

/**
 * `super().start()` in the `start` of a thread class — one deriving from `Thread` or `Process`, or from a
 * class of the module that does (`class Capture(XEventLoop)`, `class XEventLoop(threading.Thread)`):
 * the override starts its own thread there. (Not a start for the model's ordering: code before it may
 * still race with the callers' other threads — a set iterated there while they add to it.)
 */
export function superStartsThread(call: Node): boolean {
  const fn = call.childForFieldName('function');
  const receiver = fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'start' ? fn.childForFieldName('object') : null;
  if (receiver?.type !== 'call' || receiver.childForFieldName('function')?.text !== 'super') return false;
  let def: Node | null = call.parent;
  while (def && def.type !== 'function_definition') def = def.parent;
  const cls = def?.parent?.parent;
  if (def?.childForFieldName('name')?.text !== 'start' || cls?.type !== 'class_definition') return false;
  const threadBase = /(?:^|\.)(?:Thread|Process)$/;
  const bases = (node: Node) => namedChildren(node.childForFieldName('superclasses') ?? node).filter((b) => b.type === 'identifier' || b.type === 'attribute').map((b) => b.text);
  const pending = bases(cls);
  const seen = new Set<string>();
  let root: Node = cls;
  while (root.parent) root = root.parent;
  while (pending.length > 0) {
    const base = pending.pop()!;
    if (threadBase.test(base)) return true;
    if (seen.has(base) || seen.size > 10) continue;
    seen.add(base);
    const own = root.descendantsOfType('class_definition').find((c) => c?.childForFieldName('name')?.text === base);
    if (own) pending.push(...bases(own));
  }
  return false;
}

const IMPORT_TIME = "called only by its module's top-level code, while the module is imported";

/** `_helper`, a method of `_Private`; not `__dunder__` names, which Python itself calls. */
function isPrivate(scope: FunctionScope): boolean {
  if (/^__.*__$/.test(scope.name)) return false;
  if (scope.name.startsWith('_')) return true;
  const cls = scope.classNode?.childForFieldName('name')?.text;
  return !!cls && cls.startsWith('_');
}

