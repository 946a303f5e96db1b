// A walk of a queue's own storage — `for job in self._queue.queue`, the list inside a `queue.Queue`,
// `PriorityQueue` or `LifoQueue` — reads what the queue's `put` and `get` change under the queue's
// `mutex`, from the threads the queue exists to connect. Without `with q.mutex:` the walk sees items
// moved (a heap reordered by `heappush`) or removed under it. Reported by FT107.
import type { Node } from '../parser';
import type { RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { snippet } from '../model/syntax';
import { guardWithNamedLock } from '../fixes/guard';

const QUEUE_CLASSES = /^queue\.(?:Queue|PriorityQueue|LifoQueue)$/;
/** The queue methods that change its storage. */
const CHANGES = /^(?:put|put_nowait|get|get_nowait)$/;

/** Reports `node` (a loop or consumer over `container`) when the container is a queue's `.queue`; true when it was one. */
export function reportQueueStorageWalk(node: Node, iterable: Node, container: Node, scope: FunctionScope, ctx: RuleContext): boolean {
  if (container.type !== 'attribute' || container.childForFieldName('attribute')?.text !== 'queue') return false;
  const queue = container.childForFieldName('object');
  if (!queue || !madeAsQueue(queue, scope, ctx.model)) return false;
  const mutex = `${queue.text}.mutex`;
  if (ctx.model.heldLocks(node).some((lock) => lock === mutex || lock.endsWith('.mutex'))) return true;
  const change = changeOnThread(queue, scope, ctx);
  if (!change) return true;
  const thread = ctx.model.threads.entryFor(ctx.model.scopeOf(change));
  ctx.report(iterable, {
    severity: 'warning',
    confidence: thread && !thread.assumed ? 'high' : 'medium',
    fix: guardWithNamedLock(ctx.text, node, mutex),
    message:
      `Iterating \`${snippet(iterable, 40)}\`, the storage inside the queue \`${snippet(queue, 30)}\`, without holding \`${mutex}\`: ` +
      `the queue's \`${snippet(change, 40)}\` (line ${change.startPosition.row + 1}${thread && !thread.assumed ? `, on a thread: ${thread.via}` : ''}) changes it under that lock — ` +
      `on free-threaded Python the walk runs beside it and sees items moved or removed mid-iteration. Take \`with ${mutex}:\` around the walk.`,
  });
  return true;
}

/** `self._queue` set to `queue.PriorityQueue()` in a method of the class, or a module global bound to a queue. */
function madeAsQueue(queue: Node, scope: FunctionScope, model: ModuleModel): boolean {
  const isQueue = (value: Node | null | undefined) => value?.type === 'call' && QUEUE_CLASSES.test(model.imports.qualify(value.childForFieldName('function')) ?? '');
  if (queue.type === 'identifier') {
    const binding = model.bindings.get(queue.text);
    return !scope.locals.has(queue.text) && binding?.kind === 'value' && isQueue(binding.node);
  }
  const field = queue.type === 'attribute' && queue.childForFieldName('object')?.text === scope.receiver ? queue.childForFieldName('attribute')?.text : undefined;
  const cls = field ? model.classInfo(scope.classNode) : null;
  for (const method of cls?.methods.values() ?? []) {
    const methodScope = model.scopeOf(method.childForFieldName('body') ?? method);
    if (!methodScope?.receiver) continue;
    for (const assignment of model.assignmentsOf(methodScope)) {
      const left = assignment.childForFieldName('left');
      if (left?.type === 'attribute' && left.childForFieldName('object')?.text === methodScope.receiver && left.childForFieldName('attribute')?.text === field && isQueue(assignment.childForFieldName('right'))) return true;
    }
  }
  return false;
}

/**
 * A `put`/`get` of the same queue in a function a thread runs (under assume-concurrent, any function
 * other than the walk's own): the other side of the walk. Null when every change is the walk's own.
 */
function changeOnThread(queue: Node, scope: FunctionScope, ctx: RuleContext): Node | null {
  const field = queue.type === 'attribute' ? queue.childForFieldName('attribute')?.text : undefined;
  let fallback: Node | null = null;
  for (const other of ctx.model.allScopes()) {
    if (other.node.type !== 'function_definition' || ctx.model.isConstructionOnly(other)) continue;
    const expected = field ? (other.receiver && other.classNode === scope.classNode ? `${other.receiver}.${field}` : null) : queue.text;
    if (!expected) continue;
    for (const call of ctx.model.callsIn(other.node)) {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'attribute' || !CHANGES.test(callee.childForFieldName('attribute')?.text ?? '') || callee.childForFieldName('object')?.text !== expected) continue;
      if (ctx.model.scopeOf(call) !== other) continue;
      const entry = ctx.model.threads.entryFor(other);
      // The walk's own function on its thread does one thing at a time.
      if (other === scope) continue;
      if (entry && !entry.assumed) return call;
      if (entry) fallback ??= call;
    }
  }
  return fallback;
}
