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
 * Lines that start a simple statement with an identifier (`name = …`, `name(…)`, `name.attr …`), found
 * by Python's own parser: inside a function body (`inFunctions`) or at module and class level. A regex on
 * indentation also matched continuation lines of module-level imports and docstrings (5 of the 100 sites
 * the benchmark used until session u), whose edits take the full analysis.
 */
function statementSites(text: string, inFunctions: boolean, python = 'python3'): Array<{ line: number; character: number }> {
  const script = [
    'import ast, json, sys',
    'tree = ast.parse(sys.stdin.read())',
    'out = []',
    'def visit(node, in_fn):',
    '    for child in ast.iter_child_nodes(node):',
    '        fn = in_fn or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))',
    '        if isinstance(child, (ast.Expr, ast.Assign, ast.AugAssign)) and child.col_offset > 0 and in_fn == IN_FN:',
    '            first = child.value if isinstance(child, ast.Expr) else (child.targets[0] if isinstance(child, ast.Assign) else child.target)',
    '            while isinstance(first, (ast.Call, ast.Attribute, ast.Subscript)): first = first.func if isinstance(first, ast.Call) else first.value',
    '            if isinstance(first, ast.Name) and first.lineno == child.lineno and first.col_offset == child.col_offset: out.append((child.lineno - 1, child.col_offset))',
    '        visit(child, fn)',
    'visit(tree, False)',
    'print(json.dumps(out))',
  ].join('\n').replace('IN_FN', inFunctions ? 'True' : 'False');
  const found: Array<[number, number]> = JSON.parse(execFileSync(python, ['-c', script], { input: text, encoding: 'utf8', maxBuffer: 1 << 26 }));
  return found.map(([line, character]) => ({ line, character }));
}

function spread<T>(all: T[], n: number): T[] {
  const out: T[] = [];
  for (let k = 0; k < n; k++) out.push(all[Math.floor(((k * 7919) % n) * (all.length / n))]);
  return out;
}

/**
 * `n` edit sites in function bodies, spread over the file: the first character of an identifier that
 * starts a statement of a function's body (`name = …`, `name(…)`), not of module or class level.
 */
export function functionBodySites(text: string, n: number): Array<{ line: number; character: number }> {
  const all = statementSites(text, true);
  if (all.length === 0) throw new Error('no edit site in function bodies');
  return spread(all, n);
}

/** `n` edit sites at module or class level (indented statements outside functions): edits the first answer does not cover. */
export function moduleLevelSites(text: string, n: number): Array<{ line: number; character: number }> {
  const all = statementSites(text, false);
  if (all.length === 0) throw new Error('no indented edit site outside functions');
  return spread(all, n);
}

/** A document of about `bytes` characters: `text` repeated. */
export function repeatTo(text: string, bytes: number): string {
  return text.repeat(Math.max(1, Math.ceil(bytes / text.length)));
}
