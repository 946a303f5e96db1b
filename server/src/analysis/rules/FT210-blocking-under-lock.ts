// FT210 — a blocking call (sleep, network, subprocess, an unbounded wait) or an `await` while holding a
// threading lock. Docs: docs/rules/FT210.md
import type { Node } from '../parser';
import type { Rule, RuleContext, Severity } from '../types';
import type { ModuleModel } from '../model/module';
import { heldLocks, withItems } from '../model/locks';
import { dottedName, keywordArgument, namedChildren, positionalArguments, snippet } from '../model/syntax';
import { moveBlockingFix } from '../fixes/moveBlocking';
import { assignmentsTo, calleeLastName, calleeName, isTestCode, methodName, methodReceiver } from './hazards';
import { constructedBy, constructionCall } from './constructions';
import { serialisesSlowWork } from './operationLocks';

/** Qualified callables that block for an unbounded or long time. */
const BLOCKING_CALLS: ReadonlyMap<string, string> = new Map([
  ['time.sleep', 'sleeps'],
  ['subprocess.run', 'runs a subprocess and waits for it'],
  ['subprocess.call', 'runs a subprocess and waits for it'],
  ['subprocess.check_call', 'runs a subprocess and waits for it'],
  ['subprocess.check_output', 'runs a subprocess and waits for it'],
  ['subprocess.getoutput', 'runs a subprocess and waits for it'],
  ['subprocess.getstatusoutput', 'runs a subprocess and waits for it'],
  ['os.system', 'runs a shell command and waits for it'],
  ['os.waitpid', 'waits for a child process'],
  ['os.wait', 'waits for a child process'],
  ['socket.create_connection', 'opens a network connection'],
  ['socket.getaddrinfo', 'resolves a host name (DNS)'],
  ['socket.gethostbyname', 'resolves a host name (DNS)'],
  ['urllib.request.urlopen', 'makes an HTTP request'],
  ['input', 'waits for user input'],
]);
const REQUESTS_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']);
/** Socket methods that wait for the peer (sending is left out: a lock serialising writes is its purpose). */
const SOCKET_WAITS = new Set(['recv', 'recv_into', 'recvfrom', 'recvfrom_into', 'recvmsg', 'accept']);

const QUEUE_TYPES = /^(?:queue\.(?:Queue|LifoQueue|PriorityQueue|SimpleQueue)|multiprocessing\.(?:Queue|JoinableQueue|SimpleQueue))$/;
const EVENT_TYPES = /^(?:threading|multiprocessing)\.Event$/;
const THREAD_TYPES = /^(?:threading\.(?:Thread|Timer)|multiprocessing\.Process)$/;

/**
 * `with lock: worker.join()` where the worker's target (and what it calls in this module) never names
 * the lock: the thread can finish without it, so there is no deadlock, and holding the lock across the
 * join is a fence (nothing new gets in while the worker drains), not a slow path serialising others.
 */
function joinsThreadFreeOfLocks(receiver: Node, held: readonly string[], model: ModuleModel): boolean {
  const looped = threadsJoinedInLoop(receiver, model);
  const made: Array<Node | null> = looped.length > 0 ? looped : threadsMadeInto(receiver, model);
  if (made.length === 0) return false;
  const starts: Node[] = [];
  for (const thread of made) {
    const target = thread ? keywordArgument(thread, 'target') : null;
    if (!thread || !target) return false;
    const targets = model.functionsFor(target, thread);
    if (targets.length === 0) return false;
    starts.push(...targets);
  }
  return codeFreeOfLocks(starts, held, model);
}

/**
 * `with self.lock: self.th.join()` where the joined thread's target (or what it calls in this module)
 * takes that same lock (`with self.lock:` in `receiver`): the thread cannot finish while this one holds
 * the lock and waits for it — a deadlock, not a slow path. The first such place, or null.
 */
function joinedThreadTakes(receiver: Node, held: readonly string[], model: ModuleModel): { lock: string; node: Node } | null {
  if (threadsJoinedInLoop(receiver, model).length > 0) return null;
  const pending: Node[] = [];
  for (const thread of threadsMadeInto(receiver, model)) {
    const target = keywordArgument(thread, 'target');
    if (target) pending.push(...model.functionsFor(target, thread));
  }
  const seen = new Set<number>();
  while (pending.length > 0 && seen.size < 50) {
    const fn = pending.pop()!;
    if (seen.has(fn.id)) continue;
    seen.add(fn.id);
    for (const w of fn.descendantsOfType('with_statement')) {
      const lock = withItems(w).find((item) => held.includes(item.text));
      if (lock) return { lock: lock.text, node: w };
    }
    for (const call of model.callsIn(fn)) {
      const callee = call.childForFieldName('function');
      if (callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'acquire' && held.includes(callee.childForFieldName('object')?.text ?? '') && !hasTimeout(call, 1)) {
        return { lock: callee.childForFieldName('object')!.text, node: call };
      }
      if (callee) pending.push(...model.functionsFor(callee, call));
    }
  }
  return null;
}

/**
 * The `Thread(…)` calls that made what `receiver` holds: its one construction, or for a field the class
 * sets in several methods (`self.th = Thread(target=self.receiver)` in `start` and again in `restart`),
 * each of them.
 */
function threadsMadeInto(receiver: Node, model: ModuleModel): Node[] {
  const one = constructionCall(receiver, model);
  if (one) return [one];
  const scope = model.scopeOf(receiver);
  const parts = dottedName(receiver);
  const cls = parts?.length === 2 && scope?.receiver === parts[0] ? model.classInfo(scope.classNode) : null;
  if (!cls) return [];
  const out: Node[] = [];
  for (const method of cls.methods.values()) {
    for (const a of method.descendantsOfType('assignment')) {
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      const owner = model.scopeOf(a)?.receiver;
      if (right?.type === 'call' && left?.type === 'attribute' && !!owner && left.text === `${owner}.${parts![1]}` && THREAD_TYPES.test(calleeName(right, model) ?? '')) out.push(right);
    }
  }
  return out;
}

/**
 * `with lock: q.join()` where every function that marks the queue's items done (`q.task_done()`) — and
 * what it calls in this module — never names the lock: the consumers finish without it. Unknown
 * consumers (none in this module) may need it: reported.
 */
function queueDrainedFreeOfLocks(receiver: Node, held: readonly string[], model: ModuleModel): boolean {
  const field = receiver.type === 'attribute' ? receiver.childForFieldName('attribute')?.text : receiver.text;
  const consumers = new Set<Node>();
  for (const { node: call } of model.index.all('call')) {
    const object = methodName(call) === 'task_done' ? methodReceiver(call) : null;
    const name = object?.type === 'attribute' ? object.childForFieldName('attribute')?.text : object?.text;
    const fn = name === field ? model.scopeOf(call)?.node : undefined;
    if (fn) consumers.add(fn);
  }
  return consumers.size > 0 && codeFreeOfLocks([...consumers], held, model);
}

/**
 * `with lock: ready.wait()` where every function that sets the event (`ready.set()`, matched by the
 * event's last name — a thread handed the event as an argument names it too) — and what it calls in this
 * module — never names the lock: the setter gets there without it, so there is no deadlock, and the
 * lock held across the wait is the caller's own fence (a `start()` that waits for its thread to run).
 */
function eventSetFreeOfLocks(receiver: Node, held: readonly string[], model: ModuleModel): boolean {
  const name = receiver.type === 'attribute' ? receiver.childForFieldName('attribute')?.text : receiver.text;
  const setters = new Set<Node>();
  for (const { node: call } of model.index.all('call')) {
    const object = methodName(call) === 'set' && positionalArguments(call).length === 0 ? methodReceiver(call) : null;
    const last = object?.type === 'attribute' ? object.childForFieldName('attribute')?.text : object?.text;
    const fn = last === name ? model.scopeOf(call)?.node : undefined;
    if (fn) setters.add(fn);
  }
  return setters.size > 0 && codeFreeOfLocks([...setters], held, model);
}

/**
 * `for t in threads: t.join()` (or `self._workers`): the calls that made the threads the container
 * holds — `threads.append(t)` of a `Thread(…)` local, `threads = [Thread(…) for …]` — or none when the
 * loop variable is not known to be a thread.
 */
function threadsJoinedInLoop(receiver: Node, model: ModuleModel): Node[] {
  if (receiver.type !== 'identifier') return [];
  let loop: Node | null = null;
  for (let n = receiver.parent; n && n.type !== 'function_definition' && n.type !== 'lambda'; n = n.parent) {
    if (n.type === 'for_statement' && n.childForFieldName('left')?.text === receiver.text) {
      loop = n;
      break;
    }
  }
  const container = loop?.childForFieldName('right');
  if (!container || (container.type !== 'identifier' && container.type !== 'attribute')) return [];
  const field = container.type === 'attribute' ? container.childForFieldName('attribute')?.text : undefined;
  const fn = model.scopeOf(container)?.node;
  const made: Node[] = [];
  // The container's stores: in the function for a local, anywhere in the class's methods for a field.
  const sameContainer = (object: Node | null | undefined) =>
    !!object && (field ? object.type === 'attribute' && object.childForFieldName('attribute')?.text === field : object.text === container.text && model.scopeOf(object)?.node === fn);
  for (const { node: call } of model.index.all('call')) {
    if (methodName(call) !== 'append' || !sameContainer(methodReceiver(call))) continue;
    const item = positionalArguments(call)[0];
    const thread = item?.type === 'call' ? item : item?.type === 'identifier' ? constructionCall(item, model) : null;
    if (!thread || !THREAD_TYPES.test(calleeName(thread, model) ?? '')) return [];
    made.push(thread);
  }
  if (!field && made.length === 0) {
    // `threads = [Thread(…) for … in …]`.
    const a = assignmentsTo(container.text, container, model);
    const right = a.length === 1 ? a[0].childForFieldName('right') : null;
    const element = right?.type === 'list_comprehension' ? namedChildren(right)[0] : null;
    if (element?.type === 'call' && THREAD_TYPES.test(calleeName(element, model) ?? '')) made.push(element);
  }
  return made;
}

/** Do the functions `starts` (and what they call in this module) never name any of the `held` locks? */
function codeFreeOfLocks(starts: readonly Node[], held: readonly string[], model: ModuleModel): boolean {
  // A lock a caller in another module holds is known only by its description: whether the other
  // side's code takes it cannot be told from here.
  if (held.some((l) => l.includes(' (held by the caller in '))) return false;
  const names = held.map((l) => l.slice(l.lastIndexOf('.') + 1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const mentions = new RegExp(`\\b(?:${names.join('|')})\\b`);
  const seen = new Set<number>();
  const pending = [...starts]; // a copy: the model hands out its cached arrays
  if (pending.length === 0) return false;
  while (pending.length > 0) {
    const fn = pending.pop()!;
    if (seen.has(fn.id)) continue;
    seen.add(fn.id);
    if (seen.size > 50 || mentions.test(fn.text)) return false;
    for (const call of model.callsIn(fn)) {
      const callee = call.childForFieldName('function');
      if (callee) pending.push(...model.functionsFor(callee, call));
    }
  }
  return true;
}

function hasTimeout(call: Node, positionalIndex: number): boolean {
  return !!keywordArgument(call, 'timeout') || positionalArguments(call).length > positionalIndex || keywordArgument(call, 'block')?.text === 'False';
}

/** Last names of every callee blockingCall can recognise (a cheap filter before qualifying). */
const INTERESTING = new Set([
  ...[...BLOCKING_CALLS.keys()].map((q) => q.slice(q.lastIndexOf('.') + 1)),
  ...REQUESTS_METHODS, ...SOCKET_WAITS, 'get', 'wait', 'join',
]);

/**
 * `with lock: sock.sendall(req); sock.recv(n)`: the reply to a request this block sent on the same
 * socket. Holding the lock across the exchange is its purpose (FT115 asks for it): other callers must
 * not send theirs until this reply is read.
 */
function replyToOwnRequest(call: Node, socket: Node): boolean {
  for (let n = call.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    const before = n.text.slice(0, call.startIndex - n.startIndex);
    const stream = socket.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(?<![\\w.])${stream}\\s*\\.\\s*(?:send|sendall|sendto|sendmsg|write)\\(`).test(before);
  }
  return false;
}

/** What a call does that blocks, or null. */
function blockingCall(call: Node, model: ModuleModel): string | null {
  if (!INTERESTING.has(calleeLastName(call))) return null;
  const q = calleeName(call, model);
  if (q) {
    const what = BLOCKING_CALLS.get(q);
    if (what) {
      if (q === 'time.sleep' && /^0(\.0*)?$/.test(positionalArguments(call)[0]?.text ?? '')) return null; // sleep(0) just yields
      if ((q === 'os.waitpid' || q === 'os.wait4') && /WNOHANG/.test(call.text)) return null;
      if (q === 'input' && model.resolve('input', model.scopeOf(call)).kind !== 'unknown') return null;
      return what;
    }
    const parts = q.split('.');
    if (parts[0] === 'requests' && parts.length === 2 && REQUESTS_METHODS.has(parts[1])) return 'makes an HTTP request';
  }
  const method = methodName(call);
  const receiver = methodReceiver(call);
  if (!method || !receiver) return null;
  if (SOCKET_WAITS.has(method)) {
    const made = constructedBy(receiver, model);
    if (made !== 'socket.socket' && made !== 'socket.create_connection' && !/(^|_)(sock|socket|conn)$/i.test(receiver.text)) return null;
    if (afterSocketReady(call) || madeNonBlocking(call, receiver) || replyToOwnRequest(call, receiver)) return null;
    return `waits on a socket (\`${method}()\`)`;
  }
  if (method !== 'get' && method !== 'wait' && method !== 'join') return null;
  // `d.get(k)`, `", ".join(xs)`: arguments mean a dict, a string, or a wait with a timeout.
  if (method === 'get' ? hasTimeout(call, 1) || positionalArguments(call).length > 0 : hasTimeout(call, 0)) return null;
  if (method === 'join' && threadsJoinedInLoop(receiver, model).length > 0) return 'waits for a thread to finish with no timeout (`join()`)';
  const made = constructedBy(receiver, model);
  if (!made) return null;
  // `Queue.join()` takes no timeout: it returns once every item put has been marked done.
  if (method === 'join' && QUEUE_TYPES.test(made) && !/SimpleQueue$/.test(made)) return 'waits until every queued item is marked done (`join()`, which takes no timeout)';
  if (method === 'get' && QUEUE_TYPES.test(made) && !hasTimeout(call, 1) && positionalArguments(call)[0]?.text !== 'False' && !afterReadinessTest(call, receiver)) return 'waits on a queue with no timeout (`get()`)';
  if (method === 'wait' && EVENT_TYPES.test(made) && !hasTimeout(call, 0)) return 'waits for an event with no timeout (`wait()`)';
  if (method === 'join' && THREAD_TYPES.test(made) && !hasTimeout(call, 0)) return 'waits for a thread to finish with no timeout (`join()`)';
  return null;
}

/**
 * `while not q.empty(): q.get()`, `if q.qsize(): item = q.get()`: the `get()` runs only after a test said
 * the queue has an item, so it is meant not to wait. (Another consumer taking that item first is a
 * check-then-act question, not a wait the code chose.)
 */
function afterReadinessTest(call: Node, queue: Node): boolean {
  const q = queue.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // `not q.empty()` or `q.qsize()` (in any comparison): a bare `q.empty()` would be the opposite test.
  const test = new RegExp(`(?:\\bnot\\s+${q}\\s*\\.\\s*empty|(?<![\\w.])${q}\\s*\\.\\s*qsize)\\s*\\(`);
  for (let inner: Node = call, n = call.parent; n && n.type !== 'function_definition' && n.type !== 'lambda'; inner = n, n = n.parent) {
    const branch = n.type === 'while_statement' ? n.childForFieldName('body') : n.type === 'if_statement' || n.type === 'elif_clause' ? n.childForFieldName('consequence') : null;
    const condition = branch?.id === inner.id ? n.childForFieldName('condition') : null;
    if (condition && test.test(condition.text)) return true;
  }
  return false;
}

/** `select.select(…)`, `selector.select(…)`, `poller.poll(…)`: calls that say which sockets are ready. */
const READINESS_CALL = /(?:^|\.)(?:select|poll)$/;

/**
 * `r, _, _ = select.select([sock], [], [], t)` … `if r: sock.recv(n)`, `for key, _ in sel.select(): key.fileobj.recv(n)`:
 * the receive runs only on a socket a readiness call reported ready, so it returns at once (what waits is
 * the readiness call, with its own timeout).
 */
function afterSocketReady(call: Node): boolean {
  let fn: Node | null = call.parent;
  while (fn && fn.type !== 'function_definition' && fn.type !== 'module') fn = fn.parent;
  if (!fn) return false;
  const ready = new Set<string>();
  for (const assignment of fn.descendantsOfType('assignment')) {
    const right = assignment?.childForFieldName('right');
    if (right?.type !== 'call' || !READINESS_CALL.test(right.childForFieldName('function')?.text ?? '') || assignment!.startIndex > call.startIndex) continue;
    for (const id of assignment!.childForFieldName('left')?.descendantsOfType('identifier') ?? []) if (id) ready.add(id.text);
    const left = assignment!.childForFieldName('left');
    if (left?.type === 'identifier') ready.add(left.text);
  }
  for (let inner: Node = call, n = call.parent; n && n.id !== fn.id; inner = n, n = n.parent) {
    if (n.type === 'for_statement' && n.childForFieldName('body')?.id === inner.id) {
      const over = n.childForFieldName('right');
      if (over?.type === 'call' && READINESS_CALL.test(over.childForFieldName('function')?.text ?? '')) return true;
      if (over?.type === 'identifier' && ready.has(over.text)) return true;
    }
    const branch = n.type === 'while_statement' ? n.childForFieldName('body') : n.type === 'if_statement' || n.type === 'elif_clause' ? n.childForFieldName('consequence') : null;
    const condition = branch?.id === inner.id ? n.childForFieldName('condition') : null;
    if (condition && [condition, ...condition.descendantsOfType('identifier')].some((id) => id?.type === 'identifier' && ready.has(id.text))) return true;
  }
  return false;
}

/** `sock.setblocking(False)` / `sock.settimeout(0)` earlier in the function, not undone before the call: the receive does not wait. */
function madeNonBlocking(call: Node, receiver: Node): boolean {
  let fn: Node | null = call.parent;
  while (fn && fn.type !== 'function_definition' && fn.type !== 'module') fn = fn.parent;
  if (!fn) return false;
  let nonBlocking = false;
  for (const c of fn.descendantsOfType('call')) {
    if (!c || c.startIndex >= call.startIndex) break;
    const f = c.childForFieldName('function');
    const method = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : undefined;
    if (f?.childForFieldName('object')?.text !== receiver.text || (method !== 'setblocking' && method !== 'settimeout')) continue;
    const arg = positionalArguments(c)[0]?.text ?? '';
    nonBlocking = method === 'setblocking' ? /^(?:False|0)$/.test(arg) : /^0(?:\.0*)?$/.test(arg);
  }
  return nonBlocking;
}

/**
 * `with lock: if not self.sock: self.sock = connect()` — the slow call makes the value a lazy
 * initialisation under the lock creates once: the others wait for the one creation they need anyway,
 * which is what the lock is for. Also one call deep (`self.sock = self._connect()`, the blocking call
 * inside `_connect`), when every call of the function is such an assignment.
 */
function createsOnce(node: Node, own: boolean, model: ModuleModel): boolean {
  if (own) return assignedOnceUnderTest(node) || createdOnMiss(node);
  const scope = model.scopeOf(node);
  const callers = scope ? model.callersOf(scope.node) : [];
  return callers.length > 0 && callers.every((call) => assignedOnceUnderTest(call) || createdOnMiss(call));
}

/**
 * `try: r = cache[k] except KeyError: r = make(k); cache[k] = r` — the slow call is in the miss branch
 * of a lookup whose handler fills the entry looked up: a create-once per key, as above.
 */
function createdOnMiss(node: Node): boolean {
  for (let n = node.parent; n && n.type !== 'function_definition' && n.type !== 'lambda'; n = n.parent) {
    if (n.type !== 'except_clause' || !/\bKeyError\b/.test(n.namedChildren[0]?.text ?? '')) continue;
    const looked = n.parent?.type === 'try_statement' ? n.parent.childForFieldName('body')?.text : undefined;
    if (!looked) continue;
    const stack = [n];
    while (stack.length > 0) {
      const m = stack.pop()!;
      const target = m.type === 'assignment' ? m.childForFieldName('left') : null;
      if (target?.type === 'subscript' && looked.includes(target.text)) return true;
      for (const child of m.namedChildren) if (child) stack.push(child);
    }
  }
  return false;
}

/** `node` is (in) the value of `X = …` inside `if not X:` / `if X is None:` (X a field or a name). */
function assignedOnceUnderTest(node: Node): boolean {
  let assignment: Node | null = null;
  for (let n = node.parent; n && n.type !== 'function_definition' && n.type !== 'lambda'; n = n.parent) {
    if (!assignment && n.type === 'assignment') {
      const right = n.childForFieldName('right');
      if (!right || node.startIndex < right.startIndex || node.endIndex > right.endIndex) return false;
      assignment = n;
      continue;
    }
    if (!assignment || (n.type !== 'if_statement' && n.type !== 'elif_clause')) continue;
    const target = assignment.childForFieldName('left')?.text;
    const condition = n.childForFieldName('condition')?.text.replace(/\s+/g, ' ');
    if (target && condition && (condition === `not ${target}` || condition === `${target} is None`)) return true;
  }
  return false;
}

/** Threading locks held at `node`: the model's lockset minus `async with` subjects (asyncio locks). */
function threadingLocksHeld(node: Node, model: ModuleModel): string[] {
  const held = model.heldLocks(node);
  if (held.length === 0) return held;
  const asyncSubjects = new Set<string>();
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition') break;
    if (n.type === 'with_statement' && n.children[0]?.type === 'async') withItems(n).forEach((i) => asyncSubjects.add(i.text));
  }
  return held.filter((l) => !asyncSubjects.has(l));
}

/** Work outside the process a lock may be serialising, as opposed to sleeping or waiting for a thread. */
function external(call: Node, model: ModuleModel): boolean {
  const what = blockingCall(call, model);
  return !!what && !/^(?:sleeps|waits (?:on a queue|for an event|for a thread|until every queued item))/.test(what);
}

/**
 * Locks the module only ever tries (`if not lock.acquire(blocking=False): return`, or `if lock.locked():
 * return` before `with lock:`): a thread that finds one taken goes on without it, so nothing waits behind
 * a slow call made while holding it. Keyed per class (`Uploader#lock`) and, for a lock named where no
 * receiver tells its class (held by every caller of a module function), by its text.
 */
function triedOnlyLocks(model: ModuleModel): Set<string> {
  let locks = triedCache.get(model);
  if (locks) return locks;
  const tried = new Set<string>();
  const waited = new Set<string>();
  const note = (lock: string, at: Node, isTried: boolean) => {
    for (const key of new Set([triedKey(lock, at, model), lock])) (isTried ? tried : waited).add(key);
  };
  for (const { node: call } of model.index.all('call')) {
    const lock = methodName(call) === 'acquire' ? methodReceiver(call)?.text : undefined;
    if (!lock) continue;
    const blocking = keywordArgument(call, 'blocking') ?? positionalArguments(call)[0];
    note(lock, call, blocking?.text === 'False' || blocking?.text === '0');
  }
  for (const { node: statement } of model.index.all('with_statement')) {
    for (const item of withItems(statement)) note(item.text, statement, skippedWhenHeld(statement, item.text));
  }
  locks = new Set([...tried].filter((lock) => !waited.has(lock)));
  triedCache.set(model, locks);
  return locks;
}
const triedCache = new WeakMap<ModuleModel, Set<string>>();

/** `self.lock` in a method of `Uploader` → `Uploader#lock` (each class's lock its own); other locks by their text. */
function triedKey(lock: string, at: Node, model: ModuleModel): string {
  const scope = model.scopeOf(at);
  const cls = scope?.receiver && lock.startsWith(`${scope.receiver}.`) ? model.classInfo(scope.classNode) : null;
  return cls ? `${cls.name}#${lock.slice(scope!.receiver!.length + 1)}` : lock;
}

/**
 * `if self.lock.locked(): return` (or `if not self.ready or self.lock.locked(): return`) before
 * `with self.lock:` in the same function: a single-flight section — a thread that finds the lock taken
 * skips the work instead of waiting for it.
 */
function skippedWhenHeld(statement: Node, lock: string): boolean {
  const test = `${lock}.locked()`;
  for (let inner: Node = statement, block = statement.parent; block && inner.type !== 'function_definition'; inner = block, block = block.parent) {
    if (block.type !== 'block' && block.type !== 'module') continue;
    for (const sibling of namedChildren(block)) {
      if (sibling.startIndex >= inner.startIndex) break;
      if (sibling.type !== 'if_statement' || sibling.childForFieldName('alternative')) continue;
      const condition = sibling.childForFieldName('condition');
      const consequence = sibling.childForFieldName('consequence');
      const body = consequence ? namedChildren(consequence) : [];
      const leaves = body.length > 0 && /^(?:return_statement|raise_statement)$/.test(body[body.length - 1].type);
      if (leaves && condition && orOperands(condition).some((operand) => operand.text.replace(/\s+/g, '') === test)) return true;
    }
    if (block.type === 'module') break;
  }
  return false;
}

/** The operands of a chain of `or` (the condition itself when it is no `or`). */
function orOperands(condition: Node): Node[] {
  if (condition.type === 'parenthesized_expression') return orOperands(namedChildren(condition)[0] ?? condition);
  if (condition.type !== 'boolean_operator' || condition.childForFieldName('operator')?.text !== 'or') return [condition];
  return [condition.childForFieldName('left'), condition.childForFieldName('right')].flatMap((side) => (side ? orOperands(side) : []));
}

function report(node: Node, ctx: RuleContext, what: string, severity: Severity, why: string) {
  const tried = triedOnlyLocks(ctx.model);
  const held = threadingLocksHeld(node, ctx.model).filter((lock) => !tried.has(triedKey(lock, node, ctx.model)));
  if (held.length === 0) return;
  if (what.startsWith('waits for a thread') && joinsThreadFreeOfLocks(methodReceiver(node)!, held, ctx.model)) return;
  if (what.startsWith('waits until every queued item') && queueDrainedFreeOfLocks(methodReceiver(node)!, held, ctx.model)) return;
  if (what.startsWith('waits for an event') && eventSetFreeOfLocks(methodReceiver(node)!, held, ctx.model)) return;
  const own = heldLocks(node, ctx.model).length > 0;
  if (createsOnce(node, own, ctx.model)) return;
  if (pacesCallers(node)) return;
  // A lock every critical section of which does slow work serialises that work: waiting is its purpose.
  // (A wait with no timeout — a socket's too — can still deadlock: reported below.)
  if (!/^waits (?:on a queue|on a socket|for an event|for a thread|until every queued item)/.test(what) && held.every((lock) => serialisesSlowWork(lock, node, ctx.model, blockingCall))) return;
  const deadlock = what.startsWith('waits for a thread') ? joinedThreadTakes(methodReceiver(node)!, held, ctx.model) : null;
  if (deadlock) {
    ctx.report(node, {
      severity: 'error',
      message:
        `\`${snippet(node, 50)}\` ${what} while holding \`${deadlock.lock}\`${own ? '' : ' (every caller of this function holds it)'}, and that thread takes \`${deadlock.lock}\` ` +
        `(line ${deadlock.node.startPosition.row + 1}: \`${snippet(deadlock.node, 40)}\`): once it reaches that line it waits for this thread to release the lock, while this thread waits for it to finish — a deadlock. ` +
        `Release the lock before joining (take what you need under it, then join), or pass a timeout and handle the thread still running.`,
    });
    return;
  }
  ctx.report(node, {
    severity,
    fix: held.length === 1 && own ? moveBlockingFix(ctx, node, held[0], (c) => external(c, ctx.model)) : undefined,
    message: `\`${snippet(node, 50)}\` ${what} while holding \`${held[0]}\`${own ? '' : ' (every caller of this function holds it)'}. ${why}`,
  });
}

const CLOCK = /^(?:time\.)?(?:time|monotonic|perf_counter)(?:_ns)?$|(?:^|\.)(?:now|utcnow)$/;

/**
 * A rate limiter: `with self._lock: wait = self._interval - (now - self._last); if wait > 0:
 * time.sleep(wait); self._last = time.monotonic()`. The sleep's length is computed, and the block that
 * holds the lock stores a timestamp for the next caller: making callers wait their turn is what the lock
 * is for, not a slow part that could move out of it.
 */
function pacesCallers(call: Node): boolean {
  const callee = call.childForFieldName('function');
  if (!callee || !/(?:^|\.)sleep$/.test(callee.text)) return false;
  const [length] = positionalArguments(call);
  if (!length || length.type === 'integer' || length.type === 'float') return false;
  const stamps = (n: Node) =>
    n.descendantsOfType('assignment').some((a) => {
      const left = a?.childForFieldName('left');
      const right = a?.childForFieldName('right');
      return (left?.type === 'attribute' || left?.type === 'identifier') && right?.type === 'call' && CLOCK.test(right.childForFieldName('function')?.text ?? '') && /last|next|prev|stamp|time|until|when|at$/i.test(left.text);
    });
  let n: Node | null = call.parent;
  for (; n && n.type !== 'function_definition'; n = n.parent) if (n.type === 'with_statement' && stamps(n)) return true;
  // A lock object of its own (`__enter__` acquires and sleeps, `__exit__` stores the time and releases):
  // the class stores the timestamp.
  const cls = n?.parent?.type === 'block' ? n.parent.parent : n?.parent?.parent?.type === 'block' ? n.parent.parent.parent : null;
  return cls?.type === 'class_definition' && /\.acquire\(/.test(n!.text) && stamps(cls);
}

export const FT210: Rule = {
  code: 'FT210',
  name: 'blocking-under-lock',
  summary: 'A blocking call (sleep, network, subprocess, wait without timeout) or an `await` while holding a threading lock',
  precision: 'medium',
  visit: {
    call(node: Node, ctx: RuleContext) {
      const what = blockingCall(node, ctx.model);
      if (!what || isTestCode(ctx.model.scopeOf(node))) return;
      report(node, ctx, what, 'warning',
        `Every other thread that needs the lock waits as long as this does; on free-threaded Python those threads could otherwise be running in parallel, so the lock turns the program serial` +
        `${what.includes('queued item') ? ', and if a thread that processes the items needs this lock before marking them done, both wait forever' : what.includes('no timeout') ? ', and if the thread it waits for needs this lock to make progress, both wait forever' : ''}. ` +
        `Do the slow part before or after the critical section and hold the lock only to read or update the shared state${what.includes('no timeout') ? ', or pass a timeout' : ''}.`);
    },
    await(node: Node, ctx: RuleContext) {
      // The `await` keyword inside an await expression has the same type: the expression is the one.
      if (!node.isNamed || isTestCode(ctx.model.scopeOf(node))) return;
      // Only `with LOCK:` in this coroutine: callers' locks may be asyncio locks taken with `async with`.
      const held: string[] = [];
      for (let n = node.parent; n && n.type !== 'function_definition'; n = n.parent) {
        if (n.type === 'with_statement' && n.children[0]?.type !== 'async') held.push(...withItems(n).filter((i) => i.type !== 'call' && ctx.model.isLock(i)).map((i) => i.text));
      }
      if (held.length === 0 || coroutineLock(held[0], node, ctx) || waitsOnConditionOf(held[0], node, ctx)) return;
      if (reentrant(held[0], node, ctx)) {
        ctx.report(node, {
          severity: 'warning',
          message: `\`${snippet(node, 50)}\` suspends the coroutine while holding the threading RLock \`${held[0]}\`. ` +
            `An RLock belongs to the thread, not the coroutine: another coroutine of the same event loop re-enters it at once, so it does not keep coroutines apart — they interleave inside the critical section at every \`await\` — while other threads wait for it through the whole suspension. ` +
            `Use an asyncio.Lock (\`async with\`) to keep coroutines apart, and release the threading lock before awaiting.`,
        });
        return;
      }
      ctx.report(node, {
        severity: 'error',
        message: `\`${snippet(node, 50)}\` suspends the coroutine while holding the threading lock \`${held[0]}\`. ` +
          `A threading lock is held by the thread, not the coroutine: while this coroutine is suspended, any other coroutine on the same event loop that takes the lock blocks the loop's only thread, and the coroutine holding it can never resume to release it — a deadlock. ` +
          `Release the lock before awaiting, or use an asyncio.Lock (\`async with\`) for state shared between coroutines.`,
      });
    },
  },
};

/**
 * Is the lock named `lock` (`self._lock`, `LOCK`) made as an `RLock` — in its class's text for a field, in
 * the module's for a global? A re-entrant lock does not block the loop's thread when a second coroutine
 * takes it: no deadlock, but no exclusion between coroutines either.
 */
function reentrant(lock: string, at: Node, ctx: RuleContext): boolean {
  return /\bRLock$/.test(madeBy(lock, at, ctx) ?? '');
}

/**
 * `self.lock = AsyncCooperativeRLock()`: a lock class made for coroutines, entered with a plain `with`
 * (it never blocks the loop's thread), is no threading lock.
 */
function coroutineLock(lock: string, at: Node, ctx: RuleContext): boolean {
  const maker = madeBy(lock, at, ctx);
  return !!maker && (/^(?:[\w.]*\.)?Async\w*$/.test(maker) || maker.startsWith('asyncio.'));
}

/** `await self.cond.wait()` where `self.cond = Condition(self.lock)`: the wait gives back the lock held. */
function waitsOnConditionOf(lock: string, at: Node, ctx: RuleContext): boolean {
  const awaited = namedChildren(at)[0];
  const callee = awaited?.type === 'call' ? awaited.childForFieldName('function') : null;
  const condition = callee?.type === 'attribute' && /^wait(?:_for)?$/.test(callee.childForFieldName('attribute')?.text ?? '') ? callee.childForFieldName('object')?.text : undefined;
  if (!condition) return false;
  const where = madeWhere(condition, at, ctx);
  return !!where && new RegExp(String.raw`${where.name}\s*(?::[^=\n]+)?=\s*[\w.]*Condition\(\s*${lock.replace(/\./g, '\\.')}\s*\)`, 'm').test(where.text);
}

/** The callee that makes the lock named `lock` (`self._lock`, `LOCK`): in its class's text for a field, in the module's for a global. */
function madeBy(lock: string, at: Node, ctx: RuleContext): string | null {
  const where = madeWhere(lock, at, ctx);
  return where ? new RegExp(String.raw`${where.name}\s*(?::[^=\n]+)?=\s*([\w.]+)\(`, 'm').exec(where.text)?.[1] ?? null : null;
}

function madeWhere(lock: string, at: Node, { model }: RuleContext): { name: string; text: string } | null {
  const scope = model.scopeOf(at);
  const field = scope?.receiver && lock.startsWith(`${scope.receiver}.`) ? lock.slice(scope.receiver.length + 1) : null;
  if (field && !/^\w+$/.test(field)) return null;
  const text = field ? scope!.classNode?.text ?? '' : model.text;
  const name = field ? String.raw`\b${scope!.receiver}\.${field}` : String.raw`^\s*${lock.replace(/\./g, '\\.')}`;
  return { name, text };
}
