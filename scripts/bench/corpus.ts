// The benchmark's inputs, from the machine's Python: the top-level Lib/*.py corpus and the ~5,000-line
// edit file (14 whole stdlib modules, `__future__.py` … `_threading_local.py`).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Corpus {
  stdlib: string;
  pythonVersion: string;
  files: string[];
  texts: string[];
  lines: number;
}

export function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.length > 0 && !text.endsWith('\n') ? n + 1 : n;
}

export function stdlibCorpus(python = 'python3'): Corpus {
  const stdlib = execFileSync(python, ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim();
  const pythonVersion = execFileSync(python, ['-c', 'import sys;print(sys.version.split()[0])'], { encoding: 'utf8' }).trim();
  const files = readdirSync(stdlib).filter((f) => f.endsWith('.py')).sort().map((f) => join(stdlib, f));
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  return { stdlib, pythonVersion, files, texts, lines: texts.reduce((n, t) => n + lineCount(t), 0) };
}

/**
 * The edit file of the performance issue: the top-level modules from `__future__.py` to
 * `_threading_local.py` in sorted order, leaving out those over 2,000 lines (`_pydecimal.py`, `_pyio.py`),
 * each followed by an empty line — 14 modules, 5,026 lines on CPython 3.11.
 */
export function editFile(corpus: Corpus): { text: string; modules: string[] } {
  const names = corpus.files.map((f) => f.split('/').pop()!);
  const first = names.indexOf('__future__.py');
  const last = names.indexOf('_threading_local.py');
  const modules: string[] = [];
  let text = '';
  for (let i = Math.max(first, 0); i <= (last >= 0 ? last : Math.min(names.length - 1, first + 16)); i++) {
    if (lineCount(corpus.texts[i]) > 2000) continue;
    modules.push(names[i]);
    text += `${corpus.texts[i].endsWith('\n') ? corpus.texts[i] : `${corpus.texts[i]}\n`}\n`;
  }
  return { text, modules };
}

/**
 * `n` edit sites in function bodies, spread over the file: the first character of an identifier that
 * starts a statement in an indented block (`        name = …`, `        name(…)`, `        return`).
 */
export function functionBodySites(text: string, n: number): Array<{ line: number; character: number }> {
  const lines = text.split('\n');
  const all: Array<{ line: number; character: number }> = [];
  lines.forEach((l, i) => {
    const m = /^( {8,})(?!(?:def|class|async|elif|else|except|finally|try|with|for|while|if|return|yield|pass|break|continue|raise|import|from|global|nonlocal|del|assert|lambda|not|and|or|in|is|None|True|False)\b)[A-Za-z_]\w*/.exec(l);
    if (m) all.push({ line: i, character: m[1].length });
  });
  if (all.length === 0) throw new Error('no edit site in function bodies');
  const out: Array<{ line: number; character: number }> = [];
  for (let k = 0; k < n; k++) out.push(all[Math.floor(((k * 7919) % n) * (all.length / n))]);
  return out;
}

/** A document of about `bytes` characters: `text` repeated. */
export function repeatTo(text: string, bytes: number): string {
  return text.repeat(Math.max(1, Math.ceil(bytes / text.length)));
}
