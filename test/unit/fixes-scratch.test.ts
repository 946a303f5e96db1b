// FT109's fixes (local variable, thread-local holder), FT207's hoisted lock and FT210's moved blocking
// call: what each produces, and the cases where no fix is offered because none would be correct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Checker, applyEdits, type Finding } from '../../server/src/analysis';

const hasPython = spawnSync('python3', ['--version']).status === 0;

function pythonCompiles(source: string): string | null {
  const r = spawnSync('python3', ['-c', 'import sys; compile(sys.stdin.read(), "<fixed>", "exec")'], { input: source, encoding: 'utf8' });
  return r.status === 0 ? null : r.stderr;
}

async function findings(source: string, assumeConcurrent = false): Promise<{ checker: Checker; found: Finding[] }> {
  const checker = await Checker.create({ select: ['ALL'], assumeConcurrent });
  return { checker, found: checker.checkText(source).findings };
}

/** Applies `fix`, checks the result compiles and no longer reports `code` at the same text. */
function applyAndCheck(checker: Checker, source: string, finding: Finding, fix = finding.fix!): string {
  const fixed = applyEdits(source, fix.edits);
  if (hasPython) assert.equal(pythonCompiles(fixed), null, fixed);
  const target = source.slice(finding.start, finding.end);
  const count = (fs: Finding[], text: string) => fs.filter((f) => f.code === finding.code && text.slice(f.start, f.end) === target).length;
  assert.ok(count(checker.checkText(fixed).findings, fixed) < count(checker.checkText(source).findings, source), `still reported:\n${fixed}`);
  return fixed;
}

const lines = (...l: string[]) => l.join('\n') + '\n';

const shared = (cls: string, ...methods: string[]) =>
  lines('import threading', '', '', ...[cls, ...methods], '', '', `obj = ${cls.slice(6, cls.indexOf(':'))}()`, ...methods.map((_, i) => `threading.Thread(target=obj.m${i}, args=(1,)).start()`));

test('FT109: a local variable when one method uses the value; the __init__ initialisation stays', async () => {
  const source = shared('class P:', '    def __init__(self):', '        self.buf = []', '', '    def m0(self, x):', '        self.buf = [x]', '        self.buf.append(x)', '        return self.buf');
  const { checker, found } = await findings(source);
  const f = found.find((x) => x.code === 'FT109')!;
  assert.equal(f.fix?.message, 'Keep `self.buf` in a local variable `buf`');
  assert.equal(f.fix.applicability, 'unsafe');
  assert.match(f.alternatives?.[0]?.message ?? '', /per thread/);
  const fixed = applyAndCheck(checker, source, f);
  assert.match(fixed, /def __init__\(self\):\n        self\.buf = \[\]\n/);
  assert.match(fixed, /        buf = \[x\]\n        buf\.append\(x\)\n        return buf\n/);
});

test('FT109: no local variable when the method reads the value before storing it', async () => {
  const source = shared('class P:', '    def m0(self, x):', '        print(self.buf)', '        self.buf = [x]', '        return self.buf');
  const f = (await findings(source)).found.find((x) => x.code === 'FT109')!;
  assert.ok(f, 'reported');
  // Neither fix: a local would be read before it is bound; per thread, the first read on a new thread
  // would raise AttributeError where the original read the object's value.
  assert.equal(f.fix, undefined);
  assert.equal(f.alternatives, undefined);
});

test('FT109: thread-local without a default only when every method stores the value before reading it', async () => {
  const reader = shared('class P:', '    def m0(self, x):', '        self.cur = x', '        return self.cur', '', '    def m1(self, x):', '        return self.cur');
  assert.equal((await findings(reader)).found.find((x) => x.code === 'FT109')!.fix, undefined);
  const writers = shared('class P:', '    def m0(self, x):', '        self.cur = x', '        return self.cur', '', '    def m1(self, x):', '        self.cur = -x', '        return self.cur');
  const { checker, found } = await findings(writers);
  const f = found.find((x) => x.code === 'FT109')!;
  const fixed = applyAndCheck(checker, writers, f);
  assert.match(fixed, /class P:\n    def __init__\(self\):\n        self\._local = threading\.local\(\)\n\n    def m0/);
  assert.equal(fixed.match(/self\._local\.cur/g)?.length, 4);
});

test('FT109: an __init__ default that is not a constant is not moved to other threads', async () => {
  const source = shared('class P:', '    def __init__(self, size=3):', '        self.cur = [0] * size', '', '    def m0(self, x):', '        self.cur = [x]', '        return self.cur', '', '    def m1(self, x):', '        return self.cur');
  const f = (await findings(source)).found.find((x) => x.code === 'FT109')!;
  assert.equal(f.fix, undefined);
});

test('FT109: the value other code reads by name (getattr, another object) is not rewritten', async () => {
  for (const extra of ['        return getattr(self, "cur")', '        return other.cur']) {
    const source = shared('class P:', '    def m0(self, x, other=None):', '        self.cur = x', '        print(self.cur)', extra);
    const f = (await findings(source)).found.find((x) => x.code === 'FT109');
    assert.ok(f, extra);
    assert.equal(f.fix, undefined, extra);
  }
});

test('FT109: a decorator object keeps its __enter__ value per thread for __exit__', async () => {
  const source = readFileSync(join(__dirname, '..', 'fixtures', 'rules', 'FT109', 'decorator_object.py'), 'utf8');
  const { checker, found } = await findings(source, true);
  const f = found.find((x) => x.code === 'FT109' && source.slice(x.start, x.end).startsWith('self._t0'))!;
  assert.match(f.fix?.message ?? '', /per thread/);
  const fixed = applyAndCheck(checker, source, f);
  assert.match(fixed, /self\._local\._t0 = time\.perf_counter\(\)/);
  assert.match(fixed, /time\.perf_counter\(\) - self\._local\._t0/);
  assert.match(fixed, /^import threading$/m);
});

test('FT207: the lock is made once, in __init__ or at module level, and the site uses it', async () => {
  const source = readFileSync(join(__dirname, '..', 'fixtures', 'rules', 'FT207', 'hoist.py'), 'utf8');
  const { checker, found } = await findings(source);
  const ft207 = found.filter((f) => f.code === 'FT207');
  const [tick, log, sum, process] = ft207.map((f) => applyAndCheck(checker, source, f));
  assert.match(tick, /def __init__\(self\):\n        self\._tick_lock = threading\.Lock\(\)\n        self\.count = 0\n/);
  assert.match(tick, /with self\._tick_lock:  # expect: FT207 error\n/);
  assert.match(log, /^_meter_log_lock = threading\.RLock\(\)\n\n\nclass Meter:/m, 'a global is guarded: one lock for every instance');
  assert.match(sum, /^_sum_events_lock = threading\.Lock\(\)\n\n\ndef sum_events\(n\):\n    _sum_events_lock\.acquire\(\)\n/m);
  assert.match(process, /^_process_lock_2 = threading\.Lock\(\)\n/m, 'a taken name is not reused');
  assert.deepEqual(ft207.map((f) => f.fix!.applicability), ['safe', 'safe', 'safe', 'unsafe']);
});

test('FT207: a lock that already guards the state elsewhere is used instead (unsafe)', async () => {
  const source = readFileSync(join(__dirname, '..', 'fixtures', 'rules', 'FT207', 'per_call_locks.py'), 'utf8');
  const { checker, found } = await findings(source);
  const f = found.find((x) => x.code === 'FT207' && source.slice(x.start, x.end).startsWith('guard ='))!;
  assert.equal(f.fix?.applicability, 'unsafe');
  const fixed = applyAndCheck(checker, source, f);
  assert.match(fixed, /def reset\(self\):\n        with self\._lock:\n            self\.hits = 0\n/);
});

test('FT210: the blocking call moves out of the with block only when the data flow allows it', async () => {
  const source = readFileSync(join(__dirname, '..', 'fixtures', 'rules', 'FT210', 'move_out.py'), 'utf8');
  const { checker, found } = await findings(source);
  const ft210 = found.filter((f) => f.code === 'FT210');
  const fixed = ft210.filter((f) => f.fix).map((f) => {
    assert.equal(f.fix!.applicability, 'unsafe');
    return applyAndCheck(checker, source, f);
  });
  assert.equal(fixed.length, 2, 'fetch and build only');
  assert.match(fixed[0], /def fetch\(url, timeout\):\n    reply = requests\.get\(  # expect: FT210 warning\n        url,\n        timeout=timeout,\n    \)\n    with lock:\n        results\[url\] = reply\.status_code\n/);
  assert.match(fixed[1], /    with lock:\n        pending\.append\(target\)\n    subprocess\.run\(\["make", target\], check=True\)/);
  // The rest: a value made in the block (`batch`), two subprocesses the lock keeps in order, the only
  // statement of the block, an argument read from shared state.
  assert.equal(ft210.filter((f) => !f.fix).length, 5);
});

test('FT109: a mention of the attribute in a comment or docstring outside the class does not block the fix', async () => {
  const source = '"""Keeps `self.buf` per call."""\n' + shared('class P:', '    def m0(self, x):', '        self.buf = [x]  # unlike other.buf', '        return self.buf');
  const f = (await findings(source)).found.find((x) => x.code === 'FT109')!;
  assert.match(f.fix?.message ?? '', /local variable `buf`/);
});
