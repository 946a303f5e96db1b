// FT218 — `queue.task_done()` called before the work on the item, in a module that waits on the queue
// with `join()`: the waiter resumes while the item is still being processed. Docs: docs/rules/FT218.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import { accessRoot, boundNames, lastNameOf as lastName, namedChildren, snippet } from '../model/syntax';
import { methodName, methodReceiver, textHas } from './hazards';

const GATE = /task_done/;

/** Calls that only report (a log line, a print): no work a waiter could depend on. */
const REPORTING = /^(?:print|(?:[\w.]*\.)?(?:_?log(?:ger)?|LOG(?:GER)?|logging)\.\w+)$/;

const LEAVES: ReadonlySet<string> = new Set(['continue_statement', 'break_statement', 'return_statement', 'raise_statement']);

const joinedCache = new WeakMap<ModuleModel, Map<string, Node>>();

/** Last names of what the module calls `join()` on with no arguments (a queue's join takes none) → one such call. */
function joinedQueues(model: ModuleModel): Map<string, Node> {
  let joined = joinedCache.get(model);
  if (joined) return joined;
  joined = new Map();
  for (const { node } of model.index.all('call')) {
    const receiver = methodName(node) === 'join' ? methodReceiver(node) : null;
    const args = node.childForFieldName('arguments');
    if (!receiver || (args && namedChildren(args).length > 0)) continue;
    const name = lastName(receiver);
    if (name && !joined.has(name)) joined.set(name, node);
  }
  joinedCache.set(model, joined);
  return joined;
}

export const FT218: Rule = {
  code: 'FT218',
  name: 'task-done-before-work',
  summary: '`queue.task_done()` before the work on the item, where the module waits with `queue.join()`: the waiter resumes while the item is still being processed',
  precision: 'medium',
  visit: {
    call(node: Node, ctx: RuleContext) {
      if (!textHas(ctx.model, ctx.text, GATE) || methodName(node) !== 'task_done') return;
      const receiver = methodReceiver(node);
      const statement = node.parent;
      if (!receiver || statement?.type !== 'expression_statement' || inFinally(statement)) return;
      const join = joinedQueues(ctx.model).get(lastName(receiver));
      if (!join) return;
      // The consumer: it took the item from the same queue earlier in the function.
      const scope = ctx.model.scopeOf(node);
      const fn = scope?.node;
      if (!fn) return;
      const took = fn.descendantsOfType('call').filter((c) => c.endIndex <= node.startIndex && methodName(c) === 'get' && methodReceiver(c)?.text === receiver.text).pop();
      if (!took) return;
      const work = followingWork(statement, { names: new Set(boundTo(took)), locals: scope.locals, receiver: scope.receiver });
      if (!work) return;
      ctx.report(node, {
        severity: 'warning',
        message:
          `\`${snippet(node, 40)}\` marks the item done before the work that follows it (\`${snippet(work, 40)}\`, line ${work.startPosition.row + 1}): ` +
          `a thread waiting in \`${snippet(join, 40)}\` (line ${join.startPosition.row + 1}) can resume while this item is still being processed, and read its results — or their absence — too early. ` +
          `Call \`task_done()\` after the work, in a \`finally:\` so a failure still counts.`,
      });
    },
  },
};

/** The first statement after `statement` in its block (or the blocks around it, within the loop body) that does work. */
function followingWork(statement: Node, item: Item): Node | null {
  for (let s: Node | null = statement; s && s.type !== 'function_definition'; s = s.parent) {
    // Stop at the loop that takes the items: what follows it runs after the last one.
    if (s.type === 'for_statement' || s.type === 'while_statement') return null;
    if (s.parent?.type === 'block') {
      let after = false;
      for (const sibling of namedChildren(s.parent)) {
        if (sibling === s) {
          after = true;
          continue;
        }
        if (!after) continue;
        // The iteration ends here: what follows the enclosing blocks is not reached.
        if (LEAVES.has(sibling.type)) return null;
        if (doesWork(sibling, item)) return sibling;
      }
    }
  }
  return null;
}

/** What the item was bound to, and the function's locals (buffering into one is not work on shared state). */
interface Item {
  names: Set<string>;
  locals: Set<string>;
  receiver: string | null;
}

/**
 * Work a waiter may depend on: a write to state outside the function (`self.failed = True`, a global, an
 * item of either), or a call handed the item (`self._run(message)`) — not filing it into a local
 * (`batch.append(item)`), and not a log line.
 */
function doesWork(statement: Node, item: Item): boolean {
  if (statement.type === 'comment' || statement.type === 'pass_statement') return false;
  for (const a of [...statement.descendantsOfType('assignment'), ...statement.descendantsOfType('augmented_assignment')]) {
    const left = a.childForFieldName('left');
    const root = left ? accessRoot(left)?.text ?? null : null;
    if (root && (root === item.receiver || !item.locals.has(root)) && a.childForFieldName('left')?.type !== 'identifier') return true;
  }
  for (const call of statement.descendantsOfType('call')) {
    const callee = call.childForFieldName('function');
    if (!callee || REPORTING.test(callee.text)) continue;
    const owner = callee.type === 'attribute' ? accessRoot(callee)?.text ?? null : null;
    if (owner && owner !== item.receiver && item.locals.has(owner)) continue;
    const args = call.childForFieldName('arguments');
    if (args && args.descendantsOfType('identifier').some((id) => item.names.has(id.text))) return true;
  }
  return false;
}

function inFinally(node: Node): boolean {
  for (let n = node.parent; n && n.type !== 'function_definition'; n = n.parent) if (n.type === 'finally_clause') return true;
  return false;
}

/** The names the taken item is bound to (`message = q.get()`, `span = yield q.get()`, `batch = [q.get()]`). */
function boundTo(get: Node): string[] {
  for (let n = get.parent; n && n.type !== 'block'; n = n.parent) {
    if (n.type === 'assignment') return boundNames(n.childForFieldName('left'));
  }
  return [];
}
