// FT213 — one `itertools.count()` shared as an ID generator and advanced in thread loops: a contention
// hot spot. Docs: docs/rules/FT213.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import { namedChildren, positionalArguments, snippet } from '../model/syntax';
import { calleeName, enclosingLoop, isTestCode, runsOnThreads, textHas, threadCode } from './hazards';

const GATE = /\bcount\(/;

/** Is this value `itertools.count(…)` (through aliases)? */
function isCounter(value: Node | null | undefined, model: ModuleModel): boolean {
  return value?.type === 'call' && calleeName(value, model) === 'itertools.count';
}

/** Describes the shared counter `next()` advances, or null when it is not one: `_ids`, `Cls.ids`, `self._ids`. */
function sharedCounter(arg: Node, model: ModuleModel, node: Node): string | null {
  const scope = model.scopeOf(node);
  if (arg.type === 'identifier') {
    const { kind } = model.resolve(arg.text, scope);
    const binding = model.bindings.get(arg.text);
    return (kind === 'module' || kind === 'global') && binding?.kind === 'value' && isCounter(binding.node, model) ? `module-level \`${arg.text}\`` : null;
  }
  if (arg.type !== 'attribute' || !scope?.classNode) return null;
  const object = arg.childForFieldName('object')?.text;
  const attr = arg.childForFieldName('attribute')?.text ?? '';
  const cls = model.classInfo(scope.classNode);
  if (!cls || (object !== scope.receiver && object !== cls.name)) return null;
  // A class attribute, or an attribute of a shared instance set to a counter in one of its methods.
  const body = cls.node.childForFieldName('body');
  const classLevel = body && namedChildren(body).some((s) => {
    const e = s.type === 'expression_statement' ? namedChildren(s)[0] : null;
    return e?.type === 'assignment' && e.childForFieldName('left')?.text === attr && isCounter(e.childForFieldName('right'), model);
  });
  if (classLevel) return `class attribute \`${cls.name}.${attr}\``;
  if (object !== scope.receiver || !model.whyInstancesShared(cls)) return null;
  for (const method of cls.methods.values()) {
    const s = model.allScopes().find((x) => x.node.id === method.id);
    if (!s) continue;
    for (const n of model.ownNodes(s)) {
      if (n.type === 'assignment' && n.childForFieldName('left')?.text === `${s.receiver}.${attr}` && isCounter(n.childForFieldName('right'), model)) {
        return `\`${scope.receiver}.${attr}\` of the shared \`${cls.name}\``;
      }
    }
  }
  return null;
}

export const FT213: Rule = {
  code: 'FT213',
  name: 'shared-counter-iterator',
  summary: 'One `itertools.count()` advanced with `next()` in thread loops (a contention hot spot)',
  precision: 'medium',
  visit: {
    call(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE) || node.childForFieldName('function')?.text !== 'next') return;
      const arg = positionalArguments(node)[0];
      const counter = arg ? sharedCounter(arg, model, node) : null;
      if (!counter) return;
      const where = threadCode(node, model);
      if (!where || isTestCode(where.scope) || !enclosingLoop(node, where.scope.node)) return;
      ctx.report(node, {
        severity: 'info',
        message:
          `\`${snippet(node, 40)}\` takes the next ID from ${counter} in a loop in thread code (${runsOnThreads(where.scope, where.entry)}). ` +
          `\`next()\` on an \`itertools.count\` is atomic on free-threaded CPython, so no ID is lost or repeated, but every thread now contends for the one counter on every iteration and the loop stops scaling with threads. ` +
          `Take IDs in blocks, or give each thread its own counter (\`itertools.count(start=thread_index, step=n_threads)\`).`,
      });
    },
  },
};
