// Event loops that a thread of this module runs, and the code that runs on that thread. An event
// loop (asyncio's, tornado's or pyzmq's IOLoop) is not thread-safe: only `call_soon_threadsafe` /
// `add_callback` may be called from another thread. A class that runs its loop on a thread of its own
// (`Thread(target=self._loop.run_forever)`, a Thread subclass whose `run` starts `self.ioloop`) is
// used from its callers' threads, so its other methods must hand their work over to the loop.
import type { Node } from '../parser';
import type { ModuleModel } from './module';
import type { FunctionScope } from './scopes';
import type { DedicatedThread } from './dedicatedThreads';
import { definedName as className, lastNameOf as lastName } from './syntax';

export type LoopKind = 'asyncio' | 'tornado';

export interface LoopThread {
  /** `Cls.field` for a loop held in a field, `name` for a module global, `<function id>:name` for a local. */
  key: string;
  kind: LoopKind;
  /** The call that runs the loop (`self.ioloop.start()`) or hands its runner to a thread. */
  runner: Node;
  /** Where the loop's name is visible: its class, its function, or the module. */
  region: Node;
  /** The thread's own code (null: the thread runs the loop's runner directly, or see onCaller). */
  thread: DedicatedThread | null;
  /**
   * No thread of the module runs the loop: the thread that calls the runner's function does (the main
   * thread, typically). Only code a thread of the module runs is then known to be off the loop.
   */
  onCaller?: boolean;
  /** Functions of the region that run on the loop's thread (or may: callbacks handed to something). */
  loopSide: Set<number>;
}

/** Loop methods that must be called on the loop's own thread (asyncio's and tornado's). */
export const LOOP_AFFINE = new Set([
  'call_soon', 'call_later', 'call_at', 'create_task', 'stop', 'add_reader', 'add_writer', 'remove_reader', 'remove_writer',
  'add_signal_handler', 'remove_signal_handler',
  // tornado / pyzmq IOLoop
  'add_timeout', 'remove_timeout', 'add_handler', 'update_handler', 'remove_handler', 'add_future',
]);

const RUNNERS: Record<string, LoopKind> = { run_forever: 'asyncio', run_until_complete: 'asyncio', start: 'tornado' };

/** `start()` runs a loop only on something named like one (`self.ioloop`, `io_loop`, `self._loop`). */
const LOOP_NAME = /^_*(?:io_?|event_?)?loop$/i;

const GATE = /run_forever|run_until_complete|loop\.start\b/i;

const cache = new WeakMap<ModuleModel, LoopThread[]>();

export function loopThreads(model: ModuleModel): LoopThread[] {
  let found = cache.get(model);
  if (!found) cache.set(model, (found = GATE.test(model.root.text) ? findLoopThreads(model) : []));
  return found;
}

/** The loop a call's receiver names (`self.ioloop.stop()` → `Cls.ioloop`), as a key of loopThreads. */
export function loopKey(receiver: Node | null, scope: FunctionScope | null, model: ModuleModel): string | null {
  if (!receiver) return null;
  if (receiver.type === 'identifier') {
    // A local: the loop one call of this function made (`loop = new_event_loop()`), keyed by the function.
    for (let s = scope; s; s = s.parent) {
      if (s.globals.has(receiver.text)) break;
      if (s.locals.has(receiver.text) || s.parameters.has(receiver.text)) return `${s.node.id}:${receiver.text}`;
    }
    return receiver.text;
  }
  if (receiver.type !== 'attribute') return null;
  const object = receiver.childForFieldName('object');
  const field = receiver.childForFieldName('attribute')?.text;
  if (!object || !field || object.type !== 'identifier') return null;
  // `self.loop` / `cls.loop` in a method, `Cls.loop` by the class's name.
  for (let s = scope; s; s = s.parent) {
    if (s.receiver === object.text && s.classNode) return `${className(s.classNode)}.${field}`;
  }
  return [...model.classes.values()].some((c) => c.name === object.text) ? `${object.text}.${field}` : null;
}

function findLoopThreads(model: ModuleModel): LoopThread[] {
  const loops = new Map<string, LoopThread>();
  const add = (key: string, kind: LoopKind, runner: Node, thread: DedicatedThread | null, region: Node, onCaller = false) => {
    if (!loops.has(key)) loops.set(key, { key, kind, runner, region, thread, loopSide: new Set(), onCaller });
  };
  const onCallers: Array<[string, LoopKind, Node, Node]> = [];
  // A function on a thread of its own runs the loop: `self.ioloop.start()` in a Thread subclass's run.
  for (const { node: call } of model.index.all('call')) {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') continue;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    const kind = RUNNERS[method];
    const receiver = fn.childForFieldName('object');
    if (!kind || !receiver || (method === 'start' && !LOOP_NAME.test(lastName(receiver)))) continue;
    const scope = model.scopeOf(call);
    const thread = model.dedicatedThreadOf(scope);
    const key = loopKey(receiver, scope, model);
    if (!key) continue;
    if (thread) add(key, kind, call, thread, regionOf(key, scope, model));
    // Run where no thread of the module reaches: on the caller's thread.
    else if (!model.threads.entryFor(scope) || model.threads.entryFor(scope)!.assumed) onCallers.push([key, kind, call, regionOf(key, scope, model)]);
  }
  // A thread started on the runner itself: `Thread(target=self._loop.run_forever)`.
  for (const { target, via, site } of model.threads.spawnTargets) {
    if (target.type !== 'attribute' || !/Thread\(target=|start_new/.test(via) || insideLoop(site)) continue;
    const method = target.childForFieldName('attribute')?.text ?? '';
    const receiver = target.childForFieldName('object');
    const kind = RUNNERS[method];
    if (!kind || !receiver || (method === 'start' && !LOOP_NAME.test(lastName(receiver)))) continue;
    const scope = model.scopeOf(site);
    const key = loopKey(receiver, scope, model);
    if (key) add(key, kind, site, null, regionOf(key, scope, model));
  }
  for (const [key, kind, call, region] of onCallers) add(key, kind, call, null, region, true);
  // The same loop under other names: a field the function keeps its local in (`self.loop = loop`), and
  // fields of other classes made from that one (`Responder(self.loop)` storing `self.loop = loop`).
  for (const loop of [...loops.values()]) {
    const local = /^(\d+):(\w+)$/.exec(loop.key);
    const owner = local ? model.allScopes().find((s) => s.node.id === Number(local[1])) : undefined;
    if (owner?.receiver && owner.classNode) {
      for (const a of model.assignmentsOf(owner)) {
        const left = a.childForFieldName('left');
        if (a.childForFieldName('right')?.text !== local![2] || left?.type !== 'attribute' || left.childForFieldName('object')?.text !== owner.receiver) continue;
        add(`${className(owner.classNode)}.${left.childForFieldName('attribute')!.text}`, loop.kind, loop.runner, loop.thread, owner.classNode, loop.onCaller);
      }
    }
  }
  for (const loop of [...loops.values()]) {
    if (!/^[A-Za-z_]\w*\.\w+$/.test(loop.key)) continue;
    for (const alias of model.fieldsAliasing(loop.key)) {
      const cls = [...model.classes.values()].find((c) => c.name === alias.slice(0, alias.indexOf('.')));
      if (cls) add(alias, loop.kind, loop.runner, loop.thread, cls.node, loop.onCaller);
    }
  }
  for (const loop of loops.values()) markLoopSide(loop, model);
  return [...loops.values()];
}

/** The class whose field holds the loop, or the module for a global. */
function regionOf(key: string, scope: FunctionScope | null, model: ModuleModel): Node {
  const local = /^(\d+):/.exec(key);
  if (local) {
    for (let s = scope; s; s = s.parent) if (s.node.id === Number(local[1])) return s.node;
  }
  if (!key.includes('.')) return model.root;
  for (let s = scope; s; s = s.parent) if (s.classNode && className(s.classNode) === key.slice(0, key.indexOf('.'))) return s.classNode;
  return model.root;
}

/**
 * What runs on the loop's thread: the thread's own code, coroutines, anything handed over as a value
 * (a callback: `add_callback(self._flush)`, `stream.on_recv(self._handle)`), and what those call.
 */
function markLoopSide(loop: LoopThread, model: ModuleModel): void {
  const side = loop.loopSide;
  const scopes = regionScopes(loop.region, model);
  const valueNames = namesUsedAsValues(loop.region);
  const queue: FunctionScope[] = [];
  for (const scope of scopes) {
    const onThread = loop.thread !== null && model.dedicatedThreadOf(scope) === loop.thread;
    // A function handed to a thread is named as a value too, but it runs on that thread, not the loop.
    const callback = valueNames.has(scope.name) && !model.threads.isSpawnTarget(scope.node);
    if (onThread || scope.isAsync || scope.parent !== null || callback) {
      side.add(scope.node.id);
      queue.push(scope);
    }
  }
  if (loop.thread) {
    side.add(loop.thread.target.id);
  }
  while (queue.length > 0) {
    const scope = queue.pop()!;
    for (const call of model.callsIn(scope.node)) {
      const callee = call.childForFieldName('function');
      if (!callee) continue;
      for (const fn of model.functionsFor(callee, call)) {
        if (side.has(fn.id) || fn.startIndex < loop.region.startIndex || fn.endIndex > loop.region.endIndex) continue;
        side.add(fn.id);
        const s = model.scopeOf(fn.childForFieldName('body') ?? fn);
        if (s) queue.push(s);
      }
    }
  }
}

function regionScopes(region: Node, model: ModuleModel): FunctionScope[] {
  return model.allScopes().filter((s) => s.node.startIndex >= region.startIndex && s.node.endIndex <= region.endIndex && (region.type !== 'class_definition' || s.classNode === region || s.parent !== null));
}

/**
 * Functions named other than as a callee or a `def` — `self._flush` handed to `add_callback`, `worker`
 * stored in a table: callbacks, run wherever they were handed.
 */
function namesUsedAsValues(region: Node): Set<string> {
  // In a class, methods are named through the receiver; a bare name there is a local or a global.
  const bare = region.type !== 'class_definition';
  const names = new Set<string>();
  const stack = [region];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const parent = n.parent;
    const calledHere = parent?.type === 'call' && parent.childForFieldName('function') === n;
    if (n.type === 'identifier') {
      const defined = (parent?.type === 'function_definition' || parent?.type === 'class_definition') && parent.childForFieldName('name') === n;
      const attributeName = parent?.type === 'attribute' && parent.childForFieldName('attribute') === n;
      if (bare && !calledHere && !defined && !attributeName) names.add(n.text);
      continue;
    }
    if (n.type === 'attribute') {
      // `self.m` / `cls.m` as a value: a bound method handed on.
      const object = n.childForFieldName('object');
      const name = n.childForFieldName('attribute')?.text;
      if (!calledHere && name && object?.type === 'identifier' && (object.text === 'self' || object.text === 'cls')) names.add(name);
      if (object) stack.push(object);
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  return names;
}

function insideLoop(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda') return false;
    if (n.type === 'for_statement' || n.type === 'while_statement') return true;
  }
  return false;
}


/** asyncio's loop-bound objects, and their methods that must run on the loop's thread. */
const ASYNCIO_OBJECTS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['asyncio.Queue', new Set(['put_nowait', 'get_nowait', 'task_done'])],
  ['asyncio.LifoQueue', new Set(['put_nowait', 'get_nowait', 'task_done'])],
  ['asyncio.PriorityQueue', new Set(['put_nowait', 'get_nowait', 'task_done'])],
  ['asyncio.Event', new Set(['set', 'clear'])],
  ['asyncio.Future', new Set(['set_result', 'set_exception', 'cancel', 'add_done_callback', 'remove_done_callback'])],
  ['asyncio.Condition', new Set(['notify', 'notify_all'])],
  ['asyncio.Semaphore', new Set(['release'])],
  ['asyncio.BoundedSemaphore', new Set(['release'])],
]);

/**
 * The asyncio object (`asyncio.Queue`, `asyncio.Future`…) a call's receiver names and whether `method`
 * is one of its loop-only methods, or null: a local or closure variable, a module global or a field
 * bound to `asyncio.Queue()` (or `loop.create_future()`).
 */
export function asyncioObjectCall(receiver: Node | null, method: string, scope: FunctionScope | null, model: ModuleModel): string | null {
  if (!receiver) return null;
  const type = asyncioTypeOf(receiver, scope, model);
  return type && ASYNCIO_OBJECTS.get(type)?.has(method) ? type : null;
}

const fieldTypes = new WeakMap<ModuleModel, Map<string, string | null>>();

function asyncioTypeOf(expr: Node, scope: FunctionScope | null, model: ModuleModel): string | null {
  if (expr.type === 'identifier') {
    for (let s = scope; s; s = s.parent) {
      if (s.globals.has(expr.text) || s.nonlocals.has(expr.text)) continue;
      if (s.parameters.has(expr.text)) return null;
      if (s.locals.has(expr.text)) return onlyType(model.assignmentsOf(s).filter((a) => a.childForFieldName('left')?.text === expr.text).map((a) => a.childForFieldName('right')), model);
    }
    const binding = model.bindings.get(expr.text);
    return binding?.kind === 'value' ? onlyType([binding.node], model) : null;
  }
  if (expr.type === 'attribute') {
    const object = expr.childForFieldName('object');
    const field = expr.childForFieldName('attribute')?.text;
    let method = scope;
    while (method && !method.receiver) method = method.parent;
    if (!method?.classNode || object?.text !== method.receiver || !field) return null;
    const cls = model.classInfo(method.classNode);
    if (!cls) return null;
    // Asked for every `.set()`, `.cancel()`… of a module that names asyncio: once per field.
    let known = fieldTypes.get(model);
    if (!known) fieldTypes.set(model, (known = new Map()));
    const key = `${cls.node.id}.${field}`;
    const cached = known.get(key);
    if (cached !== undefined) return cached;
    const values: Array<Node | null> = [];
    for (const fn of cls.methods.values()) {
      const s = model.scopeOf(fn.childForFieldName('body') ?? fn);
      if (!s?.receiver) continue;
      for (const a of model.assignmentsOf(s)) if (a.childForFieldName('left')?.text === `${s.receiver}.${field}`) values.push(a.childForFieldName('right'));
    }
    const type = onlyType(values, model);
    known.set(key, type);
    return type;
  }
  return null;
}

/** The one asyncio type every value is made by, or null. */
function onlyType(values: Array<Node | null>, model: ModuleModel): string | null {
  let type: string | null = null;
  for (const v of values) {
    if (v?.type !== 'call') return null;
    const callee = v.childForFieldName('function');
    const q = model.imports.qualify(callee) ?? '';
    const made = ASYNCIO_OBJECTS.has(q) ? q : callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'create_future' ? 'asyncio.Future' : null;
    if (!made || (type && type !== made)) return null;
    type = made;
  }
  return type;
}
