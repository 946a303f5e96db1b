// Augmented assignments that change an object in place and store the same object back
// (`self.handlers += callback` on a list, or on a class whose `__iadd__` appends and returns `self`):
// no update is lost between threads — the object itself changes, as by `append`.
import type { Node } from '../parser';
import { namedChildren } from './syntax';

/** The augmented operators each built-in container implements in place. */
export const BUILTIN_IN_PLACE: Readonly<Record<'list' | 'dict' | 'set', ReadonlySet<string>>> = {
  list: new Set(['+=', '*=']),
  dict: new Set(['|=']),
  set: new Set(['|=', '&=', '-=', '^=']),
};

/** Standard-library base classes (as written, or their last dotted part) → the operators their objects implement in place. */
const BASE_IN_PLACE: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['list', BUILTIN_IN_PLACE.list],
  ['UserList', BUILTIN_IN_PLACE.list],
  ['bytearray', BUILTIN_IN_PLACE.list],
  ['deque', new Set(['+=', '*='])],
  ['dict', BUILTIN_IN_PLACE.dict],
  ['UserDict', BUILTIN_IN_PLACE.dict],
  ['OrderedDict', BUILTIN_IN_PLACE.dict],
  ['defaultdict', BUILTIN_IN_PLACE.dict],
  ['set', BUILTIN_IN_PLACE.set],
]);

const OPERATOR_METHODS: ReadonlyMap<string, string> = new Map([
  ['__iadd__', '+='],
  ['__isub__', '-='],
  ['__imul__', '*='],
  ['__ior__', '|='],
  ['__iand__', '&='],
  ['__ixor__', '^='],
]);

/** The in-place operators a standard-library base class gives its subclasses (`class Event(list)`). */
export function baseInPlaceOperators(base: Node): ReadonlySet<string> | undefined {
  const text = base.type === 'subscript' ? base.childForFieldName('value')?.text : base.text;
  return text ? BASE_IN_PLACE.get(text.slice(text.lastIndexOf('.') + 1)) : undefined;
}

/**
 * The class body's own operator methods: operator → whether it changes the object in place (every
 * `return` of the method returns its receiver, as `def __iadd__(self, other): self.append(other);
 * return self` does) or builds another object.
 */
export function ownOperatorMethods(methods: ReadonlyMap<string, Node>): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const [name, method] of methods) {
    const op = OPERATOR_METHODS.get(name);
    if (!op) continue;
    const receiver = namedChildren(method.childForFieldName('parameters') ?? method)[0]?.text;
    const returns = method.descendantsOfType('return_statement');
    out.set(op, !!receiver && returns.length > 0 && returns.every((r) => namedChildren(r)[0]?.text === receiver));
  }
  return out;
}
