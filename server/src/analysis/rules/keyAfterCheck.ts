// FT111's second form: a key found in a shared dict (`if k in self._d:`) and then read by index
// (`self._d[k]`) while another thread removes keys from it (`del self._d[k]`, `pop`, `clear`, a new
// dict): the removal can land between the test and the read, which then raises KeyError.
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { RuleContext } from '../types';
import { caughtAround, namedChildren, snippet } from '../model/syntax';
import { MISSING_ENTRY } from '../model/mutations';
import { runsAlone } from './common';
import { clearReport, concurrentClear, ruledOutRegion, stateOf, type Clear } from './clears';

export interface KeyTest {
  key: Node;
  container: Node;
  /** The key is present where the condition is true (`in`), or where it is false (`not in`). */
  presentWhenTrue: boolean;
}

/** `k in d`, `k not in d`, also joined as FT111's None tests are (`and` of `in`s, `or` of `not in`s). */
export function keyTests(condition: Node): KeyTest[] {
  if (condition.type === 'parenthesized_expression') {
    const inner = namedChildren(condition)[0];
    return inner ? keyTests(inner) : [];
  }
  if (condition.type === 'not_operator') {
    const arg = condition.childForFieldName('argument');
    return arg ? keyTests(arg).map((t) => ({ ...t, presentWhenTrue: !t.presentWhenTrue })) : [];
  }
  if (condition.type === 'boolean_operator') {
    const op = condition.children.find((c) => !c.isNamed)?.type;
    const parts = [condition.childForFieldName('left'), condition.childForFieldName('right')].flatMap((c) => (c ? keyTests(c) : []));
    return parts.filter((t) => t.presentWhenTrue === (op === 'and'));
  }
  if (condition.type !== 'comparison_operator') return [];
  const operands = namedChildren(condition);
  const op = condition.children.filter((c) => !c.isNamed).map((c) => c.text).join(' ');
  if (operands.length !== 2 || (op !== 'in' && op !== 'not in')) return [];
  return [{ key: operands[0], container: operands[1], presentWhenTrue: op === 'in' }];
}

const removalsCache = new WeakMap<ModuleModel, Map<string, Clear[]>>();

/** Removals of keys from a receiver field or global: `del d[k]`, `d.pop(…)`, `d.popitem()`, `d.clear()`, a rebinding. */
function removalsOf(model: ModuleModel): Map<string, Clear[]> {
  let map = removalsCache.get(model);
  if (map) return map;
  map = new Map();
  for (const scope of model.allScopes()) {
    for (const n of model.ownNodes(scope)) {
      let target: Node | null | undefined = null;
      if (n.type === 'delete_statement') target = namedChildren(n).find((t) => t.type === 'subscript')?.childForFieldName('value');
      else if (n.type === 'call') {
        const fn = n.childForFieldName('function');
        if (fn?.type === 'attribute' && REMOVING.has(fn.childForFieldName('attribute')?.text ?? '')) target = fn.childForFieldName('object');
      } else if (n.type === 'assignment') target = n.childForFieldName('left');
      if (!target || (target.type === 'identifier' && !scope.globals.has(target.text))) continue;
      const state = stateOf(target, scope, model);
      if (!state) continue;
      const list = map.get(state.key);
      if (list) list.push({ node: n, scope });
      else map.set(state.key, [{ node: n, scope }]);
    }
  }
  removalsCache.set(model, map);
  return map;
}

const REMOVING = new Set(['pop', 'popitem', 'clear']);

/** The first `container[key]` read among `statements`, before the key or the container is bound again. */
function firstKeyRead(statements: Node[], test: KeyTest, scope: FunctionScope, model: ModuleModel): Node | null {
  const container = test.container.text;
  const key = test.key.text;
  for (const stmt of statements) {
    for (const n of [stmt, ...stmt.descendantsOfType(['subscript', 'assignment', 'augmented_assignment', 'delete_statement'])]) {
      if (model.scopeOf(n) !== scope) continue;
      if (n.type === 'assignment' || n.type === 'augmented_assignment') {
        const left = n.childForFieldName('left')?.text;
        if (left === container || left === key) return null;
        continue;
      }
      if (n.type === 'delete_statement') continue;
      if (n.type !== 'subscript' || n.childForFieldName('value')?.text !== container || n.childForFieldName('subscript')?.text !== key) continue;
      // `d[k] = v` stores; `del d[k]` removes; both need no key present.
      const parent = n.parent;
      if ((parent?.type === 'assignment' && parent.childForFieldName('left')?.id === n.id) || parent?.type === 'delete_statement') continue;
      return n;
    }
  }
  return null;
}

export function checkKeyRead(node: Node, condition: Node, test: KeyTest, scope: FunctionScope, ctx: RuleContext): void {
  const { model } = ctx;
  const state = stateOf(test.container, scope, model);
  const removals = state ? removalsOf(model).get(state.key) : undefined;
  if (!removals) return;
  const read = firstKeyRead(ruledOutRegion(node, test.presentWhenTrue), test, scope, model);
  // A read in a `try` whose handler catches the KeyError: the author expects the removal.
  if (!read || model.isDeadCode(read) || runsAlone(read, scope, ctx) || caughtAround(read, MISSING_ENTRY)) return;
  const removal = concurrentClear(removals, node, scope, ctx, state?.owner);
  if (!removal) return;
  const { severity, confidence, threads } = clearReport(removal, scope, model);
  const container = test.container.text;
  // `self._d = {}` removes no key: it puts another object in the field, which the read then looks in.
  const replaces = removal.node.type === 'assignment';
  const what = replaces ? `replaces \`${container}\` with another object` : `removes keys from \`${container}\``;
  ctx.report(read, {
    severity,
    confidence,
    message:
      `\`${snippet(read, 40)}\` reads the key again after \`if ${snippet(condition, 40)}\` (line ${condition.startPosition.row + 1}) found it, ` +
      `but \`${removal.scope.name}\` ${what} (\`${snippet(removal.node, 40)}\`, line ${removal.node.startPosition.row + 1}) ${threads}` +
      `. The test and the read are two steps: on free-threaded Python the ${replaces ? 'replacement' : 'removal'} can land between them, ` +
      `and the read raises KeyError${replaces ? ' when the new object lacks the key' : ''}. Read it once with \`${container}.get(${snippet(test.key, 20)})\` and test that, or hold one lock over the test, the read and the removal.`,
  });
}
