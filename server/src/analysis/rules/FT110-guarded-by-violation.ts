// FT110 — access to state declared `# guarded-by: LOCK` without holding LOCK. Docs: docs/rules/FT110.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { walkScope } from '../model/syntax';
import { guardWithNamedLock } from '../fixes/guard';

const CONSTRUCTION = new Set(['__init__', '__new__', '__post_init__']);

/** Does a held lock expression (`self._lock`, `_lock`) denote the declared one? */
function sameLock(held: string, declared: string): boolean {
  const receiver = (s: string) => s.replace(/^cls\./, 'self.');
  return receiver(held) === receiver(declared);
}

export const FT110: Rule = {
  code: 'FT110',
  name: 'guarded-by-violation',
  summary: 'State declared `# guarded-by: LOCK` is read or written without holding LOCK',
  precision: 'high',
  visit: {
    module(_root: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (model.guardedBy.size === 0) return;
      for (const scope of model.allScopes()) {
        if (CONSTRUCTION.has(scope.name)) continue;
        const body = scope.node.childForFieldName('body');
        if (!body) continue;
        const cls = model.classInfo(scope.classNode);
        walkScope(body, (n) => {
          let key: string | null = null;
          const isKeywordName = n.parent?.type === 'keyword_argument' && n.parent.childForFieldName('name')?.id === n.id;
          if (n.type === 'identifier' && n.parent?.type !== 'attribute' && !isKeywordName) {
            const kind = model.resolve(n.text, scope).kind;
            if (kind === 'module' || kind === 'global') key = n.text;
          } else if (n.type === 'attribute' && cls && scope.receiver && n.childForFieldName('object')?.text === scope.receiver) {
            key = `${cls.name}.${n.childForFieldName('attribute')?.text}`;
          } else if (n.type === 'identifier' && n.parent?.type === 'attribute' && n.parent.childForFieldName('object')?.id === n.id) {
            const kind = model.resolve(n.text, scope).kind;
            if (kind === 'module' || kind === 'global') key = n.text;
          }
          const declared = key ? model.guardedBy.get(key) : undefined;
          if (!declared || n.parent?.type === 'global_statement') return;
          if (model.heldLocks(n).some((h) => sameLock(h, declared.lock))) return;
          ctx.report(n, {
            severity: 'error',
            fix: guardWithNamedLock(ctx.text, n, declared.lock),
            message:
              `\`${n.text}\` is declared \`# guarded-by: ${declared.lock}\` (line ${declared.node.startPosition.row + 1}) but is used here without holding \`${declared.lock}\`. ` +
              `On free-threaded Python an unguarded read can see a half-finished update and an unguarded write can be lost. Wrap this in \`with ${declared.lock}:\`.`,
          });
        });
      }
    },
  },
};
