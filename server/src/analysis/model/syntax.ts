// Small helpers over tree-sitter-python nodes, shared by the model and the rules.
import type { Node } from '../parser';
import { detached } from '../syntaxTree';

export const FUNCTION_TYPES = new Set(['function_definition', 'lambda']);
export const SCOPE_TYPES = new Set(['function_definition', 'lambda', 'class_definition']);

const calleeTextCache = new WeakMap<Node, string>();

/**
 * A call's callee as written (`os.path.join`, `self._lock.acquire`, `f(x).g`), cached on the call's node
 * (which a later export takes over only while its text is unchanged): one read per call, not per version.
 */
export function calleeText(call: Node): string {
  let t = calleeTextCache.get(call);
  if (t === undefined) calleeTextCache.set(call, (t = detached(call.childForFieldName('function')?.text ?? '')));
  return t;
}

/** Named children without comments (comments can appear anywhere in tree-sitter-python). */
export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}

/** The nearest enclosing function_definition (not lambda), or null at module/class level. */
export function enclosingFunction(node: Node): Node | null {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition') return n;
  return null;
}

/** The class whose body directly contains this function (through a decorator), if any. */
export function owningClass(fn: Node): Node | null {
  let n = fn.parent;
  if (n?.type === 'decorated_definition') n = n.parent;
  if (n?.type === 'block' && n.parent?.type === 'class_definition') return n.parent;
  return null;
}

export function decoratorNames(fn: Node): string[] {
  const parent = fn.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return namedChildren(parent)
    .filter((c) => c.type === 'decorator')
    .map((d) => d.text.replace(/^@/, '').replace(/\(.*$/s, '').trim());
}

/** The docstring of a function or class (its first statement, a string; comments skipped), or ''. */
export function docstringOf(def: Node): string {
  // A module's first statement may follow comments (a licence, a coding line); a definition's body is as it was.
  const body = def.type === 'module' ? def : def.childForFieldName('body');
  const first = body ? (def.type === 'module' ? namedChildren(body).find((c) => c.type !== 'comment') : namedChildren(body)[0]) : null;
  return first?.type === 'expression_statement' && namedChildren(first)[0]?.type === 'string' ? namedChildren(first)[0].text : '';
}

/** `a.b.c` → ['a','b','c'] for identifiers and attribute chains; null for anything else. */
export function dottedName(node: Node | null): string[] | null {
  if (!node) return null;
  if (node.type === 'identifier') return [node.text];
  if (node.type === 'attribute') {
    const object = dottedName(node.childForFieldName('object'));
    const attr = node.childForFieldName('attribute');
    return object && attr ? [...object, attr.text] : null;
  }
  return null;
}

/** The last name of a name or attribute chain (`join` for `self._thread.join`), or '' for anything else. */
export function lastNameOf(node: Node | null): string {
  if (node?.type === 'identifier') return node.text;
  if (node?.type === 'attribute') return node.childForFieldName('attribute')?.text ?? '';
  return '';
}

/** `scanner`, `_scanner`, `scan` for `Scanner`; `handler` for `RequestHandler`; `resp` for `Response`. */
export function namedAfter(variable: string, cls: string): boolean {
  const v = variable.replace(/_/g, '').toLowerCase();
  const c = cls.replace(/_/g, '').toLowerCase();
  return v.length >= 3 && (c.startsWith(v) || c.endsWith(v));
}

/** The name a class or function definition gives (`''` for none). */
export function definedName(def: Node | null): string {
  return def?.childForFieldName('name')?.text ?? '';
}

/**
 * The identifier at the root of an access path: `counter` in `counter[0]`, `self` in `self.a.b[k]`.
 * Stops at calls and other expressions (their result is not a named place).
 */
export function accessRoot(node: Node): Node | null {
  let n: Node | null = node;
  while (n) {
    if (n.type === 'identifier') return n;
    if (n.type === 'attribute') n = n.childForFieldName('object');
    else if (n.type === 'subscript') n = n.childForFieldName('value');
    else if (n.type === 'parenthesized_expression') n = namedChildren(n)[0] ?? null;
    else return null;
  }
  return null;
}

/** Names bound by an assignment target (`a`, `a, b`, `[a, *b]`); attributes/subscripts bind nothing. */
export function boundNames(target: Node | null, out: string[] = []): string[] {
  if (!target) return out;
  switch (target.type) {
    case 'identifier':
      out.push(target.text);
      break;
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'tuple':
    case 'list':
    case 'list_splat_pattern':
    case 'parenthesized_expression':
      for (const c of namedChildren(target)) boundNames(c, out);
      break;
    case 'as_pattern_target':
      for (const c of namedChildren(target)) boundNames(c, out);
      break;
  }
  return out;
}

/** Calls `visit` for every descendant, not entering nested functions, lambdas or classes. */
export function walkScope(node: Node, visit: (n: Node) => void): void {
  for (const child of namedChildren(node)) {
    visit(child);
    if (!SCOPE_TYPES.has(child.type)) walkScope(child, visit);
  }
}

/** Keyword argument value by name in a call, or null. */
export function keywordArgument(call: Node, name: string): Node | null {
  const args = call.childForFieldName('arguments');
  if (!args) return null;
  for (const a of namedChildren(args)) {
    if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) {
      return a.childForFieldName('value');
    }
  }
  return null;
}

/** Positional arguments of a call (keyword arguments and splats excluded). */
export function positionalArguments(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return [];
  return namedChildren(args).filter(
    (a) => a.type !== 'keyword_argument' && a.type !== 'list_splat' && a.type !== 'dictionary_splat',
  );
}

/** Source text squeezed to one line and cut, for messages. */
export function snippet(node: Node, max = 60): string {
  const text = node.text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Is `node` inside a lambda (code that runs whenever the lambda is called, not where it is written)? */
export function insideLambda(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'lambda') return true;
  return false;
}

/**
 * Can `a` and `b` never run in one pass? True when they sit in different branches of one `if`
 * (its body, an `elif`, the `else`) or of one `match`: a call takes one branch, so a sequence that
 * needs both never happens in one call.
 */
export function inExclusiveBranches(a: Node, b: Node): boolean {
  for (let n = a.parent; n; n = n.parent) {
    if (b.startIndex < n.startIndex || b.endIndex > n.endIndex) continue;
    // `n` is the lowest node holding both.
    if (n.type !== 'if_statement' && n.type !== 'match_statement' && n.type !== 'block') return false;
    if (n.type === 'block' && n.parent?.type !== 'match_statement') return false;
    const branchOf = (x: Node): Node | null => {
      let child: Node = x;
      while (child.parent && child.parent.id !== n!.id) child = child.parent;
      return child.parent ? child : null;
    };
    const ba = branchOf(a);
    const bb = branchOf(b);
    if (!ba || !bb || ba.id === bb.id) return false;
    // The `if`'s condition runs on every path; the body, each `elif` and the `else` are the branches.
    const condition = n.type === 'if_statement' ? n.childForFieldName('condition') : null;
    if (condition && (ba.id === condition.id || bb.id === condition.id)) return false;
    const isBranch = (x: Node) => x.type === 'block' || x.type === 'elif_clause' || x.type === 'else_clause' || x.type === 'case_clause';
    return isBranch(ba) && isBranch(bb);
  }
  return false;
}

/** The statements after `node` in its block, comments left out. */
export function siblingsAfter(node: Node): Node[] {
  const out: Node[] = [];
  for (let s = node.nextNamedSibling; s; s = s.nextNamedSibling) if (s.type !== 'comment') out.push(s);
  return out;
}

/**
 * Does the function assign `target` a fresh value (one `reads` says does not read it) on every path to
 * `at`, in a statement before it: in an earlier statement of an enclosing block, in every branch of an
 * earlier `if`/`else`, or in a `finally` (not in a `with` body: its manager may swallow an exception
 * raised before the assignment)? Then the value `at` reads is the call's own. Stops at a nested
 * function or lambda: its body runs later, perhaps elsewhere.
 */
export function assignedOnEveryPathBefore(at: Node, target: Node, reads: (value: Node) => boolean): boolean {
  const key = target.text.replace(/\s+/g, '');
  for (let node = at; node.parent; node = node.parent) {
    const parent = node.parent;
    if (parent.type === 'function_definition' || parent.type === 'lambda' || parent.type === 'class_definition') return false;
    if (parent.type !== 'block') continue;
    for (const statement of parent.namedChildren) {
      if (statement === node) break;
      if (alwaysAssigns(statement, key, reads)) return true;
    }
  }
  return false;
}

function alwaysAssigns(statement: Node, key: string, reads: (value: Node) => boolean): boolean {
  const inBlock = (block: Node | null | undefined): boolean => !!block && block.namedChildren.some((s) => alwaysAssigns(s, key, reads));
  switch (statement.type) {
    case 'expression_statement': {
      // A fresh value only: `self.n = self.n + 1` or `+=` carries other threads' updates along.
      const a = statement.namedChildren[0];
      const right = a?.type === 'assignment' ? a.childForFieldName('right') : null;
      return !!right && a.childForFieldName('left')?.text.replace(/\s+/g, '') === key && !reads(right);
    }
    case 'if_statement': {
      const alternatives = statement.childrenForFieldName('alternative');
      if (!alternatives.some((c) => c.type === 'else_clause')) return false;
      return inBlock(statement.childForFieldName('consequence')) && alternatives.every((c) => inBlock(c.childForFieldName(c.type === 'else_clause' ? 'body' : 'consequence')));
    }
    case 'try_statement':
      return inBlock(statement.namedChildren.find((c) => c.type === 'finally_clause')?.namedChildren.find((c) => c.type === 'block'));
    default:
      return false;
  }
}

/** Statements and expressions under which a module-level call may not run (or runs only sometimes). */
const CONDITIONAL = new Set(['if_statement', 'elif_clause', 'else_clause', 'for_statement', 'while_statement', 'try_statement', 'except_clause', 'conditional_expression', 'boolean_operator', 'lambda', 'function_definition', 'match_statement', 'decorator', 'generator_expression', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension']);

/** A call that certainly runs while its module is imported: at module (or class-body) level, under no branch, loop, handler or lambda. */
export function runsAtImport(call: Node): boolean {
  for (let n = call.parent; n; n = n.parent) {
    if (n.type === 'module') return true;
    if (CONDITIONAL.has(n.type)) return false;
  }
  return false;
}

/** Is the text at `node` prose — a comment or the characters of a string — rather than code? */
export function isProse(node: Node): boolean {
  return node.type === 'comment' || node.type === 'string_content' || node.type === 'string';
}

/**
 * Is `node` in the body of a `try` (in its own function) with a handler for an exception `caught`
 * matches, one that does not just raise it again? The author expects that failure and has said what to
 * do about it. A bare `except:` counts only when `bare` says so: a handler for anything is seldom
 * written for one particular failure.
 */
export function caughtAround(node: Node, caught: RegExp, { bare = false } = {}): boolean {
  for (let n: Node | null = node; n && n.type !== 'function_definition' && n.type !== 'lambda'; n = n.parent) {
    const parent: Node | null = n.parent;
    if (parent?.type !== 'try_statement' || n.type !== 'block') continue;
    for (const handler of namedChildren(parent)) {
      if (handler.type !== 'except_clause') continue;
      const kinds = namedChildren(handler).find((c) => c.type !== 'block');
      const body = namedChildren(handler).find((c) => c.type === 'block');
      const statements = body ? namedChildren(body) : [];
      const reraises = statements.length === 1 && statements[0].type === 'raise_statement' && statements[0].namedChildCount === 0;
      if ((kinds ? caught.test(kinds.text) : bare) && !reraises) return true;
    }
  }
  return false;
}
