// FT210's fix, "do the slow part outside the critical section": a blocking call that is the first
// statement of a `with lock:` body moves before the `with`, one that is the last moves after it.
// Offered only when the data flow shows nothing else changes (no fix rather than a wrong one):
// - the statement is `call(...)` or `name = call(...)` (a plain local), the body keeps at least one
//   other statement, and this `with` holds the only lock held there;
// - what the call reads outside the lock is not shared state: its callee is a module or a local, and its
//   arguments are literals, parameters, locals not assigned in the locked block, or module constants
//   reached through an import (`subprocess.PIPE`) — no attribute of an object, no call, no global;
// - the lock does not serialise other external work in the block (another subprocess, request or
//   socket call): then running this one outside it could reorder them.
import type { Node } from '../parser';
import type { Fix, RuleContext } from '../types';
import type { FunctionScope } from '../model/scopes';
import { withItems } from '../model/locks';
import { boundNames, namedChildren, snippet } from '../model/syntax';
import { ownLines } from './text';

const LITERALS = new Set(['integer', 'float', 'true', 'false', 'none', 'string', 'concatenated_string', 'string_content', 'string_start', 'string_end', 'escape_sequence', 'comment']);
const CONTAINERS = new Set(['argument_list', 'keyword_argument', 'list', 'tuple', 'set', 'dictionary', 'pair', 'parenthesized_expression', 'binary_operator', 'unary_operator', 'boolean_operator', 'comparison_operator', 'not_operator', 'list_splat', 'dictionary_splat', 'interpolation', 'format_specifier', 'conditional_expression']);

/** Names assigned anywhere inside `node`. */
function assignedIn(node: Node): Set<string> {
  const names = new Set<string>();
  for (const a of node.descendantsOfType(['assignment', 'augmented_assignment', 'for_statement', 'named_expression', 'as_pattern'])) {
    if (!a) continue;
    const target = a.childForFieldName('left') ?? a.childForFieldName('name') ?? a.childForFieldName('alias') ?? namedChildren(a)[namedChildren(a).length - 1];
    for (const n of boundNames(target ?? null)) names.add(n);
  }
  return names;
}

/** `expr` reads nothing another thread may be changing (see the file comment). */
function readsOnlyPrivate(expr: Node, scope: FunctionScope, ctx: RuleContext, changedInBlock: Set<string>, isKeywordName = false): boolean {
  if (LITERALS.has(expr.type)) return expr.type !== 'string' || namedChildren(expr).every((c) => readsOnlyPrivate(c, scope, ctx, changedInBlock));
  if (expr.type === 'identifier') {
    if (isKeywordName) return true;
    const { kind } = ctx.model.resolve(expr.text, scope);
    if (kind === 'local' || kind === 'parameter') return !changedInBlock.has(expr.text);
    if (kind === 'unknown') return true; // a builtin
    return ctx.model.bindings.get(expr.text)?.kind === 'import';
  }
  if (expr.type === 'attribute') {
    let root: Node | null = expr;
    while (root?.type === 'attribute') root = root.childForFieldName('object');
    return root?.type === 'identifier' && ctx.model.bindings.get(root.text)?.kind === 'import' && ctx.model.resolve(root.text, scope).kind !== 'local';
  }
  if (expr.type === 'keyword_argument') {
    const value = expr.childForFieldName('value');
    return !!value && readsOnlyPrivate(value, scope, ctx, changedInBlock);
  }
  if (!CONTAINERS.has(expr.type)) return false;
  return namedChildren(expr).every((c) => readsOnlyPrivate(c, scope, ctx, changedInBlock));
}

/** The callee is `module.function` of an import, or a method of a local or parameter. */
function calleeIsPrivate(call: Node, scope: FunctionScope, ctx: RuleContext, changedInBlock: Set<string>): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier') return ctx.model.resolve(fn.text, scope).kind === 'unknown' || ctx.model.bindings.get(fn.text)?.kind === 'import';
  if (fn?.type !== 'attribute') return false;
  let root: Node | null = fn.childForFieldName('object');
  const direct = root?.type === 'identifier';
  while (root?.type === 'attribute') root = root.childForFieldName('object');
  if (root?.type !== 'identifier') return false;
  const kind = ctx.model.resolve(root.text, scope).kind;
  if (ctx.model.bindings.get(root.text)?.kind === 'import' && kind !== 'local' && kind !== 'parameter') return true;
  // A module-level object no function rebinds (`jobs = queue.Queue()`): reading the name is safe.
  if (direct && (kind === 'module' || kind === 'global') && ctx.model.bindings.get(root.text)?.kind === 'value' && !new RegExp(`\\bglobal\\b[^\\n]*\\b${root.text}\\b`).test(ctx.text)) return true;
  return direct && (kind === 'local' || kind === 'parameter') && root.text !== scope.receiver && !changedInBlock.has(root.text);
}

/**
 * `call`: the blocking call; `lock`: the one lock held there; `external`: whether a call does external
 * work a lock may be serialising (a subprocess, a request, a socket), as opposed to sleeping or waiting.
 */
export function moveBlockingFix(ctx: RuleContext, call: Node, lock: string, external: (call: Node) => boolean): Fix | undefined {
  const { model, text } = ctx;
  const scope = model.scopeOf(call);
  let stmt = call.parent;
  const assignment = stmt?.type === 'assignment' && stmt.childForFieldName('right')?.id === call.id ? stmt : null;
  if (assignment) stmt = assignment.parent;
  if (!scope || stmt?.type !== 'expression_statement' || namedChildren(stmt).length !== 1) return undefined;
  if (!assignment && namedChildren(stmt)[0].id !== call.id) return undefined;
  const block = stmt.parent;
  const withNode = block?.parent;
  if (block?.type !== 'block' || withNode?.type !== 'with_statement' || withNode.children[0]?.type === 'async') return undefined;
  const items = withItems(withNode);
  const clause = namedChildren(withNode).find((c) => c.type === 'with_clause');
  if (items.length !== 1 || items[0].text !== lock || !clause || namedChildren(clause)[0]?.text !== lock) return undefined;
  const statements = namedChildren(block).filter((s) => s.type !== 'comment');
  const first = statements[0]?.id === stmt.id;
  const last = statements[statements.length - 1]?.id === stmt.id;
  if (statements.length < 2 || first === last) return undefined;

  // The result goes to a plain local.
  if (assignment) {
    const left = assignment.childForFieldName('left');
    const names = boundNames(left);
    if (!left || !['identifier', 'pattern_list', 'tuple_pattern'].includes(left.type) || names.length === 0) return undefined;
    if (names.some((n) => model.resolve(n, scope).kind !== 'local')) return undefined;
  }
  // What the call reads, read outside the lock, must not be shared state or come from the block.
  const others = statements.filter((s) => s.id !== stmt!.id);
  const changed = new Set<string>();
  for (const s of others) for (const n of assignedIn(s)) changed.add(n);
  const args = call.childForFieldName('arguments');
  if (!args || !calleeIsPrivate(call, scope, ctx, changed) || !readsOnlyPrivate(args, scope, ctx, changed)) return undefined;
  // Two pieces of external work under one lock: the lock may be what keeps them in order.
  if (external(call) && others.some((s) => s.descendantsOfType('call').some((c) => !!c && external(c)))) return undefined;

  const withLines = ownLines(text, withNode);
  const stmtLines = ownLines(text, stmt);
  if (!withLines || !stmtLines || /"""|'''/.test(stmt.text)) return undefined;
  const outer = withLines.indent;
  const inner = stmtLines.indent;
  if (!inner.startsWith(outer) || inner === outer) return undefined;
  const moved: string[] = [];
  for (const line of text.slice(stmtLines.start, stmtLines.end).split(/(?<=\n)/)) {
    if (line.trim() === '') moved.push(line);
    else if (line.startsWith(inner)) moved.push(outer + line.slice(inner.length));
    else return undefined; // a continuation line indented less than the statement: leave it
  }
  const before = text.slice(withLines.start, stmtLines.start);
  const after = text.slice(stmtLines.end, withLines.end);
  const end = Math.max(withLines.end, stmtLines.end);
  const withText = `with ${lock}:`;
  return {
    message: `Move \`${snippet(stmt, 40)}\` ${first ? 'before' : 'after'} the \`${withText}\` block`,
    // The call no longer runs while the lock is held: right when the lock guards only the shared state,
    // wrong when it was meant to throttle or serialise the call itself (one request at a time).
    applicability: 'unsafe',
    edits: [{ start: withLines.start, end, newText: first ? moved.join('') + before + after : before + after + moved.join('') }],
  };
}
