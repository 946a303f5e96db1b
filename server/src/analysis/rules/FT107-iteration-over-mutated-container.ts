// FT107 — iterating a shared container (module global, class attribute, field of a shared object)
// while other code changes it in place. Docs: docs/rules/FT107.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import { sharedState } from '../model/sharing';
import { namedChildren, snippet } from '../model/syntax';
import { mutationOf, raceVerdict } from './common';
import { sharedWrites } from './writes';

const SNAPSHOTS = new Set(['list', 'tuple', 'sorted', 'set', 'frozenset', 'dict', 'len', 'sum', 'any', 'all', 'min', 'max']);
const VIEWS = new Set(['items', 'keys', 'values']);

interface ChangeSite {
  node: Node;
  /** Runs on a thread (not only under assume-concurrent). */
  onThread: boolean;
  locked: boolean;
}

const cache = new WeakMap<ModuleModel, Map<string, ChangeSite[]>>();

/** Shared containers changed in place (not rebound) anywhere a thread may run → where. */
function changedContainers(model: ModuleModel): Map<string, ChangeSite[]> {
  let found = cache.get(model);
  if (found) return found;
  found = new Map();
  for (const w of sharedWrites(model)) {
    if (!mutationOf(w.node)) continue;
    const entry = model.threads.entryFor(w.scope);
    const list = found.get(w.shared.key) ?? [];
    list.push({ node: w.node, onThread: !!entry && !entry.assumed, locked: w.held.length > 0 });
    found.set(w.shared.key, list);
  }
  cache.set(model, found);
  return found;
}

/** `d`, `self.d`, `d.items()`, `next(iter(d))` → d; a snapshot (`list(d)`, `d.copy()`) → null. */
function iteratedContainer(iterable: Node): Node | null {
  if (iterable.type === 'identifier' || iterable.type === 'attribute') return iterable;
  if (iterable.type !== 'call') return null;
  const fn = iterable.childForFieldName('function');
  const args = namedChildren(iterable.childForFieldName('arguments')!);
  if (fn?.type === 'identifier' && SNAPSHOTS.has(fn.text)) return null;
  if (fn?.type === 'identifier' && fn.text === 'iter' && args.length === 1) return iteratedContainer(args[0]);
  if (fn?.type === 'attribute' && VIEWS.has(fn.childForFieldName('attribute')?.text ?? '') && args.length === 0) {
    const object = fn.childForFieldName('object');
    return object?.type === 'identifier' || object?.type === 'attribute' ? object : null;
  }
  return null;
}

function check(node: Node, iterable: Node | null, ctx: RuleContext) {
  const container = iterable ? iteratedContainer(iterable) : null;
  if (!container || !iterable) return;
  const scope = ctx.model.scopeOf(node);
  if (!scope) return;
  const shared = sharedState(container, scope, ctx.model, 'object');
  if (!shared || shared.kind === 'module-attribute') return;
  // Changes made inside the loop itself are a single-thread bug, not a race with another thread.
  const sites = (changedContainers(ctx.model).get(shared.key) ?? []).filter((s) => s.node.startIndex < node.startIndex || s.node.startIndex >= node.endIndex);
  if (sites.length === 0) return;
  const verdict = raceVerdict(node, scope, shared, ctx);
  if (!verdict) return;
  const site = sites.find((s) => s.onThread) ?? sites.find((s) => s.locked) ?? sites[0];
  // Without a thread in sight, report only containers whose other uses take a lock (the discipline this
  // read breaks) or when auditing a library.
  if (!verdict.where && !site.onThread && !site.locked && !ctx.options.assumeConcurrent && shared.kind !== 'shared-instance') return;
  const confidence = site.onThread || site.locked ? (verdict.confidence === 'low' ? 'medium' : verdict.confidence) : verdict.confidence;
  ctx.report(iterable, {
    severity: verdict.severity === 'error' ? 'warning' : verdict.severity,
    confidence,
    fix: {
      message: `Iterate over a snapshot: \`list(${snippet(iterable, 30)})\``,
      // The loop no longer sees changes made while it runs, and the copy is taken without the writers' lock.
      applicability: 'unsafe',
      edits: [{ start: iterable.startIndex, end: iterable.endIndex, newText: `list(${iterable.text})` }],
    },
    message:
      `Iterating \`${snippet(iterable, 40)}\` while other code changes ${shared.description} (\`${snippet(site.node, 40)}\`, line ${site.node.startPosition.row + 1}${site.locked ? ', under a lock this loop does not hold' : ''}): ` +
      `a dict or set raises "changed size during iteration", a list skips or repeats items, and on free-threaded Python the change really runs at the same time.${verdict.where} ` +
      `Take a snapshot under the lock that guards the changes (\`with lock: items = list(${snippet(container, 30)})\`), or hand data over through a queue.Queue.`,
  });
}

export const FT107: Rule = {
  code: 'FT107',
  name: 'iteration-over-mutated-container',
  summary: 'A shared container is iterated while other code changes it',
  precision: 'medium',
  visit: {
    for_statement: (node, ctx) => check(node, node.childForFieldName('right'), ctx),
    for_in_clause: (node, ctx) => check(node, node.childForFieldName('right'), ctx),
    call(node, ctx) {
      // `next(iter(d))`: reading the "first" key while another thread changes the dict.
      const fn = node.childForFieldName('function');
      if (fn?.type !== 'identifier' || fn.text !== 'next') return;
      const arg = namedChildren(node.childForFieldName('arguments')!)[0];
      if (arg?.type === 'call' && arg.childForFieldName('function')?.text === 'iter') check(node, arg, ctx);
    },
  },
};
