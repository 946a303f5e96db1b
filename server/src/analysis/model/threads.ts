// Thread reachability within a module: which functions run on a thread other than the caller's.
// Entry points are the callables handed to thread APIs; reachability follows calls from them.
import type { Node } from '../parser';
import type { ImportTable } from './imports';
import { parameterNames, type FunctionScope } from './scopes';
import { keywordArgument, lastNameOf, namedChildren, positionalArguments, snippet } from './syntax';
import { isTestCode } from './testCode';
import { RUNTIME_SPAWNER_WORDS, runtimeCallback } from './runtimeThreads';
import { WEB_FRAMEWORKS, webHandler } from './webHandlers';

export interface ThreadEntry {
  /** How the code gets onto a thread, for messages: "threading.Thread(target=worker)". */
  via: string;
  /** The call that starts it (for an entry from another module: the function itself). */
  site: Node;
  /** Reached from a thread started in another module (cross-file reachability). */
  external?: boolean;
  /** External, through a method of an object that module's thread code is handed (project handedClasses). */
  handed?: boolean;
  /** No thread entry reaches the code: assume-concurrent says every function may run on threads. */
  assumed?: boolean;
  /** A thread class's own `run` (a `Thread` subclass, a toolkit's thread class): one thread per object. */
  threadClass?: boolean;
}

/** Spawners whose callable runs on one new thread (the `via` labels of spawnedCallables). */
const ONE_THREAD_SPAWNERS = /^[\w.]*(?:Thread\(target=|Timer\(…, |start_new(?:_thread)?\()/;

/**
 * Decorators of other libraries that run every call of the function they decorate on another thread:
 * the decorated function is a thread entry, and its callers go on beside it.
 */
const LIBRARY_SPAWNER_DECORATORS: ReadonlyMap<string, string> = new Map([
  ['multitasking.task', 'starts a thread per call'],
  ['pebble.concurrent.thread', 'starts a thread per call'],
  ['pebble.asynchronous.thread', 'starts a thread per call'],
  ['threaded.Threaded', 'starts a thread per call'],
  ['threaded.threaded', 'starts a thread per call'],
  ['threaded.ThreadPooled', 'hands each call to a thread pool'],
  ['threaded.threadpooled', 'hands each call to a thread pool'],
  ['tornado.concurrent.run_on_executor', "hands each call to the object's executor"],
]);
const LIBRARY_SPAWNER_MODULES = /^(?:multitasking|pebble|threaded|tornado\.concurrent)(?:\.|$)/;
const SPAWNER_WORDS = /Thread|Timer|callInThread|start_new|to_thread|submit|map|apply|run_in_executor|settrace|setprofile|register_callback|addaudithook|add_done_callback|add_job/;

/** An imported class named as a thread (`CAThread`, `StoppableThread`); Qt's `QThread` takes no target. */
const THREAD_CLASS_NAME = /^(?!Q)\w*Thread$/;

/** APScheduler: `scheduler.add_job(fn, …)` runs `fn` on the scheduler's worker threads. */
const APSCHEDULER = /^apscheduler(?:\.|$)/;
/** Job defaults that allow several runs of a job at once (`job_defaults={'max_instances': 3}`). */
const MORE_INSTANCES = /['"]max_instances['"]\s*:\s*(?!1\b)\w/;

const NO_SPAWNS: ReadonlyArray<[Node, string]> = Object.freeze([]);

/** Twisted's functions that run a callable in the reactor's thread pool → the callable's position. */
const TWISTED_POOL: ReadonlyMap<string, number> = new Map([['deferToThread', 0], ['deferToThreadPool', 2]]);

/** Calls that hand a callable to the thread owning a UI toolkit or an event loop → the callable's position. */
/** How an assumed entry (`--assume-concurrent`) is described: other modules' summaries keep the words. */
export const ASSUMED_VIA = 'assume-concurrent is on';

/** Toolkits' decorators that run the decorated function on their thread. */
const KNOWN_HAND_OVER_DECORATORS: ReadonlyMap<string, string> = new Map([['kivy.clock.mainthread', "Kivy's main thread"]]);

/** `func`, `lambda: func(…)`, `partial(func, …)`, `functools.partial(func, …)`: a callable that runs `parameter`. */
function passesOn(handed: Node, parameter: string): boolean {
  if (handed.type === 'identifier') return handed.text === parameter;
  if (handed.type === 'lambda') return handed.descendantsOfType('call').some((c) => c.childForFieldName('function')?.text === parameter);
  if (handed.type === 'call' && /(?:^|\.)partial$/.test(handed.childForFieldName('function')?.text ?? '')) return positionalArguments(handed)[0]?.text === parameter;
  return false;
}

export const HAND_OVER_WORDS = /idle_add|timeout_add|add_idle|add_timeout|CallAfter|CallLater|call_soon_threadsafe|\.after(?:_idle)?\(|singleShot|add_callback|callFromThread/;

const HAND_OVER: ReadonlyMap<string, number> = new Map([
  ['idle_add', 0], ['timeout_add', 1], ['threads_add_idle', 1], ['threads_add_timeout', 2], ['CallAfter', 0], ['CallLater', 1], ['call_soon_threadsafe', 0], ['after', 1], ['after_idle', 0], ['singleShot', 1], ['add_callback', 0], ['callFromThread', 0], ['blockingCallFromThread', 1],
]);

/** Executor/pool methods whose first argument runs on a worker thread. */
const POOL_METHODS = new Set(['submit', 'map', 'apply_async', 'apply', 'imap', 'imap_unordered', 'starmap', 'starmap_async', 'map_async']);

export interface CallableResolver {
  /** Function nodes a callable expression may denote (`worker`, `self.run`, `obj.method`). */
  functionsFor(expr: Node, at: Node): Node[];
  scopeOf(node: Node): FunctionScope | null;
  /** `__call__` of the object an expression holds (`self`, an instance of a class of the module), if any. */
  callMethodOf?(expr: Node, at: Node): Node | null;
  /** Is it a method of a GUI toolkit object, which the toolkit runs on the object's own (GUI) thread only? */
  onGuiThread?(scope: FunctionScope): boolean;
  /** The property getters a function reads on its own object (`data = self.bytes` runs the getter). */
  gettersRead?(fn: Node): Node[];
  /** The imported class (qualified) an object expression holds, when the module makes it (`self.worker = Worker()`). */
  importedClassOf?(object: Node, at: Node): string | null;
  /** The assignments in a function's own scope, in order. */
  assignmentsOf?(scope: FunctionScope): Node[];
  /** The callables a constructor argument kept on `self` holds, at a call of `self.<name>(…)` (module.ts). */
  storedCallables?(callee: Node, at: Node): Node[];
}

export interface ThreadModelOptions {
  /**
   * Functions of other modules that hand one of their parameters to a thread (`utils.spawn(fn)`):
   * qualified name → the argument's position and how (project/summary.ts's spawnerWrappers).
   */
  importedSpawners?: ReadonlyMap<string, { index: number; via: string; name?: string }>;
  /** Extra spawners (qualified or bare names) whose first argument or `target=` runs on a thread. */
  threadEntryPoints?: readonly string[];
  /** Every function counts as callable from several threads at once. */
  assumeConcurrent?: boolean;
  /** The module's text names a hand-over to a UI or loop thread (`idle_add`, `CallAfter`…): look for them. */
  handOvers?: boolean;
  /**
   * Functions of other modules that hand one of their parameters to the UI or loop thread
   * (`util.run_on_main(fn)` around `GLib.idle_add`): qualified name → the argument's position.
   */
  importedHandOvers?: ReadonlyMap<string, { index: number; via: string; name?: string }>;
  /** Other modules' hand-over decorators this module uses: qualified name → how they hand over. */
  importedHandOverDecorators?: ReadonlyMap<string, string>;
  /** Other modules' spawner decorators this module uses (`@misc.run_async`): qualified name → how they start threads. */
  importedSpawnerDecorators?: ReadonlyMap<string, string>;
}

export class ThreadModel {
  /** function node id → how it becomes reachable from a thread */
  private readonly reachable = new Map<number, ThreadEntry>();
  /** The module imports a web framework whose server runs request handlers on threads (webHandlers.ts). */
  private webFrameworks = false;
  /** Entries the module's own code makes (directEntries less other modules' reach). */
  private readonly ownEntries = new Set<number>();
  /** class node id → a bound method of an instance of it runs on a thread (so the instance is shared) */
  readonly sharedInstances = new Map<number, ThreadEntry>();
  private readonly extraSpawners: Set<string>;
  /** The last part of each extra spawner's name (`pkg.spawn` → `spawn`), for the text test. */
  private readonly extraSpawnerNames: string[];
  /** Every callable expression handed to a thread API (resolved or not), for cross-module summaries. */
  readonly spawnTargets: Array<{ target: Node; via: string; site: Node }> = [];
  /**
   * Functions of this module that hand one of their parameters to a thread (`def spawn(fn):
   * Thread(target=fn).start()`): function node id → the parameter's position among what callers pass.
   */
  readonly wrappers = new Map<number, { index: number; name: string; via: string }>();
  /** Functions handed to a thread API directly (a thread calls them, holding nothing). */
  private readonly directEntries = new Set<number>();
  /**
   * Every resolved hand-over of a function to a thread: the spawner's kind tells one thread
   * (`Thread`, `Timer`, `start_new_thread`, a Thread subclass's `run`) from a pool of them.
   */
  readonly spawns: Array<{ fn: Node; target: Node | null; site: Node; entry: ThreadEntry; pool: boolean }> = [];

  private readonly allCalls: readonly Node[];
  /**
   * Spawn calls whose target never runs beside itself: a scheduler job of at most one instance
   * (APScheduler's default `max_instances=1`) — one run at a time, on whichever worker is free.
   */
  private readonly oneAtATime = new Set<number>();

  constructor(
    calls: readonly Node[],
    private readonly callsIn: (fn: Node) => Node[],
    private readonly imports: ImportTable,
    private readonly scopes: Map<number, FunctionScope>,
    /** Methods the runtime runs on threads of their own: a Thread subclass's `run`, a threading server's handlers. */
    threadRuns: ReadonlyArray<{ fn: Node; via: string; site?: Node; shares?: Node | null; threadClass?: boolean }>,
    private readonly resolver: CallableResolver,
    private readonly options: ThreadModelOptions = {},
    external: ReadonlyArray<[Node, string, boolean?]> = [],
  ) {
    this.allCalls = calls;
    this.extraSpawners = new Set(options.threadEntryPoints ?? []);
    this.extraSpawnerNames = [...this.extraSpawners, ...(options.importedSpawners?.keys() ?? [])].map((name) => name.split('.').pop()!);
    const entries: Array<[Node, ThreadEntry]> = [];
    for (const [fn, via, handed] of external) entries.push([fn, { via, site: fn, external: true, ...(handed ? { handed } : {}) }]);
    for (const { fn: run, via, site, shares, threadClass } of threadRuns) {
      const entry: ThreadEntry = threadClass ? { via, site: site ?? run, threadClass } : { via, site: site ?? run };
      entries.push([run, entry]);
      // A bound method run there shares its instance with the threads (a server's own application).
      if (shares && !this.sharedInstances.has(shares.id)) this.sharedInstances.set(shares.id, entry);
      this.spawns.push({ fn: run, target: null, site: run, entry, pool: !threadClass && !ONE_THREAD_SPAWNERS.test(via) });
    }
    // A function that hands one of its parameters to a thread (`def spawn(fn): Thread(target=fn).start()`)
    // is a spawner too: what its callers pass there runs on the thread. Found per round, so a wrapper of
    // a wrapper counts (two rounds are plenty in practice).
    const wrappers = this.wrappers;
    // A call's own spawns do not change between the rounds: found once per call (most calls spawn nothing).
    const direct = new Map<Node, ReadonlyArray<[Node, string]>>();
    const spawnsOf = (call: Node): ReadonlyArray<[Node, string]> => {
      let own = direct.get(call);
      if (!own) direct.set(call, (own = this.spawnedCallables(call)));
      if (wrappers.size === 0) return own;
      const wrapped = this.wrappedCallables(call, wrappers);
      return wrapped.length === 0 ? own : [...own, ...wrapped];
    };
    // A class whose thread calls a callable its constructor was given (`BackgroundCall(fn, …)`, a
    // `QRunnable` worker running `self.fn`) is a spawner too: its `__init__` is the wrapper.
    const spawnerClass = (method: Node, via: string): boolean => {
      const wrapper = this.constructorWrapper(method, scopes, callsIn, via);
      if (!wrapper || wrappers.has(wrapper.fn.id)) return false;
      wrappers.set(wrapper.fn.id, wrapper.info);
      return true;
    };
    for (const { fn: run, via, threadClass } of threadRuns) if (threadClass) spawnerClass(run, via);
    for (let round = 0; round < 2; round++) {
      let found = false;
      for (const call of calls) {
        for (const [target, via] of spawnsOf(call)) {
          const wrapper = target.type === 'identifier' ? this.parameterWrapper(target, call, scopes, via) : null;
          if (wrapper && !wrappers.has(wrapper.fn.id)) {
            wrappers.set(wrapper.fn.id, wrapper.info);
            found = true;
          }
          if (target.type === 'attribute') for (const fn of this.callablesOf(target, call)) found = spawnerClass(fn, via) || found;
        }
        const forwarding = wrappers.size > 0 ? this.forwardingWrapper(call, wrappers) : null;
        if (forwarding && !wrappers.has(forwarding.fn.id)) {
          wrappers.set(forwarding.fn.id, forwarding.info);
          found = true;
        }
      }
      if (!found) break;
    }
    calls.forEach((call) => {
      for (const [target, via] of spawnsOf(call)) {
        this.spawnTargets.push({ target, via, site: call });
        for (const fn of this.callablesOf(target, call)) {
          const entry = { via, site: call };
          entries.push([fn, entry]);
          this.spawns.push({ fn, target, site: call, entry, pool: !ONE_THREAD_SPAWNERS.test(via) && !this.oneAtATime.has(call.id) });
          // A bound method handed to a thread shares its instance between the spawner and the thread
          // (a classmethod or staticmethod binds no instance: `self._watch` of a classmethod is the class's).
          const targetScope = scopes.get(fn.id);
          // So does a callable object handed over whole (`settrace(self)`: every thread calls its `__call__`).
          const bound = target.type === 'attribute' || (target.type === 'identifier' && targetScope?.name === '__call__');
          // And a function nested in a method that uses the method's `self` (`def on_line(…): self.seen.add(…)`).
          const capturing = targetScope?.parent && !targetScope.receiver ? capturedReceiverClass(targetScope) : null;
          const cls = bound && targetScope?.receiver && !targetScope.isClassMethod ? targetScope.classNode : capturing;
          // Except an object made right there for one thread (`Thread(target=Worker().run)`): no one else
          // holds it, so that thread is its only user (a pool's threads share one such object).
          const fresh = target.type === 'attribute' && target.childForFieldName('object')?.type === 'call' && ONE_THREAD_SPAWNERS.test(via);
          if (cls && !fresh && !this.sharedInstances.has(cls.id) && !startedAndJoined(call)) this.sharedInstances.set(cls.id, entry);
        }
      }
    });
    // `@run_async` where `run_async(func)` returns a wrapper that starts a thread on `func`: every call
    // of the decorated function runs its body on a new thread, beside its caller and its other calls.
    // Only a module with a thread started inside a nested function, or using another module's, can have one.
    this.webFrameworks = imports.importsMatching(WEB_FRAMEWORKS);
    const mayDecorate =
      this.webFrameworks || (options.importedSpawnerDecorators?.size ?? 0) > 0 || this.spawnTargets.some(({ site }) => !!resolver.scopeOf(site)?.parent) || imports.importsMatching(LIBRARY_SPAWNER_MODULES) || imports.importsMatching(APSCHEDULER);
    for (const scope of mayDecorate ? scopes.values() : []) {
      const decorated = this.spawnedBy(scope.node);
      if (!decorated) continue;
      const entry = { via: decorated.via, site: decorated.decorator };
      entries.push([scope.node, entry]);
      this.spawns.push({ fn: scope.node, target: null, site: decorated.decorator, entry, pool: !decorated.oneAtATime });
      if (scope.receiver && !scope.isClassMethod && scope.classNode && !this.sharedInstances.has(scope.classNode.id)) this.sharedInstances.set(scope.classNode.id, entry);
    }
    for (const [fn, entry] of entries) {
      this.directEntries.add(fn.id);
      if (!entry.external) this.ownEntries.add(fn.id);
    }
    // Breadth-first over the call graph, so each function keeps the shortest explanation.
    const queue = entries.filter(([fn, entry]) => this.mark(fn, entry)).map(([fn]) => fn);
    while (queue.length > 0) {
      const fn = queue.shift()!;
      const entry = this.reachable.get(fn.id)!;
      for (const call of callsIn(fn)) {
        const callee = call.childForFieldName('function');
        if (!callee) continue;
        const toLoop = handedToLoop(call);
        // `idle_add(lambda: self.skip())`: the lambda runs on the UI or loop thread, not this one.
        if (this.options.handOvers !== false && this.inHandedOverLambda(call, fn)) continue;
        const syncCaller = !scopes.get(fn.id)?.isAsync;
        for (const target of [...this.resolver.functionsFor(callee, call), ...(this.resolver.storedCallables?.(callee, call) ?? [])]) {
          // `run_coroutine_threadsafe(self.refresh(), loop)`: calling a coroutine function runs none of
          // its body; the loop it is handed to runs it, on the loop's thread. From plain code, only
          // `asyncio.run(coro)` / `loop.run_until_complete(coro)` run it here (`await` needs a coroutine).
          if (scopes.get(target.id)?.isAsync && (toLoop || (syncCaller && !drivenHere(call, fn)))) continue;
          if (this.mark(target, entry)) queue.push(target);
        }
      }
      for (const getter of this.resolver.gettersRead?.(fn) ?? []) if (this.mark(getter, entry)) queue.push(getter);
    }
  }

  private readonly sharedArguments = new Map<string, Node | null>();

  /**
   * `for _ in range(n): Thread(target=worker, args=(todo, …)).start()`: one object, bound before the
   * loop, handed to every thread the loop starts — the parameter it binds in `worker` is shared by
   * those threads (a work list they all pop from). The spawning call, or null.
   */
  sharedArgument(fn: Node, parameter: string): Node | null {
    const key = `${fn.id}:${parameter}`;
    const known = this.sharedArguments.get(key);
    if (known !== undefined) return known;
    let found: Node | null = null;
    const names = parameterNames(fn);
    for (const spawn of this.spawns) {
      if (spawn.fn.id !== fn.id || !spawn.target) continue;
      // A bound method (`self.worker`) is handed its first parameter by the binding.
      const index = names.indexOf(parameter) - (spawn.target.type === 'attribute' && names.length > 0 && /^(self|cls)$/.test(names[0]) ? 1 : 0);
      const arg = index >= 0 ? argumentsHanded(spawn.site)?.[index] : undefined;
      const loop = arg?.type === 'identifier' ? enclosingLoop(spawn.site) : null;
      if (loop && !boundIn(loop, arg!.text)) {
        found = spawn.site;
        break;
      }
    }
    this.sharedArguments.set(key, found);
    return found;
  }

  private mark(fn: Node, entry: ThreadEntry): boolean {
    if (this.reachable.has(fn.id)) return false;
    // `@idle` where `idle(func)` hands `func` to `GLib.idle_add`: the body runs on the UI or loop thread.
    if (this.handedOverBy(fn)) return false;
    this.reachable.set(fn.id, entry);
    return true;
  }

  private readonly assumedEntries = new Map<number, ThreadEntry | null>();

  /** Is `call` (in `fn`) inside a lambda handed to the UI or loop thread (`run_on_main(lambda: self.close())`)? */
  private inHandedOverLambda(call: Node, fn: Node): boolean {
    for (let n = call.parent; n && n.id !== fn.id; n = n.parent) {
      if (n.type !== 'lambda' || n.parent?.type !== 'argument_list' || n.parent.parent?.type !== 'call') continue;
      const handOver = n.parent.parent;
      const position = this.handOverPosition(handOver);
      if (position !== undefined && positionalArguments(handOver)[position]?.id === n.id) return true;
    }
    return false;
  }

  /**
   * Nested functions handed to the thread that owns a UI toolkit or an event loop (`GLib.idle_add(f)`,
   * `wx.CallAfter(f)`, `widget.after(ms, f)`, `QTimer.singleShot(ms, f)`, `loop.call_soon_threadsafe(f)`):
   * they run there, not on the thread of the function they are written in.
   */
  private handedOver: Set<number> | undefined;

  private handedToOwnerThread(scope: FunctionScope): boolean {
    if (!this.handedOver) {
      this.handedOver = new Set();
      for (const call of this.allCalls) {
        const position = this.handOverPosition(call);
        const arg = position === undefined ? undefined : positionalArguments(call)[position];
        if (arg?.type !== 'identifier') continue;
        for (const target of this.resolver.functionsFor(arg, call)) this.handedOver.add(target.id);
      }
    }
    return this.handedOver.has(scope.node.id);
  }

  /**
   * Where `call` hands a callable to the thread owning a UI toolkit or an event loop: a toolkit's own
   * hand-over (`GLib.idle_add(f)`), or a function of the project that passes its parameter on to one
   * (`def run_on_main(fn, *args): GLib.idle_add(fn, *args)`). Undefined when it hands none.
   */
  handOverPosition(call: Node): number | undefined {
    const fn = call.childForFieldName('function');
    if (!fn) return undefined;
    const name = fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn.type === 'identifier' ? fn.text : undefined;
    const own = name ? HAND_OVER.get(name) : undefined;
    if (own !== undefined) return own;
    const imported = this.options.importedHandOvers?.size ? this.options.importedHandOvers.get(this.imports.qualifyImported(fn) ?? '') : undefined;
    if (imported) return imported.index;
    const wrappers = this.handOverWrappers();
    if (wrappers.size === 0 || !name || !wrappers.has(name)) return undefined;
    for (const target of this.resolver.functionsFor(fn, call)) {
      const wrapper = this.handOverWrapperInfo.get(target.id);
      if (wrapper) return wrapper.index;
    }
    return undefined;
  }

  private readonly decoratorAnswers = new Map<number, string | null>();

  /**
   * The hand-over decorator `fn` is decorated with, described (`@idle hands it to GLib.idle_add`), or
   * null: a decorator of this module whose wrapper hands the decorated function to the UI or loop
   * thread, one of another module's (project facts), or a toolkit's (Kivy's `@mainthread`).
   */
  handedOverBy(fn: Node): string | null {
    if (this.options.handOvers === false) return null;
    for (const { expr } of namedDecorators(fn)) {
      const qualified = this.imports.qualifyImported(expr);
      if (qualified && KNOWN_HAND_OVER_DECORATORS.has(qualified)) return `@${expr.text} runs it on ${KNOWN_HAND_OVER_DECORATORS.get(qualified)}`;
      const imported = qualified ? this.options.importedHandOverDecorators?.get(qualified) : undefined;
      if (imported) return `@${expr.text} ${imported}`;
      for (const target of expr.type === 'identifier' ? this.resolver.functionsFor(expr, fn) : []) {
        const via = this.handOverDecorator(target);
        if (via) return `@${expr.text} ${via}`;
      }
    }
    return null;
  }

  /**
   * Is `fn` a hand-over decorator — `def idle(func): def wrapper(*a): GLib.idle_add(func, *a); return
   * wrapper` — and how does it hand over (`hands it to GLib.idle_add`)? The wrapper it returns passes its
   * parameter (itself, in a lambda, or through `functools.partial`) to a hand-over call.
   */
  handOverDecorator(fn: Node): string | null {
    return this.decoratorAnswer(this.decoratorAnswers, fn, (call, parameter) => {
      const position = this.handOverPosition(call);
      const handed = position === undefined ? undefined : positionalArguments(call)[position];
      return handed && passesOn(handed, parameter) ? `hands it to ${snippet(call.childForFieldName('function') ?? call, 40)}` : null;
    });
  }

  /**
   * What a decorator does with what it decorates, cached per function: `def deco(func): def wrapper(…):
   * …; return wrapper` — the first answer `ask` gives for a call in a wrapper it returns, with its
   * parameter's name. Null for anything else.
   */
  private decoratorAnswer(cache: Map<number, string | null>, fn: Node, ask: (call: Node, parameter: string) => string | null): string | null {
    let answer = cache.get(fn.id);
    if (answer !== undefined) return answer;
    answer = null;
    cache.set(fn.id, null);
    const scope = this.resolver.scopeOf(fn.childForFieldName('body') ?? fn);
    const parameter = scope && !scope.receiver ? positionalParameterNames(fn)[0] : undefined;
    const body = fn.childForFieldName('body');
    if (parameter && body) {
      const returned = new Set(body.descendantsOfType('return_statement').map((r) => namedChildren(r)[0]?.text));
      for (const nested of body.descendantsOfType('function_definition')) {
        if (!returned.has(nested.childForFieldName('name')?.text ?? '')) continue;
        for (const call of this.callsInDefinition(nested)) if ((answer = ask(call, parameter))) break;
        if (answer) break;
      }
    }
    cache.set(fn.id, answer);
    return answer;
  }

  private readonly spawnerDecoratorAnswers = new Map<number, string | null>();

  /**
   * The spawner decorator `fn` is decorated with — one of this module (spawnerDecorator) or of another
   * (project facts) — with how it starts threads, or null.
   */
  spawnedBy(fn: Node): { via: string; decorator: Node; oneAtATime?: boolean } | null {
    const web = this.webFrameworks ? webHandler(fn, this.imports) : null;
    if (web) return { via: web.via, decorator: web.site };
    for (const { decorator: d, expr, called } of namedDecorators(fn, true)) {
      const library = LIBRARY_SPAWNER_DECORATORS.get(this.imports.qualify(expr) ?? '');
      if (library) return { via: `@${expr.text}, which ${library}`, decorator: d };
      if (called && expr.type === 'attribute' && expr.childForFieldName('attribute')?.text === 'scheduled_job' && this.imports.importsMatching(APSCHEDULER)) {
        // `@scheduler.scheduled_job('interval', …)`: APScheduler's add_job as a decorator, with its
        // one-run-at-a-time default (`max_instances`, here or in the module's `job_defaults`).
        const instances = keywordArgument(expr.parent!, 'max_instances');
        const oneAtATime = instances ? instances.text === '1' : !MORE_INSTANCES.test(moduleText(d));
        return { via: `@${expr.text}(…), which APScheduler runs on its worker threads`, decorator: d, oneAtATime };
      }
      if (called) continue;
      const imported = this.options.importedSpawnerDecorators?.size ? this.options.importedSpawnerDecorators.get(this.imports.qualifyImported(expr) ?? '') : undefined;
      if (imported) return { via: `@${expr.text}, which ${imported}`, decorator: d };
      for (const target of expr.type === 'identifier' ? this.resolver.functionsFor(expr, fn) : []) {
        const how = this.spawnerDecorator(target);
        if (how) return { via: `@${expr.text}, which ${how}`, decorator: d };
      }
    }
    return null;
  }

  /**
   * Is `fn` a spawner decorator — `def run_async(func): def wrapper(*a, **k): Thread(target=func, args=a,
   * kwargs=k).start(); return wrapper` — and how does it start threads (`starts a thread per call`)?
   * The wrapper it returns hands its parameter (itself, in a lambda, or through `functools.partial`) to
   * a thread API.
   */
  spawnerDecorator(fn: Node): string | null {
    return this.decoratorAnswer(this.spawnerDecoratorAnswers, fn, (call, parameter) => {
      const spawned = this.spawnedCallables(call).find(([target]) => passesOn(target, parameter));
      if (!spawned) return null;
      return ONE_THREAD_SPAWNERS.test(spawned[1]) ? 'starts a thread per call' : `hands each call to ${spawned[1]}`;
    });
  }

  /** The calls in a nested definition's body (a decorator's wrapper: small). */
  private callsInDefinition(fn: Node): Node[] {
    return fn.childForFieldName('body')?.descendantsOfType('call') ?? [];
  }

  private handOverWrapperNames: Set<string> | undefined;
  /** Function node id → the position of the parameter it hands to the UI or loop thread (filled by handOverWrappers). */
  private readonly handOverWrapperInfo = new Map<number, { index: number; name: string; via: string }>();

  /** This module's hand-over wrappers (see handOverPosition): function node id → the parameter handed over. */
  handOverWrapperFunctions(): ReadonlyMap<number, { index: number; name: string; via: string }> {
    this.handOverWrappers();
    return this.handOverWrapperInfo;
  }

  /** The names of this module's hand-over wrappers (see handOverPosition); a wrapper of a wrapper counts. */
  private handOverWrappers(): Set<string> {
    if (this.handOverWrapperNames) return this.handOverWrapperNames;
    const names = (this.handOverWrapperNames = new Set<string>());
    if (this.options.handOvers === false) return names;
    for (let round = 0; round < 2; round++) {
      let found = false;
      for (const call of this.allCalls) {
        const position = this.handOverPosition(call);
        if (position === undefined) continue;
        const scope = this.resolver.scopeOf(call);
        if (!scope || scope.node.type !== 'function_definition' || this.handOverWrapperInfo.has(scope.node.id)) continue;
        const parameter = this.parameterHandedOver(call, position, scope);
        if (!parameter) continue;
        const at = positionalParameterNames(scope.node).indexOf(parameter);
        const index = scope.receiver ? at - 1 : at;
        if (at < 0 || index < 0) continue;
        const callee = call.childForFieldName('function');
        this.handOverWrapperInfo.set(scope.node.id, { index, name: parameter, via: snippet(callee ?? call, 40) });
        names.add(scope.name);
        found = true;
      }
      if (!found) break;
    }
    return names;
  }

  /**
   * The parameter of `scope` that `call` hands over: the callable itself (`idle_add(fn)`), a lambda
   * calling it (`idle_add(lambda: fn(*args))`), or — when the callable is a trampoline defined in
   * `scope` (`idle_add(cb, [fn] + list(args))`, `cb` calling `args[0](…)`) — a parameter among the data
   * passed with it, directly or through a local built from it.
   */
  private parameterHandedOver(call: Node, position: number, scope: FunctionScope): string | null {
    const args = positionalArguments(call);
    const callable = args[position];
    if (!callable) return null;
    const isParameter = (n: Node) => n.type === 'identifier' && scope.parameters.has(n.text) && !scope.node.childForFieldName('body')?.descendantsOfType('assignment').some((a) => a.childForFieldName('left')?.text === n.text);
    if (isParameter(callable)) return callable.text;
    if (callable.type === 'lambda') {
      for (const c of callable.descendantsOfType('call')) {
        const f = c.childForFieldName('function');
        if (f && isParameter(f)) return f.text;
      }
      return null;
    }
    const trampoline = callable.type === 'identifier' && this.resolver.functionsFor(callable, call).some((fn) => this.resolver.scopeOf(fn.childForFieldName('body') ?? fn)?.parent === scope);
    if (!trampoline) return null;
    const body = scope.node.childForFieldName('body');
    for (const data of args.slice(position + 1)) {
      const sources: Node[] = [data];
      if (data.type === 'identifier' && body)
        for (const a of body.descendantsOfType('assignment')) if (a.childForFieldName('left')?.text === data.text && a.childForFieldName('right')) sources.push(a.childForFieldName('right')!);
      for (const source of sources) {
        const found = [source, ...source.descendantsOfType('identifier')].find(isParameter);
        if (found) return found.text;
      }
    }
    return null;
  }

  /** A thread that really reaches `scope` (no assumed entry), for questions asked while entryFor is being answered. */
  realEntryFor(scope: FunctionScope): ThreadEntry | null {
    for (let s: FunctionScope | null = scope; s; s = s.parent) {
      const entry = this.reachable.get(s.node.id);
      if (entry) return entry;
    }
    return null;
  }

  /** How `fn` (or, for nested functions, the closest enclosing function) is reached from a thread. */
  entryFor(scope: FunctionScope | null): ThreadEntry | null {
    for (let s = scope; s; s = s.parent) {
      const entry = this.reachable.get(s.node.id);
      if (entry) return entry;
      // A nested function handed to the UI or loop thread runs there, not on its enclosing function's thread.
      if (s.parent && this.options.handOvers !== false && this.handedToOwnerThread(s)) break;
    }
    if (!scope || !this.options.assumeConcurrent) return null;
    // Asked for every node the rules visit: one answer per function.
    let assumed = this.assumedEntries.get(scope.node.id);
    if (assumed === undefined) {
      // Tests run one at a time under their runner, however a library audit treats the library's code.
      // A GUI object's methods run on its own thread: only a real thread entry puts them beside another.
      assumed = isTestCode(scope) || this.resolver.onGuiThread?.(scope) ? null : { via: ASSUMED_VIA, site: scope.node, assumed: true };
      this.assumedEntries.set(scope.node.id, assumed);
    }
    return assumed;
  }

  /**
   * Is `fn` called by a thread holding nothing? Under assume-concurrent every public function may be;
   * a private one (`_helper`, not a dunder) is called by its module's own code, whose locks count.
   */
  /** Is `fn` handed to a thread API (or a Thread subclass's run, or reached from another module's thread)? */
  isSpawnTarget(fn: Node): boolean {
    return this.directEntries.has(fn.id);
  }

  /** Is `fn` an entry this module's own code makes (handed to a thread API here, a Thread subclass's run), not only another module's? */
  isOwnEntry(fn: Node): boolean {
    return this.ownEntries.has(fn.id);
  }

  isDirectEntry(fn: Node): boolean {
    if (this.directEntries.has(fn.id)) return true;
    if (!this.options.assumeConcurrent) return false;
    const name = fn.type === 'function_definition' ? fn.childForFieldName('name')?.text ?? '' : '';
    return !(name.startsWith('_') && !name.endsWith('__'));
  }

  get hasEntries(): boolean {
    return this.reachable.size > 0;
  }

  /** Callables a call hands to another thread, with a label for messages. */
  private spawnedCallables(call: Node): ReadonlyArray<[Node, string]> {
    const fnExpr = call.childForFieldName('function');
    if (!fnExpr) return NO_SPAWNS;
    // Cheap text test first: qualifying every call of a module through the tree is not.
    const text = fnExpr.text;
    if (!SPAWNER_WORDS.test(text) && !this.extraSpawnerNames.some((name) => text.endsWith(name))) return NO_SPAWNS;
    const qualified = this.imports.qualify(fnExpr) ?? '';
    const last = qualified.split('.').pop() ?? '';
    const positional = positionalArguments(call);
    const out: Array<[Node, string]> = [];
    // `data`: what the target is called with (`args=(…)`, a pool's extra arguments), when known.
    const carriedFrom: Array<[Node, string, ReadonlyArray<Node | null>]> = [];
    const push = (target: Node | null | undefined, label: string, data?: ReadonlyArray<Node | null>) => {
      if (!target) return;
      out.push([target, `${label}`]);
      if (data && data.length > 0) carriedFrom.push([target, label, data]);
    };
    const imported = this.options.importedSpawners?.size ? this.importedSpawner(fnExpr, call) : undefined;
    if (imported) {
      // By keyword too (`RunAsync(task_func=self.update)`), as the wrapper's own parameter is named.
      const target = (imported.name ? keywordArgument(call, imported.name) : null) ?? positional[imported.index];
      push(target, `${fnExpr.text}(${target?.text ?? '…'}) → ${imported.via}`);
    } else if (this.extraSpawners.has(qualified) || this.extraSpawners.has(last)) {
      const target = keywordArgument(call, 'target') ?? positional[0];
      push(target, `${fnExpr.text}(${target?.text ?? '…'})`);
    } else if (last === 'Thread' && (qualified.startsWith('threading.') || this.imports.isImported('Thread') || qualified === 'Thread')) {
      const target = keywordArgument(call, 'target') ?? positional[1];
      push(target, `${fnExpr.text}(target=${target?.text ?? '…'})`, elementsOf(keywordArgument(call, 'args') ?? positional[3]));
    } else if (last !== 'Thread' && THREAD_CLASS_NAME.test(last) && keywordArgument(call, 'target') && this.imports.qualifyImported(fnExpr)) {
      // Another library's Thread subclass taking the same `target=` (`epics.ca.CAThread(target=f)`).
      const target = keywordArgument(call, 'target');
      push(target, `${fnExpr.text}(target=${target?.text ?? '…'})`, elementsOf(keywordArgument(call, 'args')));
    } else if (last === 'Timer' && (qualified.startsWith('threading.') || qualified === 'Timer')) {
      const target = keywordArgument(call, 'function') ?? positional[1];
      push(target, `${fnExpr.text}(…, ${target?.text ?? '…'})`, elementsOf(keywordArgument(call, 'args') ?? positional[2]));
    } else if (qualified === '_thread.start_new_thread' || qualified === '_thread.start_new') {
      push(positional[0], `${fnExpr.text}(${positional[0]?.text ?? '…'}, …)`, elementsOf(positional[1]));
    } else if (qualified === 'asyncio.to_thread') {
      push(positional[0], `${fnExpr.text}(${positional[0]?.text ?? '…'})`, positional.slice(1));
    } else if (TWISTED_POOL.has(last) && (qualified.startsWith('twisted.') || this.imports.isImported(last) || /(?:^|\.)threads$/.test(qualified.slice(0, -last.length - 1)))) {
      // Twisted's reactor thread pool: `threads.deferToThread(f, …)`, `deferToThreadPool(reactor, pool, f, …)`.
      const target = positional[TWISTED_POOL.get(last)!];
      push(target, `${fnExpr.text}(${target?.text ?? '…'}, …)`, positional.slice(TWISTED_POOL.get(last)! + 1));
    } else if (last === 'add_job' && fnExpr.type === 'attribute' && this.imports.importsMatching(APSCHEDULER)) {
      // `scheduler.add_job(fn, trigger, args=[…], max_instances=1)`: one run of the job at a time unless
      // it allows more, here or in the module's `job_defaults` (`{'max_instances': 3}`).
      const target = keywordArgument(call, 'func') ?? positional[0];
      const instances = keywordArgument(call, 'max_instances');
      if (instances ? instances.text === '1' : !MORE_INSTANCES.test(moduleText(call))) this.oneAtATime.add(call.id);
      push(target, `${fnExpr.text}(${target?.text ?? '…'}, …)`, elementsOf(keywordArgument(call, 'args') ?? positional[2]));
    } else if (fnExpr.type === 'attribute') {
      const method = fnExpr.childForFieldName('attribute')?.text ?? '';
      // `run_in_executor(None, ctx.run, fn)`, `submit(ctx.run, fn)`: a context's run calls the next argument.
      if (method === 'callInThread') {
        // `reactor.callInThread(f, …)`, `pool.callInThread(f, …)`: Twisted's thread pool runs it.
        push(positional[0], `${fnExpr.text}(${positional[0]?.text ?? '…'}, …)`, positional.slice(1));
      } else if (method === 'run_in_executor') {
        const at = contextRun(positional[1]) ? 2 : 1;
        const target = positional[at];
        push(target, `${fnExpr.text}(…, ${target?.text ?? '…'})`, positional.slice(at + 1));
      } else if (POOL_METHODS.has(method) && this.imports.hasConcurrencyImport() && !this.isProcessPool(fnExpr.childForFieldName('object'), call)) {
        const first = positional[0] ?? keywordArgument(call, 'fn') ?? keywordArgument(call, 'func');
        const at = contextRun(first) ? 1 : 0;
        const target = at ? positional[1] : first;
        // `submit(f, a, b)` calls f(a, b); `apply_async(f, (a, b))` too; `map` calls it with items.
        const data = method === 'submit' ? positional.slice(at + 1) : method === 'apply_async' || method === 'apply' ? elementsOf(positional[at + 1] ?? keywordArgument(call, 'args')) : [];
        push(target, `${fnExpr.text}(${target?.text ?? '…'}, …)`, data);
      }
    }
    for (const [target, label, data] of carriedFrom) {
      for (const carried of this.carriedCallables(target, data, call)) out.push([carried, `${label} calling ${snippet(carried, 40)}`]);
    }
    if (out.length === 0 && RUNTIME_SPAWNER_WORDS.test(text)) {
      const callback = runtimeCallback(call, this.imports, () => this.enclosingText(call));
      if (callback) out.push(callback);
    }
    return out;
  }

  /**
   * A pool of processes, not threads: the receiver is annotated or bound (`=`, `with … as`) to a
   * `ProcessPoolExecutor`, a `multiprocessing` `Pool` (not `ThreadPool`) in the code around the call.
   * What it runs runs in other processes, each with its own copy of the module's state.
   */
  private mentionsProcessPools: boolean | undefined;

  private isProcessPool(receiver: Node | null, call: Node): boolean {
    if (!receiver || (receiver.type !== 'identifier' && receiver.type !== 'attribute')) return false;
    this.mentionsProcessPools ??= /ProcessPool|(?<!Thread)Pool\(/.test(moduleText(call));
    if (!this.mentionsProcessPools) return false;
    const name = receiver.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pool = String.raw`[\w.]*(?:ProcessPoolExecutor|(?<!Thread)Pool)`;
    const { text, start } = this.enclosingCode(call);
    if (new RegExp(String.raw`(?<![\w.])${name}\s*:\s*['"]?${pool}\b`).test(text)) return true;
    // The binding of the name nearest before the call decides (one function may reuse `pool`).
    const bindings = [...text.matchAll(new RegExp(String.raw`(?<![\w.])${name}\s*(?::[^=\n]*)?=(?!=)\s*([^\n]*)|((?:[^()\n]|\([^()]*\))*\((?:[^()]|\([^()]*\))*\))\s*as\s+${name}\b`, 'g'))];
    const before = bindings.filter((m) => start + m.index! < call.startIndex).pop();
    if (before) return new RegExp(String.raw`(?:^|[^\w.])${pool}\(`).test(before[1] ?? before[2] ?? '');
    // A module-level pool (`POOL = ProcessPoolExecutor()`).
    return receiver.type === 'identifier' && new RegExp(String.raw`^${name}\s*(?::[^=\n]*)?=\s*${pool}\(`, 'm').test(moduleText(call));
  }

  /** The code a call's receiver may be bound in: its function, and the class of a method (for `self.x`). */
  private enclosingText(call: Node): string {
    return this.enclosingCode(call).text;
  }

  private enclosingCode(call: Node): { text: string; start: number } {
    const scope = this.resolver.scopeOf(call);
    if (!scope) return { text: moduleText(call), start: 0 };
    const node = scope.classNode ?? scope.node;
    return { text: node.text, start: node.startIndex };
  }

  /** Another module's spawner wrapper a call names: a function (`utils.spawn`) or a method of an object of an imported class (`self.worker.send`). */
  private importedSpawner(fnExpr: Node, call: Node): { index: number; via: string; name?: string } | undefined {
    const spawners = this.options.importedSpawners!;
    const direct = spawners.get(this.imports.qualifyImported(fnExpr) ?? '');
    if (direct || fnExpr.type !== 'attribute') return direct;
    const object = fnExpr.childForFieldName('object');
    const cls = object ? this.resolver.importedClassOf?.(object, call) : null;
    return cls ? spawners.get(`${cls}.${fnExpr.childForFieldName('attribute')?.text ?? ''}`) : undefined;
  }

  /**
   * Callables handed to a thread as data: the target calls one of its parameters, or a name it unpacks
   * from one (`def run(data): command, args = data; command(*args)` started with `args=(data,)`), so
   * what the spawner passes there runs on the thread too (a worker's `send(command)`, a wrapper that
   * catches a callback's errors).
   */
  private carriedCallables(target: Node, data: ReadonlyArray<Node | null>, call: Node): Node[] {
    const out: Node[] = [];
    const bound = target.type === 'attribute';
    if (!bound && target.type !== 'identifier') return out;
    for (const fn of this.resolver.functionsFor(target, call)) {
      const scope = this.scopes.get(fn.id);
      if (!scope || fn.type !== 'function_definition') continue;
      const names = positionalParameterNames(fn);
      const offset = bound && scope.receiver && !scope.isClassMethod ? 1 : 0;
      for (const { parameter, element } of calledParameters(fn, scope, names, this.callsIn(fn), this.resolver)) {
        let arg = data[names.indexOf(parameter) - offset] ?? null;
        if (arg && element !== undefined) arg = elementsOf(tupleBoundTo(arg, call, this.resolver))[element] ?? null;
        if (arg && (arg.type === 'identifier' || arg.type === 'attribute' || arg.type === 'lambda')) out.push(arg);
      }
    }
    return out;
  }

  /**
   * `target` (a name handed to a thread at `call`) is a positional parameter of the function the call
   * is in: that function is a spawner wrapper, and its callers' argument at that place runs on the
   * thread. The index counts what a caller passes (a method's receiver is not passed).
   */
  private parameterWrapper(target: Node, call: Node, scopes: Map<number, FunctionScope>, via: string): { fn: Node; info: { index: number; name: string; via: string } } | null {
    const scope = this.resolver.scopeOf(call);
    if (!scope || !scope.parameters.has(target.text) || scope.node.type !== 'function_definition' || scopes.get(scope.node.id) !== scope) return null;
    const names = positionalParameterNames(scope.node);
    const at = names.indexOf(target.text);
    if (at < 0) return null;
    const index = scope.receiver ? at - 1 : at;
    if (index < 0) return null;
    return { fn: scope.node, info: { index, name: target.text, via } };
  }

  /**
   * `method` runs on a thread and calls `self.<field>(…)`, a field its class's `__init__` sets from a
   * positional parameter (`self.function = func`): the class's `__init__` wraps a spawn, and what its
   * callers pass there runs on the thread.
   */
  private constructorWrapper(method: Node, scopes: Map<number, FunctionScope>, callsIn: (fn: Node) => Node[], via: string): { fn: Node; info: { index: number; name: string; via: string } } | null {
    const scope = scopes.get(method.id);
    if (!scope?.receiver || !scope.classNode || scope.parent || scope.isClassMethod) return null;
    const called = new Set<string>();
    for (const call of callsIn(method)) {
      const fn = call.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('object')?.text === scope.receiver) called.add(fn.childForFieldName('attribute')?.text ?? '');
    }
    if (called.size === 0) return null;
    const init = [...scopes.values()].find((s) => s.classNode === scope.classNode && !s.parent && s.name === '__init__' && s.receiver);
    if (!init) return null;
    const names = positionalParameterNames(init.node);
    for (const assignment of init.node.descendantsOfType('assignment')) {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      const field = left?.type === 'attribute' && left.childForFieldName('object')?.text === init.receiver ? left.childForFieldName('attribute')?.text : undefined;
      if (!field || !called.has(field) || right?.type !== 'identifier') continue;
      const at = names.indexOf(right.text);
      if (at >= 1) return { fn: init.node, info: { index: at - 1, name: right.text, via } };
    }
    return null;
  }

  /**
   * `def Timer(*args, **kwargs): return _Timer(*args, **kwargs)`: a function that passes all its
   * arguments on to a spawner wrapper, unchanged, is that wrapper under another name.
   */
  private forwardingWrapper(call: Node, wrappers: ReadonlyMap<number, { index: number; name: string; via: string }>): { fn: Node; info: { index: number; name: string; via: string } } | null {
    const first = call.childForFieldName('arguments')?.namedChildren[0];
    if (first?.type !== 'list_splat') return null;
    const scope = this.resolver.scopeOf(call);
    if (!scope || scope.node.type !== 'function_definition' || positionalParameterNames(scope.node).length > (scope.receiver ? 1 : 0)) return null;
    const star = scope.node.childForFieldName('parameters')?.namedChildren.find((p) => p?.type === 'list_splat_pattern');
    if (!star || namedChildren(first)[0]?.text !== namedChildren(star)[0]?.text) return null;
    const callee = call.childForFieldName('function');
    for (const fn of callee ? this.resolver.functionsFor(callee, call) : []) {
      const wrapper = wrappers.get(fn.id);
      if (wrapper && fn.id !== scope.node.id) return { fn: scope.node, info: wrapper };
    }
    return null;
  }

  /** The callables a call of a spawner wrapper passes where the wrapper hands its parameter to a thread. */
  private wrappedCallables(call: Node, wrappers: ReadonlyMap<number, { index: number; name: string; via: string }>): Array<[Node, string]> {
    if (wrappers.size === 0) return [];
    const callee = call.childForFieldName('function');
    if (!callee) return [];
    const out: Array<[Node, string]> = [];
    for (const fn of this.resolver.functionsFor(callee, call)) {
      const wrapper = wrappers.get(fn.id);
      if (!wrapper) continue;
      const arg = keywordArgument(call, wrapper.name) ?? positionalArguments(call)[wrapper.index];
      if (arg) out.push([arg, `${snippet(callee, 40)}(${snippet(arg, 40)}) → ${wrapper.via}`]);
    }
    return out;
  }

  /** Functions a callable argument denotes, looking through lambdas and functools.partial. */
  private callablesOf(expr: Node, site: Node): Node[] {
    if (expr.type === 'lambda') return [expr];
    if (expr.type === 'call') {
      const q = this.imports.qualify(expr.childForFieldName('function'));
      const first = positionalArguments(expr)[0];
      if ((q === 'functools.partial' || q === 'partial') && first) return this.callablesOf(first, site);
      return [];
    }
    const functions = this.resolver.functionsFor(expr, site);
    if (functions.length > 0 || expr.type !== 'identifier') return functions;
    // A callable object (`threading.settrace(self)`, `Thread(target=worker)` with `worker = Worker()`): its `__call__`.
    const call = this.resolver.callMethodOf?.(expr, site);
    return call ? [call] : [];
  }
}

/** A function's parameters a caller can pass by position (the receiver included), up to `*args`. */
function positionalParameterNames(fn: Node): string[] {
  const params = fn.childForFieldName('parameters');
  const names: string[] = [];
  for (const p of params ? namedChildren(params) : []) {
    if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern' || p.type === 'keyword_separator' || p.type === 'positional_separator') break;
    const name = p.type === 'identifier' ? p.text : (p.childForFieldName('name') ?? namedChildren(p)[0])?.text;
    if (name) names.push(name);
  }
  return names;
}

/** `ctx.run` / `context.run` / `copy_context().run`: contextvars' Context.run, which calls its first argument. */
function contextRun(expr: Node | null | undefined): boolean {
  if (expr?.type !== 'attribute' || expr.childForFieldName('attribute')?.text !== 'run') return false;
  const object = expr.childForFieldName('object');
  return !!object && (/^_*(?:ctx|context)$/i.test(object.text) || /copy_context\(\)$/.test(object.text));
}

/** The class of the method a nested function closes over, when the function uses that method's receiver (`self.x`). */
/** The decorators of `fn` written as a name (`@idle`, `@misc.run_async`), each with that name's node. */
/** `@name` / `@a.b` decorators of `fn`; with `calls`, also the callee of `@a.b(…)` (marked `called`). */
function namedDecorators(fn: Node, calls = false): Array<{ decorator: Node; expr: Node; called: boolean }> {
  const parent = fn.parent;
  if (parent?.type !== 'decorated_definition') return [];
  const out: Array<{ decorator: Node; expr: Node; called: boolean }> = [];
  for (const d of namedChildren(parent)) {
    let expr = d.type === 'decorator' ? namedChildren(d)[0] : null;
    const called = calls && expr?.type === 'call';
    if (called) expr = expr!.childForFieldName('function');
    if (expr && (expr.type === 'identifier' || expr.type === 'attribute')) out.push({ decorator: d, expr, called });
  }
  return out;
}

function capturedReceiverClass(scope: FunctionScope): Node | null {
  let method = scope.parent;
  while (method && !method.receiver) method = method.parent;
  if (!method?.receiver || method.isClassMethod || !method.classNode || scope.locals.has(method.receiver) || scope.parameters.has(method.receiver)) return null;
  return new RegExp(`\\b${method.receiver}\\.`).test(scope.node.text) ? method.classNode : null;
}

function moduleText(node: Node): string {
  let root = node;
  while (root.parent) root = root.parent;
  return root.text;
}

/**
 * `t = Thread(target=…)`, then `t.start()` and at once `t.join()`: the caller waits while the thread
 * runs, so what the thread touches is not used by both at once (a run moved to a thread of its own, for
 * a loop or a stack of its own).
 */
function startedAndJoined(spawn: Node): boolean {
  const assignment = spawn.parent;
  const name = assignment?.type === 'assignment' && assignment.childForFieldName('right') === spawn ? assignment.childForFieldName('left')?.text : undefined;
  const statement = assignment?.parent;
  if (!name || statement?.type !== 'expression_statement') return false;
  const following: string[] = [];
  for (let n = statement.nextNamedSibling; n && following.length < 4; n = n.nextNamedSibling) following.push(n.text.replace(/\s+/g, ''));
  const start = following.findIndex((t) => t === `${name}.start()`);
  return start >= 0 && following.slice(0, start).every((t) => t.startsWith(`${name}.`) && t.includes('=')) && /^\w[\w.]*\.join\(\)$/.test(following[start + 1] ?? '') && following[start + 1] === `${name}.join()`;
}

/** Calls that run a coroutine on the calling thread: `asyncio.run(coro)`, `loop.run_until_complete(coro)`, `runner.run(coro)`. */
const DRIVERS = new Set(['run', 'run_until_complete']);

/**
 * Does plain code `fn` run the coroutine `call` makes, on its own thread: handed to a driver directly
 * (`asyncio.run(main())`) or through a local (`coro = main()`, then `loop.run_until_complete(coro)`)?
 */
function drivenHere(call: Node, fn: Node): boolean {
  const driver = (c: Node | null | undefined) => c?.type === 'call' && DRIVERS.has(lastNameOf(c.childForFieldName('function')) ?? '');
  const outer = call.parent?.type === 'argument_list' ? call.parent.parent : null;
  if (driver(outer)) return true;
  const assigned = call.parent?.type === 'assignment' && call.parent.childForFieldName('right') === call ? call.parent.childForFieldName('left') : null;
  if (assigned?.type !== 'identifier') return false;
  return fn.descendantsOfType('call').some((c) => driver(c) && (c.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a?.text === assigned.text));
}

/** Is the call an argument of `run_coroutine_threadsafe(…)` (the coroutine it makes goes to that loop)? */
function handedToLoop(call: Node): boolean {
  const outer = call.parent?.type === 'argument_list' ? call.parent.parent : null;
  const fn = outer?.type === 'call' ? outer.childForFieldName('function') : null;
  return !!fn && lastNameOf(fn) === 'run_coroutine_threadsafe';
}

/**
 * The arguments a spawning call hands its callable, in order: `Thread(target=f, args=(a, b))`,
 * `Timer(t, f, args=[a])`, `start_new_thread(f, (a, b))`, `executor.submit(f, a, b)`. Undefined for
 * other spawners (`pool.map` hands each call its own item).
 */
function argumentsHanded(site: Node): Node[] | undefined {
  const name = lastNameOf(site.childForFieldName('function'));
  const tuple = (n: Node | null | undefined) => (n?.type === 'tuple' || n?.type === 'list' ? n.namedChildren.filter((c): c is Node => !!c) : undefined);
  if (name === 'Thread' || name === 'Timer') return tuple(keywordArgument(site, 'args'));
  if (name === 'start_new_thread' || name === 'start_new') return tuple(positionalArguments(site)[1]);
  if (name === 'submit') return positionalArguments(site).slice(1);
  return undefined;
}

/** The innermost `for` / `while` around a node, within its function. */
function enclosingLoop(node: Node): Node | null {
  for (let n = node.parent; n && n.type !== 'function_definition' && n.type !== 'lambda'; n = n.parent) {
    if (n.type === 'for_statement' || n.type === 'while_statement') return n;
  }
  return null;
}

/** Is `name` bound inside the loop (its target, an assignment): a fresh object for each thread? */
function boundIn(loop: Node, name: string): boolean {
  if (loop.type === 'for_statement' && new RegExp(`(?<![\\w.])${name}(?!\\w)`).test(loop.childForFieldName('left')?.text ?? '')) return true;
  return new RegExp(`(?<![\\w.])${name}\\s*(?::[^=\\n]*)?=(?!=)`).test(loop.childForFieldName('body')?.text ?? '');
}

/** The elements of a tuple or list expression (up to a `*splat`); none for anything else. */
function elementsOf(expr: Node | null | undefined): Array<Node | null> {
  if (!expr) return [];
  if (expr.type === 'parenthesized_expression') return elementsOf(namedChildren(expr)[0]);
  if (expr.type !== 'tuple' && expr.type !== 'list' && expr.type !== 'expression_list') return [];
  const out: Array<Node | null> = [];
  for (const element of namedChildren(expr)) {
    if (element.type === 'comment') continue;
    if (element.type === 'list_splat' || element.type === 'dictionary_splat') break;
    out.push(element);
  }
  return out;
}

/** `data` at `call` when it names a tuple built before it in the same function (`data = command, args`). */
function tupleBoundTo(expr: Node, call: Node, resolver: CallableResolver): Node | null {
  if (expr.type !== 'identifier') return expr;
  const scope = resolver.scopeOf(call);
  if (!scope || !resolver.assignmentsOf) return null;
  let found: Node | null = null;
  for (const assignment of resolver.assignmentsOf(scope)) {
    if (assignment.startIndex >= call.startIndex) break;
    if (assignment.childForFieldName('left')?.text === expr.text) found = assignment.childForFieldName('right');
  }
  return found;
}

/**
 * The positional parameters a function calls in its own body: directly (`fn(*args)`), or through a name
 * it unpacks from the parameter first (`command, args = data` … `command(*args)`: element 0 of `data`).
 */
function calledParameters(fn: Node, scope: FunctionScope, names: readonly string[], calls: readonly Node[], resolver: CallableResolver): Array<{ parameter: string; element?: number }> {
  const called = new Set<string>();
  for (const c of calls) {
    const callee = c.childForFieldName('function');
    if (callee?.type === 'identifier' && resolver.scopeOf(c) === scope) called.add(callee.text);
  }
  const out: Array<{ parameter: string; element?: number }> = [];
  if (called.size === 0) return out;
  for (const name of names) if (called.has(name)) out.push({ parameter: name });
  const body = fn.childForFieldName('body');
  for (const statement of body ? namedChildren(body) : []) {
    const assignment = statement.type === 'expression_statement' ? namedChildren(statement)[0] : null;
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (!left || right?.type !== 'identifier' || !names.includes(right.text) || (left.type !== 'pattern_list' && left.type !== 'tuple_pattern')) continue;
    namedChildren(left).forEach((element, index) => {
      if (element.type === 'identifier' && called.has(element.text)) out.push({ parameter: right.text, element: index });
    });
  }
  return out;
}
