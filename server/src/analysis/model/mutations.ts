// The in-place changes of a container the rules recognise: `d[k] = v`, `del d[k]`, `lst.append(x)`.
import type { Node } from '../parser';

/** Methods that change a dict, list, set or deque in place. */
export const MUTATING_METHODS = new Set([
  'append', 'appendleft', 'extend', 'extendleft', 'insert', 'remove', 'pop', 'popleft', 'popitem', 'clear',
  'update', 'setdefault', 'add', 'discard', 'sort', 'reverse', 'rotate', 'difference_update',
  'intersection_update', 'symmetric_difference_update',
]);

/** `d.setdefault(k, v)` and `d.pop(k, default)`: one atomic call that does its own check (the idioms ftaudit recommends). */
export function isAtomicIdiom(n: Node): boolean {
  if (n.type !== 'call') return false;
  const method = n.childForFieldName('function')?.childForFieldName('attribute')?.text;
  return method === 'setdefault' || (method === 'pop' && (n.childForFieldName('arguments')?.namedChildCount ?? 0) === 2);
}

/**
 * What taking out an entry that is gone raises: a dict's or set's KeyError, a list's IndexError or
 * ValueError. (A handler for any Exception is there for something else as often as not.)
 */
export const MISSING_ENTRY = /\b(?:KeyError|IndexError|ValueError|LookupError)\b/;

/** Node types that can change a container in place (see mutationOf). */
export const MUTATION_TYPES: ReadonlySet<string> = new Set(['call', 'assignment', 'augmented_assignment', 'delete_statement']);

export interface Mutation {
  /** The container expression that is changed (`d` in `d[k] = v`, `lst` in `lst.append(x)`). */
  container: Node;
  /** The statement or call that changes it. */
  node: Node;
  kind: 'method' | 'item-assignment' | 'item-delete' | 'item-augmented';
}

/** The in-place container change this node performs, if it is one. */
export function mutationOf(node: Node): Mutation | null {
  switch (node.type) {
    case 'call': {
      const fn = node.childForFieldName('function');
      if (fn?.type !== 'attribute') return null;
      const method = fn.childForFieldName('attribute')?.text ?? '';
      const object = fn.childForFieldName('object');
      return object && MUTATING_METHODS.has(method) ? { container: object, node, kind: 'method' } : null;
    }
    case 'assignment':
    case 'augmented_assignment': {
      const left = node.childForFieldName('left');
      const container = left?.type === 'subscript' ? left.childForFieldName('value') : null;
      return container ? { container, node, kind: node.type === 'assignment' ? 'item-assignment' : 'item-augmented' } : null;
    }
    case 'delete_statement': {
      const target = node.namedChildren.find((c) => c?.type === 'subscript') ?? null;
      const container = target?.childForFieldName('value') ?? null;
      return container ? { container, node, kind: 'item-delete' } : null;
    }
  }
  return null;
}
