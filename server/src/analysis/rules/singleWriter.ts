// One writer, no lost update: state that only one dedicated thread changes (a worker's own counter,
// its lazily opened socket) cannot lose a write to another thread, whoever reads it. Every write of
// the field (or global) anywhere in the module must run on that thread, in construction, or before
// the thread starts.
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import type { DedicatedThread } from '../model/dedicatedThreads';
import type { SharedState } from '../model/sharing';
import type { FunctionScope } from '../model/scopes';
import { mutationOf } from '../model/mutations';
import { fieldsWritten } from '../model/threadSideWrites';

const cache = new WeakMap<ModuleModel, Map<string, DedicatedThread | null>>();

const WRITES = ['assignment', 'augmented_assignment', 'delete_statement', 'call'] as const;

/** The one thread that writes this state, when `scope` runs on it and every other write is ordered before it. */
export function soleWriterThread(shared: SharedState, scope: FunctionScope, model: ModuleModel): DedicatedThread | null {
  const thread = model.dedicatedThreadOf(scope);
  if (!thread) return partWriterThread(shared, scope, model);
  const name = writtenName(shared, thread, model);
  if (!name) return null;
  let byKey = cache.get(model);
  if (!byKey) cache.set(model, (byKey = new Map()));
  const key = `${thread.target.id}:${shared.kind}:${shared.key}`;
  let answer = byKey.get(key);
  if (answer === undefined) {
    answer = (thread.spawner && shared.kind === 'closure' && !shared.receiverField ? everyClosureWriteOn(thread, thread.spawner, name, model) : everyWriteOn(thread, name, shared.kind === 'global', model)) ? thread : null;
    byKey.set(key, answer);
  }
  return answer;
}

/** The field (for a per-object thread) or global (for a module thread) name the state is kept under. */
function writtenName(shared: SharedState, thread: DedicatedThread, model: ModuleModel): string | null {
  // A field of the method's `self` the closure captured: any object's `.field` writes it (everyWriteOn).
  if (thread.spawner && shared.receiverField) return shared.receiverField;
  // A field of the spawning method's class, written by methods the closure's thread calls on `self`.
  if (thread.spawner && shared.kind === 'shared-instance') {
    const spawnerClass = model.scopeOf(thread.spawner)?.classNode?.childForFieldName('name')?.text;
    const owner = shared.key.slice(0, shared.key.indexOf('.'));
    const field = shared.key.slice(shared.key.indexOf('.') + 1);
    return spawnerClass && owner === spawnerClass && /^\w+$/.test(field) ? field : null;
  }
  if (thread.spawner) return shared.kind === 'closure' ? shared.key.slice(shared.key.lastIndexOf('.') + 1) || null : null;
  // Another class's field (a container the thread's object was handed: `Executor._pending`) is not the
  // thread's own, whatever it is called there.
  if (thread.perObject && shared.kind === 'shared-instance') {
    const owner = shared.key.slice(0, shared.key.indexOf('.'));
    return owner === thread.classNode?.childForFieldName('name')?.text ? shared.key.slice(shared.key.indexOf('.') + 1) || null : null;
  }
  if (!thread.perObject && shared.kind === 'global') return shared.key;
  return null;
}

function everyWriteOn(thread: DedicatedThread, name: string, global: boolean, model: ModuleModel): boolean {
  // Any object's `.name` counts, not only the receiver's: `worker.count = 0` elsewhere is a writer too.
  const pattern = global ? new RegExp(`(?<![\\w.])${name}(?![\\w])`) : new RegExp(`\\.${name}(?![\\w])`);
  for (const type of WRITES) {
    for (const { node } of model.index.all(type)) {
      const target = writeTarget(node);
      if (!target || !pattern.test(target.text)) continue;
      if (!writeIsOrdered(node, target, thread, global, model)) return false;
    }
  }
  return true;
}

/** Methods that take entries out of a container (or empty it). */
const REMOVING_METHODS = new Set(['pop', 'popleft', 'popitem', 'remove', 'discard', 'clear']);

/**
 * Only one thread takes entries out of this container — the dedicated thread running `scope` (a
 * consumer loop) — so a test that it holds an entry (`if self.queue:`, `if k in d:`) stays true until
 * that thread acts on it: other threads only add, and adding never falsifies it. Removals (`pop`,
 * `remove`, `clear`, `del c[k]`) and rebinding the container count, anywhere in the module, unless the
 * dedicated thread runs them or they are ordered before it (construction, before the thread starts).
 */
export function soleRemoverThread(shared: SharedState, scope: FunctionScope, model: ModuleModel): DedicatedThread | null {
  const thread = model.dedicatedThreadOf(scope);
  if (!thread || thread.spawner) return null;
  const name = writtenName(shared, thread, model);
  if (!name) return null;
  const global = shared.kind === 'global';
  const pattern = global ? new RegExp(`^${name}$`) : new RegExp(`\\.${name}$`);
  for (const type of WRITES) {
    for (const { node } of model.index.all(type)) {
      let target: Node | null = null;
      if (node.type === 'call') {
        const mutation = mutationOf(node);
        const method = node.childForFieldName('function')?.childForFieldName('attribute')?.text ?? '';
        if (mutation && REMOVING_METHODS.has(method)) target = mutation.container;
      } else if (node.type === 'delete_statement') {
        target = mutationOf(node)?.container ?? node.namedChildren[0] ?? null;
      } else if (node.type === 'assignment') {
        target = node.childForFieldName('left');
      }
      if (!target || !pattern.test(target.text)) continue;
      if (!writeIsOrdered(node, target, thread, global, model)) return null;
    }
  }
  return thread;
}

/**
 * A closure variable of `spawner`: written by the thread's code, or by the spawner before it starts the
 * thread; a function nested there that binds its own variable of that name writes another one.
 */
function everyClosureWriteOn(thread: DedicatedThread, spawner: Node, name: string, model: ModuleModel): boolean {
  for (const type of WRITES) {
    for (const { node } of model.index.all(type)) {
      if (node.startIndex < spawner.startIndex || node.endIndex > spawner.endIndex) continue;
      const target = writeTarget(node);
      if (target?.type !== 'identifier' || target.text !== name) continue;
      const scope = model.scopeOf(node);
      if (!scope || model.dedicatedThreadOf(scope) === thread) continue;
      if (scope.node === spawner ? model.ordering.beforeThreadStart(node, scope, () => model.ownNodes(scope).filter((n) => n.type === 'call')) : !scope.nonlocals.has(name)) continue;
      return false;
    }
  }
  return true;
}

/** What a statement or call writes: an assignment's left side, a `del` target, a mutated container. */
function writeTarget(node: Node): Node | null {
  if (node.type === 'assignment' || node.type === 'augmented_assignment') return node.childForFieldName('left');
  if (node.type === 'delete_statement') return node.namedChildren[0] ?? null;
  return mutationOf(node)?.container ?? null;
}

function writeIsOrdered(node: Node, target: Node, thread: DedicatedThread, global: boolean, model: ModuleModel): boolean {
  const scope = model.scopeOf(node);
  // Import-time code before the module starts its thread.
  if (!scope) return global && node.endIndex <= thread.entry.site.startIndex;
  // `self.count` of an unrelated class is another field of the same name.
  const own = thread.classNode;
  if (!global && own && scope.classNode && scope.receiver && rootName(target) === scope.receiver && !model.relatedClasses(own, scope.classNode)) return true;
  if (model.dedicatedThreadsOf(scope).includes(thread)) return true;
  if (!global && model.isConstructionOnly(scope)) return true;
  // An after-fork or atexit hook, or a write before its function starts the thread (as runsAlone).
  return !!model.ordering.whySequential(scope) || model.ordering.beforeThreadStart(node, scope, () => model.ownNodes(scope).filter((n) => n.type === 'call'));
}

/** The name an access starts from: `self` in `self.a.b[k]`. */
function rootName(target: Node): string | null {
  let n: Node | null = target;
  while (n && (n.type === 'attribute' || n.type === 'subscript')) n = n.type === 'attribute' ? n.childForFieldName('object') : n.childForFieldName('value');
  return n?.type === 'identifier' ? n.text : null;
}

/**
 * A part of a thread's object — `self.pacer = _Pacer()` in the owner's construction, the only place the
 * module makes one — is that object's alone, one part per owner: its field has the owner's thread as
 * its one writer when every method of the part that writes it is called only from that thread (and
 * named nowhere but in those calls), and every other write of the field is ordered before it.
 */
function partWriterThread(shared: SharedState, scope: FunctionScope, model: ModuleModel): DedicatedThread | null {
  // Only the part's own methods ask (`self.index` in `_Pacer`): the callers' threads come after.
  if (shared.kind !== 'shared-instance' || model.classInfo(scope.classNode)?.name !== shared.key.slice(0, shared.key.indexOf('.'))) return null;
  const thread = threadOfCallers(scope, model);
  if (!thread?.perObject || !thread.classNode) return null;
  let byKey = cache.get(model);
  if (!byKey) cache.set(model, (byKey = new Map()));
  const key = `part:${thread.target.id}:${shared.key}`;
  let answer = byKey.get(key);
  if (answer === undefined) byKey.set(key, (answer = partWrittenOnlyBy(thread, shared, scope, model) ? thread : null));
  return answer;
}

function partWrittenOnlyBy(thread: DedicatedThread, shared: SharedState, scope: FunctionScope, model: ModuleModel): boolean {
  const dot = shared.key.indexOf('.');
  const owner = shared.key.slice(0, dot);
  const field = shared.key.slice(dot + 1);
  const cls = model.classInfo(scope.classNode);
  if (!cls || cls.name !== owner || !/^\w+$/.test(field)) return false;
  const made = model.callsNamed(owner);
  const ownerClass = thread.classNode!;
  const madeByOwner = (call: Node) => {
    const at = model.scopeOf(call);
    const left = call.parent?.type === 'assignment' ? call.parent.childForFieldName('left') : null;
    return !!at?.receiver && at.classNode?.id === ownerClass.id && model.isConstructionOnly(at) && left?.type === 'attribute' && left.childForFieldName('object')?.text === at.receiver;
  };
  if (made.length === 0 || !made.every(madeByOwner)) return false;
  for (const method of cls.methods.values()) {
    const ms = model.scopeOf(method.childForFieldName('body') ?? method);
    if (!ms?.receiver || model.isConstructionOnly(ms) || !fieldsWritten(model.ownNodes(ms), ms.receiver).has(field)) continue;
    if (threadOfCallers(ms, model) !== thread) return false;
  }
  return everyWriteOn(thread, field, false, model);
}

/** The one dedicated thread every call of this method runs on (null when it is named anywhere but in calls). */
const callerThreads = new WeakMap<ModuleModel, Map<number, DedicatedThread | null>>();

function threadOfCallers(scope: FunctionScope, model: ModuleModel): DedicatedThread | null {
  // Asked for every access of a part's field: one answer per method (the name count scans the text).
  let known = callerThreads.get(model);
  if (!known) callerThreads.set(model, (known = new Map()));
  let answer = known.get(scope.node.id);
  if (answer === undefined) known.set(scope.node.id, (answer = callerThread(scope, model)));
  return answer;
}

function callerThread(scope: FunctionScope, model: ModuleModel): DedicatedThread | null {
  const callers = model.callersOf(scope.node);
  if (callers.length === 0) return null;
  // A bound method handed on (`callback=self.pacer.record`) runs wherever it is called.
  const named = (model.text.match(new RegExp(`\\.${scope.name}\\b`, 'g')) ?? []).length;
  if (named > callers.length) return null;
  let found: DedicatedThread | null = null;
  for (const call of callers) {
    const threads = model.dedicatedThreadsOf(model.scopeOf(call));
    if (threads.length !== 1 || (found && found !== threads[0])) return null;
    found = threads[0];
  }
  return found;
}
