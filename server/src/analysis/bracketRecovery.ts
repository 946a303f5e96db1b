// Shapes tree-sitter-python reports as syntax errors where Python sees none, parsed again from a text
// of the same length (so every offset — and every position ftaudit computes from the original text —
// stays where it was):
// - a line inside brackets indented less than the block it continues (`message = (_('…') %` then
//   `{'size': n})` at a smaller indent; upstream tree-sitter/tree-sitter-python#256): inside brackets a
//   line break is only whitespace to Python, so those line breaks become spaces;
// - `=` as the fill character of an f-string's format spec (`f"{x:=^30}"`), read as a walrus: the `=`
//   becomes a space (the spec's content means nothing to the analysis).
import type { Parser, WasmNode, WasmTree } from './parser';

type ParseOptions = Parameters<Parser['parse']>[2];

/**
 * Parses `text`; if the tree has errors and joining the lines inside brackets parses without any,
 * that tree instead. Null when tree-sitter returns none (a cancelled parse).
 */
export function parseRecovering(parser: Parser, text: string, old?: WasmTree | null, options?: ParseOptions): WasmTree | null {
  const tree = parser.parse(text, old ?? null, options);
  if (!tree || !tree.rootNode.hasError) return tree;
  const filled = blankFormatSpecFills(tree.rootNode, text);
  const retry = joinBracketedLines(filled ?? text) ?? filled;
  if (retry === null) return tree;
  const recovered = parser.parse(retry, null, options);
  if (!recovered || recovered.rootNode.hasError) {
    recovered?.delete();
    return tree;
  }
  tree.delete();
  return recovered;
}

/**
 * The text with the `=` of each `{name:=…}` an f-string interpolation holds replaced by a space — the
 * shape tree-sitter reads as an unparenthesised walrus (which Python does not allow there) with an
 * error after it; null when the tree has no such interpolation.
 */
export function blankFormatSpecFills(root: WasmNode, text: string): string | null {
  let out: string[] | null = null;
  const stack: WasmNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const walrus = node.type === 'named_expression' && node.parent?.type === 'interpolation' ? node.children.find((c) => c?.type === ':=') : undefined;
    if (walrus && text.startsWith(':=', walrus.startIndex) && node.children.some((c) => c?.type === 'ERROR')) {
      out ??= text.split('');
      out[walrus.startIndex + 1] = ' ';
      continue;
    }
    for (const child of node.children) if (child && (child.hasError || child.type === 'ERROR')) stack.push(child);
  }
  return out && out.join('');
}

/**
 * The text with every line break inside (), [] or {} replaced by a space — except after a comment
 * (the break ends it) and inside strings; null unless some line inside brackets is indented less than
 * the line the outermost bracket opened on (the one shape tree-sitter misreads: any other syntax
 * error is the user's, and a second parse would only cost time).
 */
export function joinBracketedLines(text: string): string | null {
  let out: string[] | null = null;
  let dedented = false;
  let openerIndent = 0;
  let depth = 0;
  let quote = '';
  let triple = false;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (comment) {
      if (c === '\n') comment = false;
      continue;
    }
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote && (!triple || text.startsWith(quote.repeat(3), i))) {
        if (triple) i += 2;
        quote = '';
      } else if (c === '\n' && !triple) quote = ''; // an unterminated string ends at the line
      continue;
    }
    if (c === '#') comment = true;
    else if (c === '"' || c === "'") {
      quote = c;
      triple = text.startsWith(c.repeat(3), i);
      if (triple) i += 2;
    } else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) openerIndent = indentOfLineAt(text, i);
      depth++;
    } else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    else if (c === '\n' && depth > 0) {
      out ??= text.split('');
      out[i] = ' ';
      if (i > 0 && text[i - 1] === '\r') out[i - 1] = ' ';
      let next = i + 1;
      while (text[next] === ' ' || text[next] === '\t') next++;
      if (next - (i + 1) < openerIndent && text[next] !== '\n' && text[next] !== '\r' && text[next] !== '#' && next < text.length) dedented = true;
    }
  }
  return out && dedented ? out.join('') : null;
}

function indentOfLineAt(text: string, at: number): number {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  let end = start;
  while (text[end] === ' ' || text[end] === '\t') end++;
  return end - start;
}
