// Code that runs on one dedicated thread and nowhere else: the method an object hands to its own
// `Thread(target=self._run)` (or a Thread subclass's `run`) and the private helpers only it calls,
// or a function started once at import. Two threads never run such code at the same time, and state
// only it changes has one writer: a read-modify-write there cannot lose an update.
import type { Node } from '../parser';
import type { FunctionScope } from './scopes';
import type { ThreadEntry } from './threads';
import { definedName as className, enclosingFunction, lastNameOf } from './syntax';

export interface DedicatedThread {
  entry: ThreadEntry;
  /** The function the thread runs. */
  target: Node;
  /** One thread per object (a bound method of the spawning object, a Thread subclass's run). */
  perObject: boolean;
  /** The class whose objects each run one such thread (per-object threads). */
  classNode: Node | null;
  /**
   * One thread per call of this function: it starts a closure of its own once (`Thread(target=collect)`,
   * not in a loop), so the closure's variables — new cells each call — have that thread as their writer.
   */
  spawner?: Node;
}

export interface DedicatedResolver {
  functionsFor(expr: Node, at: Node): Node[];
  callsIn(fn: Node): Node[];
  callersOf(fn: Node): Node[];
  scopeOf(node: Node): FunctionScope | null;
  scopeOfDefinition(fn: Node): FunctionScope | null;
  /** The smallest node spanning this offset (to tell a name in code from one in a comment or string). */
  nodeAt(offset: number): Node;
  /** Construction code (`__init__` and what only it calls): it runs before the object's thread starts. */
  isConstructionOnly?(scope: FunctionScope): boolean;
  /** The classes of the module a class derives from (its methods run on its objects too). */
  baseClasses?(cls: Node): Node[];
  /** `self.m` bound to a local the function only calls (`process = self._process` … `process(msg)`). */
  boundToCalledLocal?(value: Node): boolean;
  /** The methods a class defines (its own `def`s, not its bases'). */
  methodsOf?(cls: Node): Node[];
  /** The assignments in a function's own scope. */
  assignmentsIn?(scope: FunctionScope): Node[];
  /** `name` at `at` is a local bound once, before it, to a new instance of `cls` (`listener = Listener(cb)`). */
  freshInstance?(name: Node, at: Node, cls: Node): boolean;
}

export interface Spawn {
  fn: Node;
  /** The callable expression handed over (null for a Thread subclass's run). */
  target: Node | null;
  site: Node;
  entry: ThreadEntry;
  pool: boolean;
}

const LOOPS: ReadonlySet<string> = new Set(['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

export class DedicatedThreads {
  /** function node id → the one thread that runs it */
  private readonly owner = new Map<number, DedicatedThread>();
  /**
   * A base class's method that several subclasses' own threads run, each on its own objects
   * (`_BaseThread.notify` called from each subclass's `run`): every such thread.
   */
  private readonly inheritedOwners = new Map<number, DedicatedThread[]>();
  /** How many start sites hand over each target (function node id). */
  private readonly startSites = new Map<number, number>();
  /** The module's classes whose code starts a thread (their callbacks may run on it). */
  private readonly spawnClasses = new Set<string>();

  constructor(
    spawns: readonly Spawn[],
    allCalls: readonly Node[],
    private readonly source: string,
    private readonly resolver: DedicatedResolver,
    /**
     * Public methods of the thread's object count as its helpers when only the thread's code calls them
     * and the module names them nowhere else: in default mode the module's own code is the evidence, and
     * it calls them from that thread alone. (Under assume-concurrent any caller may call a public method.)
     */
    private readonly publicHelpers = false,
  ) {
    // Start sites per target, counted by the handle they keep: sites that each store their thread in
    // the same field of their object (`self.print_thread = Thread(target=self._print)` in `start` and
    // in `resume`) keep one thread per object at a time, as one site does — a second start would lose
    // the first thread's handle.
    const handles = new Map<number, Set<string>>();
    for (const s of spawns) {
      const keys = handles.get(s.fn.id) ?? new Set<string>();
      keys.add(this.handleField(s) ?? `site:${s.site.id}`);
      handles.set(s.fn.id, keys);
      this.startSites.set(s.fn.id, (this.startSites.get(s.fn.id) ?? 0) + 1);
      for (const cls of [resolver.scopeOf(s.site)?.classNode, resolver.scopeOfDefinition(s.fn)?.classNode]) {
        if (cls) this.spawnClasses.add(className(cls));
      }
    }
    const threads: Array<{ thread: DedicatedThread; scope: FunctionScope }> = [];
    const taken = new Set<number>();
    for (const s of spawns) {
      const scope = resolver.scopeOfDefinition(s.fn);
      if (!scope || s.pool || handles.get(s.fn.id)!.size !== 1 || s.entry.external || taken.has(s.fn.id)) continue;
      const perObject = this.perObject(s, scope);
      if (perObject === null) continue;
      // Several sites sharing a handle: each must hand over the object's own method, one per object.
      const others = spawns.filter((o) => o !== s && o.fn.id === s.fn.id);
      if (others.length > 0 && (perObject !== true || others.some((o) => o.pool || o.entry.external || this.perObject(o, scope) !== true))) continue;
      taken.add(s.fn.id);
      if (perObject === 'call') threads.push({ thread: { entry: s.entry, target: s.fn, perObject: false, classNode: null, spawner: scope.parent!.node }, scope });
      else threads.push({ thread: { entry: s.entry, target: s.fn, perObject, classNode: perObject ? scope.classNode : null }, scope });
    }
    for (const { thread, scope } of threads) {
      // Where the thread's functions can be named: its class (a private method of one object), the
      // function whose closure it is, or the module.
      const region = thread.perObject ? scope.classNode! : thread.spawner ?? null;
      this.claim(thread, scope, region, allCalls);
    }
  }

  /**
   * `Class#field` when the start site stores its thread in a field of the spawning method's object
   * (`self.t = Thread(…)`), else null.
   */
  private handleField(s: Spawn): string | null {
    if (!s.target) return null;
    const spawner = this.resolver.scopeOf(s.site);
    if (!spawner?.receiver || !spawner.classNode) return null;
    const assignment = s.site.parent?.type === 'assignment' ? s.site.parent : null;
    const left = assignment?.childForFieldName('right')?.id === s.site.id ? assignment.childForFieldName('left') : null;
    if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== spawner.receiver) return null;
    return `${spawner.classNode.id}#${left.childForFieldName('attribute')?.text}`;
  }

  /** The one thread that runs this function's code, if any. */
  threadOf(scope: FunctionScope | null): DedicatedThread | null {
    return scope ? this.owner.get(scope.node.id) ?? null : null;
  }

  /** Every thread that runs this function's code on its own objects (more than one for a base class's helper). */
  threadsOf(scope: FunctionScope | null): readonly DedicatedThread[] {
    if (!scope) return [];
    return this.inheritedOwners.get(scope.node.id) ?? (this.owner.has(scope.node.id) ? [this.owner.get(scope.node.id)!] : []);
  }

  /**
   * One thread per object when the spawner hands over a bound method of its own receiver or of an
   * object it just made (or the run of a Thread subclass); one per process when module code starts a module function once; else null.
   */
  private perObject(s: Spawn, targetScope: FunctionScope): boolean | 'call' | null {
    if (!s.target) {
      if (targetScope.receiver !== null) return true;
      // A private module function a decorator made a one-at-a-time job of (`@scheduler.scheduled_job`).
      return !targetScope.parent && !targetScope.classNode && isPrivate(targetScope.name) ? false : null;
    }
    for (let n = s.site.parent; n; n = n.parent) {
      if (LOOPS.has(n.type)) return null;
      if (n.type === 'function_definition' || n.type === 'lambda') break;
    }
    const spawner = this.resolver.scopeOf(s.site);
    if (s.target.type === 'attribute') {
      const object = s.target.childForFieldName('object');
      const own = !!spawner?.receiver && object?.text === spawner.receiver && spawner.classNode !== null && spawner.classNode === targetScope.classNode;
      // Or an object the spawner made for this thread (`listener = Listener(cb)`, then
      // `Thread(target=listener.run)`): each call of the spawner makes a new object and one thread for it.
      const fresh = !own && !!object && !!targetScope.classNode && this.resolver.freshInstance?.(object, s.site, targetScope.classNode) === true;
      // Or the class's own function handed the spawner's object (`Thread(target=Node._tick,
      // args=(weakref.proxy(self),))`): a bound method spelled out.
      const spelledOut = !own && !fresh && !!spawner?.receiver && spawner.classNode !== null && spawner.classNode === targetScope.classNode &&
        object?.text === className(spawner.classNode) && handsOwnObject(s.site, spawner.receiver);
      return (own || fresh || spelledOut) && targetScope.receiver !== null ? true : null;
    }
    // A closure of the spawning function, started once by it: one thread per call.
    if (s.target.type === 'identifier' && spawner && targetScope.parent === spawner && !targetScope.classNode) return 'call';
    // A public module function can be called, or started again, by any importer: only a private one
    // started once by the module's own top-level code is its one thread.
    if (s.target.type === 'identifier' && !spawner && !targetScope.parent && !targetScope.classNode && isPrivate(targetScope.name)) return false;
    return null;
  }

  /**
   * The target and the private helpers it alone calls on the same object (or, for a module thread,
   * the module's private functions it alone calls): a helper called from anywhere else, or named
   * anywhere but in calls (handed on as a callback), is not the thread's alone.
   */
  private claim(thread: DedicatedThread, targetScope: FunctionScope, region: Node | null, allCalls: readonly Node[]): void {
    const members = new Map<number, FunctionScope>([[thread.target.id, targetScope]]);
    // A per-object thread runs its class's methods and those of the module's classes it derives from.
    const bases = thread.perObject && targetScope.classNode ? this.resolver.baseClasses?.(targetScope.classNode) ?? [] : [];
    const ownClass = (cls: Node | null) => !!cls && (cls === targetScope.classNode || bases.includes(cls));
    const queue = [targetScope];
    // The helpers the queued functions call on the same owner, and theirs, to a fixed point.
    const addHelpers = () => {
      while (queue.length > 0) {
        const scope = queue.shift()!;
        for (const call of this.resolver.callsIn(scope.node)) {
          const callee = call.childForFieldName('function');
          if (!callee) continue;
          // What it calls on the same owner, and the owner's methods it hands to a function that calls them.
          const targets = this.sameOwner(callee, scope, thread) ? [...this.resolver.functionsFor(callee, call)] : [];
          for (const value of this.synchronousCallbacks(call, scope, thread)) targets.push(...this.resolver.functionsFor(value, call));
          for (const fn of targets) {
            const helper = this.resolver.scopeOfDefinition(fn);
            // A module-private class's public methods are private too, if the module names them only here (below).
            if (!helper || members.has(fn.id) || !(isPrivate(helper.name) || (thread.perObject && (this.publicHelpers || isPrivate(className(helper.classNode))))) || helper.parent) continue;
            if (thread.perObject ? !ownClass(helper.classNode) || helper.receiver === null : helper.classNode !== null) continue;
            members.set(fn.id, helper);
            queue.push(helper);
          }
        }
      }
    };
    addHelpers();
    // The object's own methods it registers, while it is built, as callbacks of a collaborator its
    // thread drives (`self._transport.on_message(self._on_message)`, the thread calling
    // `self._transport.poll()`): they run where the collaborator runs them, on that thread.
    const registered = thread.perObject ? this.collaboratorCallbacks(thread, targetScope, members, ownClass) : new Map<number, Registration>();
    for (const [id, { scope }] of registered) {
      if (members.has(id)) continue;
      members.set(id, scope);
      queue.push(scope);
    }
    addHelpers();
    // Every call in the region by last name, so a name also used as a value (a callback, another
    // thread's target) is told from one that is only called.
    const start = region?.startIndex ?? 0;
    const end = region?.endIndex ?? this.source.length;
    const calledNames = new Map<string, number>();
    for (const call of allCalls) {
      if (call.startIndex < start || call.endIndex > end) continue;
      const name = lastNameOf(call.childForFieldName('function'));
      if (name) calledNames.set(name, (calledNames.get(name) ?? 0) + 1);
    }
    // Prune to a fixed point: every caller of a member must be a member.
    const referenced = this.references([...members.values()].map((s) => s.name), start, end);
    // Public names (of a private class) count across the module: code outside the class may call them.
    const publicNames = [...members.values()].filter((s) => !isPrivate(s.name) && s.node.id !== thread.target.id).map((s) => s.name);
    const outside = publicNames.length > 0 ? this.foreignReferences(publicNames, start, end) : new Map<string, number>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const [id, scope] of members) {
        const isTarget = id === thread.target.id;
        const registration = registered.get(id);
        // Handed by a member, as an argument, to a function that only calls it (`self._fetch(urls,
        // self.update_cache)` where `_fetch` runs `cb(result)`): it runs there, on this thread.
        const handedToCaller = isTarget ? 0 : this.synchronousCallbackUses(scope, members, thread);
        const uses = (referenced.get(scope.name) ?? 0) + (outside.get(scope.name) ?? 0) - (calledNames.get(scope.name) ?? 0) - 1 - (registration?.sites ?? 0) - handedToCaller; // minus its `def`
        // A registered callback stays the thread's while a member still drives its collaborator.
        const undriven = !!registration && ![...members.values()].some((m) => m.node.id !== id && this.drives(m, registration.collaborator));
        // The target is named once at each start site (several when they share one handle field).
        const elsewhere = uses > (isTarget && thread.entry.site !== thread.target ? this.startSites.get(id) ?? 1 : 0) || undriven ||
          this.resolver.callersOf(scope.node).some((c) => {
            const caller = this.resolver.scopeOf(c);
            // A call from the object's construction runs before its thread starts.
            if (thread.perObject && caller && ownClass(caller.classNode) && this.resolver.isConstructionOnly?.(caller)) return false;
            // A manual mode beside the thread: the caller asserts the flag the thread is started under
            // is off (`assert not self._auto`, the thread started `if self._auto:`) — an object has
            // its thread or that caller, never both.
            if (thread.perObject && caller && ownClass(caller.classNode) && refusesThreadMode(caller, thread.entry.site)) return false;
            // `if background: Thread(target=_run).start()` / `else: _run()`: the spawner runs its closure
            // instead of starting the thread — one runner per call all the same.
            if (thread.spawner && caller?.node.id === thread.spawner.id && exclusiveBranches(c, thread.entry.site)) return false;
            // So does a method that runs its object's loop in place when not asked for the thread
            // (`if threaded: Thread(target=self._process).start()` / `else: self._process()`).
            if (thread.perObject && caller && caller.node.id === enclosingFunction(thread.entry.site)?.id && exclusiveBranches(c, thread.entry.site)) return false;
            // A base class's helper called on `self` by a sibling subclass runs on that class's objects, not these.
            if (thread.perObject && caller?.classNode && scope.classNode !== targetScope.classNode && !ownClass(caller.classNode) && !this.relatedToOwn(caller.classNode, targetScope.classNode!) && onSelf(c, caller)) return false;
            return !members.has(caller?.node.id ?? -1);
          });
        if (elsewhere) {
          members.delete(id);
          changed = true;
        }
      }
    }
    for (const [id, member] of members) {
      if (!this.owner.has(id)) this.owner.set(id, thread);
      else if (thread.perObject && member.classNode !== targetScope.classNode) {
        const owners = this.inheritedOwners.get(id) ?? [this.owner.get(id)!];
        if (!owners.includes(thread)) owners.push(thread);
        this.inheritedOwners.set(id, owners);
      }
    }
  }

  /**
   * How often the members hand `callback` (a bound method of their object, or a module function for a
   * module thread) to a function that only calls it: each such use runs on the member's thread.
   */
  private synchronousCallbackUses(callback: FunctionScope, members: ReadonlyMap<number, FunctionScope>, thread: DedicatedThread): number {
    let count = 0;
    for (const member of members.values()) {
      if (!member.node.text.includes(callback.name)) continue;
      for (const call of this.resolver.callsIn(member.node)) {
        for (const value of this.synchronousCallbacks(call, member, thread)) if (lastNameOf(value) === callback.name) count++;
      }
    }
    return count;
  }

  /**
   * The owner's callables (`self.collect`; a module function for a module thread) a call hands, as
   * arguments, to a function of the module that only calls that parameter — never stores it, passes it
   * on or calls it from a nested function (`self._fetch(urls, self.collect)` where `_fetch` runs
   * `cb(result)`): they run there, on the caller's thread.
   */
  private synchronousCallbacks(call: Node, scope: FunctionScope, thread: DedicatedThread): Node[] {
    const args = call.childForFieldName('arguments');
    if (args?.type !== 'argument_list' || args.namedChildCount === 0) return [];
    const found: Node[] = [];
    let definitions: Node[] | null = null;
    args.namedChildren.forEach((arg, position) => {
      const keyword = arg?.type === 'keyword_argument' ? arg.childForFieldName('name')?.text ?? null : null;
      const value = keyword !== null ? arg!.childForFieldName('value') : arg;
      const owned = thread.perObject
        ? value?.type === 'attribute' && value.childForFieldName('object')?.text === scope.receiver
        : value?.type === 'identifier' && !scope.locals.has(value.text);
      if (!owned || !value) return;
      const callee = call.childForFieldName('function');
      definitions ??= callee ? this.resolver.functionsFor(callee, call) : [];
      if (definitions.length > 0 && definitions.every((fn) => { const parameter = parameterAt(fn, position, keyword, !!this.resolver.scopeOfDefinition(fn)?.receiver); return !!parameter && onlyCalled(fn, parameter); })) found.push(value);
    });
    return found;
  }

  /**
   * Private methods of the thread's class handed, in its construction code, to a method of one of its
   * fields (`self._transport.set_callback(self._on_message)`) that the thread's code also calls into
   * (it drives the collaborator), where the field is set only while the object is built and, when its
   * class is this module's, that class starts no thread of its own: method id → the registration.
   */
  private collaboratorCallbacks(thread: DedicatedThread, targetScope: FunctionScope, members: ReadonlyMap<number, FunctionScope>, ownClass: (cls: Node | null) => boolean): Map<number, Registration> {
    const found = new Map<number, Registration>();
    const cls = targetScope.classNode;
    if (!cls) return found;
    const methods = new Map<string, FunctionScope>();
    const fields = new Map<string, boolean>(); // field → set only in construction code
    // The class's methods and their assignments come from the model's indexes (no walk of the class).
    const defined = this.resolver.methodsOf?.(cls) ?? [];
    for (const fn of defined) {
      const scope = this.resolver.scopeOfDefinition(fn);
      if (!scope?.receiver || scope.parent || !ownClass(scope.classNode)) continue;
      if (isPrivate(scope.name)) methods.set(scope.name, scope);
      const construction = this.resolver.isConstructionOnly?.(scope) === true;
      for (const assignment of this.resolver.assignmentsIn?.(scope) ?? []) {
        const left = assignment.childForFieldName('left');
        if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== scope.receiver) continue;
        const field = left.childForFieldName('attribute')!.text;
        fields.set(field, (fields.get(field) ?? true) && construction && !this.startsThreads(assignment.childForFieldName('right')));
      }
    }
    for (const fn of defined) {
      const scope = this.resolver.scopeOfDefinition(fn);
      if (!scope?.receiver || scope.parent || !ownClass(scope.classNode) || this.resolver.isConstructionOnly?.(scope) !== true) continue;
      for (const call of this.resolver.callsIn(fn)) {
        const callee = call.childForFieldName('function');
        const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
        // `self._transport.set_callback(self._on_message)`, or the collaborator made with it:
        // `self._client = Client(on_message=self._on_message)`.
        const field = object?.type === 'attribute' && object.childForFieldName('object')?.text === scope.receiver ? object.childForFieldName('attribute')!.text : madeInto(call, scope.receiver);
        if (!field || fields.get(field) !== true) continue;
        for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) {
          const arg = argument?.type === 'keyword_argument' ? argument.childForFieldName('value') : argument;
          if (arg?.type !== 'attribute' || arg.childForFieldName('object')?.text !== scope.receiver) continue;
          const method = methods.get(arg.childForFieldName('attribute')!.text);
          if (!method || method.node.id === thread.target.id) continue;
          const known = found.get(method.node.id);
          if (known && known.collaborator !== field) found.delete(method.node.id);
          else found.set(method.node.id, { scope: method, collaborator: field, sites: (known?.sites ?? 0) + 1 });
        }
      }
    }
    for (const [id, registration] of found) {
      if (![...members.values()].some((m) => this.drives(m, registration.collaborator))) found.delete(id);
    }
    return found;
  }

  /** Does the function call a method of its object's field (`self.<field>.poll()`)? */
  private drives(scope: FunctionScope, field: string): boolean {
    return this.resolver.callsIn(scope.node).some((call) => {
      const callee = call.childForFieldName('function');
      const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
      return object?.type === 'attribute' && object.childForFieldName('object')?.text === scope.receiver && object.childForFieldName('attribute')?.text === field;
    });
  }

  /** Is the value an object of a class of this module that starts a thread of its own? */
  private startsThreads(value: Node | null): boolean {
    const callee = value?.type === 'call' ? value.childForFieldName('function') : null;
    if (callee?.type !== 'identifier') return false;
    return this.spawnClasses.has(callee.text);
  }

  /** Is `cls` the thread's class or a subclass of it (its objects may be the thread's objects)? */
  private relatedToOwn(cls: Node, own: Node): boolean {
    return cls === own || (this.resolver.baseClasses?.(cls) ?? []).includes(own);
  }

  /** A call on the thread's own object (`self._step()`), or of a module function for a module thread. */
  private sameOwner(callee: Node, scope: FunctionScope, thread: DedicatedThread): boolean {
    if (!thread.perObject) return callee.type === 'identifier';
    // A local bound to one of the object's methods (`process = self._process` … `process(msg)`).
    if (callee.type === 'identifier') return scope.locals.has(callee.text);
    return callee.type === 'attribute' && callee.childForFieldName('object')?.text === scope.receiver;
  }

  /**
   * How often each name appears in code outside [start, end) as anything but another class's own
   * method (`def name`, `self.name`): a use that may reach the region's object.
   */
  private foreignReferences(names: string[], start: number, end: number): Map<string, number> {
    const counts = new Map<string, number>();
    const unique = [...new Set(names)].filter((n) => /^\w+$/.test(n));
    if (unique.length === 0) return counts;
    const pattern = new RegExp(`(?<![\\w])(?<!def\\s+)(?<!self\\.)(${unique.join('|')})(?![\\w])`, 'g');
    for (const m of this.source.matchAll(pattern)) {
      if ((m.index! >= start && m.index! < end) || this.resolver.nodeAt(m.index!).type !== 'identifier') continue;
      counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    }
    return counts;
  }

  /** How often each name appears as a whole word in the module's text between two offsets. */
  private references(names: string[], start: number, end: number): Map<string, number> {
    const counts = new Map<string, number>();
    const unique = [...new Set(names)].filter((n) => /^\w+$/.test(n));
    if (unique.length === 0) return counts;
    for (const m of this.source.slice(start, end).matchAll(new RegExp(`(?<![\\w])(${unique.join('|')})(?![\\w])`, 'g'))) {
      // A word in a comment or a docstring ("use the exposed run method") names nothing.
      const node = this.resolver.nodeAt(start + m.index!);
      if (node.type !== 'identifier') continue;
      // Nor does `self.m` bound to a local only called: its calls are the method's callers.
      if (node.parent?.type === 'attribute' && this.resolver.boundToCalledLocal?.(node.parent)) {
        continue;
      }
      counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    }
    return counts;
  }
}

interface Registration {
  scope: FunctionScope;
  /** The field whose method it was handed to. */
  collaborator: string;
  /** How many registrations name it. */
  sites: number;
}

/** Is the call made on the caller's own receiver (`self.notify()`)? */
function onSelf(call: Node, caller: FunctionScope): boolean {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' && !!caller.receiver && fn.childForFieldName('object')?.text === caller.receiver;
}

/** Does the Thread call pass `receiver` (or `weakref.proxy(receiver)`) as the first of its `args`? */
function handsOwnObject(site: Node, receiver: string): boolean {
  if (site.type !== 'call') return false;
  const args = site.childForFieldName('arguments')?.namedChildren.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'args')?.childForFieldName('value');
  const first = args?.type === 'tuple' || args?.type === 'list' ? args.namedChildren[0] : null;
  if (!first) return false;
  if (first.type === 'identifier') return first.text === receiver;
  const callee = first.type === 'call' ? first.childForFieldName('function')?.text : undefined;
  const inner = first.type === 'call' ? first.childForFieldName('arguments')?.namedChildren : undefined;
  return (callee === 'weakref.proxy' || callee === 'proxy') && inner?.length === 1 && inner[0]?.text === receiver;
}

/**
 * The flag a thread is started under: `X` of the innermost `if X:` whose own block (not an `else`)
 * holds the Thread call, within the spawning function; receivers written as `self`.
 */
function threadModeFlag(site: Node): string | null {
  for (let up: Node | null = site.parent; up; up = up.parent) {
    if (up.type === 'function_definition' || up.type === 'lambda') return null;
    if (up.type !== 'if_statement') continue;
    const body = up.childForFieldName('consequence');
    if (!body || site.startIndex < body.startIndex || site.endIndex > body.endIndex) return null;
    return up.childForFieldName('condition')?.text ?? null;
  }
  return null;
}

/**
 * Does the method refuse to run while the thread's flag is on — `assert not X` or `if X: raise …` among
 * its first statements — where the thread starts only under `if X:`?
 */
function refusesThreadMode(caller: FunctionScope, site: Node): boolean {
  const flag = threadModeFlag(site);
  const spawner = enclosingFunction(site);
  const receiverOf = (fn: Node | null) => fn?.childForFieldName('parameters')?.namedChildren[0]?.text;
  const spawnerReceiver = receiverOf(spawner);
  if (!flag || !spawnerReceiver || !caller.receiver) return false;
  const flags = new Set([flag.replace(new RegExp(`\\b${spawnerReceiver}\\b`, 'g'), caller.receiver)]);
  // `if auto:` on a parameter the constructor also keeps (`self._auto = auto`): the kept field.
  if (/^\w+$/.test(flag)) {
    for (const a of spawner!.descendantsOfType('assignment')) {
      const left = a.childForFieldName('left');
      if (a.childForFieldName('right')?.text === flag && left?.type === 'attribute' && left.childForFieldName('object')?.text === spawnerReceiver) {
        flags.add(`${caller.receiver}.${left.childForFieldName('attribute')?.text}`);
      }
    }
  }
  const body = caller.node.childForFieldName('body')?.namedChildren ?? [];
  for (const statement of body.slice(0, 4)) {
    if (!statement) continue;
    if (statement.type === 'assert_statement') {
      const test = statement.namedChildren[0];
      if (test?.type === 'not_operator' && flags.has(test.childForFieldName('argument')?.text ?? '')) return true;
    }
    if (statement.type === 'if_statement' && flags.has(statement.childForFieldName('condition')?.text ?? '')) {
      const first = statement.childForFieldName('consequence')?.namedChildren[0];
      if (first?.type === 'raise_statement') return true;
    }
  }
  return false;
}

/** The name of the parameter an argument binds: by keyword, or by position (after `self` for a method); null for `*args`. */
function parameterAt(fn: Node, position: number, keyword: string | null, method: boolean): string | null {
  const names: string[] = [];
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!p) continue;
    if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern' || p.type === 'keyword_separator' || p.type === 'positional_separator') {
      if (keyword === null) break;
      continue;
    }
    const name = p.type === 'identifier' ? p.text : p.type === 'typed_parameter' ? p.namedChildren[0]?.text : p.childForFieldName('name')?.text;
    if (name) names.push(name);
  }
  if (keyword !== null) return names.includes(keyword) ? keyword : null;
  return names[position + (method ? 1 : 0)] ?? null;
}

/** Is every use of `parameter` in the function a call of it made by the function itself (not in a nested `def` or lambda)? */
function onlyCalled(fn: Node, parameter: string): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  let calls = 0;
  for (const use of body.descendantsOfType('identifier')) {
    if (use?.text !== parameter) continue;
    const call = use.parent;
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== use.id) return false;
    for (let up = call.parent; up && up.id !== fn.id; up = up.parent) if (up.type === 'function_definition' || up.type === 'lambda') return false;
    calls++;
  }
  return calls > 0;
}

function isPrivate(name: string): boolean {
  return name.startsWith('_') && !name.endsWith('__');
}

/** Are `a` and `b` in different branches of one `if` statement (so at most one of them runs)? */
function exclusiveBranches(a: Node, b: Node): boolean {
  for (let up = a.parent; up; up = up.parent) {
    if (up.type !== 'if_statement' || b.startIndex < up.startIndex || b.endIndex > up.endIndex) continue;
    const branches = up.namedChildren.filter((c): c is Node => !!c && (c.type === 'block' || c.type === 'elif_clause' || c.type === 'else_clause'));
    const branchOf = (n: Node) => branches.findIndex((br) => n.startIndex >= br.startIndex && n.endIndex <= br.endIndex);
    const ia = branchOf(a);
    const ib = branchOf(b);
    return ia >= 0 && ib >= 0 && ia !== ib;
  }
  return false;
}

/** The field of `receiver` a call's result is stored into (`self._client = Client(…)`), or null. */
function madeInto(call: Node, receiver: string | null): string | null {
  const assignment = call.parent?.type === 'assignment' ? call.parent : null;
  if (!receiver || assignment?.childForFieldName('right')?.id !== call.id) return null;
  const left = assignment.childForFieldName('left');
  return left?.type === 'attribute' && left.childForFieldName('object')?.text === receiver ? left.childForFieldName('attribute')!.text : null;
}
