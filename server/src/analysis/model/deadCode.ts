// Branches that never run: `if USE_ASYNC:` in a module that sets `USE_ASYNC = False` once (code
// generated from an async twin keeps the other variant's lines), `if TYPE_CHECKING:`, `if False:`.
// A race needs the code to run; what a constant condition rules out is not reported.
import type { Node } from '../parser';
import { namedChildren } from './syntax';

/** Module flags: names bound exactly once, at module level, to `True` or `False`, and never declared `global`. */
export function constantFlags(moduleAssignments: readonly Node[], globalStatements: readonly Node[]): Map<string, boolean> {
  const counts = new Map<string, { count: number; value: boolean | undefined }>();
  for (const a of moduleAssignments) {
    const left = a.childForFieldName('left');
    if (left?.type !== 'identifier') continue;
    const right = a.childForFieldName('right');
    const value = right?.type === 'true' ? true : right?.type === 'false' ? false : undefined;
    const seen = counts.get(left.text);
    counts.set(left.text, { count: (seen?.count ?? 0) + 1, value });
  }
  const rebound = new Set(globalStatements.flatMap((g) => namedChildren(g).map((n) => n.text)));
  const flags = new Map<string, boolean>();
  for (const [name, { count, value }] of counts) if (count === 1 && value !== undefined && !rebound.has(name)) flags.set(name, value);
  return flags;
}

/** The value a condition always has, or undefined when it depends on the run. */
export function staticTruth(expr: Node | null, flags: ReadonlyMap<string, boolean>): boolean | undefined {
  if (!expr) return undefined;
  switch (expr.type) {
    case 'true':
      return true;
    case 'false':
    case 'none':
      return false;
    case 'identifier':
      return expr.text === 'TYPE_CHECKING' ? false : flags.get(expr.text);
    case 'attribute':
      return expr.text === 'typing.TYPE_CHECKING' ? false : undefined;
    case 'parenthesized_expression':
      return staticTruth(namedChildren(expr)[0] ?? null, flags);
    case 'not_operator': {
      const inner = staticTruth(expr.childForFieldName('argument'), flags);
      return inner === undefined ? undefined : !inner;
    }
    case 'boolean_operator': {
      const left = staticTruth(expr.childForFieldName('left'), flags);
      const right = staticTruth(expr.childForFieldName('right'), flags);
      const op = expr.childForFieldName('operator')?.type ?? expr.children.find((c) => c?.type === 'and' || c?.type === 'or')?.type;
      if (op === 'and') return left === false || right === false ? false : left === true && right === true ? true : undefined;
      if (op === 'or') return left === true || right === true ? true : left === false && right === false ? false : undefined;
      return undefined;
    }
  }
  return undefined;
}

/** Is `node` inside a branch its condition rules out (an `if` body whose test is always false, or the `else` of one always true)? */
export function inDeadBranch(node: Node, flags: ReadonlyMap<string, boolean>): boolean {
  for (let child = node, up = node.parent; up; child = up, up = up.parent) {
    if (up.type === 'if_statement' || up.type === 'elif_clause') {
      const consequence = up.childForFieldName('consequence');
      if (consequence && child.id === consequence.id && staticTruth(up.childForFieldName('condition'), flags) === false) return true;
    } else if (up.type === 'else_clause' && up.parent?.type === 'if_statement') {
      const owner = up.parent;
      // `else` of an `if` always true, when no `elif` could have run instead.
      if (!namedChildren(owner).some((c) => c.type === 'elif_clause') && staticTruth(owner.childForFieldName('condition'), flags) === true) return true;
    }
  }
  return false;
}
