// tree-sitter-python reports a syntax error where Python sees none: a line inside brackets indented
// less than the block it continues (`message = (_('…') %` then `{'size': n})` at a smaller indent;
// upstream tree-sitter/tree-sitter-python#256). Inside brackets a line break is only whitespace to
// Python, so when a parse has errors the text is parsed again with those line breaks turned into
// spaces: the same length, so every offset — and every position ftaudit computes from the original
// text — stays where it was.
import type { Parser, WasmTree } from './parser';

type ParseOptions = Parameters<Parser['parse']>[2];

/**
 * Parses `text`; if the tree has errors and joining the lines inside brackets parses without any,
 * that tree instead. Null when tree-sitter returns none (a cancelled parse).
 */
export function parseRecovering(parser: Parser, text: string, old?: WasmTree | null, options?: ParseOptions): WasmTree | null {
  const tree = parser.parse(text, old ?? null, options);
  if (!tree || !tree.rootNode.hasError) return tree;
  const joined = joinBracketedLines(text);
  if (joined === null) return tree;
  const recovered = parser.parse(joined, null, options);
  if (!recovered || recovered.rootNode.hasError) {
    recovered?.delete();
    return tree;
  }
  tree.delete();
  return recovered;
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
