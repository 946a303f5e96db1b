// The CLI contract: exit codes, ruff-shaped JSON, SARIF 2.1.0, and clear messages for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/scratch';

const repo = join(__dirname, '..', '..');
const bin = join(repo, 'bin', 'ftaudit.js');
const ftaudit = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: repo });

function workspace(): string {
  const dir = scratchDir('ftaudit-cli-');
  copyFileSync(join(repo, 'examples', 'race_counter.py'), join(dir, 'race.py'));
  copyFileSync(join(repo, 'examples', 'safe_counter.py'), join(dir, 'safe.py'));
  return dir;
}

test('exit 1 with findings, 0 without', () => {
  const dir = workspace();
  const found = ftaudit('check', join(dir, 'race.py'));
  assert.equal(found.status, 1, found.stderr);
  assert.match(found.stdout, /race\.py:10:9: FT101 \[error\]/);
  const clean = ftaudit('check', join(dir, 'safe.py'));
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout, /All checks passed!/);
});

test('--format json has ruff\'s shape plus severity', () => {
  const dir = workspace();
  const r = ftaudit('check', '--format', 'json', dir);
  assert.equal(r.status, 1);
  const rows = JSON.parse(r.stdout);
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.deepEqual(Object.keys(row).sort(), ['cell', 'code', 'confidence', 'end_location', 'filename', 'fix', 'location', 'message', 'noqa_row', 'severity', 'url']);
  assert.equal(row.code, 'FT101');
  assert.equal(row.filename, join(dir, 'race.py'));
  assert.deepEqual(row.location, { row: 10, column: 9 });
  assert.deepEqual(row.end_location, { row: 10, column: 24 });
  // ruff's fix shape: applicability, message, edits with content and 1-based locations.
  assert.equal(row.fix.applicability, 'unsafe');
  assert.match(row.fix.message, /merge once/);
  assert.deepEqual(Object.keys(row.fix.edits[0]).sort(), ['content', 'end_location', 'location']);
  assert.match(row.fix.edits.map((e: { content: string }) => e.content).join(''), /_counter_lock = threading\.Lock\(\)/);
  assert.equal(row.severity, 'error');
  assert.match(row.url, /docs\/rules\/FT101\.md$/);
});

test('columns count characters, not UTF-16 units or bytes', () => {
  const dir = scratchDir('ftaudit-cli-');
  writeFileSync(join(dir, 'u.py'), 'import threading\nc = [0]\ndef w():\n    s = "😀"; c[0] += 1\nthreading.Thread(target=w)\n');
  const [row] = JSON.parse(ftaudit('check', '--format', 'json', dir).stdout);
  assert.deepEqual(row.location, { row: 4, column: 14 }); // 13 characters precede `c` (UTF-16 would say 15)
});

test('--format sarif is SARIF 2.1.0 with rules and results', () => {
  const dir = workspace();
  const r = ftaudit('check', '--format', 'sarif', dir);
  const log = JSON.parse(r.stdout);
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema, /sarif/);
  const run = log.runs[0];
  assert.equal(run.tool.driver.name, 'ftaudit');
  assert.ok(run.tool.driver.rules.some((x: { id: string }) => x.id === 'FT101'));
  assert.equal(run.results.length, 1);
  assert.equal(run.results[0].ruleId, 'FT101');
  assert.equal(run.results[0].locations[0].physicalLocation.region.startLine, 10);
});

test('--select / --ignore choose rules; unknown codes are usage errors', () => {
  const dir = workspace();
  assert.equal(ftaudit('check', '--ignore', 'FT101', dir).status, 0);
  assert.equal(ftaudit('check', '--select', 'FT1', dir).status, 1);
  const bad = ftaudit('check', '--select', 'XY999', dir);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown rule code XY999/);
});

test('usage errors exit 2 with a message', () => {
  assert.equal(ftaudit('check').status, 2);
  assert.match(ftaudit('check', '--format', 'xml', '.').stderr, /unknown --format 'xml'/);
  assert.equal(ftaudit('frobnicate').status, 2);
});

test('bad input: missing path, binary, invalid UTF-8, syntax errors — named, never a crash', () => {
  const dir = workspace();
  writeFileSync(join(dir, 'binary.py'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
  writeFileSync(join(dir, 'latin1.py'), Buffer.from('x = "caf\xe9"\n', 'latin1'));
  writeFileSync(join(dir, 'broken.py'), 'import threading\nc = [0]\ndef w(:\n    pass\ndef v():\n    c[0] += 1\nthreading.Thread(target=v)\n');
  // No sign of concurrency: nothing to find, so the file is not parsed and its syntax goes unjudged.
  writeFileSync(join(dir, 'plain_broken.py'), 'def area(:\n    return 1\n');
  const r = ftaudit('check', '--format', 'json', dir, join(dir, 'missing.py'));
  assert.equal(r.status, 2, 'I/O errors win over findings');
  assert.match(r.stderr, /missing\.py: no such file or directory/);
  assert.match(r.stderr, /binary\.py: binary file/);
  assert.match(r.stderr, /latin1\.py: not valid UTF-8 \(byte offset 9\) and no coding declaration/);
  assert.match(r.stderr, /[^_]broken\.py:3: syntax error; results for this file may be partial/);
  assert.doesNotMatch(r.stderr, /plain_broken/);
  assert.doesNotMatch(r.stderr, /internal error|TypeError|at .*\.js:\d+/);
  const rows = JSON.parse(r.stdout);
  assert.ok(rows.some((x: { filename: string }) => x.filename.endsWith('race.py')), 'readable files still report');
});

test('directories skip .git, node_modules, __pycache__ and virtualenvs', () => {
  const dir = scratchDir('ftaudit-cli-');
  for (const sub of ['.git', 'node_modules/pkg', '__pycache__', 'myenv', 'src']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'myenv', 'pyvenv.cfg'), 'home = /usr/bin\n');
  for (const sub of ['.git', 'node_modules/pkg', '__pycache__', 'myenv', 'src']) copyFileSync(join(repo, 'examples', 'race_counter.py'), join(dir, sub, 'race.py'));
  const rows = JSON.parse(ftaudit('check', '--format', 'json', dir).stdout);
  assert.deepEqual(rows.map((x: { filename: string }) => x.filename), [join(dir, 'src', 'race.py')]);
});

test('a PEP 263 coding declaration is honoured', () => {
  const dir = scratchDir('ftaudit-cli-');
  const source = '# -*- coding: latin-1 -*-\nimport threading\nc = [0]\ndef w():\n    s = "caf\xe9"; c[0] += 1\nthreading.Thread(target=w)\n';
  writeFileSync(join(dir, 'declared.py'), Buffer.from(source, 'latin1'));
  const r = ftaudit('check', '--format', 'json', dir);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).map((x: { code: string; location: { column: number } }) => [x.code, x.location.column]), [['FT101', 17]]);
});

test('--fix writes safe fixes, --unsafe-fixes the rest, and a second run changes nothing', () => {
  const dir = scratchDir('ftaudit-fix-');
  const program = 'import threading\n\ncounter = [0]\nTOTAL = 0\n\n\ndef worker():\n    global TOTAL\n    for _ in range(10):\n        counter[0] += 1\n    TOTAL = TOTAL + 1\n\n\nthreading.Thread(target=worker).start()\n';
  writeFileSync(join(dir, 'app.py'), program);
  assert.equal(ftaudit('check', '--unsafe-fixes', dir).status, 2, '--unsafe-fixes needs --fix');
  const safe = ftaudit('check', '--fix', '--format', 'json', dir);
  const afterSafe = readFileSync(join(dir, 'app.py'), 'utf8');
  assert.match(afterSafe, /_TOTAL_lock = threading\.Lock\(\)/, 'the safe guard fix is applied');
  assert.doesNotMatch(afterSafe, /_local_total/, 'the unsafe merge-once fix is not');
  assert.equal(safe.status, 1, 'the unsafe one remains a finding');
  assert.match(safe.stderr, /ftaudit: 1 fix applied, 1 finding remaining/);
  const unsafe = ftaudit('check', '--fix', '--unsafe-fixes', dir);
  assert.equal(unsafe.status, 0, unsafe.stdout + unsafe.stderr);
  const fixed = readFileSync(join(dir, 'app.py'), 'utf8');
  assert.match(fixed, /_local_total \+= 1/);
  const again = ftaudit('check', '--fix', '--unsafe-fixes', dir);
  assert.equal(again.status, 0);
  assert.equal(readFileSync(join(dir, 'app.py'), 'utf8'), fixed, 'fixing twice is a no-op');
});

test('[tool.ftaudit.extra-packages] extends the FT216 table; a bad entry is a config error', () => {
  const dir = scratchDir('ftaudit-epk-');
  writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "app"\ndependencies = ["fastext>=1.0,<1.4"]\n\n[tool.ftaudit.extra-packages]\nlegacyext = false\nfastext = "1.4.0"\nbad = 3\n');
  writeFileSync(join(dir, 'app.py'), 'import threading\nimport legacyext\nimport fastext\n');
  const r = ftaudit('check', '--format', 'json', dir);
  assert.equal(r.status, 2, 'the bad entry is a configuration error');
  assert.match(r.stderr, /pyproject\.toml:8:1: \[tool\.ftaudit\] extra-packages\.bad: expected a version/);
  const rows = JSON.parse(r.stdout);
  assert.deepEqual(rows.map((x: { code: string; location: { row: number } }) => `${x.code}:${x.location.row}`), ['FT216:2', 'FT216:3']);
  assert.match(rows[0].message, /legacyext.*has no release that supports free-threaded Python/);
  assert.match(rows[1].message, /fastext supports free-threaded Python from 1\.4\.0, but the project requires `fastext>=1\.0,<1\.4`/);
});

test('confidence: in the JSON and SARIF, and --min-confidence leaves out the weaker findings', () => {
  const dir = scratchDir('ftaudit-cli-');
  // `Counter` has no sharing evidence: under assume-concurrent its `+=` is low confidence (info);
  // the module global's `+=` is state shared by nature (medium).
  writeFileSync(
    join(dir, 'lib.py'),
    'import threading\n\nTOTAL = 0\n\n\nclass Counter:\n    def __init__(self):\n        self.n = 0\n\n    def inc(self):\n        self.n += 1\n\n\ndef bump():\n    global TOTAL\n    TOTAL += 1\n',
  );
  const all = ftaudit('check', '--isolated', '--assume-concurrent', '--format', 'json', dir);
  const rows = JSON.parse(all.stdout) as Array<{ code: string; confidence: string; severity: string; location: { row: number } }>;
  assert.deepEqual(rows.map((r) => [r.location.row, r.confidence, r.severity]), [[11, 'low', 'info'], [16, 'medium', 'warning']]);
  const medium = JSON.parse(ftaudit('check', '--isolated', '--assume-concurrent', '--min-confidence', 'medium', '--format', 'json', dir).stdout) as typeof rows;
  assert.deepEqual(medium.map((r) => r.location.row), [16]);
  const sarif = JSON.parse(ftaudit('check', '--isolated', '--assume-concurrent', '--format', 'sarif', dir).stdout);
  assert.deepEqual(sarif.runs[0].results.map((r: { rank: number; properties: { confidence: string } }) => [r.rank, r.properties.confidence]), [[30, 'low'], [60, 'medium']]);
  const bad = ftaudit('check', '--min-confidence', 'sure', dir);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--min-confidence expects low, medium or high/);
});
