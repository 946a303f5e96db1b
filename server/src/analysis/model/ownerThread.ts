// Exclusion by ownership: code that runs only when the object's owner field names the calling thread
// (`if self._owner == get_ident():`, or past `if self._owner != me: raise …` or `assert self._owner ==
// me`). At most one thread is the owner at a time and only the owner hands ownership on, so such code
// never runs on two threads at once — the re-entrancy counter of every hand-written re-entrant lock (`self._count += 1`) is the
// owner's own, although its other accesses hold the lock that makes a thread the owner.
import type { Node } from '../parser';
import { namedChildren } from './syntax';

/** `get_ident()`, `threading.get_ident()`, `current_thread()`, `self._current_thread()` (an injected clock of threads). */
const CURRENT_THREAD = /(?:^|\.)_?(?:get_ident|get_native_id|current_thread|currentThread)$/;

export interface OwnerResolver {
  /** The methods of the class a method belongs to, by name (empty for a plain function). */
  methodsOf(fn: Node): ReadonlyMap<string, Node>;
}

export class OwnerRegions {
  /** function id → its locals bound to the current thread (`me = get_ident()`) */
  private readonly threadLocals = new Map<number, Set<string>>();
  /** method id → the owner field it tests (`def _is_owned(self): return self._owner == get_ident()`), or null */
  private readonly predicates = new Map<number, string | null>();

  constructor(private readonly resolver: OwnerResolver) {}

  /**
   * The owner field (`self._owner`) when `node` runs only on the thread that field names: inside
   * `if <owner test>:`, or after `if <not owner test>: raise/return` in an enclosing block.
   */
  ownerAt(node: Node, fn: Node, receiver: string): string | null {
    let child = node;
    for (let up = node.parent; up && up.id !== fn.id; child = up, up = up.parent) {
      if (up.type === 'if_statement' && up.childForFieldName('consequence')?.id === child.id) {
        const test = this.ownerTest(up.childForFieldName('condition'), fn, receiver);
        if (test && !test.negated) return test.field;
      }
      if (up.type === 'block') {
        for (let s = child.previousNamedSibling; s; s = s.previousNamedSibling) {
          // `assert current_thread() == self.parent_thread`: past it, only that thread goes on.
          if (s.type === 'assert_statement') {
            const test = this.ownerTest(namedChildren(s)[0] ?? null, fn, receiver);
            if (test && !test.negated) return test.field;
            continue;
          }
          if (s.type !== 'if_statement' || s.childForFieldName('alternative') || !leaves(s)) continue;
          const test = this.ownerTest(s.childForFieldName('condition'), fn, receiver);
          if (test?.negated) return test.field;
        }
      }
    }
    return null;
  }

  private ownerTest(condition: Node | null, fn: Node, receiver: string): { field: string; negated: boolean } | null {
    if (!condition) return null;
    if (condition.type === 'parenthesized_expression') return this.ownerTest(namedChildren(condition)[0] ?? null, fn, receiver);
    // `if <owner test> and <anything>:` — the body runs only when every operand holds, the owner test too.
    if (condition.type === 'boolean_operator' && condition.children.some((c) => !c.isNamed && c.text === 'and')) {
      for (const operand of [condition.childForFieldName('left'), condition.childForFieldName('right')]) {
        const test = this.ownerTest(operand, fn, receiver);
        if (test && !test.negated) return test;
      }
      return null;
    }
    if (condition.type === 'not_operator') {
      const inner = this.ownerTest(condition.childForFieldName('argument'), fn, receiver);
      return inner && { field: inner.field, negated: !inner.negated };
    }
    if (condition.type === 'call') {
      const callee = condition.childForFieldName('function');
      if (callee?.type !== 'attribute' || callee.childForFieldName('object')?.text !== receiver) return null;
      const method = this.resolver.methodsOf(fn).get(callee.childForFieldName('attribute')?.text ?? '');
      const field = method ? this.predicateField(method) : null;
      return field ? { field, negated: false } : null;
    }
    if (condition.type !== 'comparison_operator') return null;
    const operands = namedChildren(condition);
    const op = condition.children.filter((c) => !c.isNamed).map((c) => c.text).join(' ');
    if (operands.length !== 2 || !/^(?:==|!=|is|is not)$/.test(op)) return null;
    const locals = this.currentThreadLocals(fn);
    const isCurrent = (e: Node) => (e.type === 'identifier' && locals.has(e.text)) || isCurrentThreadCall(e);
    const isField = (e: Node) => this.ownerField(e, fn, receiver) !== null;
    const [a, b] = operands;
    const field = isField(a) && isCurrent(b) ? a : isField(b) && isCurrent(a) ? b : null;
    return field ? { field: this.ownerField(field, fn, receiver)!, negated: op === '!=' || op === 'is not' } : null;
  }

  /**
   * The owner field an expression reads: `self._owner`; its thread's id (`self._thread.ident`); a
   * local bound once to such fields (`th = self._executing_thread or self._flushing_thread`, then
   * `th.ident`, `th.ident if th else None`) — one value, whichever field it came from, names one thread.
   */
  private ownerField(e: Node, fn: Node, receiver: string): string | null {
    if (e.type === 'parenthesized_expression') return this.ownerField(namedChildren(e)[0]!, fn, receiver);
    if (e.type === 'conditional_expression') {
      const [value, , otherwise] = namedChildren(e);
      return otherwise?.type === 'none' && value ? this.ownerField(value, fn, receiver) : null;
    }
    if (e.type !== 'attribute' && e.type !== 'identifier') return null;
    const object = e.type === 'attribute' ? e.childForFieldName('object') : null;
    if (object?.text === receiver) return e.text;
    const inner = e.type === 'attribute' && /^(?:ident|native_id)$/.test(e.childForFieldName('attribute')?.text ?? '') ? object : e.type === 'identifier' ? e : null;
    if (!inner) return null;
    if (inner.type === 'attribute') return inner.childForFieldName('object')?.text === receiver ? inner.text : null;
    if (inner.type !== 'identifier') return null;
    const bound = this.fieldAlias(fn, inner.text, receiver);
    return bound;
  }

  /** `th = self._a or self._b` (bound once, at the top of the body): the fields, as one owner key. */
  private fieldAlias(fn: Node, name: string, receiver: string): string | null {
    const body = fn.childForFieldName('body');
    let found: string | null = null;
    for (const s of body ? namedChildren(body) : []) {
      const e = s.type === 'expression_statement' ? namedChildren(s)[0] : null;
      if (e?.type !== 'assignment' || e.childForFieldName('left')?.text !== name) continue;
      if (found !== null) return null;
      const right = e.childForFieldName('right');
      const parts = right?.type === 'boolean_operator' ? [right.childForFieldName('left'), right.childForFieldName('right')] : [right];
      if (!parts.every((p) => p?.type === 'attribute' && p.childForFieldName('object')?.text === receiver)) return null;
      found = right!.text;
    }
    return found;
  }

  /** A method answering "is the caller the owner?": `return <owner test>`, or `if <owner test>: return True`. */
  private predicateField(method: Node): string | null {
    const known = this.predicates.get(method.id);
    if (known !== undefined) return known;
    this.predicates.set(method.id, null);
    const params = method.childForFieldName('parameters');
    const receiver = params ? namedChildren(params)[0]?.text : undefined;
    const body = method.childForFieldName('body');
    let field: string | null = null;
    for (const s of receiver && body ? namedChildren(body) : []) {
      if (s.type === 'return_statement') {
        const test = this.ownerTest(namedChildren(s)[0] ?? null, method, receiver!);
        if (test && !test.negated) field = test.field;
        break;
      }
      if (s.type === 'if_statement') {
        const test = this.ownerTest(s.childForFieldName('condition'), method, receiver!);
        const consequence = s.childForFieldName('consequence');
        const returned = consequence ? namedChildren(consequence).find((c) => c.type === 'return_statement') : undefined;
        if (test && !test.negated && returned && namedChildren(returned)[0]?.text === 'True') {
          field = test.field;
          break;
        }
      }
    }
    this.predicates.set(method.id, field);
    return field;
  }

  private currentThreadLocals(fn: Node): Set<string> {
    let names = this.threadLocals.get(fn.id);
    if (names) return names;
    names = new Set();
    const body = fn.childForFieldName('body');
    for (const s of body ? namedChildren(body) : []) {
      const e = s.type === 'expression_statement' ? namedChildren(s)[0] : null;
      const left = e?.type === 'assignment' ? e.childForFieldName('left') : null;
      const right = e?.childForFieldName('right');
      if (left?.type === 'identifier' && right && isCurrentThreadCall(right)) names.add(left.text);
    }
    this.threadLocals.set(fn.id, names);
    return names;
  }
}

/** `get_ident()`, `threading.current_thread()`, `current_thread().ident`, `self._current_thread()`. */
function isCurrentThreadCall(expr: Node): boolean {
  const call = expr.type === 'attribute' && /^(?:ident|native_id)$/.test(expr.childForFieldName('attribute')?.text ?? '') ? expr.childForFieldName('object') : expr;
  return call?.type === 'call' && namedChildren(call.childForFieldName('arguments')!).length === 0 && CURRENT_THREAD.test(call.childForFieldName('function')?.text ?? '');
}

/** Does this `if`'s body always leave the block (ends in `raise` or `return`)? */
function leaves(ifStatement: Node): boolean {
  const body = ifStatement.childForFieldName('consequence');
  const last = body ? namedChildren(body).filter((c) => c.type !== 'comment').pop() : undefined;
  return last?.type === 'raise_statement' || last?.type === 'return_statement';
}
