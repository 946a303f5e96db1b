// `ftaudit reproduce`: the plan (what is called, on what, with which arguments, what is observed),
// the generated harness (it parses, also with TODOs), and real runs. The fixtures in
// test/fixtures/reproduce/racy.py yield between read and write, so their races show even with the
// GIL and the machine's python3 proves the observation; with FTAUDIT_TEST_FT_PYTHON the article's
// counter is also reproduced on a free-threaded interpreter, and shown fixed after the lock fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checker, fixAll } from '../../server/src/analysis';
import { createPythonParser } from '../../server/src/analysis/parser';
import { exportTree } from '../../server/src/analysis/syntaxTree';
import { planReproduction, type ReproPlan } from '../../server/src/analysis/reproduce/plan';
import { harnessScript } from '../../reproduce/harness';
import { scratchDir } from '../helpers/scratch';

const repo = join(__dirname, '..', '..');
const fixtures = join(repo, 'test', 'fixtures', 'reproduce');
const bin = join(repo, 'bin', 'ftaudit.js');
// The CLI writes the harnesses it runs to the temp directory and keeps them (it names them for the user
// to run again): point it at a scratch directory, removed when the tests end.
const childTmp = scratchDir('ftaudit-reproduce-runs-');
const ftaudit = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: repo, timeout: 120_000, env: { ...process.env, TMPDIR: childTmp } });

function lineOf(file: string, text: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  assert.notEqual(i, -1, `${text} not in ${file}`);
  return i + 1;
}

async function plan(file: string, text: string, code?: string): Promise<ReproPlan> {
  const parser = await createPythonParser();
  const source = readFileSync(file, 'utf8');
  const tree = parser.parse(source)!;
  try {
    return planReproduction(exportTree(tree, source).rootNode, { file, line: lineOf(file, text), code });
  } finally {
    tree.delete();
  }
}

function compiles(script: string): void {
  const dir = scratchDir('ftaudit-harness-');
  const file = join(dir, 'harness.py');
  writeFileSync(file, script);
  const r = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

const racy = join(fixtures, 'racy.py');

test('plan: a module-level function without parameters, racing on a global', async () => {
  const p = await plan(racy, 'hits = seen + 1', 'FT102');
  assert.deepEqual(p.blockers, []);
  assert.equal(p.target?.qualname, 'handle');
  assert.equal(p.argSets, '[()]');
  assert.equal(p.state, 'hits');
  assert.equal(p.actLine, undefined);
});

test('plan: check-then-act takes arguments from pool.map and counts the act', async () => {
  const p = await plan(racy, 'if item not in CACHE', 'FT103');
  assert.deepEqual(p.blockers, []);
  assert.equal(p.target?.qualname, 'lookup');
  assert.match(p.argSets ?? '', /for x in ITEMS/);
  assert.equal(p.state, 'CACHE');
  assert.equal(p.actLine, lineOf(racy, 'CACHE[item] = expensive(item)'));
});

test('plan: a method runs on the module-level instance the code shares; self.x is observed on it', async () => {
  const p = await plan(racy, 'self.n = n + 1', 'FT102');
  assert.deepEqual(p.blockers, []);
  assert.equal(p.target?.qualname, 'Stats.bump');
  assert.equal(p.instance, 'STATS');
  assert.equal(p.state, 'inst.n');
  const feed = await plan(racy, 'self.buffer.append(ch)', 'FT109');
  assert.equal(feed.target?.qualname, 'Parser.feed');
  assert.equal(feed.instance, 'PARSER');
  assert.match(feed.argSets ?? '', /"hello world"/);
  assert.equal(feed.state, undefined, 'scratch state is judged by the results, not by its last value');
});

test('plan: blockers say exactly what is missing, and the harness still parses with them as TODOs', async () => {
  const needs = await plan(racy, 'STATS.n += 1', 'FT101');
  assert.equal(needs.blockers.length, 1);
  assert.match(needs.blockers[0], /needs_input\(\) needs `request`.*seen: pool\.map\(needs_input, requests\)/);
  const coroutine = await plan(racy, 'hits += 1', 'FT101');
  assert.match(coroutine.blockers[0], /serve\(\) is a coroutine/);
  const atImport = await plan(racy, 'PARSER = Parser()');
  assert.match(atImport.blockers[0], /runs at import time/);
  for (const p of [needs, coroutine, atImport]) {
    const script = harnessScript(p, { moduleName: 'racy', importRoot: fixtures, threads: 4, calls: 0 });
    assert.match(script, /NotImplementedError|TODO/);
    compiles(script);
  }
});

test('plan: a constructor that needs arguments is built the way the module builds it', async () => {
  const dir = scratchDir('ftaudit-plan-');
  const file = join(dir, 'svc.py');
  writeFileSync(
    file,
    [
      'class Signer:',
      '    def __init__(self, key, region="eu"):',
      '        self.key = key',
      '        self.count = 0',
      '    def sign(self, payload):',
      '        self.count += 1',
      '        return payload',
      '',
      'KEY = "k"',
      'def make():',
      '    return Signer(KEY)',
      '',
      'class Orphan:',
      '    def __init__(self, conn):',
      '        self.n = 0',
      '    def bump(self):',
      '        self.n += 1',
      '',
      'def run(conn, pool):',
      '    s = make()',
      '    pool.submit(s.sign, "data")',
      '    Orphan(conn).bump()',
      '',
    ].join('\n'),
  );
  const p = await plan(file, 'self.count += 1', 'FT101');
  assert.deepEqual(p.blockers, []);
  assert.equal(p.instance, 'Signer(KEY)');
  assert.equal(p.argSets, '[("data",)]');
  assert.equal(p.state, 'inst.count');
  const orphan = await plan(file, 'self.n += 1', 'FT101');
  assert.match(orphan.blockers[0], /Orphan\(…\) needs `conn`/);
});

test('every plan of the fixtures yields a harness that parses', async () => {
  const parser = await createPythonParser();
  for (const name of ['racy.py', 'safe.py', 'broken_import.py', 'hangs.py']) {
    const file = join(fixtures, name);
    const text = readFileSync(file, 'utf8');
    const tree = parser.parse(text)!;
    const root = exportTree(tree, text).rootNode;
    try {
      text.split('\n').forEach((_, i) => {
        const p = planReproduction(root, { file, line: i + 1, code: 'FT103' });
        compiles(harnessScript(p, { moduleName: name.replace(/\.py$/, ''), importRoot: fixtures, threads: 2, calls: 1 }));
      });
    } finally {
      tree.delete();
    }
  }
});

test('CLI: a lost update is observed and reported with lost_fraction (exit 1)', () => {
  const r = ftaudit('reproduce', `${racy}:${lineOf(racy, 'hits = seen + 1')}`, '--python', 'python3', '--threads', '4', '--calls', '300', '--format', 'json');
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.code, 'FT102');
  assert.equal(out.target, 'handle');
  assert.equal(out.reproduced, true);
  const [o] = out.interpreters;
  assert.equal(o.status, 'ok');
  assert.equal(typeof o.gil_enabled, 'boolean');
  assert.equal(o.expected_change, 1200);
  assert.ok(o.lost_fraction > 0, JSON.stringify(o));
  assert.match(out.summary, /^reproduced: 4 threads × 300 calls lost \d+ % of updates on python3/);
  assert.ok(existsSync(out.harness));
});

test('CLI: duplicate initialisations and wrong results are observed (text)', () => {
  const cta = ftaudit('reproduce', `${racy}:${lineOf(racy, 'if item not in CACHE')}`, '--python', 'python3', '--threads', '4', '--calls', '30');
  assert.equal(cta.status, 1, cta.stderr);
  assert.match(cta.stdout, /line \d+ ran \d+ times instead of 3 \(\d+ duplicate initialisations\)/);
  const scratch = ftaudit('reproduce', `${racy}:${lineOf(racy, 'self.buffer.append(ch)')}`, '--python', 'python3', '--threads', '4', '--calls', '20', '--code', 'FT109');
  assert.equal(scratch.status, 1, scratch.stderr);
  assert.match(scratch.stdout, /calls returned another result than serially/);
});

test('CLI: the locked version shows no race (exit 0)', () => {
  const safe = join(fixtures, 'safe.py');
  const r = ftaudit('reproduce', `${safe}:${lineOf(safe, 'hits = seen + 1')}`, '--python', 'python3', '--threads', '4', '--calls', '200', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.reproduced, false);
  assert.equal(out.interpreters[0].lost_fraction, 0);
  assert.match(out.summary, /^not reproduced/);
});

test('CLI: clear errors, never a hang', () => {
  const needs = ftaudit('reproduce', `${racy}:${lineOf(racy, 'STATS.n += 1')}`, '--python', 'python3');
  assert.equal(needs.status, 2);
  assert.match(needs.stderr, /cannot drive .* as it is:\n  - needs_input\(\) needs `request`/);
  const harness = /The harness is written to (\S+):/.exec(needs.stderr)?.[1];
  assert.ok(harness && existsSync(harness), needs.stderr);
  compiles(readFileSync(harness, 'utf8'));

  const broken = join(fixtures, 'broken_import.py');
  const imp = ftaudit('reproduce', `${broken}:${lineOf(broken, 'counter[0] += 1')}`, '--python', 'python3');
  assert.equal(imp.status, 2);
  assert.match(imp.stdout, /importing broken_import failed: ModuleNotFoundError: No module named 'no_such_module_ftaudit'/);

  const hangs = join(fixtures, 'hangs.py');
  const hung = ftaudit('reproduce', `${hangs}:${lineOf(hangs, 'counter[0] += 1')}`, '--python', 'python3', '--timeout', '3', '--format', 'json');
  assert.equal(hung.status, 2);
  const o = JSON.parse(hung.stdout).interpreters[0];
  assert.equal(o.status, 'timeout');
  assert.match(o.error, /no result within 3 s( \(during the (import|calibrate) run\))?; killed with its process tree/);

  const missing = ftaudit('reproduce', `${hangs}:9`, '--python', join(tmpdir(), 'no-such-python3.14t'));
  assert.equal(missing.status, 2);
  assert.match(missing.stdout, /no-such-python3\.14t.*not found/);

  for (const [args, message] of [
    [['examples/race_counter.py'], /is not FILE:LINE/],
    [['examples/race_counter.py:999'], /there is no line 999/],
    [['nope.py:3'], /nope\.py: no such file/],
    [['examples/race_counter.py:10', '--threads', '1'], /--threads must be a whole number ≥ 2/],
    [['examples/race_counter.py:10', '--format', 'sarif'], /--format must be text or json/],
  ] as const) {
    const r = ftaudit('reproduce', ...args);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, message);
  }
});

test('CLI: --dry-run writes the harness and runs nothing', () => {
  const dir = scratchDir('ftaudit-dry-');
  const harness = join(dir, 'h.py');
  const r = ftaudit('reproduce', 'examples/race_counter.py:10', '--dry-run', '--harness', harness, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.target, 'unsafe_inc');
  assert.equal(out.state, 'counter[0]');
  assert.equal(out.harness, harness);
  compiles(readFileSync(harness, 'utf8'));
});

test('free-threaded: the article counter loses updates, and none after the lock fix', async (t) => {
  const ft = process.env.FTAUDIT_TEST_FT_PYTHON;
  if (!ft) return t.skip('set FTAUDIT_TEST_FT_PYTHON to a free-threaded python (e.g. python3.14t) to run this');
  const dir = scratchDir('ftaudit-ft-repro-');
  const file = join(dir, 'race_counter.py');
  copyFileSync(join(repo, 'examples', 'race_counter.py'), file);
  const line = lineOf(file, 'counter[0] += 1');
  const before = ftaudit('reproduce', `${file}:${line}`, '--python', ft, '--python', 'python3', '--format', 'json');
  assert.equal(before.status, 1, before.stderr);
  const out = JSON.parse(before.stdout);
  const free = out.interpreters[0];
  assert.equal(free.gil_enabled, false);
  assert.ok(free.lost_fraction > 0, JSON.stringify(free));

  const checker = await Checker.create();
  const fixed = fixAll(readFileSync(file, 'utf8'), (text) => checker.check(text).findings, { unsafe: true }).text;
  // FT101's fix in a loop: accumulate locally, merge once under a new lock
  assert.match(fixed, /with _counter_lock:\n\s+counter\[0\] \+= _local_total/);
  writeFileSync(file, fixed);
  const after = ftaudit('reproduce', `${file}:${lineOf(file, 'counter[0] += _local_total')}`, '--python', ft, '--format', 'json');
  assert.equal(after.status, 0, after.stderr + after.stdout);
  assert.equal(JSON.parse(after.stdout).interpreters[0].lost_fraction, 0);
});

const singletons = join(fixtures, 'singletons.py');

test('plan: a metaclass method runs on a class the module makes with it', async () => {
  const p = await plan(singletons, 'cls._instances[cls] = super()', 'FT103');
  assert.deepEqual(p.blockers, []);
  assert.equal(p.target?.qualname, 'SingletonMeta.__call__');
  assert.equal(p.instance, 'Config');
  assert.equal(p.actLine, lineOf(singletons, 'cls._instances[cls] = super()'));
});

test('CLI: duplicate singletons are observed by identity, from a relative path', () => {
  const relative = 'test/fixtures/reproduce/singletons.py';
  const r = ftaudit('reproduce', `${relative}:${lineOf(singletons, '_instance = Manager()')}`, '--python', 'python3', '--threads', '4', '--calls', '5', '--format', 'json');
  assert.equal(r.status, 1, r.stderr + r.stdout);
  const o = JSON.parse(r.stdout).interpreters[0];
  assert.equal(o.status, 'ok');
  assert.ok(o.duplicate_objects > 0, JSON.stringify(o));
  assert.ok(o.extra_acts > 0, JSON.stringify(o));
  assert.match(o.summary, /different objects where every serial call returned the same one/);
});

test('CLI: an interpreter that hangs is killed at the timeout with its process tree', (t) => {
  if (process.platform === 'win32') return t.skip('POSIX process groups');
  const dir = scratchDir('ftaudit-hang-');
  const fake = join(dir, 'python3.14t');
  const pidFile = join(dir, 'grandchild.pid');
  // Answers the probe like python3, then hangs on the harness with a grandchild holding on too.
  writeFileSync(
    fake,
    `#!/bin/sh\ncase "$*" in *FTAUDIT_PROBE*) exec python3 "$@";; esac\nsh -c 'echo $$ > ${pidFile}; exec sleep 300' &\nsleep 300\n`,
    { mode: 0o755 },
  );
  const r = ftaudit('reproduce', 'examples/race_counter.py:10', '--python', fake, '--timeout', '2', '--format', 'json');
  assert.equal(r.status, 2, r.stderr);
  const o = JSON.parse(r.stdout).interpreters[0];
  assert.equal(o.status, 'timeout');
  assert.match(o.error, /no result within 2 s; killed with its process tree/);
  assert.ok(existsSync(pidFile), 'the grandchild never started: the test proves nothing');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  // Gone, or a zombie waiting for a reaper (in a container PID 1 may never reap it): not running.
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  assert.ok(stat === '' || /\) [ZX] /.test(stat), `the grandchild ${pid} survived the timeout: ${stat}`);
});

test('an iteration races with the function that changes the container: every other thread runs it', async () => {
  const p = await plan(racy, 'for _key in REGISTRY:', 'FT107');
  assert.deepEqual(p.blockers, []);
  assert.equal(p.target?.qualname, 'snapshot');
  assert.equal(p.stateLabel, 'REGISTRY');
  assert.deepEqual(p.companion, { qualname: 'churn', callable: 'churn', argSets: '[()]' });
  const r = ftaudit('reproduce', `${racy}:${lineOf(racy, 'for _key in REGISTRY:')}`, '--python', 'python3', '--threads', '4', '--calls', '50', '--format', 'json');
  assert.equal(r.status, 1, r.stderr + r.stdout);
  const out = JSON.parse(r.stdout);
  assert.equal(out.companion, 'churn');
  assert.match(out.interpreters[0].exceptions.RuntimeError.example, /dictionary (changed size|keys changed) during iteration/);
  // a writer racing on its own state runs alone
  assert.equal((await plan(racy, 'hits = seen + 1', 'FT102')).companion, undefined);
});

test('a writer that cannot be driven is named in a note, and the reader runs alone', async () => {
  const dir = scratchDir('ftaudit-note-');
  const file = join(dir, 'cache.py');
  writeFileSync(file, ['CACHE = {}', '', 'def put(key, value):', '    CACHE[key] = value', '', 'def dump():', '    for k in CACHE:', '        print(k)', ''].join('\n'));
  const p = await plan(file, 'for k in CACHE:', 'FT107');
  assert.equal(p.companion, undefined);
  assert.match(p.notes?.[0] ?? '', /^put\(\) changes CACHE but cannot be driven \(put\(\) needs `key`, `value`/);
});

test('plan: an inherited constructor that needs arguments blocks Cls()', async () => {
  const dir = scratchDir('ftaudit-inherit-');
  const file = join(dir, 'handlers.py');
  writeFileSync(file, ['class Base:', '    def __init__(self, request, server):', '        self.request = request', '', 'class Handler(Base):', '    def handle(self):', '        self.n += 1', ''].join('\n'));
  const p = await plan(file, 'self.n += 1', 'FT101');
  assert.match(p.blockers[0] ?? '', /Handler\(…\) needs `request`, `server`/);
});

test('plan: a class whose construction needs local values is built through the module accessor that builds it', async () => {
  const dir = scratchDir('ftaudit-factory-');
  const file = join(dir, 'registry.py');
  writeFileSync(
    file,
    [
      'class Registry:',
      '    def __init__(self, options):',
      '        self.options = options',
      '        self.count = 0',
      '    def add(self):',
      '        self.count += 1',
      '',
      '_registry = None',
      '',
      'def get_registry():',
      '    global _registry',
      '    if _registry is None:',
      '        options = {"size": 4}',
      '        _registry = Registry(options)',
      '    return _registry',
      '',
    ].join('\n'),
  );
  const p = await plan(file, 'self.count += 1', 'FT101');
  assert.deepEqual(p.blockers, []);
  assert.equal(p.instance, 'get_registry()');
});
