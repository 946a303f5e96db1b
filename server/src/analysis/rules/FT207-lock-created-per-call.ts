// FT207 — a lock that cannot exclude anyone: `with threading.Lock():`, or a lock created inside the
// function that uses it to guard shared state. Docs: docs/rules/FT207.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { withItems } from '../model/locks';
import { snippet } from '../model/syntax';
import { runsOnThreads, textHas, threadCode } from './hazards';

const GATE = /Lock|Semaphore|Condition|allocate/;
import { sharedWritesIn } from './writes';
import { hoistLockFix } from '../fixes/hoistLock';
import { usedOnlyAsLock } from './perCallLock';

export const FT207: Rule = {
  code: 'FT207',
  name: 'lock-created-per-call',
  summary: 'A lock made fresh for each use (`with threading.Lock():`, or a local lock guarding shared state) excludes nobody',
  precision: 'high',
  visit: {
    with_statement(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!ctx.options.lockTypes?.length && !textHas(model, ctx.text, GATE)) return;
      const where = threadCode(node, model);
      for (const item of withItems(node)) {
        if (item.type !== 'call' || !model.isLockConstruction(item)) continue;
        const scope = model.scopeOf(node);
        const body = node.childForFieldName('body');
        const guarded = scope && body ? sharedWritesIn(scope, model).filter((w) => w.node.startIndex >= body.startIndex && w.node.endIndex <= body.endIndex) : [];
        ctx.report(item, {
          severity: where ? 'error' : 'warning',
          fix: scope && body ? hoistLockFix(ctx, item, scope, node, guarded) : undefined,
          message:
            `\`with ${snippet(item, 40)}:\` makes a new lock every time it runs, so no two threads ever hold the same lock and the block is not protected at all` +
            `${where ? ` (${runsOnThreads(where.scope, where.entry)})` : ''}. ` +
            `Create the lock once, next to the state it guards (module level, or \`self._lock\` in \`__init__\`), and use that one object everywhere.`,
        });
      }
    },
    assignment(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!ctx.options.lockTypes?.length && !textHas(model, ctx.text, GATE)) return;
      const left = node.childForFieldName('left');
      if (left?.type !== 'identifier' || !model.isLockConstruction(node.childForFieldName('right'))) return;
      const scope = model.scopeOf(node);
      if (!scope || !scope.locals.has(left.text)) return;
      const name = left.text;
      // The lock must stay private to this call: used only as `with name:` / name.acquire() / name.release().
      const body = scope.node.childForFieldName('body');
      if (!body) return;
      if (!usedOnlyAsLock(name, body.text)) return;
      const guarded = sharedWritesIn(scope, model).filter((w) => w.held.includes(name));
      if (guarded.length === 0) return;
      const states = [...new Set(guarded.map((w) => w.shared.description))];
      const where = threadCode(node, model);
      ctx.report(node, {
        severity: where ? 'error' : 'warning',
        fix: hoistLockFix(ctx, node.childForFieldName('right')!, scope, body, guarded, name),
        message:
          `\`${name}\` is created on every call of \`${scope.name}\` and never leaves it, yet it guards ${states.slice(0, 3).join(', ')}${states.length > 3 ? ` and ${states.length - 3} more` : ''} (line ${guarded[0].node.startPosition.row + 1}). ` +
          `Each call — each thread — locks its own lock, so the update is not protected` +
          `${where ? ` (${runsOnThreads(where.scope, where.entry)})` : ''}. ` +
          `Create the lock once, next to the state it guards (module level, or \`self._lock\` in \`__init__\`).`,
      });
    },
  },
};
