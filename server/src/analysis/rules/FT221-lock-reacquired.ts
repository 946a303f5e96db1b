// FT221 — a non-reentrant lock taken again by a method called while it is held (the thread waits for
// itself), or a read-write lock's write side taken while the read side is held. Docs: docs/rules/FT221.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { heldForReading, nonReentrant, reacquires, resolvedDirectly } from '../model/reacquire';
import { snippet } from '../model/syntax';
import { textHas } from './hazards';

const GATE = /\bLock\(|allocate_lock\(|acquire_(?:read|shared)\(/;

export const FT221: Rule = {
  code: 'FT221',
  name: 'lock-reacquired',
  summary: 'A method called while a non-reentrant lock is held takes that lock again (the thread deadlocks on itself)',
  precision: 'high',
  visit: {
    call(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE)) return;
      const callee = node.childForFieldName('function');
      const scope = model.scopeOf(node);
      if (!callee || !scope) return;
      const selfCall = callee.type === 'attribute' && callee.childForFieldName('object')?.text === scope.receiver && !!scope.receiver;
      if (!selfCall && callee.type !== 'identifier') return;
      // The function's own acquisitions: a caller's lock is reported at that caller's call.
      const held = model.locallyHeldLocks(node);
      if (held.length === 0 || model.isDeadCode(node)) return;
      for (const lock of new Set(held)) {
        const readSide = heldForReading(node, lock, scope, model);
        if (!readSide && !nonReentrant(lock, scope, model)) continue;
        const again = reacquires(callee, node, scope, lock, model, 0, new Set());
        if (!again || (readSide && !again.write)) continue;
        const where = `\`${nameOf(again.fn)}\` takes it again (line ${again.node.startPosition.row + 1}: \`${snippet(again.node, 40)}\`)`;
        ctx.report(node, {
          severity: 'error',
          confidence: again.fn === resolvedDirectly(callee, node, scope, model) ? 'high' : 'medium',
          message: readSide
            ? `\`${snippet(node, 40)}\` is called holding the read side of \`${lock}\`, and ${where} for writing: a thread cannot upgrade its own read lock — ` +
              `read-write locks deadlock (or refuse) here, and two readers upgrading at once wait for each other for ever. ` +
              `Take the write side from the start, or release the read side first and check the state again under the write side.`
            : `\`${snippet(node, 40)}\` is called holding \`${lock}\`, a \`threading.Lock\` (not re-entrant), and ${where}: the thread waits for itself — a deadlock every time this path runs. ` +
              `Release the lock before the call, call a variant that expects the lock held, or make it a \`threading.RLock\`.`,
        });
        return;
      }
    },
  },
};

function nameOf(fn: Node): string {
  return fn.childForFieldName('name')?.text ?? 'the callee';
}
