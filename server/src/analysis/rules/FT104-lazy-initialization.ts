// FT104 — `if _inst is None: _inst = X()` on shared state without a lock, and double-checked
// locking that forgets the second check. Docs: docs/rules/FT104.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { sharedTarget } from '../model/sharing';
import type { ModuleModel } from '../model/module';
import { namedChildren, snippet } from '../model/syntax';
import { raceVerdict, sameExpression } from './common';
import { guardFix } from '../fixes/guard';

/** The variable a "not initialised yet" test looks at: `x is None`, `x == None`, `not x`. */
export function uninitialisedSubject(condition: Node): Node | null {
  if (condition.type === 'parenthesized_expression') {
    const inner = namedChildren(condition)[0];
    return inner ? uninitialisedSubject(inner) : null;
  }
  if (condition.type === 'not_operator') {
    const arg = condition.childForFieldName('argument');
    return arg && (arg.type === 'identifier' || arg.type === 'attribute') ? arg : null;
  }
  if (condition.type === 'comparison_operator') {
    const ops = condition.children.filter((c) => c && !c.isNamed).map((c) => c!.type);
    const [left, right] = namedChildren(condition);
    if ((ops[0] === 'is' || ops[0] === '==') && right?.type === 'none' && (left?.type === 'identifier' || left?.type === 'attribute')) return left;
  }
  return null;
}

/** The assignment to `subject` in the if's body, if any (not looking into nested functions). */
function initialisation(ifNode: Node, subject: Node, model: ModuleModel): Node | null {
  const body = ifNode.childForFieldName('consequence');
  if (!body) return null;
  return model.nodesWithin(body, ASSIGNMENT).find((n) => sameExpression(n.childForFieldName('left'), subject)) ?? null;
}

const ASSIGNMENT: ReadonlySet<string> = new Set(['assignment']);

/** Is there a re-check of the same condition between the assignment and the outer if (inside the lock)? */
function rechecked(assignment: Node, outer: Node): boolean {
  const condition = outer.childForFieldName('condition');
  for (let n = assignment.parent; n && n.id !== outer.id; n = n.parent) {
    if (n.type === 'if_statement' && sameExpression(n.childForFieldName('condition'), condition)) return true;
  }
  return false;
}

export const FT104: Rule = {
  code: 'FT104',
  name: 'lazy-initialization',
  summary: 'Lazy initialisation of shared state (`if x is None: x = …`) without a lock, or double-checked locking without the second check',
  precision: 'medium',
  visit: {
    if_statement(node: Node, ctx: RuleContext) {
      const scope = ctx.model.scopeOf(node);
      const condition = node.childForFieldName('condition');
      const subject = condition ? uninitialisedSubject(condition) : null;
      if (!scope || !subject) return;
      const assignment = initialisation(node, subject, ctx.model);
      if (!assignment) return;
      const shared = sharedTarget(subject, scope, ctx.model);
      if (!shared) return;
      const verdict = raceVerdict(node, scope, shared, ctx);
      if (!verdict) return;
      const name = snippet(subject, 40);
      if (ctx.model.heldLocks(assignment).length === 0) {
        ctx.report(condition!, {
          severity: verdict.severity,
          confidence: verdict.confidence,
          fix: guardFix(ctx, node, scope, shared),
          message:
            `Lazy initialisation of ${shared.description} without a lock: on free-threaded Python two threads can both see \`${name}\` unset and both run \`${snippet(assignment, 40)}\`, ` +
            `creating two objects and handing different ones to different callers.${verdict.where} ` +
            `Initialise it at import time, or take a lock and check again inside it (double-checked locking).`,
        });
      } else if (!rechecked(assignment, node)) {
        ctx.report(condition!, {
          severity: verdict.severity,
          confidence: verdict.confidence,
          message:
            `Double-checked locking without the second check: \`${name}\` is tested outside the lock but not tested again inside it, so two threads that both passed the first test ` +
            `each initialise it in turn.${verdict.where} Repeat \`if ${snippet(condition!, 40)}:\` inside the \`with\` block.`,
        });
      }
    },
  },
};
