// What a loop iterates: the container behind a `for`, a comprehension or an iterating builtin, through
// views and lazy wrappers, and which calls take a snapshot instead. Shared by FT107 and the module
// summaries (loops over module globals that other modules change).
import type { Node } from '../parser';
import { namedChildren } from './syntax';

/**
 * Copies: on free-threaded CPython `list()` (and `sorted()`, `''.join()` through it), `set()`, `dict()`
 * copy an exact list, set, dict or dict view holding its lock (a critical section), so a change cannot
 * interleave. `tuple()` does for lists and `set()`/`frozenset()` for sets and dicts; given a dict view
 * they iterate it one item at a time (`PySequence_Tuple`, `set_update_internal`).
 */
export const SNAPSHOTS = new Set(['list', 'tuple', 'sorted', 'set', 'frozenset', 'dict', 'len']);
export const VIEW_ITERATING_COPIES = new Set(['tuple', 'set', 'frozenset']);
/**
 * Builtins that run the whole iteration inside the call, one `next()` at a time without the
 * container's lock (CPython's `builtin_sum_impl`, `min_max`, `builtin_any`/`all`): a change from
 * another thread in between raises "changed size during iteration" or skips items, as in a loop.
 */
export const CONSUMERS = new Set(['sum', 'min', 'max', 'any', 'all']);
export const VIEWS = new Set(['items', 'keys', 'values']);
/** Builtins that iterate their first argument lazily, as the loop runs. */
export const ITERATING_WRAPPERS = new Set(['iter', 'enumerate', 'reversed', 'zip', 'filter', 'map']);

/** `d.items()`, `self._d.keys()`, `d.values()`: a dict view. */
export function isView(expr: Node): boolean {
  if (expr.type !== 'call') return false;
  const fn = expr.childForFieldName('function');
  return fn?.type === 'attribute' && VIEWS.has(fn.childForFieldName('attribute')?.text ?? '') && namedChildren(expr.childForFieldName('arguments')!).length === 0;
}

/** `d`, `self.d`, `d.items()`, `next(iter(d))` → d; a snapshot (`list(d)`, `d.copy()`) → null. */
export function iteratedContainer(iterable: Node): Node | null {
  if (iterable.type === 'identifier' || iterable.type === 'attribute') return iterable;
  if (iterable.type !== 'call') return null;
  const fn = iterable.childForFieldName('function');
  const args = namedChildren(iterable.childForFieldName('arguments')!);
  if (fn?.type === 'identifier' && VIEW_ITERATING_COPIES.has(fn.text) && args.length === 1 && isView(args[0])) return iteratedContainer(args[0]);
  if (fn?.type === 'identifier' && SNAPSHOTS.has(fn.text)) return null;
  if (fn?.type === 'identifier' && ITERATING_WRAPPERS.has(fn.text) && args.length >= 1) return iteratedContainer(args[0]);
  if (fn?.type === 'attribute' && VIEWS.has(fn.childForFieldName('attribute')?.text ?? '') && args.length === 0) {
    const object = fn.childForFieldName('object');
    return object?.type === 'identifier' || object?.type === 'attribute' ? object : null;
  }
  return null;
}
