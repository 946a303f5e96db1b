// Which fields of `self` a method may write: the thread side's writes of an object shared with one
// thread. Two accesses off that thread are both the holder's (one side), so a read-modify-write or a
// check-then-act there races only with a thread that writes the field; a thread that only reads it
// cannot break them. Conservative: a call that may change the field's object counts as a write.
import type { Node } from '../parser';
import { namedChildren } from './syntax';

/** Methods that read an object without changing it (a dict's, a str's, an Event's, a Queue's size). */
const READING_METHODS = new Set([
  'get', 'keys', 'values', 'items', 'copy', 'count', 'index', '__len__', '__contains__', '__getitem__',
  'is_set', 'isSet', 'is_alive', 'isAlive', 'qsize', 'empty', 'full', 'startswith', 'endswith', 'format',
  'join', 'split', 'strip', 'lower', 'upper', 'encode', 'decode', 'isoformat', 'total_seconds', 'timestamp',
]);

/** Builtins that read their arguments (`len(self.x)`, `list(self.x)`); `next(self.it)` advances it. */
const READING_BUILTINS = new Set([
  'len', 'list', 'tuple', 'set', 'frozenset', 'dict', 'sorted', 'iter', 'str', 'repr', 'bool', 'int', 'float',
  'isinstance', 'issubclass', 'any', 'all', 'sum', 'min', 'max', 'enumerate', 'zip', 'reversed', 'id', 'hash',
  'type', 'getattr', 'hasattr', 'print', 'format', 'callable', 'abs', 'round',
]);

/** A logger's methods format their arguments and nothing else. */
const LOGGING_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'log']);

const WRITING_TYPES: ReadonlySet<string> = new Set(['assignment', 'augmented_assignment', 'delete_statement', 'call']);

/**
 * The fields of `receiver` that a method's nodes (its nested functions' included) may write: rebinds and item
 * writes through any path (`self.x = …`, `self.x[k] += 1`, `del self.x.y`), `setattr`/`delattr`,
 * calls of the field's methods other than reading ones, and the field passed to a call that is not
 * a reading builtin or a logger's. A call on an item of the field (`self.x[k].run()`) or given one
 * changes that item, not the field's binding or which items it holds: no write of the field.
 */
export function fieldsWritten(nodes: readonly Node[], receiver: string): Set<string> {
  const written = new Set<string>();
  // `self.x`, `self.x[k]`, `self.x.y`: the field `x`. With `wholeOnly`, null for a path through an item
  // (`self.x[k].run()`, `f(self.x[k])`): a call may change that item's object, never which items `x` holds.
  const field = (target: Node | null | undefined, wholeOnly = false): string | null => {
    for (let n = target ?? null; n; ) {
      const inner: Node | null = n.type === 'attribute' ? n.childForFieldName('object') : n.type === 'subscript' ? n.childForFieldName('value') : null;
      if (!inner || (wholeOnly && n.type === 'subscript')) return null;
      if (n.type === 'attribute' && inner.type === 'identifier') return inner.text === receiver ? n.childForFieldName('attribute')?.text ?? null : null;
      n = inner;
    }
    return null;
  };
  const addTargets = (target: Node | null) => {
    if (!target) return;
    if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'list_pattern' || target.type === 'expression_list' || target.type === 'tuple' || target.type === 'list') {
      for (const child of namedChildren(target)) addTargets(child);
      return;
    }
    if (target.type === 'list_splat_pattern' || target.type === 'parenthesized_expression') {
      addTargets(namedChildren(target)[0] ?? null);
      return;
    }
    const name = target.type === 'attribute' || target.type === 'subscript' ? field(target) : null;
    if (name) written.add(name);
  };
  for (const n of nodes) {
    if (!WRITING_TYPES.has(n.type)) continue;
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      addTargets(n.childForFieldName('left'));
      continue;
    }
    if (n.type === 'delete_statement') {
      for (const target of namedChildren(n)) addTargets(target);
      continue;
    }
    const callee = n.childForFieldName('function');
    const list = n.childForFieldName('arguments');
    const args = list ? namedChildren(list) : [];
    if (callee?.type === 'identifier' && (callee.text === 'setattr' || callee.text === 'delattr')) {
      const [object, name] = args;
      if (object?.text === receiver && name?.type === 'string') written.add(name.text.replace(/^[rbuf]*['"]+|['"]+$/gi, ''));
    }
    // `self.x.append(v)`, `self.x.y.reset()`: the field's object may change.
    if (callee?.type === 'attribute') {
      const object = callee.childForFieldName('object');
      const method = callee.childForFieldName('attribute')?.text ?? '';
      const name = object && object.text !== receiver ? field(object, true) : null;
      if (name && !READING_METHODS.has(method)) written.add(name);
    }
    // `helper(self.x)`: the callee may change what it is handed.
    const reading = (callee?.type === 'identifier' && READING_BUILTINS.has(callee.text)) || (callee?.type === 'attribute' && LOGGING_METHODS.has(callee.childForFieldName('attribute')?.text ?? ''));
    if (reading) continue;
    for (const arg of args) {
      const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
      if (value?.type === 'attribute' || value?.type === 'subscript') {
        const name = field(value, true);
        if (name) written.add(name);
      }
    }
  }
  return written;
}
