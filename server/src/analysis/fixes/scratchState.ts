// FT109's fixes for per-call scratch values kept on `self` of a shared object:
//
// - "Keep it in a local variable": when the method that stores the value is the only one that uses it
//   (an `__init__` initialisation aside), every `self.attr` of that method becomes a local.
// - "Keep it per thread": otherwise, a `threading.local()` holder made in `__init__`
//   (`self._local`), every access in the class rewritten to `self._local.attr`.
//
// Both are offered only when every access can be found and rewritten: all of them are `<receiver>.attr`
// in the class's own methods (no nested function or lambda, no `getattr(self, "attr")`, `__dict__` or
// `__slots__`, no `x.attr` anywhere else in the module, not a class attribute or method name).
import type { Node } from '../parser';
import type { Fix, RuleContext, TextEdit } from '../types';
import type { ClassInfo, ModuleModel } from '../model/module';
import { CONSTRUCTION_METHODS } from '../model/module';
import { decoratorNames, namedChildren } from '../model/syntax';
import { addToInit } from './guard';
import { threadingModule } from './threadingImport';
import { indentUnit, indentationAt, lineEnding, lineStart, nextLineStart, ownLines } from './text';

interface Access {
  /** The `self.attr` attribute node. */
  node: Node;
  /** The method (a function defined directly in the class body) the access is in. */
  method: Node;
  /** A plain `self.attr = value` statement directly in the method's body. */
  simpleWrite: boolean;
}

const KEYWORDS = new Set('False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type'.split(' '));

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The method of `classNode` that `node` is in, and whether a nested function or lambda lies between. */
function methodOf(node: Node, classNode: Node): { method: Node; nested: boolean } | null {
  let nested = false;
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'class_definition') return null; // class body level, or a nested class
    if (n.type !== 'function_definition' && n.type !== 'lambda') continue;
    const holder = n.parent?.type === 'decorated_definition' ? n.parent.parent : n.parent;
    if (n.type === 'function_definition' && holder?.type === 'block' && holder.parent?.id === classNode.id) return { method: n, nested };
    nested = true;
  }
  return null;
}

function receiverOf(method: Node): string | null {
  if (decoratorNames(method).some((d) => d === 'staticmethod' || d === 'classmethod')) return null;
  const first = namedChildren(method.childForFieldName('parameters')!)[0];
  return first?.type === 'identifier' ? first.text : null;
}

/** Every access of `attr` in the class, or null when one of them (or some other use) cannot be rewritten. */
function accessesOf(ctx: RuleContext, classNode: Node, attr: string): Access[] | null {
  const { text, model } = ctx;
  const cls = model.classInfo(classNode);
  if (!cls || cls.methods.has(attr)) return null;
  const classText = classNode.text;
  if (new RegExp(`['"]${escape(attr)}['"]|\\b__dict__\\b|\\bvars\\(|\\b__slots__\\b|\\b__getattr(?:ibute)?__\\b|\\b__setattr__\\b|\\b__delattr__\\b`).test(classText)) return null;
  // `x.attr` outside the class: another object's attribute of the same name, or this one read from
  // outside. Either way the rewrite cannot be shown to be complete.
  // (The text is searched first; only a match — possibly in a comment or string — costs a tree walk.)
  const outside = text.slice(0, classNode.startIndex) + text.slice(classNode.endIndex);
  if (new RegExp(`\\.\\s*${escape(attr)}\\b`).test(outside)) {
    const used = model.root.descendantsOfType('attribute').some((n) => !!n && (n.startIndex < classNode.startIndex || n.startIndex >= classNode.endIndex) && n.childForFieldName('attribute')?.text === attr);
    if (used) return null;
  }
  const body = classNode.childForFieldName('body');
  for (const stmt of body ? namedChildren(body) : []) {
    const inner = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
    if (inner?.type === 'assignment' && inner.childForFieldName('left')?.text === attr) return null; // a class attribute
  }
  const accesses: Access[] = [];
  for (const node of classNode.descendantsOfType('attribute')) {
    if (!node || node.childForFieldName('attribute')?.text !== attr) continue;
    const where = methodOf(node, classNode);
    if (!where || where.nested) return null;
    const receiver = receiverOf(where.method);
    const object = node.childForFieldName('object');
    if (!receiver || object?.type !== 'identifier' || object.text !== receiver) return null;
    const parent = node.parent!;
    if (parent.type === 'delete_statement' || parent.parent?.type === 'delete_statement') return null;
    const simpleWrite =
      parent.type === 'assignment' && parent.childForFieldName('left')?.id === node.id && !!parent.childForFieldName('right') &&
      parent.parent?.type === 'expression_statement' && parent.parent.parent?.id === where.method.childForFieldName('body')?.id;
    accesses.push({ node, method: where.method, simpleWrite });
  }
  return accesses.sort((a, b) => a.node.startIndex - b.node.startIndex);
}

/**
 * The method's first access stores the value before anything reads it: a plain `self.attr = value`
 * statement in the method's body (so it runs on every call) whose value does not read the attribute.
 */
function writesFirst(accesses: Access[]): boolean {
  const first = accesses[0];
  if (!first?.simpleWrite) return false;
  const assignment = first.node.parent!;
  return !accesses.some((a) => a !== first && a.node.startIndex >= assignment.startIndex && a.node.endIndex <= assignment.endIndex);
}

/** Accesses by method id (tree-sitter hands out a new Node object per visit: compare ids). */
function byMethod(accesses: Access[]): Map<number, { method: Node; list: Access[] }> {
  const map = new Map<number, { method: Node; list: Access[] }>();
  for (const a of accesses) {
    const entry = map.get(a.method.id) ?? { method: a.method, list: [] };
    entry.list.push(a);
    map.set(a.method.id, entry);
  }
  return map;
}

function methodName(method: Node): string {
  return method.childForFieldName('name')?.text ?? '';
}

/** `self.attr = value` in `__init__`: the one access there, a plain statement on lines of its own. */
function initialisation(accesses: Access[] | undefined, text: string): { statement: Node; value: Node; lines: { start: number; end: number } } | null | undefined {
  if (!accesses) return undefined; // none
  if (accesses.length !== 1 || !accesses[0].simpleWrite) return null; // something we cannot move
  const statement = accesses[0].node.parent!.parent!;
  const lines = ownLines(text, statement);
  const value = accesses[0].node.parent!.childForFieldName('right');
  return lines && value ? { statement, value, lines } : null;
}

/**
 * "Keep it in a local variable", when the method that stores the value is the only one using it.
 *
 * An initialisation in `__init__` (`self.buffer = []`) is left in place: it runs once, before the
 * object is shared, so it races with nothing; removing it would make code outside the class that
 * still reads `obj.buffer` (a subclass, a caller in another module) fail with AttributeError instead of
 * seeing the initial value, and would drop any side effect of the initialiser.
 */
export function localVariableFix(ctx: RuleContext, classNode: Node, method: Node, receiver: string, attr: string): Fix | undefined {
  const accesses = accessesOf(ctx, classNode, attr);
  if (!accesses) return undefined;
  const methods = byMethod(accesses);
  const own = methods.get(method.id)?.list ?? [];
  for (const { method: m, list } of methods.values()) {
    if (m.id !== method.id && (methodName(m) !== '__init__' || !initialisation(list, ctx.text))) return undefined;
  }
  if (!writesFirst(own)) return undefined;
  const body = method.childForFieldName('body')!;
  const scope = ctx.model.scopeOf(body);
  let name = attr.replace(/^_+/, '') || 'value';
  if (KEYWORDS.has(name)) name = `${name}_`;
  while (scope?.locals.has(name) || scope?.parameters.has(name) || new RegExp(`(?<![\\w.])${escape(name)}\\b`).test(method.text)) name = `_${name}`;
  return {
    message: `Keep \`${receiver}.${attr}\` in a local variable \`${name}\``,
    // The object no longer carries the value after the call: code outside the class may have read it.
    applicability: 'unsafe',
    edits: own.map((a) => ({ start: a.node.startIndex, end: a.node.endIndex, newText: name })),
  };
}

const CONSTANT_LEAVES = new Set(['integer', 'float', 'true', 'false', 'none', 'concatenated_string', 'comment']);
const CONSTANT_CONTAINERS = new Set(['list', 'tuple', 'set', 'dictionary', 'pair', 'unary_operator', 'parenthesized_expression']);
const EMPTY_CONSTRUCTORS = new Set(['list', 'dict', 'set', 'bytearray', 'tuple', 'frozenset', 'str', 'bytes', 'int', 'float']);

/**
 * A value that means the same whenever and wherever it is evaluated (literals, containers of them,
 * `list()`, `dict()`…): it can move from `__init__` into the holder's per-thread `__init__`.
 */
function isConstant(node: Node, model: ModuleModel): boolean {
  if (node.type === 'string') return !namedChildren(node).some((c) => c.type === 'interpolation');
  if (CONSTANT_LEAVES.has(node.type)) return true;
  if (CONSTANT_CONTAINERS.has(node.type)) return namedChildren(node).every((c) => isConstant(c, model));
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    return fn?.type === 'identifier' && EMPTY_CONSTRUCTORS.has(fn.text) && !model.bindings.has(fn.text) && !!args && namedChildren(args).length === 0;
  }
  return false;
}

interface Holder {
  /** The attribute of `self` that holds the thread-local object. */
  attr: string;
  /** The holder's class when it is a `threading.local` subclass of this module, else null (plain). */
  holderClass: Node | null;
  /** The call that makes it (`threading.local()`), in `__init__`. */
  call: Node;
}

/** A `self.X = threading.local()` (or a subclass of it) statement in `__init__`. */
function existingHolder(cls: ClassInfo, model: ModuleModel): Holder | null {
  const init = cls.methods.get('__init__');
  const body = init?.childForFieldName('body');
  const receiver = init ? receiverOf(init) : null;
  for (const stmt of body && receiver ? namedChildren(body) : []) {
    const inner = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
    const left = inner?.type === 'assignment' ? inner.childForFieldName('left') : null;
    const right = inner?.childForFieldName('right') ?? null;
    if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== receiver || right?.type !== 'call' || !model.isThreadLocal(right)) continue;
    const attr = left.childForFieldName('attribute')!.text;
    if (!cls.threadLocalAttributes.has(attr)) continue;
    const fn = right.childForFieldName('function');
    const q = model.imports.qualify(fn) ?? '';
    const holderClass = q === 'threading.local' || q === '_threading_local.local' ? null : [...model.classes.values()].find((c) => c.name === fn?.text)?.node ?? null;
    if (q !== 'threading.local' && q !== '_threading_local.local' && !holderClass) continue;
    return { attr, holderClass, call: right };
  }
  return null;
}

/** An edit adding `self.attr = value` at the end of a `threading.local` subclass's `__init__(self)`. */
function addDefault(holderClass: Node, model: ModuleModel, text: string, attr: string, value: string): TextEdit | null {
  const init = model.classInfo(holderClass)?.methods.get('__init__');
  const params = init?.childForFieldName('parameters');
  const body = init?.childForFieldName('body');
  const statements = body ? namedChildren(body) : [];
  const last = statements[statements.length - 1];
  if (!init || !params || namedChildren(params).length !== 1 || !last || last.startPosition.row === init.startPosition.row || !ownLines(text, last)) return null;
  const receiver = namedChildren(params)[0].text;
  if (new RegExp(`\\.${escape(attr)}\\b`).test(holderClass.text)) return null;
  const at = nextLineStart(text, last.endIndex);
  const needsBreak = at === text.length && !/[\r\n]$/.test(text);
  const eol = lineEnding(text);
  return { start: at, end: at, newText: `${needsBreak ? eol : ''}${indentationAt(text, last.startIndex)}${receiver}.${attr} = ${value}${eol}` };
}

function uniqueName(base: string, taken: (name: string) => boolean): string {
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base}${i}`;
  return name;
}

/**
 * "Keep it per thread". `covered`: methods that only run after the one that stores the value, on the
 * same thread (`__exit__` after `__enter__`), so their reads need no default.
 *
 * A `threading.local` attribute exists only on the threads that set it: a value set in `__init__`
 * would exist on the constructing thread alone, and every other thread reading it before setting it
 * would get AttributeError where the original code did not. So:
 * - an `__init__` initialisation to a constant (`[]`, `None`, `0`, `dict()`) moves into a
 *   `threading.local` subclass whose `__init__` sets it — Python runs that `__init__` once in each
 *   thread that uses the holder, so every thread starts from its own copy of the default;
 * - with no such default, every method that uses the value must store it first (a plain
 *   `self.attr = …` statement at its top level before any read) or be covered; otherwise no fix is
 *   offered (a read that may come first on a thread would raise AttributeError).
 */
export function threadLocalFix(ctx: RuleContext, classNode: Node, receiver: string, attr: string, covered: readonly Node[] = []): Fix | undefined {
  const { model, text } = ctx;
  const cls = model.classInfo(classNode);
  const accesses = cls ? accessesOf(ctx, classNode, attr) : null;
  if (!cls || !accesses) return undefined;
  const methods = byMethod(accesses);
  let init: ReturnType<typeof initialisation>;
  for (const { method: m, list } of methods.values()) {
    const name = methodName(m);
    if (name === '__init__') init = initialisation(list, text);
    else if (CONSTRUCTION_METHODS.has(name)) return undefined;
  }
  if (init === null) return undefined;
  const defaultValue = init && isConstant(init.value, model) ? init.value.text : null;
  if (init && defaultValue === null) return undefined; // `self.buffer = make(size)`: cannot run per thread
  for (const { method: m, list } of methods.values()) {
    if (methodName(m) === '__init__' || defaultValue !== null || writesFirst(list) || covered.some((c) => c.id === m.id)) continue;
    return undefined;
  }

  const edits: TextEdit[] = [];
  const threading = threadingModule(model, text);
  if (!threading) return undefined;
  let holder = existingHolder(cls, model);
  if (holder && new RegExp(`\\.${escape(holder.attr)}\\.${escape(attr)}\\b`).test(text)) holder = null;
  const holderAttr = holder?.attr ?? uniqueName('_local', (n) => cls.methods.has(n) || new RegExp(`\\.\\s*${escape(n)}\\b`).test(text));
  if (defaultValue !== null) {
    if (holder?.holderClass) {
      const edit = addDefault(holder.holderClass, model, text, attr, defaultValue);
      if (!edit) return undefined;
      edits.push(edit);
    } else {
      // A new `threading.local` subclass, defined just before the class.
      const top = topLevelStatement(classNode);
      if (!top) return undefined;
      const className = uniqueName(`_${cls.name.replace(/^_+/, '')}Local`, (n) => model.bindings.has(n) || new RegExp(`\\b${escape(n)}\\b`).test(text));
      const eol = lineEnding(text);
      const unit = indentUnit(text);
      const definition = [`class ${className}(${threading.name}.local):`, `${unit}def __init__(self):`, `${unit}${unit}self.${attr} = ${defaultValue}`, '', '', ''].join(eol);
      const at = lineStart(text, top.startIndex);
      edits.push(...threading.edits, { start: at, end: at, newText: definition });
      if (holder) edits.push({ start: holder.call.startIndex, end: holder.call.endIndex, newText: `${className}()` });
      else {
        const create = addToInit(classNode, model, text, (self) => `${self}.${holderAttr} = ${className}()`);
        if (!create) return undefined;
        edits.push(create);
      }
    }
    edits.push({ start: init!.lines.start, end: init!.lines.end, newText: '' });
  } else if (!holder) {
    const create = addToInit(classNode, model, text, (self) => `${self}.${holderAttr} = ${threading.name}.local()`);
    if (!create) return undefined;
    edits.push(...threading.edits, create);
  }
  for (const a of accesses) {
    if (init && a.node.parent?.parent?.id === init.statement.id) continue;
    const object = a.node.childForFieldName('object')!.text;
    edits.push({ start: a.node.startIndex, end: a.node.endIndex, newText: `${object}.${holderAttr}.${attr}` });
  }
  return {
    message: `Keep \`${receiver}.${attr}\` per thread (\`${receiver}.${holderAttr}.${attr}\` on a \`threading.local()\`)`,
    // Every thread now sees its own value: code that read the value another thread's call left (another
    // method, code outside this module) sees this thread's value or the default instead.
    applicability: 'unsafe',
    edits,
  };
}

/** The module-level statement `classNode` is (with its decorators), or null for a nested class. */
function topLevelStatement(classNode: Node): Node | null {
  const stmt = classNode.parent?.type === 'decorated_definition' ? classNode.parent : classNode;
  return stmt.parent?.type === 'module' ? stmt : null;
}
