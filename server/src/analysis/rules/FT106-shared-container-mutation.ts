// FT106 — module-level dict/list/set/deque mutated from thread code without a lock.
// Docs: docs/rules/FT106.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { isMutableContainer } from '../model/scopes';
import type { ModuleModel } from '../model/module';
import { inExclusiveBranches, snippet } from '../model/syntax';
import { changesKnownContainer, isAtomicIdiom, mutationOf, raceVerdict, type Mutation } from './common';
import type { Fix } from '../types';
import type { FunctionScope } from '../model/scopes';
import { sharedState, type SharedState } from '../model/sharing';
import { guardFix } from '../fixes/guard';
import { readsTarget } from './FT102-read-modify-write';
import { writtenUnderLock } from './writes';
import { insideCheckThenAct } from './FT103-check-then-act';
import { changesOwnEntry } from '../model/perThreadKeys';

const KIND_NAMES: Array<[RegExp, string]> = [
  [/^\{\s*\}$|^dict|^\{.*:.*\}$|dictionary/, 'dict'],
  [/defaultdict/, 'defaultdict'],
  [/Counter/, 'Counter'],
  [/OrderedDict/, 'OrderedDict'],
  [/deque/, 'deque'],
  [/^\[|^list/, 'list'],
  [/^set|^\{/, 'set'],
];

function containerKind(value: Node): string {
  const text = value.type === 'dictionary' ? '{}' : value.text;
  return KIND_NAMES.find(([re]) => re.test(text))?.[1] ?? 'container';
}

/** Mutations that FT101/FT102/FT103 report with a more specific message. */
function reportedElsewhere(m: Mutation, model: ModuleModel): boolean {
  if (m.kind === 'item-augmented') return true;
  if (m.kind === 'item-assignment') {
    const right = m.node.childForFieldName('right');
    const left = m.node.childForFieldName('left');
    if (right && left && readsTarget(right, left)) return true;
  }
  return insideCheckThenAct(m.node, m.container, model);
}

/** One `with lock:` around the statements from the first change to the last (when they are siblings). */
function guardSequence(ctx: RuleContext, scope: FunctionScope, changes: Node[]): Fix | undefined {
  const first = changes[0];
  const container = mutationOf(first)?.container;
  const shared = container ? sharedState(container, scope, ctx.model, 'object') : null;
  return shared ? guardFix(ctx, first, scope, shared, changes[changes.length - 1]) : undefined;
}

const REMOVALS = new Set(['remove', 'pop', 'popitem', 'popleft', 'discard', 'clear']);

/** Does this change take an element out (`remove`, `pop`, `del d[k]`, …)? */
function removes(m: Mutation): boolean {
  if (m.kind === 'item-delete') return true;
  return m.kind === 'method' && REMOVALS.has(m.node.childForFieldName('function')?.childForFieldName('attribute')?.text ?? '');
}

/**
 * `self.handlers[cid] = h` … `del self.handlers[cid]` (or `.pop(cid)`): the call puts its own entry in
 * for as long as it runs and takes it out again — an in-flight registration, not an element moved. The
 * same key (a local or parameter, not bound again in between), the insertion first.
 */
function registeredForTheCall(changes: readonly Mutation[], scope: FunctionScope): boolean {
  if (changes.length !== 2) return false;
  const [put, take] = changes;
  const keyOf = (m: Mutation): string | null => {
    if (m.kind === 'item-assignment' || m.kind === 'item-delete') {
      const target = m.kind === 'item-assignment' ? m.node.childForFieldName('left') : m.node.namedChildren.find((c) => c?.type === 'subscript');
      const key = target?.childForFieldName('subscript');
      return key?.type === 'identifier' ? key.text : null;
    }
    const method = m.node.childForFieldName('function')?.childForFieldName('attribute')?.text;
    const arg = m.node.childForFieldName('arguments')?.namedChildren[0];
    return method === 'pop' && arg?.type === 'identifier' ? arg.text : null;
  };
  const key = keyOf(put);
  if (put.kind !== 'item-assignment' || removes(put) || !removes(take) || !key || keyOf(take) !== key) return false;
  if (put.container.text !== take.container.text || put.node.startIndex >= take.node.startIndex) return false;
  // The call's own key: a parameter, or a local bound from something other than a constant (`key =
  // "current"` is every caller's one entry, a shared key).
  if (!scope.parameters.has(key) && !(scope.locals.has(key) && !new RegExp(`(?<![\\w.])${key}\\s*=\\s*(?:[rbuf]?["']|-?\\d|None\\b|True\\b|False\\b)`).test(scope.node.text))) return false;
  // Not bound again between the two (`for cid in …` around both would make it another entry each time).
  const between = scope.node.text.slice(put.node.endIndex - scope.node.startIndex, take.node.startIndex - scope.node.startIndex);
  return !new RegExp(`(?<![\\w.])${key}\\s*(?:,[^=\\n]*)?=(?!=)|\\bfor\\s+${key}\\b`).test(between);
}

/** How many subscripts deep the expression is (`d` 0, `d[k]` 1, `d[k]["done"]` 2). */
function subscriptDepth(expr: Node): number {
  let depth = 0;
  for (let n: Node | null = expr; n?.type === 'subscript'; n = n.childForFieldName('value')) depth++;
  return depth;
}

/**
 * A field or class attribute changed by a removal and an insertion in one function, with no lock
 * (`lru.remove(k); lru.append(k)`, `del d[old]; d[new] = v`): between the two steps other threads see
 * the element gone, and two threads reordering at once lose or duplicate it. Module-level containers
 * are handled below with any sequence.
 */
function reportReorders(ctx: RuleContext, scope: FunctionScope): void {
  const { model } = ctx;
  const byKey = new Map<string, { shared: SharedState; changes: Mutation[] }>();
  for (const n of model.ownNodes(scope)) {
    const m = mutationOf(n);
    if (!m || m.container.type === 'identifier' || isAtomicIdiom(n) || !changesKnownContainer(m, scope, model) || model.heldLocks(n).length > 0 || reportedElsewhere(m, model)) continue;
    // `del self.tracker[thread_id]` where `thread_id = get_ident()`: each thread moves only its own entry.
    if (changesOwnEntry(m.node, scope, model)) continue;
    const shared = sharedState(m.container, scope, model, 'object');
    if (!shared || shared.kind === 'module-attribute' || model.guardedBy.has(shared.key)) continue;
    // By how deep in the state the changed container is: `self._d[k]["done"][n] = True` changes a value
    // `self._d` holds and makes no pair with `del self._d[k]`; moving an item between two buckets
    // (`self._by_status[old].pop(id)`, `self._by_status[new][id] = t`) is a pair.
    const key = `${shared.key}\u0000${subscriptDepth(m.container)}`;
    const entry = byKey.get(key) ?? { shared, changes: [] };
    entry.changes.push(m);
    byKey.set(key, entry);
  }
  for (const { shared, changes: all } of byKey.values()) {
    // The changes that can run in one call with a change of the other kind: a removal in one branch of
    // an `if` and an insertion in its `elif` never make a pair.
    const changes = all.filter((c) => all.some((o) => removes(o) !== removes(c) && !inExclusiveBranches(c.node, o.node)));
    if (changes.length < 2 || registeredForTheCall(changes, scope)) continue;
    const verdict = raceVerdict(changes[0].node, scope, shared, ctx);
    if (!verdict) continue;
    const lines = changes.map((c) => c.node.startPosition.row + 1);
    const fix = guardSequence(ctx, scope, changes.map((c) => c.node));
    for (const c of changes) {
      ctx.report(c.node, {
        severity: verdict.severity,
        confidence: verdict.confidence,
        fix,
        message:
          `${shared.description} is changed ${changes.length} times in \`${scope.name}\` without a lock (lines ${lines.join(', ')}), taking an element out and putting one in. ` +
          `Each step is atomic; the pair is not: between them other threads see the element missing, and two threads doing this at once lose or duplicate it.${verdict.where} Hold one lock over the whole update.`,
      });
    }
  }
}

export const FT106: Rule = {
  code: 'FT106',
  name: 'shared-container-mutation',
  summary: 'A module-level dict, list, set or deque is changed from thread code without a lock',
  precision: 'medium',
  visit: {
    function_definition(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      const scope = model.scopeOf(node.childForFieldName('body') ?? node);
      const entry = scope ? model.threads.entryFor(scope) : null;
      const body = node.childForFieldName('body');
      if (!scope || !entry || !body) return;
      const byContainer = new Map<string, Array<{ m: Mutation; kind: string }>>();
      for (const n of model.ownNodes(scope)) {
        const m = mutationOf(n);
        if (!m || m.container.type !== 'identifier' || isAtomicIdiom(n) || changesOwnEntry(m.node, scope, model)) continue;
        const { kind } = model.resolve(m.container.text, scope);
        const binding = kind === 'module' || kind === 'global' ? model.bindings.get(m.container.text) : undefined;
        if (binding?.kind !== 'value' || !isMutableContainer(binding.node) || model.guardedBy.has(m.container.text)) continue;
        // A container that is also written under a lock is FT105's (inconsistent locking).
        if (model.heldLocks(n).length > 0 || reportedElsewhere(m, model) || writtenUnderLock(model, m.container.text)) continue;
        const list = byContainer.get(m.container.text) ?? [];
        list.push({ m, kind: containerKind(binding.node!) });
        byContainer.set(m.container.text, list);
      }
      reportReorders(ctx, scope);
      const fn = scope.name;
      const via = entry.site === scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
      // One operation is atomic on free-threaded CPython (per-object locks; the library reference's
      // thread-safety guarantees): a lone change is not a race by itself, nor are changes made far apart
      // (registering at a thread's start and unregistering at its end). Compound uses are other rules'.
      for (const [name, all] of byContainer) {
        for (const list of oneUpdate(all)) {
          const lines = list.map((x) => x.m.node.startPosition.row + 1);
          const fix = guardSequence(ctx, scope, list.map((x) => x.m.node));
          for (const { m, kind } of list) {
            ctx.report(m.node, {
              severity: 'warning',
              fix,
              message:
                `\`${name}\` (module-level ${kind}) is changed ${list.length} times in \`${fn}\` without a lock (lines ${lines.join(', ')}), and \`${fn}\` runs on threads (${via}). ` +
                `Each operation is atomic on its own; the sequence is not, so other threads see the ${kind} half-updated and can interleave their own changes. ` +
                `Hold one lock over the whole update.`,
            });
          }
        }
      }
    },
  },
};

/** Statements that end a run of changes: whatever they do between two changes takes unbounded time. */
const COMPOUND = new Set(['for_statement', 'while_statement', 'try_statement', 'with_statement', 'if_statement', 'match_statement', 'function_definition', 'class_definition', 'decorated_definition']);

/** The statement holding `node` that is a direct child of a block (or the module). */
function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

/**
 * Splits a function's changes of one container into the updates they make: runs of changes whose
 * statements follow each other in one block (the next change in the same statement, or in one of the
 * next three statements with only simple statements before it). Runs of one change are dropped.
 */
function oneUpdate<T extends { m: Mutation }>(changes: T[]): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  for (const c of changes) {
    const previous = run[run.length - 1];
    if (previous && !follows(previous.m.node, c.m.node)) {
      if (run.length > 1) runs.push(run);
      run = [];
    }
    run.push(c);
  }
  if (run.length > 1) runs.push(run);
  return runs;
}

function follows(first: Node, next: Node): boolean {
  let statement: Node | null = statementOf(first);
  for (let steps = 0; statement && steps <= 3; steps++) {
    if (next.startIndex >= statement.startIndex && next.endIndex <= statement.endIndex) return true;
    if (steps > 0 && COMPOUND.has(statement.type)) return false;
    statement = statement.nextNamedSibling;
    while (statement?.type === 'comment') statement = statement.nextNamedSibling;
  }
  return false;
}
