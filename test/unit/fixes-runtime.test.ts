// The guard fix, run for real: the fixed program must count exactly. On a free-threaded interpreter
// (FTAUDIT_TEST_FT_PYTHON) the unfixed program must also be shown to lose updates, or the test proves
// nothing; without one, the free-threaded half is reported as skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Checker, applyEdits, fixAll } from '../../server/src/analysis';
import { scratchDir } from '../helpers/scratch';

const program = readFileSync(join(__dirname, '..', 'fixtures', 'runtime', 'race_program.py'), 'utf8');
const scratch = readFileSync(join(__dirname, '..', 'fixtures', 'runtime', 'scratch_program.py'), 'utf8');

/** The scratch program with FT101's alternative fix applied: `count` becomes thread-local. */
async function threadLocalProgram(): Promise<string> {
  const checker = await Checker.create({ select: ['ALL'] });
  const finding = checker.checkText(scratch).findings.find((f) => f.code === 'FT101' && scratch.slice(f.start, f.end) === 'count += 1');
  const fix = finding?.alternatives?.find((a) => /thread-local/.test(a.message));
  assert.ok(fix, 'the thread-local fix is offered for `count`');
  const text = applyEdits(scratch, fix.edits);
  assert.match(text, /class _CountLocal\(threading\.local\):/);
  assert.deepEqual(checker.checkText(text).findings.filter((f) => f.code === 'FT101'), []);
  return text;
}

async function fixedProgram(): Promise<string> {
  const checker = await Checker.create({ select: ['ALL'] });
  const { text, remaining } = fixAll(program, (t) => checker.checkText(t).findings);
  assert.deepEqual(remaining.filter((f) => f.code === 'FT101'), [], 'every FT101 is fixed by safe fixes');
  assert.match(text, /with _counter_lock:\n\s+counter\[0\] \+= 1/);
  assert.match(text, /with _total_lock:\n\s+total\[0\] \+= 2/);
  return text;
}

function run(python: string, source: string, n: number): { expected: number; counter: number; total: number } {
  const file = join(scratchDir('ftaudit-run-'), 'program.py');
  writeFileSync(file, source);
  const r = spawnSync(python, ['-I', file, String(n)], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${python} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('the guarded program counts exactly on python3', async (t) => {
  if (spawnSync('python3', ['--version']).status !== 0) return t.skip('python3 not found');
  const result = run('python3', await fixedProgram(), 20_000);
  assert.equal(result.counter, result.expected);
  assert.equal(result.total, 2 * result.expected);
});

test('the thread-local program counts exactly per thread on python3', async (t) => {
  if (spawnSync('python3', ['--version']).status !== 0) return t.skip('python3 not found');
  const result = run('python3', await threadLocalProgram(), 20_000);
  assert.equal(result.counter, result.expected);
});

test('on a free-threaded interpreter the shared scratch state is trampled and the thread-local one is not', async (t) => {
  const ft = process.env.FTAUDIT_TEST_FT_PYTHON;
  if (!ft) return t.skip('set FTAUDIT_TEST_FT_PYTHON to a free-threaded python (e.g. python3.14t) to run this');
  const before = run(ft, scratch, 200_000);
  assert.notEqual(before.counter, before.expected, 'the shared global was not trampled');
  const after = run(ft, await threadLocalProgram(), 200_000);
  assert.equal(after.counter, after.expected);
});

test('on a free-threaded interpreter the original loses updates and the guarded one does not', async (t) => {
  const ft = process.env.FTAUDIT_TEST_FT_PYTHON;
  if (!ft) return t.skip('set FTAUDIT_TEST_FT_PYTHON to a free-threaded python (e.g. python3.14t) to run this');
  const gil = spawnSync(ft, ['-c', 'import sys; print(getattr(sys, "_is_gil_enabled", lambda: True)())'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(gil, 'False', `${ft} runs with the GIL enabled`);
  const before = run(ft, program, 200_000);
  assert.ok(before.counter < before.expected, `the unfixed program lost no updates (${before.counter}/${before.expected})`);
  const after = run(ft, await fixedProgram(), 200_000);
  assert.equal(after.counter, after.expected);
  assert.equal(after.total, 2 * after.expected);
});

// FT109's thread-local fix, run for real: one shared Parser whose feed() keeps its buffer on self.
const parserProgram = readFileSync(join(__dirname, '..', 'fixtures', 'runtime', 'parser_program.py'), 'utf8');

/** The parser program with FT109's primary fix applied: the buffer moves to a threading.local holder. */
async function threadLocalParser(): Promise<string> {
  const checker = await Checker.create({ select: ['ALL'] });
  const finding = checker.checkText(parserProgram).findings.find((f) => f.code === 'FT109');
  assert.ok(finding?.fix && /per thread/.test(finding.fix.message), 'the thread-local fix is the primary fix for `self.buffer`');
  const text = applyEdits(parserProgram, finding.fix.edits);
  assert.match(text, /class _ParserLocal\(threading\.local\):\n    def __init__\(self\):\n        self\.buffer = \[\]\n/);
  assert.match(text, /return ""\.join\(self\._local\.buffer\)/);
  assert.deepEqual(checker.checkText(text).findings.map((f) => f.code), []);
  return text;
}

function runParser(python: string, source: string, n: number): { calls: number; wrong: number } {
  const file = join(scratchDir('ftaudit-run-'), 'program.py');
  writeFileSync(file, source);
  const r = spawnSync(python, ['-I', file, String(n)], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${python} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('the thread-local parser returns every call its own text on python3', async (t) => {
  if (spawnSync('python3', ['--version']).status !== 0) return t.skip('python3 not found');
  const result = runParser('python3', await threadLocalParser(), 2_000);
  assert.equal(result.calls, 16_000);
  assert.equal(result.wrong, 0);
});

test('on a free-threaded interpreter the shared parser mixes up calls and the thread-local one does not', async (t) => {
  const ft = process.env.FTAUDIT_TEST_FT_PYTHON;
  if (!ft) return t.skip('set FTAUDIT_TEST_FT_PYTHON to a free-threaded python (e.g. python3.14t) to run this');
  const gil = spawnSync(ft, ['-c', 'import sys; print(getattr(sys, "_is_gil_enabled", lambda: True)())'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(gil, 'False', `${ft} runs with the GIL enabled`);
  const before = runParser(ft, parserProgram, 5_000);
  assert.ok(before.wrong > 0, `the unfixed parser returned every call its own text (${before.calls} calls): the test proves nothing`);
  const after = runParser(ft, await threadLocalParser(), 5_000);
  assert.equal(after.wrong, 0, `${after.wrong} of ${after.calls} calls got another call's text`);
});
