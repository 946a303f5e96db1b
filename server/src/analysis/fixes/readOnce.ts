// "Read it once into a local" (FT111): `thread = self._thread` before the test, and the test and the
// uses the test protects read the local. Unsafe: a call in between that means to replace the field
// (a reconnect that sets a new socket) is no longer seen by the later uses.
import type { Node } from '../parser';
import type { Fix, RuleContext, TextEdit } from '../types';
import { indentationAt, lineEnding, lineStart } from './text';

const KEYWORDS = new Set(['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield']);

/**
 * `ifNode` tests `subject`; `region` is where the test rules None out (its body, or the statements after
 * an early exit). Every read of `subject` in the condition and in the region — up to a statement that
 * rebinds it, and not inside nested functions, which run later — reads the local instead.
 */
export function readOnceFix(ctx: RuleContext, ifNode: Node, subject: Node, region: Node[], inBody: boolean): Fix | undefined {
  const { model, text } = ctx;
  const scope = model.scopeOf(ifNode);
  if (!scope) return undefined;
  // The if must start its own line (not `else: if …` on one line, not after a `;`).
  const at = lineStart(text, ifNode.startIndex);
  if (text.slice(at, ifNode.startIndex).trim() !== '') return undefined;
  const fnText = scope.node.text;
  let name = (subject.type === 'attribute' ? subject.childForFieldName('attribute')!.text : subject.text).replace(/^_+/, '') || 'value';
  if (KEYWORDS.has(name)) name = `${name}_`;
  while (scope.locals.has(name) || scope.parameters.has(name) || new RegExp(`(?<![\\w.])${name}\\b`).test(fnText)) name = `_${name}`;

  const edits: TextEdit[] = [];
  const replaceIn = (root: Node): boolean => {
    const candidates = [root, ...root.descendantsOfType(subject.type === 'attribute' ? 'attribute' : 'identifier')];
    for (const n of candidates) {
      if (n.type !== subject.type || n.text !== subject.text || model.scopeOf(n) !== scope) continue;
      // An attribute's name (`x.self`) is no read of a global of that name.
      if (n.type === 'identifier' && n.parent?.type === 'attribute' && n.parent.childForFieldName('attribute')?.id === n.id) continue;
      const parent = n.parent;
      if ((parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left')?.id === n.id) return false;
      if (parent?.type === 'delete_statement') return false;
      edits.push({ start: n.startIndex, end: n.endIndex, newText: name });
    }
    return true;
  };
  const condition = ifNode.childForFieldName('condition');
  if (!condition || !replaceIn(condition)) return undefined;
  // In the body: every statement of it; after an early exit: the statements up to a rebinding.
  for (const stmt of region) {
    if (!replaceIn(stmt)) {
      if (inBody) return undefined;
      break;
    }
  }
  if (edits.length < 2) return undefined;
  const indent = indentationAt(text, ifNode.startIndex);
  edits.unshift({ start: at, end: at, newText: `${indent}${name} = ${subject.text}${lineEnding(text)}` });
  return { message: `Read \`${subject.text}\` once into a local \`${name}\``, applicability: 'unsafe', edits };
}
