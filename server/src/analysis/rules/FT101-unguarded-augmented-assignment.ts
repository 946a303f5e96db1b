// FT101 — `x += 1` on shared state with no lock held. Docs: docs/rules/FT101.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { sharedTarget } from '../model/sharing';
import { snippet } from '../model/syntax';
import { builtContainerKind } from '../model/scopes';
import { raceVerdict } from './common';
import { guardFix } from '../fixes/guard';
import { threadLocalFix } from '../fixes/threadLocal';
import { optional } from './common';

/**
 * `self.items += [x]` (or `+= list(…)`), `self.seen |= {k}`: only a list takes `+= [...]` (a tuple or a
 * number raises) and a set or dict `|= {...}`, and those extend the object in place in one atomic call, then store the same
 * object back — no update is lost. (`+= (x,)` builds a new tuple: a real read-modify-write.)
 */
function extendsInPlace(node: Node): boolean {
  const op = node.children.find((c) => c?.type.endsWith('='))?.type;
  const kind = builtContainerKind(node.childForFieldName('right'));
  if (op === '+=') return kind === 'list';
  if (op === '|=') return kind === 'set' || kind === 'dict';
  return false;
}

export const FT101: Rule = {
  code: 'FT101',
  name: 'unguarded-augmented-assignment',
  summary: 'Augmented assignment (`+=`, `-=`, …) on shared state without a lock',
  precision: 'high',
  visit: {
    augmented_assignment(node: Node, ctx: RuleContext) {
      const scope = ctx.model.scopeOf(node);
      // Module and class bodies run once, at import, on the importing thread.
      if (!scope) return;
      const target = node.childForFieldName('left');
      if (!target || extendsInPlace(node)) return;
      const shared = sharedTarget(target, scope, ctx.model);
      if (!shared) return;
      const verdict = raceVerdict(node, scope, shared, ctx);
      if (!verdict) return;
      const op = node.children.find((c) => c?.type.endsWith('='))?.type ?? '+=';
      ctx.report(node, {
        severity: verdict.severity,
        confidence: verdict.confidence,
        fix: guardFix(ctx, node, scope, shared),
        alternatives: shared.kind === 'global' ? optional(threadLocalFix(ctx, shared.key)) : undefined,
        message:
          `\`${snippet(node)}\` updates ${shared.description} without holding a lock. ` +
          `\`${op}\` reads, computes and writes back in separate steps, so threads running it at the same time ` +
          `on free-threaded Python overwrite each other's updates.${verdict.where} Guard it with a lock, or keep the state per thread.`,
      });
    },
  },
};
