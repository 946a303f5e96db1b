// Finds where a key (or a string inside its value) is written in a TOML file, for error messages.
// smol-toml gives positions for syntax errors only, so this scans the text: table headers, `key =`
// lines (bare, quoted and dotted keys) and inline tables. It is best effort: a position it cannot
// find is left out of the message rather than guessed.

export interface TextPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
}

interface ParsedKey {
  parts: string[];
  /** Offset just after the key (and its trailing spaces). */
  end: number;
}

/** Reads a dotted key (`a."b.c".'d'`) starting at `i`; null when there is none. */
function readKey(text: string, i: number): ParsedKey | null {
  const parts: string[] = [];
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    const c = text[i];
    if (c === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') {
        if (text[i] === '\\' && i + 1 < text.length) {
          const e = text[i + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else s += text[i++];
      }
      if (text[i] !== '"') return null;
      i++;
      parts.push(s);
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0 || text.slice(i + 1, close).includes('\n')) return null;
      parts.push(text.slice(i + 1, close));
      i = close + 1;
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i, i + 256));
      if (!m) return null;
      parts.push(m[0]);
      i += m[0].length;
    }
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] !== '.') return { parts, end: i };
    i++;
  }
}

const samePrefix = (a: readonly string[], b: readonly string[]) => a.length <= b.length && a.every((p, i) => p === b[i]);

export class TomlLocator {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  position(offset: number): TextPosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: [...this.text.slice(this.lineStarts[lo], offset)].length + 1 };
  }

  /** Offset of the key `path` (full path from the document root), or of the value string `value` inside it. */
  find(path: readonly string[], value?: string): TextPosition | undefined {
    const at = this.findKey(path);
    if (at === undefined) return undefined;
    if (value !== undefined) {
      const v = this.findString(value, at.valueStart, this.nextDefinition(at.valueStart));
      if (v !== undefined) return this.position(v);
    }
    return this.position(at.keyStart);
  }

  private findKey(path: readonly string[]): { keyStart: number; valueStart: number } | undefined {
    const { text } = this;
    let table: string[] = [];
    let multiline: string | null = null;
    for (let n = 0; n < this.lineStarts.length; n++) {
      const start = this.lineStarts[n];
      const end = n + 1 < this.lineStarts.length ? this.lineStarts[n + 1] : text.length;
      const line = text.slice(start, end);
      if (multiline) {
        if (line.includes(multiline)) multiline = null;
        continue;
      }
      const indent = line.length - line.trimStart().length;
      const first = start + indent;
      if (text[first] === '[') {
        const double = text[first + 1] === '[';
        const key = readKey(text, first + (double ? 2 : 1));
        if (!key) continue;
        table = key.parts;
        if (table.length === path.length && samePrefix(table, path)) return { keyStart: first, valueStart: end };
        continue;
      }
      const key = readKey(text, first);
      if (!key || text[key.end] !== '=') continue;
      const full = [...table, ...key.parts];
      const valueStart = key.end + 1;
      if (samePrefix(path, full)) return { keyStart: first, valueStart };
      if (samePrefix(full, path)) {
        // The rest of the path is inside an inline table: `per-file-ignores = { "tests/*" = [...] }`.
        const inner = this.findInlineKeys(path.slice(full.length), valueStart);
        if (inner) return inner;
        return { keyStart: first, valueStart };
      }
      const rest = line.slice(key.end + 1 - start);
      for (const q of ['"""', "'''"]) {
        const count = rest.split(q).length - 1;
        if (count % 2 === 1) multiline = q;
      }
    }
    return undefined;
  }

  private findInlineKeys(rest: readonly string[], from: number): { keyStart: number; valueStart: number } | undefined {
    let at = from;
    let keyStart = from;
    for (const part of rest) {
      const candidates = [JSON.stringify(part), `'${part}'`, ...(/^[A-Za-z0-9_-]+$/.test(part) ? [part] : [])];
      let best = -1;
      let len = 0;
      for (const c of candidates) {
        for (let i = this.text.indexOf(c, at); i !== -1; i = this.text.indexOf(c, i + 1)) {
          // Must be followed by `=` (a key, not a value that happens to be equal).
          if (/^\s*=/.test(this.text.slice(i + c.length, i + c.length + 64))) {
            if (best < 0 || i < best) {
              best = i;
              len = c.length;
            }
            break;
          }
        }
      }
      if (best < 0) return undefined;
      keyStart = best;
      at = best + len;
    }
    return { keyStart, valueStart: this.text.indexOf('=', at) + 1 };
  }

  private findString(value: string, from: number, to: number): number | undefined {
    let best: number | undefined;
    for (const c of [JSON.stringify(value), `'${value}'`]) {
      const i = this.text.indexOf(c, from);
      if (i !== -1 && i < to && (best === undefined || i < best)) best = i;
    }
    return best;
  }

  /** Start of the first line after `offset`'s line that opens a table or defines a key. */
  private nextDefinition(offset: number): number {
    const { text } = this;
    for (const start of this.lineStarts) {
      if (start <= offset) continue;
      const first = start + (/^[ \t]*/.exec(text.slice(start, start + 256))?.[0].length ?? 0);
      if (text[first] === '[') return start;
      const key = readKey(text, first);
      if (key && text[key.end] === '=') return start;
    }
    return text.length;
  }
}
