// Every fix offered on every fixture: the fixed file still parses (tree-sitter, and CPython's ast when
// python3 is present), the targeted finding is gone, and no finding appears that was not there before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Checker, applyEdits, fixAll, type Finding } from '../../server/src/analysis';
import { listPythonFiles } from '../helpers/fixtures';

const fixtures = join(__dirname, '..', 'fixtures');
const hasPython = spawnSync('python3', ['--version']).status === 0;

function pythonParses(source: string): string | null {
  const r = spawnSync('python3', ['-c', 'import ast,sys; ast.parse(sys.stdin.read())'], { input: source, encoding: 'utf8' });
  return r.status === 0 ? null : r.stderr;
}

/** A finding's identity that survives edits elsewhere: code + the source text it points at. */
function keyOf(f: Finding, text: string): string {
  return `${f.code}:${text.slice(f.start, f.end).replace(/\s+/g, ' ')}`;
}

function multiset(findings: Finding[], text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) m.set(keyOf(f, text), (m.get(keyOf(f, text)) ?? 0) + 1);
  return m;
}

const files = [...listPythonFiles(join(fixtures, 'rules')), ...listPythonFiles(join(fixtures, 'fixes')).filter((f) => !f.endsWith('.fixed.py'))];

for (const file of files) {
  test(`fixes on ${relative(fixtures, file)}`, async () => {
    const checker = await Checker.create({ select: ['ALL'] });
    const text = readFileSync(file, 'utf8');
    const before = checker.checkText(text).findings;
    for (const [finding, fix] of before.flatMap((f) => [f.fix, ...(f.alternatives ?? [])].flatMap((x) => (x ? [[f, x] as const] : [])))) {
      const label = `${finding.code} "${fix.message}" at ${text.slice(finding.start, finding.end)}`;
      const fixed = applyEdits(text, fix.edits);
      const result = checker.check(fixed);
      assert.equal(result.tree.rootNode.hasError, false, `${label}: tree-sitter finds a syntax error in\n${fixed}`);
      if (hasPython) assert.equal(pythonParses(fixed), null, `${label}: python3 cannot parse\n${fixed}`);
      const was = multiset(before, text);
      const now = multiset(result.findings, fixed);
      const target = keyOf(finding, text);
      assert.ok((now.get(target) ?? 0) < (was.get(target) ?? 0), `${label}: the finding is still reported`);
      for (const [key, n] of now) assert.ok(n <= (was.get(key) ?? 0), `${label}: new finding ${key}\n${fixed}`);
    }
  });
}

test('the python3 parse check rejects broken code', (t) => {
  if (!hasPython) return t.skip('python3 not found: fixed files are checked with tree-sitter only');
  assert.notEqual(pythonParses('x = (\n'), null);
});

// Snapshot tests: test/fixtures/fixes/<name>.py → <name>.fixed.py after fix-all with unsafe fixes.
// Regenerate with FTAUDIT_UPDATE_SNAPSHOTS=1 and review the diff.
const snapshotDir = join(fixtures, 'fixes');
for (const name of existsSync(snapshotDir) ? readdirSync(snapshotDir).filter((f) => f.endsWith('.py') && !f.endsWith('.fixed.py')) : []) {
  test(`snapshot ${name}`, async () => {
    const checker = await Checker.create({ select: ['ALL'] });
    const input = readFileSync(join(snapshotDir, name), 'utf8');
    const { text, remaining } = fixAll(input, (t) => checker.checkText(t).findings, { unsafe: true });
    const expectedPath = join(snapshotDir, name.replace(/\.py$/, '.fixed.py'));
    if (process.env.FTAUDIT_UPDATE_SNAPSHOTS) writeFileSync(expectedPath, text);
    assert.equal(text, readFileSync(expectedPath, 'utf8'));
    assert.ok(remaining.every((f) => !f.fix || f.fix.applicability === 'display-only'), 'fix-all leaves nothing fixable');
    // Fix-all on the fixed text changes nothing: applying twice is a no-op.
    assert.equal(fixAll(text, (t) => checker.checkText(t).findings, { unsafe: true }).text, text);
  });
}

test('convert to thread-local rewrites every use, and is not offered when one cannot be', async () => {
  const checker = await Checker.create({ select: ['ALL'] });
  const source = [
    'import threading',
    '',
    'scratch = []',
    'calls = 0',
    '',
    '',
    'def worker(item):',
    '    global calls, scratch',
    '    calls += 1',
    '    scratch = scratch + [item]',
    '    return len(scratch)',
    '',
    '',
    'def report(scratch=None):',
    '    return scratch  # a parameter of the same name: not a use',
    '',
    '',
    'threading.Thread(target=worker, args=(1,)).start()',
    'print(calls)  # used at module level: `calls` cannot become thread-local',
    '',
  ].join('\n');
  const findings = checker.checkText(source).findings;
  const scratchFix = findings.find((f) => f.code === 'FT102')!.alternatives?.[0];
  assert.ok(scratchFix, 'offered for scratch');
  assert.equal(findings.find((f) => f.code === 'FT101')!.alternatives, undefined, 'not offered for calls');
  const fixed = applyEdits(source, scratchFix.edits);
  assert.equal(
    fixed,
    source
      .replace('scratch = []\n', 'class _ScratchLocal(threading.local):\n    def __init__(self):\n        self.value = []\n\n\n_scratch_local = _ScratchLocal()\n')
      .replace('    global calls, scratch\n', '    global calls\n')
      .replace('    scratch = scratch + [item]\n    return len(scratch)\n', '    _scratch_local.value = _scratch_local.value + [item]\n    return len(_scratch_local.value)\n'),
  );
});

test('fix-all puts consecutive statements guarded by one lock in one block, safe fixes alone too', async () => {
  const checker = await Checker.create({ select: ['ALL'] });
  const source = readFileSync(join(fixtures, 'fixes', 'guard_merge.py'), 'utf8');
  const { text, remaining } = fixAll(source, (t) => checker.checkText(t).findings);
  assert.match(text, /\n    with _hits_lock:\n        hits \+= 1\n        # the second update of the pair\n        hits -= n\n    with _total_lock:\n/);
  assert.match(text, /\n        with self\._lock:\n            self\.count \+= 1\n            self\.total \+= n\n/);
  assert.equal(text.match(/with _hits_lock:/g)?.length, 1);
  assert.deepEqual(remaining.filter((f) => f.code === 'FT101' && !/misses/.test(f.message)).map((f) => f.message), []);
});
