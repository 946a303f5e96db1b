// A lock taken again by a function called while it is held: the facts FT221 reports and the guard fix
// avoids (reusing a plain `Lock` around a call that takes it deadlocks).
import type { Node } from '../parser';
import type { ClassInfo, ModuleModel } from './module';
import type { FunctionScope } from './scopes';
import { withItems } from './locks';
import { keywordArgument, positionalArguments } from './syntax';

/** Locks a second acquire by the same thread blocks on: `threading.Lock`, `_thread.allocate_lock`. */
const NON_REENTRANT = /^(?:threading\.Lock|_thread\.allocate_lock|_thread\.LockType|multiprocessing\.Lock|multiprocessing\.synchronize\.Lock)$/;


/** Read-write locks' names for the two sides. */
export const READ_SIDE = /^acquire_?(?:read|shared)$|^acquire(?:Read|Shared)$/;
export const WRITE_SIDE = /^acquire_?(?:write|exclusive)$|^acquire(?:Write|Exclusive)$/;

/** Between a statement and its function's body, only these run it on every path into the function. */
const STRAIGHT = new Set(['block', 'expression_statement', 'with_statement', 'with_clause', 'try_statement', 'finally_clause']);

const MAX_DEPTH = 2;

export interface Reacquire {
  /** The statement in the callee (or deeper) that takes the lock again. */
  node: Node;
  /** The function that takes it. */
  fn: Node;
  /** Taken as a read-write lock's write side (`acquire_write()`). */
  write: boolean;
}

/** The function a call names directly: the object's method, or a module-level function. */
export function resolvedDirectly(callee: Node, call: Node, scope: FunctionScope, model: ModuleModel): Node | null {
  if (callee.type === 'attribute') {
    // Only the object's own methods: `self.in_buffer.close()` is another object's.
    if (!scope.receiver || callee.childForFieldName('object')?.text !== scope.receiver) return null;
    const cls = model.classInfo(scope.classNode);
    const name = callee.childForFieldName('attribute')?.text ?? '';
    // `self._send = self.context.send` somewhere in the class: the field shadows the method.
    return cls && !shadowedByField(cls, name, model) ? model.methodOfObject(cls, name) : null;
  }
  const fns = model.functionsFor(callee, call);
  return fns.length === 1 && !model.scopeOf(fns[0].childForFieldName('body') ?? fns[0])?.receiver ? fns[0] : null;
}

/**
 * The statement by which the function `callee` names takes `lock` again on every path into it (or
 * through a call it makes on every path, up to MAX_DEPTH deep), or null.
 */
export function reacquires(callee: Node, call: Node, scope: FunctionScope, lock: string, model: ModuleModel, depth: number, seen: Set<number>): Reacquire | null {
  const fn = resolvedDirectly(callee, call, scope, model);
  if (!fn || seen.has(fn.id)) return null;
  seen.add(fn.id);
  const body = fn.childForFieldName('body');
  const inner = body ? model.scopeOf(body) : null;
  if (!body || !inner || inner.isAsync) return null;
  // The lock as the callee names it: its receiver for the caller's (`self._lock` in both, as a rule).
  const ours = scope.receiver && lock.startsWith(`${scope.receiver}.`) ? (inner.receiver ? `${inner.receiver}${lock.slice(scope.receiver.length)}` : null) : lock;
  if (!ours) return null;
  // Generators run their body when iterated, later.
  if (model.ownNodes(inner).some((n) => n.type === 'yield')) return null;
  // `lock.release()` … `lock.acquire()` in the callee: it expects the lock held and takes it back after
  // letting it go (a temporary release) — the acquire after a release of it is no second acquire.
  let released = false;
  for (const n of model.ownNodes(inner)) {
    if (n.type === 'call' && n.childForFieldName('function')?.text === `${ours}.release`) released = true;
    if (released) break;
    if (!unconditional(n, body) || leftBefore(body, n)) continue;
    if (n.type === 'with_statement' && n.firstChild?.type !== 'async' && withItems(n).some((item) => item.text === ours)) return { node: n, fn, write: false };
    if (n.type !== 'call' || n.parent?.type !== 'expression_statement') continue;
    const f = n.childForFieldName('function');
    const method = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text ?? '' : '';
    if (f?.type === 'attribute' && f.childForFieldName('object')?.text === ours && (method === 'acquire' || WRITE_SIDE.test(method) || READ_SIDE.test(method)) && blocks(n)) {
      return { node: n, fn, write: WRITE_SIDE.test(method) };
    }
    if (depth + 1 < MAX_DEPTH && f) {
      const deeper = reacquires(f, n, inner, ours, model, depth + 1, seen);
      if (deeper) return deeper;
    }
  }
  return null;
}

/** Does the node run on every path into the function (no branch, loop or handler between)? */
function unconditional(node: Node, body: Node): boolean {
  for (let n = node.parent; n && n.id !== body.id; n = n.parent) if (!STRAIGHT.has(n.type)) return false;
  return true;
}

/**
 * A `return` before the node may leave the function first (`if not x: return`). A `raise` does not
 * count: a guard rejecting bad arguments (`if not conn: raise ValueError(…)`) ends a call that was
 * wrong anyway, and every call that goes on takes the lock. Docstrings and comments mentioning
 * "return" are no statements.
 */
function leftBefore(body: Node, node: Node): boolean {
  return body.descendantsOfType('return_statement').some((r) => r.startIndex < node.startIndex && !insideNestedFunction(r, body));
}

function insideNestedFunction(node: Node, body: Node): boolean {
  for (let n = node.parent; n && n.id !== body.id; n = n.parent) if (n.type === 'function_definition' || n.type === 'lambda') return true;
  return false;
}

/** A blocking acquire (no `blocking=False`, no timeout). */
function blocks(call: Node): boolean {
  const [blocking, timeout] = positionalArguments(call);
  return !blocking && !timeout && !keywordArgument(call, 'blocking') && !keywordArgument(call, 'timeout');
}

/** Is `lock` made by a non-reentrant constructor wherever it is made (the object's field, a module global)? */
export function nonReentrant(lock: string, scope: FunctionScope, model: ModuleModel): boolean {
  const parts = lock.split('.');
  if (parts.length === 1) {
    const binding = model.bindings.get(lock);
    return binding?.kind === 'value' && madeNonReentrant(binding.node, model);
  }
  if (parts.length !== 2 || parts[0] !== scope.receiver) return false;
  const cls = model.classInfo(scope.classNode);
  if (!cls) return false;
  const values = fieldValues(cls, parts[1], model);
  return values.length > 0 && values.every((v) => madeNonReentrant(v, model));
}

function madeNonReentrant(value: Node | null, model: ModuleModel): boolean {
  if (value?.type !== 'call') return false;
  const qualified = model.imports.qualify(value.childForFieldName('function'));
  return !!qualified && NON_REENTRANT.test(qualified);
}

/** Is `lock` held at `call` through its read side (`lock.acquire_read()` earlier in the function, not released since)? */
export function heldForReading(call: Node, lock: string, scope: FunctionScope, model: ModuleModel): boolean {
  let side: 'read' | 'other' | null = null;
  for (const n of model.ownNodes(scope)) {
    if (n.startIndex >= call.startIndex) break;
    if (n.type !== 'call' || n.parent?.type !== 'expression_statement') continue;
    const f = n.childForFieldName('function');
    if (f?.type !== 'attribute' || f.childForFieldName('object')?.text !== lock) continue;
    const method = f.childForFieldName('attribute')?.text ?? '';
    if (READ_SIDE.test(method)) side = 'read';
    else if (method === 'acquire' || WRITE_SIDE.test(method)) side = 'other';
  }
  return side === 'read';
}

/** Does some method of the class (or a base of the module) assign `self.<name>`, hiding the method of that name? */
function shadowedByField(cls: ClassInfo, name: string, model: ModuleModel): boolean {
  return fieldValues(cls, name, model).length > 0;
}

/** The values the class's methods (and its bases' of the module) assign to `self.<field>`. */
function fieldValues(cls: ClassInfo, field: string, model: ModuleModel): Node[] {
  const values: Node[] = [];
  for (const c of model.classLineage(cls)) {
    for (const method of c.methods.values()) {
      const body = method.childForFieldName('body');
      const inner = body ? model.scopeOf(body) : null;
      if (!inner?.receiver) continue;
      for (const a of model.assignmentsOf(inner)) {
        const left = a.childForFieldName('left');
        const right = a.childForFieldName('right');
        if (right && left?.type === 'attribute' && left.childForFieldName('object')?.text === inner.receiver && left.childForFieldName('attribute')?.text === field) values.push(right);
      }
    }
  }
  return values;
}
