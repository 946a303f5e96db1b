// FT101 — `x += 1` on shared state with no lock held. Docs: docs/rules/FT101.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { sharedTarget } from '../model/sharing';
import { snippet } from '../model/syntax';
import { builtContainerKind, type FunctionScope } from '../model/scopes';
import type { ModuleModel } from '../model/module';
import { raceVerdict } from './common';
import { guardFix } from '../fixes/guard';
import { threadLocalFix } from '../fixes/threadLocal';
import { optional } from './common';

/**
 * `self.items += [x]` (or `+= list(…)`), `self.seen |= {k}`: only a list takes `+= [...]` (a tuple or a
 * number raises) and a set or dict `|= {...}`, and those extend the object in place in one atomic call, then store the same
 * object back — no update is lost. (`+= (x,)` builds a new tuple: a real read-modify-write.)
 */
function extendsInPlace(node: Node, scope: FunctionScope, model: ModuleModel): boolean {
  const op = node.children.find((c) => c?.type.endsWith('='))?.type ?? '';
  const kind = builtContainerKind(node.childForFieldName('right'));
  if (op === '+=' && kind === 'list') return true;
  if (op === '|=' && (kind === 'set' || kind === 'dict')) return true;
  // `self._all_keys |= child.keys()` where the class only ever sets `_all_keys` to a set: a set's
  // in-place operators (a list's `+=`, a dict's `|=`) change the object and store the same one back;
  // so do those of a class deriving from one, or whose `__iadd__` returns `self` (model/inPlace.ts).
  const target = node.childForFieldName('left');
  const cls = model.classInfo(scope.classNode);
  if (!cls || !scope.receiver || target?.type !== 'attribute' || target.childForFieldName('object')?.text !== scope.receiver) return false;
  return model.fieldInPlaceOperators(cls, target.childForFieldName('attribute')?.text ?? '').has(op);
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
      if (!target || extendsInPlace(node, scope, ctx.model)) return;
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
          `\`${snippet(node)}\` updates ${shared.description} ${verdict.unlocked}. ` +
          `\`${op}\` reads, computes and writes back in separate steps, so threads running it at the same time ` +
          `on free-threaded Python overwrite each other's updates.${verdict.where} Guard it with a lock, or keep the state per thread.`,
      });
    },
  },
};
