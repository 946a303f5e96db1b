// FT107 — iterating a module-level container that thread code changes. Docs: docs/rules/FT107.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import { isMutableContainer } from '../model/scopes';
import { namedChildren, snippet } from '../model/syntax';
import { mutationOf } from './common';

const SNAPSHOTS = new Set(['list', 'tuple', 'sorted', 'set', 'frozenset', 'dict', 'len', 'sum', 'any', 'all', 'min', 'max']);
const VIEWS = new Set(['items', 'keys', 'values']);

const cache = new WeakMap<ModuleModel, Map<string, Node>>();

/** Module-level containers changed by thread-reachable code → the first place that changes each. */
function threadMutatedContainers(model: ModuleModel): Map<string, Node> {
  let found = cache.get(model);
  if (found) return found;
  found = new Map();
  for (const scope of model.allScopes()) {
    if (!model.threads.entryFor(scope)) continue;
    for (const n of model.ownNodes(scope)) {
      const m = mutationOf(n);
      if (!m || m.container.type !== 'identifier' || found!.has(m.container.text)) continue;
      const binding = model.bindings.get(m.container.text);
      const { kind } = model.resolve(m.container.text, scope);
      if ((kind === 'module' || kind === 'global') && binding?.kind === 'value' && isMutableContainer(binding.node)) found!.set(m.container.text, n);
    }
  }
  cache.set(model, found);
  return found;
}

/** `d`, `d.items()`, `d.keys()` → d; a snapshot (`list(d)`, `d.copy()`) → null. */
function iteratedContainer(iterable: Node): Node | null {
  if (iterable.type === 'identifier') return iterable;
  if (iterable.type !== 'call') return null;
  const fn = iterable.childForFieldName('function');
  if (fn?.type === 'identifier' && SNAPSHOTS.has(fn.text)) return null;
  if (fn?.type === 'attribute' && VIEWS.has(fn.childForFieldName('attribute')?.text ?? '') && namedChildren(iterable.childForFieldName('arguments')!).length === 0) {
    const object = fn.childForFieldName('object');
    return object?.type === 'identifier' ? object : null;
  }
  return null;
}

function check(node: Node, ctx: RuleContext) {
  const iterable = node.childForFieldName('right');
  const container = iterable ? iteratedContainer(iterable) : null;
  if (!container) return;
  const scope = ctx.model.scopeOf(node);
  if (!scope) return;
  const { kind } = ctx.model.resolve(container.text, scope);
  if (kind !== 'module' && kind !== 'global') return;
  const site = threadMutatedContainers(ctx.model).get(container.text);
  if (!site || ctx.model.heldLocks(node).length > 0) return;
  ctx.report(iterable!, {
    severity: 'warning',
    fix: {
      message: `Iterate over a snapshot: \`list(${snippet(iterable!, 30)})\``,
      // The loop no longer sees changes made while it runs, and the copy is taken without the writers' lock.
      applicability: 'unsafe',
      edits: [{ start: iterable!.startIndex, end: iterable!.endIndex, newText: `list(${iterable!.text})` }],
    },
    message:
      `Iterating \`${snippet(iterable!, 40)}\` while thread code changes \`${container.text}\` (\`${snippet(site, 40)}\`, line ${site.startPosition.row + 1}): ` +
      `a dict or set raises "changed size during iteration", a list skips or repeats items, and on free-threaded Python the change really runs at the same time. ` +
      `Iterate over a snapshot taken under the lock that guards the changes (\`with lock: items = list(${container.text}.items())\`), or hand data over through a queue.Queue.`,
  });
}

export const FT107: Rule = {
  code: 'FT107',
  name: 'iteration-over-mutated-container',
  summary: 'A module-level container is iterated while thread code changes it',
  precision: 'medium',
  visit: {
    for_statement: check,
    for_in_clause: check,
  },
};
