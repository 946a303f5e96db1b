// FT105 — state written under a lock in one place and without it in another. Docs: docs/rules/FT105.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { snippet } from '../model/syntax';
import { mutationOf, raceVerdict, runsAlone } from './common';
import { guardFix } from '../fixes/guard';
import { readsTarget, splitRead } from './FT102-read-modify-write';
import { isLazyInitialisation } from './FT104-lazy-initialization';
import { sharedWrites, type SharedWrite } from './writes';
import { insideCheckThenAct } from './FT103-check-then-act';

/** Writes that FT101/FT102/FT103 already report with their own, more specific message. */
function reportedElsewhere(node: Node, ctx: RuleContext): boolean {
  if (node.type === 'augmented_assignment') return true;
  const m = mutationOf(node);
  if (m && insideCheckThenAct(node, m.container, ctx.model)) return true;
  const left = node.type === 'assignment' ? node.childForFieldName('left') : null;
  const right = node.type === 'assignment' ? node.childForFieldName('right') : null;
  if (left && right && (readsTarget(right, left) || splitRead(node, ctx.model))) return true;
  return !!left && isLazyInitialisation(node, left.text.replace(/\s+/g, ''));
}

/**
 * `self.f = v` (or one atomic change of a container, `self.f.append(x)`) without the lock, where every
 * locked access of `f` is such a blind write too: they land in some order with the lock or without
 * it, and nothing under the lock reads what the unlocked write could change.
 */
function blindOverBlind(w: SharedWrite, ctx: RuleContext): boolean {
  if (w.shared.kind !== 'shared-instance') return false;
  // `self.f = v`, or one atomic change of the container in `self.f` (`self.f.add(x)`, `self.f[k] = v`).
  const m = mutationOf(w.node);
  const target = m && m.kind !== 'item-augmented' ? m.container : w.node.type === 'assignment' ? w.node.childForFieldName('left') : null;
  const field = target?.type === 'attribute' && target.childForFieldName('object')?.text === w.scope.receiver ? target.childForFieldName('attribute')?.text : undefined;
  const cls = ctx.model.classInfo(w.scope.classNode);
  return !!field && !!cls && !ctx.model.readsUnderLock(cls, field);
}

export const FT105: Rule = {
  code: 'FT105',
  name: 'inconsistent-locking',
  summary: 'Shared state written under a lock in one place and without it in another',
  precision: 'medium',
  visit: {
    module(_node: Node, ctx: RuleContext) {
      // No `with` block and no acquire(): nothing is ever written under a lock.
      if (ctx.model.index.all('with_statement').length === 0 && !ctx.text.includes('.acquire(')) return;
      const byKey = new Map<string, SharedWrite[]>();
      for (const w of sharedWrites(ctx.model)) {
        if (ctx.model.guardedBy.has(w.shared.key)) continue; // FT110 owns declared state
        const list = byKey.get(w.shared.key) ?? [];
        list.push(w);
        byKey.set(w.shared.key, list);
      }
      for (const writes of byKey.values()) {
        const locked = writes.find((w) => w.held.length > 0);
        if (!locked) continue;
        // Eraser's reading: a field locked almost everywhere is racy at the few places that skip the lock;
        // an object's field written unlocked far more often than locked is not guarded by that lock at
        // all (the lock covers some other hand-off; the field belongs to one thread or to the caller).
        const unlocked = writes.filter((w) => w.held.length === 0 && !runsAlone(w.node, w.scope, ctx));
        if (locked.shared.kind === 'shared-instance' && unlocked.length > 2 * (writes.length - unlocked.length)) continue;
        for (const w of writes) {
          if (w.held.length > 0 || reportedElsewhere(w.node, ctx) || runsAlone(w.node, w.scope, ctx) || blindOverBlind(w, ctx)) continue;
          const verdict = raceVerdict(w.node, w.scope, w.shared, ctx);
          ctx.report(w.node, {
            severity: verdict?.severity ?? 'warning',
            confidence: verdict?.confidence ?? 'medium',
            fix: guardFix(ctx, w.node, w.scope, w.shared),
            message:
              `\`${snippet(w.node)}\` writes ${w.shared.description} without a lock, but line ${locked.node.startPosition.row + 1} writes it holding \`${locked.held[0]}\`. ` +
              `The lock only protects the state if every write takes it: on free-threaded Python this write can interleave with the locked ones.` +
              `${verdict?.where ?? ''} Take \`${locked.held[0]}\` here too.`,
          });
        }
      }
    },
  },
};
