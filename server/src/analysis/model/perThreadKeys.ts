// Keys that name the running thread (or task): `d[threading.get_ident()]`, `d.setdefault(current_thread(),
// {})`, `d[self._context_id()]` where the helper returns one. Each thread reads and writes only its own
// entry, and a dict's single operations are atomic, so two threads' changes of their own entries never
// meet: a per-thread table hand-made from a dict (what `threading.local` does inside).
import type { Node } from '../parser';
import type { ModuleModel } from './module';
import type { FunctionScope } from './scopes';
import { namedChildren, positionalArguments } from './syntax';

/** Calls whose value names the running thread or asyncio task. */
const RUNNING: ReadonlySet<string> = new Set([
  'threading.get_ident', 'threading.current_thread', 'threading.currentThread', 'threading.get_native_id',
  '_thread.get_ident', 'asyncio.current_task', 'asyncio.Task.current_task', 'greenlet.getcurrent', 'gevent.getcurrent',
]);

/** `current_thread().ident`, `.native_id`, `.name`: still the running thread's. */
const THREAD_ATTRIBUTES: ReadonlySet<string> = new Set(['ident', 'native_id', 'name']);

/** Methods that look up, insert or remove one key (a set's element): their first argument. */
const KEYED_METHODS: ReadonlySet<string> = new Set(['get', 'setdefault', 'pop', '__getitem__', '__setitem__', '__delitem__', 'add', 'discard', 'remove']);

const GATE = /get_ident|current_thread|currentThread|get_native_id|current_task|getcurrent/;

const cache = new WeakMap<ModuleModel, Map<number, boolean>>();
const mentions = new WeakMap<ModuleModel, boolean>();

/** Does the module name the running thread at all? Asked per write: searched once per module. */
function mentionsRunningThread(model: ModuleModel): boolean {
  let hit = mentions.get(model);
  if (hit === undefined) mentions.set(model, (hit = GATE.test(model.root.text)));
  return hit;
}

/** Does this expression name the running thread (or task)? Follows locals and helpers two calls deep. */
export function namesRunningThread(expr: Node, scope: FunctionScope | null, model: ModuleModel, depth = 0): boolean {
  if (!mentionsRunningThread(model)) return false;
  switch (expr.type) {
    case 'parenthesized_expression': {
      const inner = namedChildren(expr)[0];
      return !!inner && namesRunningThread(inner, scope, model, depth);
    }
    case 'attribute': {
      const object = expr.childForFieldName('object');
      return THREAD_ATTRIBUTES.has(expr.childForFieldName('attribute')?.text ?? '') && object?.type === 'call' && namesRunningThread(object, scope, model, depth);
    }
    case 'call': {
      const callee = expr.childForFieldName('function');
      if (!callee) return false;
      const q = model.imports.qualify(callee) ?? '';
      if (RUNNING.has(q)) return true;
      // `cast(int, current_thread().ident)` is its second argument.
      if (q === 'typing.cast' || q === 'cast') {
        const value = positionalArguments(expr)[1];
        return !!value && namesRunningThread(value, scope, model, depth);
      }
      if (depth >= 2) return false;
      const fns = model.functionsFor(callee, expr);
      return fns.length > 0 && fns.every((fn) => returnsRunningThread(fn, model, depth + 1));
    }
    case 'identifier': {
      // A local every assignment of which names the running thread (or None, before a fallback).
      if (!scope || !scope.locals.has(expr.text)) return false;
      // `thread_id = thread_obj.thread_id = get_ident()`: a chained assignment's value is its last right side.
      const valueOf = (a: Node): Node | null => {
        let v = a.childForFieldName('right');
        while (v?.type === 'assignment') v = v.childForFieldName('right');
        return v;
      };
      const values = model.assignmentsOf(scope).filter((a) => a.childForFieldName('left')?.text === expr.text).map(valueOf);
      return values.length > 0 && values.every((v) => !!v && (v.type === 'none' || namesRunningThread(v, scope, model, depth))) && values.some((v) => v!.type !== 'none');
    }
  }
  return false;
}

/** Every `return` of the function (its own, not a nested one's) gives the running thread, or None. */
function returnsRunningThread(fn: Node, model: ModuleModel, depth: number): boolean {
  let known = cache.get(model);
  if (!known) cache.set(model, (known = new Map()));
  const cached = depth === 1 ? known.get(fn.id) : undefined;
  if (cached !== undefined) return cached;
  const body = fn.childForFieldName('body');
  const scope = body ? model.scopeOf(body) : null;
  let answer = false;
  if (body && scope) {
    const returns = body.descendantsOfType('return_statement').filter((r) => model.scopeOf(r) === scope);
    const values = returns.map((r) => namedChildren(r)[0] ?? null);
    answer =
      values.length > 0 &&
      values.every((v) => !!v && (v.type === 'none' || namesRunningThread(v, scope, model, depth))) &&
      values.some((v) => v!.type !== 'none');
  }
  if (depth === 1) known.set(fn.id, answer);
  return answer;
}

/**
 * Does this written (or read) expression go through the running thread's own entry of a table —
 * `d[get_ident()] = v`, `d.setdefault(current_thread(), {})[k] = v`, `del d[me][k]`, `d.pop(me, None)` —
 * and so touch no other thread's? Follows the access path only (not the values assigned or passed).
 */
export function throughOwnEntry(target: Node, scope: FunctionScope | null, model: ModuleModel): boolean {
  if (!mentionsRunningThread(model)) return false;
  for (let n: Node | null = target; n; ) {
    if (n.type === 'subscript') {
      const key = n.childForFieldName('subscript');
      if (key && namesRunningThread(key, scope, model)) return true;
      n = n.childForFieldName('value');
    } else if (n.type === 'call') {
      const callee = n.childForFieldName('function');
      const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text ?? '' : '';
      const key = positionalArguments(n)[0];
      if (KEYED_METHODS.has(method) && key && namesRunningThread(key, scope, model)) return true;
      n = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    } else if (n.type === 'attribute') {
      n = n.childForFieldName('object');
    } else if (n.type === 'parenthesized_expression') {
      n = namedChildren(n)[0] ?? null;
    } else {
      n = null;
    }
  }
  return false;
}

/** A change (assignment, `del`, mutating call, or a statement of one) made through the running thread's own entry. */
export function changesOwnEntry(change: Node, scope: FunctionScope | null, model: ModuleModel): boolean {
  let n: Node | null = change;
  if (n.type === 'expression_statement') n = namedChildren(n)[0] ?? null;
  if (!n) return false;
  if (n.type === 'assignment' || n.type === 'augmented_assignment') {
    const left = n.childForFieldName('left');
    return !!left && throughOwnEntry(left, scope, model);
  }
  if (n.type === 'delete_statement') {
    const targets = namedChildren(n).flatMap((c) => (c.type === 'expression_list' ? namedChildren(c) : [c]));
    return targets.length > 0 && targets.every((t) => throughOwnEntry(t, scope, model));
  }
  return n.type === 'call' && throughOwnEntry(n, scope, model);
}
