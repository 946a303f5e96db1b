// FT211 — one module-level lock serialising unrelated pieces of state across many functions
// ("you rebuilt the GIL"). Docs: docs/rules/FT211.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { sharedWrites } from './writes';
import { withItems } from '../model/locks';
import { namedChildren } from '../model/syntax';

const MIN_FUNCTIONS = 3;
const MIN_GROUPS = 3;

/** Keys (of `candidates`) named in `fn`'s `with <lock>:` blocks: `flag` for a global, `…field` for `Cls.field`. */
function readUnderLock(fn: Node, lock: string, candidates: Iterable<string>, ctx: RuleContext): string[] {
  const scope = ctx.model.scopeOf(fn.childForFieldName('body') ?? fn);
  const blocks = (scope ? ctx.model.ownNodes(scope) : [])
    .filter((w) => w.type === 'with_statement')
    .filter((w) => ctx.model.heldLocks(namedChildren(w.childForFieldName('body')!)[0] ?? w).includes(lock))
    .map((w) => w.childForFieldName('body')?.text ?? '');
  if (blocks.length === 0) return [];
  const text = blocks.join('\n');
  return [...candidates].filter((k) => new RegExp(`(?<![\\w])${k.split('.').pop()!.replace(/[^\w]/g, '')}\\b`).test(text));
}

export const FT211: Rule = {
  code: 'FT211',
  name: 'global-lock-bottleneck',
  summary: 'One module-level lock guards unrelated pieces of state across many functions',
  precision: 'medium',
  visit: {
    module(_root: Node, ctx: RuleContext) {
      const { model } = ctx;
      const locks = [...model.bindings].filter(([, b]) => b.kind === 'value' && model.isLockConstruction(b.node));
      if (locks.length === 0) return;
      const writes = sharedWrites(model);
      for (const [name, binding] of locks) {
        // state keys written under this lock, per function
        const byFunction = new Map<Node, Set<string>>();
        const descriptions = new Map<string, string>();
        for (const w of writes) {
          if (!w.held.includes(name) || w.shared.key === name) continue;
          const set = byFunction.get(w.scope.node) ?? new Set<string>();
          set.add(w.shared.key);
          byFunction.set(w.scope.node, set);
          descriptions.set(w.shared.key, w.shared.description);
        }
        if (byFunction.size < MIN_FUNCTIONS || onlyOnFirstUse(name, ctx)) continue;
        // State written together in one function may share an invariant: union those into one group.
        const parent = new Map<string, string>();
        const find = (k: string): string => {
          while (parent.get(k) !== k) k = parent.get(k)!;
          return k;
        };
        for (const k of descriptions.keys()) parent.set(k, k);
        for (const [fn, written] of byFunction) {
          // State one locked block reads beside what it writes is related too: `if _forking:
          // _pending.add(t)` — a flag tested under the lock decides the update.
          const keys = new Set([...written, ...readUnderLock(fn, name, descriptions.keys(), ctx)]);
          const [first, ...rest] = [...keys];
          for (const k of rest) parent.set(find(k), find(first));
        }
        const groups = new Map<string, { keys: string[]; functions: Set<string> }>();
        for (const [fn, keys] of byFunction) {
          const root = find([...keys][0]);
          const g = groups.get(root) ?? { keys: [], functions: new Set<string>() };
          for (const k of keys) if (!g.keys.includes(k)) g.keys.push(k);
          g.functions.add(fn.childForFieldName('name')?.text ?? '?');
          groups.set(root, g);
        }
        if (groups.size < MIN_GROUPS) continue;
        const list = [...groups.values()].map((g) => `${g.keys.map((k) => `\`${k}\``).join(' + ')} (in ${[...g.functions].map((f) => `\`${f}\``).join(', ')})`);
        const assignment = binding.node!.parent ?? binding.node!;
        ctx.report(assignment, {
          severity: 'info',
          message:
            `\`${name}\` serialises ${groups.size} unrelated pieces of state across ${byFunction.size} functions: ${list.join('; ')}. ` +
            `No function updates two of them together, so they need not exclude each other, yet every thread touching any of them queues on this one lock. ` +
            `With the GIL that cost little; on free-threaded Python it is the "you rebuilt the GIL" pitfall. Give each piece of state its own lock.`,
        });
      }
    },
  },
};

/**
 * Is the lock taken only behind a test that the state is still unset (`if cls._cache is None: with
 * LOCK: cls._initialise()`)? Then threads queue on it only while the first uses initialise: once
 * everything is set up, nobody takes it.
 */
function onlyOnFirstUse(lock: string, { model }: RuleContext): boolean {
  if (model.text.includes(`${lock}.acquire(`)) return false;
  const uses = model.index.all('with_statement').map((e) => e.node).filter((w) => withItems(w).some((i) => i.text === lock));
  if (uses.length === 0) return false;
  return uses.every((w) => {
    for (let n = w.parent; n && n.type !== 'function_definition' && n.type !== 'module'; n = n.parent) {
      const condition = n.type === 'if_statement' ? n.childForFieldName('condition') : null;
      if (condition && /\bis\s+None\b|^not\s/.test(condition.text)) return true;
    }
    return false;
  });
}
