// "Use one atomic dict operation": `if k not in d: d[k] = v` → `d.setdefault(k, v)` and
// `if k in d: del d[k]` → `d.pop(k, None)`. Each dict method call is atomic on free-threaded CPython.
import type { Node } from '../parser';
import type { Fix } from '../types';
import { namedChildren } from '../model/syntax';
import { sameExpression } from '../rules/common';
import { lineEnding, ownLines } from './text';

const PURE_LEAVES = new Set(['integer', 'float', 'true', 'false', 'none', 'identifier', 'attribute', 'string', 'concatenated_string']);
const PURE_CONTAINERS = new Set(['list', 'tuple', 'set', 'dictionary', 'pair', 'unary_operator', 'parenthesized_expression']);

/** Evaluating it twice or once more is harmless: literals, names, and containers of those. */
function isSideEffectFree(node: Node): boolean {
  if (node.type === 'string') return !namedChildren(node).some((c) => c.type === 'interpolation');
  if (PURE_LEAVES.has(node.type)) return true;
  return PURE_CONTAINERS.has(node.type) && namedChildren(node).every(isSideEffectFree);
}

export function atomicDictFix(text: string, ifNode: Node): Fix | undefined {
  if (ifNode.childForFieldName('alternative') || namedChildren(ifNode).some((c) => c.type === 'elif_clause' || c.type === 'else_clause')) return undefined;
  const body = ifNode.childForFieldName('consequence');
  const statements = body ? namedChildren(body) : [];
  const condition = ifNode.childForFieldName('condition');
  const lines = ownLines(text, ifNode);
  if (statements.length !== 1 || !condition || !lines || condition.type !== 'comparison_operator') return undefined;
  const ops = condition.children.filter((c) => c && !c.isNamed).map((c) => c!.type);
  const [key, container] = namedChildren(condition);
  if (ops.length !== 1 || !key || !container) return undefined;
  const stmt = statements[0];
  const inner = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : stmt;
  const eol = lineEnding(text);
  const replace = (code: string, message: string): Fix => ({
    message,
    applicability: 'safe',
    edits: [{ start: lines.start, end: lines.end, newText: `${lines.indent}${code}${eol}` }],
  });

  if (ops[0] === 'not in' && inner?.type === 'assignment') {
    const left = inner.childForFieldName('left');
    const value = inner.childForFieldName('right');
    if (left?.type === 'subscript' && sameExpression(left.childForFieldName('value'), container) && sameExpression(left.childForFieldName('subscript'), key) && value && isSideEffectFree(value)) {
      return replace(`${container.text}.setdefault(${key.text}, ${value.text})`, `Use \`${container.text}.setdefault(…)\` (one atomic operation)`);
    }
  }
  if (ops[0] === 'in' && inner?.type === 'delete_statement') {
    const targets = namedChildren(inner);
    const target = targets[0];
    if (targets.length === 1 && target.type === 'subscript' && sameExpression(target.childForFieldName('value'), container) && sameExpression(target.childForFieldName('subscript'), key)) {
      return replace(`${container.text}.pop(${key.text}, None)`, `Use \`${container.text}.pop(…, None)\` (one atomic operation)`);
    }
  }
  return undefined;
}
