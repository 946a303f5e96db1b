// FT201 — one iterator or generator object consumed from several threads. Docs: docs/rules/FT201.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { positionalArguments, snippet } from '../model/syntax';
import { assignmentsTo, calleeLastName, calleeName, calleeText, enclosingLoop, isBuiltin, methodName, methodReceiver, runsOnThreads, textHas, threadArguments, threadCode } from './hazards';

const SPAWN_WORDS = /Thread|Timer|submit|start_new/;

const BUILTIN_ITERATORS = new Set(['iter', 'map', 'filter', 'zip', 'enumerate', 'reversed']);
/** itertools objects that are safe to share: count() is atomic on free-threaded CPython (gh-117657), repeat() has no position worth racing on. */
const SAFE_ITERTOOLS = new Set(['count', 'repeat', 'tee']);

const generatorCache = new WeakMap<ModuleModel, Map<number, boolean>>();

function isGeneratorFunction(fn: Node, model: ModuleModel): boolean {
  let cache = generatorCache.get(model);
  if (!cache) generatorCache.set(model, (cache = new Map()));
  let result = cache.get(fn.id);
  if (result === undefined) {
    const scope = model.allScopes().find((s) => s.node.id === fn.id);
    result = !!scope && model.ownNodes(scope).some((n) => n.type === 'yield');
    cache.set(fn.id, result);
  }
  return result;
}

/** "a generator from `produce()`", "an `iter()` iterator", … when `value` makes a stateful iterator; else null. */
export function iteratorKind(value: Node | null, scope: FunctionScope | null, model: ModuleModel): string | null {
  if (!value) return null;
  if (value.type === 'generator_expression') return 'a generator expression';
  if (value.type !== 'call') return null;
  const fn = value.childForFieldName('function');
  if (fn?.type === 'identifier') {
    if (BUILTIN_ITERATORS.has(fn.text) && isBuiltin(fn.text, scope, model)) return `a \`${fn.text}()\` iterator`;
    const binding = model.resolve(fn.text, scope).kind === 'module' ? model.bindings.get(fn.text) : undefined;
    if (binding?.kind === 'function' && binding.node && isGeneratorFunction(binding.node, model)) return `a generator from \`${fn.text}()\``;
  }
  const q = calleeName(value, model) ?? '';
  if (q.startsWith('itertools.') && q.split('.').length === 2 && !SAFE_ITERTOOLS.has(q.split('.')[1])) return `an \`${q}()\` iterator`;
  return null;
}

/** The iterator `name` denotes at `at`: its single assignment in that scope (or module binding), if it makes one. */
function iteratorBinding(name: Node, model: ModuleModel): { kind: string; assignment: Node | null } | null {
  const scope = model.scopeOf(name);
  const { kind } = model.resolve(name.text, scope);
  if (kind === 'local' || (!scope && model.bindings.has(name.text))) {
    const assignments = assignmentsTo(name.text, name, model);
    if (assignments.length !== 1) return null;
    const it = iteratorKind(assignments[0].childForFieldName('right'), scope, model);
    return it ? { kind: it, assignment: assignments[0] } : null;
  }
  if (kind === 'module' || kind === 'global') return moduleIterator(name.text, model);
  return null;
}

const moduleIteratorCache = new WeakMap<ModuleModel, Map<string, { kind: string; assignment: Node | null } | null>>();

/** A module-level name bound once to an iterator. */
function moduleIterator(name: string, model: ModuleModel): { kind: string; assignment: Node | null } | null {
  let cache = moduleIteratorCache.get(model);
  if (!cache) moduleIteratorCache.set(model, (cache = new Map()));
  if (cache.has(name)) return cache.get(name)!;
  let result: { kind: string; assignment: Node | null } | null = null;
  const binding = model.bindings.get(name);
  if (binding?.kind === 'value' && binding.node && (binding.node.type === 'call' || binding.node.type === 'generator_expression')) {
    const it = iteratorKind(binding.node, null, model);
    const assignments = it ? assignmentsTo(name, model.root, model) : [];
    if (it && assignments.length === 1) result = { kind: it, assignment: assignments[0] };
  }
  cache.set(name, result);
  return result;
}

/** The iterator a thread-code expression advances: `next(X)`, `X.__next__()`, `X.send(v)`. */
function advancedIterator(call: Node, model: ModuleModel): Node | null {
  const last = calleeLastName(call);
  if (last !== 'next' && last !== '__next__' && last !== 'send') return null;
  if (calleeText(call) === 'next' && isBuiltin('next', model.scopeOf(call), model)) return positionalArguments(call)[0] ?? null;
  const method = methodName(call);
  if (method === '__next__' || method === 'send') return methodReceiver(call);
  return null;
}

function reportConsumedInThread(node: Node, iterator: Node, ctx: RuleContext, label = `\`${snippet(node, 50)}\``) {
  const { model } = ctx;
  if (iterator.type !== 'identifier') return;
  const it = moduleIterator(iterator.text, model);
  if (!it) return;
  const where = threadCode(node, model);
  if (!where) return;
  const { kind } = model.resolve(iterator.text, where.scope);
  if ((kind !== 'module' && kind !== 'global') || model.heldLocks(node).length > 0) return;
  ctx.report(node, {
    severity: 'error',
    message:
      `${label} advances \`${iterator.text}\`, ${it.kind} created once at module level (line ${it.assignment!.startPosition.row + 1}), and ${runsOnThreads(where.scope, where.entry)}. ` +
      `Iterators and generators are not safe to share: on free-threaded Python two threads advancing one at the same time get duplicated or skipped items, and a generator raises \`ValueError: generator already executing\`. ` +
      `Hold a lock around each \`next()\`, or hand the items out through a queue.Queue.`,
  });
}

export const FT201: Rule = {
  code: 'FT201',
  name: 'shared-iterator',
  summary: 'One iterator or generator object is consumed from several threads',
  precision: 'high',
  visit: {
    module(_root: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(ctx.model, ctx.text, SPAWN_WORDS)) return;
      // Thread-starting calls that hand an iterator to the thread, grouped by the scope and iterator name.
      const groups = new Map<string, Array<{ call: Node; arg: Node; kind: string; assignment: Node | null }>>();
      for (const { node: call } of model.index.all('call')) {
        const args = threadArguments(call, model);
        if (!args) continue;
        for (const arg of args) {
          if (arg.type !== 'identifier') continue;
          const it = iteratorBinding(arg, model);
          if (!it) continue;
          const key = `${model.scopeOf(call)?.node.id ?? -1}:${arg.text}`;
          const list = groups.get(key) ?? [];
          list.push({ call, arg, ...it });
          groups.set(key, list);
        }
      }
      for (const list of groups.values()) {
        const first = list[0];
        const loop = enclosingLoop(first.call);
        // In a loop the same object goes to every thread — unless the loop makes a fresh one each time.
        const loopShares = !!loop && !!first.assignment && !(first.assignment.startIndex >= loop.startIndex && first.assignment.endIndex <= loop.endIndex);
        if (!loopShares && list.length < 2) continue;
        const how = loopShares
          ? `every thread started in this loop gets the same object`
          : `${list.length} threads get the same object (lines ${list.map((x) => x.call.startPosition.row + 1).join(', ')})`;
        ctx.report(first.arg, {
          severity: 'error',
          message:
            `\`${first.arg.text}\` is ${first.kind}${first.assignment ? ` (line ${first.assignment.startPosition.row + 1})` : ''} and ${how}. ` +
            `Iterators and generators are not safe to share between threads: on free-threaded Python threads advancing one at the same time get duplicated or skipped items, and a generator raises \`ValueError: generator already executing\`. ` +
            `Put the items in a queue.Queue that the threads \`get()\` from, give each thread its own slice of the data, or guard \`next()\` with a lock.`,
        });
      }
    },
    call(node: Node, ctx: RuleContext) {
      const iterator = advancedIterator(node, ctx.model);
      if (iterator) reportConsumedInThread(node, iterator, ctx);
    },
    for_statement(node: Node, ctx: RuleContext) {
      const right = node.childForFieldName('right');
      if (right) reportConsumedInThread(right, right, ctx, `This \`for\` loop`);
    },
  },
};
