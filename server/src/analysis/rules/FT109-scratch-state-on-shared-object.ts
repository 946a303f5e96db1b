// FT109 — per-call scratch values stored on a shared object (`self.start = time.time()` … read back
// later in the same call). Docs: docs/rules/FT109.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { snippet, walkScope } from '../model/syntax';

const CONSTRUCTION = new Set(['__init__', '__new__', '__post_init__', '__enter__', 'setUp']);

export const FT109: Rule = {
  code: 'FT109',
  name: 'scratch-state-on-shared-object',
  summary: 'A method keeps per-call values on `self` of an object that several threads use',
  precision: 'medium',
  visit: {
    function_definition(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      const body = node.childForFieldName('body');
      const scope = body ? model.scopeOf(body) : null;
      if (!scope?.receiver || scope.isClassMethod || CONSTRUCTION.has(scope.name) || !body) return;
      const cls = model.classInfo(scope.classNode);
      const why = cls ? model.whyInstancesShared(cls) : null;
      if (!cls || !why) return;
      const writes = new Map<string, Node>();
      const reported = new Set<string>();
      walkScope(body, (n) => {
        // Only unconditional writes directly in the method body: a write under `if` is state (lazy init,
        // a flag), not a per-call scratch value.
        if (n.type === 'assignment' && n.parent?.parent?.id === body.id) {
          const left = n.childForFieldName('left');
          if (left?.type === 'attribute' && left.childForFieldName('object')?.text === scope.receiver) {
            const attr = left.childForFieldName('attribute')!.text;
            if (!cls.lockAttributes.has(attr) && !writes.has(attr) && model.heldLocks(n).length === 0) writes.set(attr, n);
          }
        } else if (n.type === 'attribute' && n.childForFieldName('object')?.text === scope.receiver) {
          const attr = n.childForFieldName('attribute')!.text;
          const write = writes.get(attr);
          const isWriteTarget = n.parent?.type === 'assignment' && n.parent.childForFieldName('left')?.id === n.id;
          if (!write || isWriteTarget || reported.has(attr) || n.startIndex < write.endIndex) return;
          reported.add(attr);
          ctx.report(write, {
            severity: 'warning',
            message:
              `\`${snippet(write, 50)}\` keeps a per-call value on \`${scope.receiver}\`, and \`${scope.name}\` reads it back at line ${n.startPosition.row + 1}; ` +
              `but \`${cls.name}\` objects are shared (${why}). When two threads run \`${scope.name}\` on the same object, the second overwrites the first's value ` +
              `before it is read back. Keep it in a local variable (or in \`threading.local()\`).`,
          });
        }
      });
    },
  },
};
