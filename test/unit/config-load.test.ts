// [tool.ftaudit] in pyproject.toml: TOML errors with positions, wrong types, unknown keys and codes,
// defaults kept, nearest-pyproject lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearConfigCache, findProjectConfig, formatConfigError, loadProjectConfig, parseProjectConfig } from '../../server/src/config';
import { scratchDir } from '../helpers/scratch';

const tmp = () => scratchDir('ftaudit-config-');
const FILE = '/project/pyproject.toml';

test('a valid table is read, normalized and camelCased', () => {
  const { config, errors, hasTable } = parseProjectConfig(
    `[project]
name = "demo"

[tool.ftaudit]
select = ["ft1"]
ignore = ["FT101"]
assume-concurrent = true
target-version = "py314"
lock-types = ["mypkg.sync.SpinLock"]
thread-entry-points = ["mypkg.spawn", "run_later"]
extend-exclude = ["generated/**"]

[tool.ftaudit.per-file-ignores]
"tests/**" = ["FT101"]
"__init__.py" = ["FT1"]
`,
    FILE,
  );
  assert.deepEqual(errors, []);
  assert.equal(hasTable, true);
  assert.deepEqual(config, {
    select: ['FT1'],
    ignore: ['FT101'],
    assumeConcurrent: true,
    targetVersion: '3.14',
    lockTypes: ['mypkg.sync.SpinLock'],
    threadEntryPoints: ['mypkg.spawn', 'run_later'],
    extendExclude: ['generated/**'],
    perFileIgnores: { 'tests/**': ['FT101'], '__init__.py': ['FT1'] },
  });
});

test('a pyproject without [tool.ftaudit] is a valid empty config', () => {
  const r = parseProjectConfig('[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n', FILE);
  assert.deepEqual(r.config, {});
  assert.deepEqual(r.errors, []);
  assert.equal(r.hasTable, false);
  assert.deepEqual(parseProjectConfig('', FILE).errors, []);
});

test('TOML syntax errors carry the line and column, and keep every default', () => {
  const r = parseProjectConfig('[project]\nname = "x"\n\n[tool.ftaudit]\nselect = ["FT1"\nignore = []\n', FILE);
  assert.equal(r.errors.length, 1);
  const [e] = r.errors;
  assert.match(e.message, /^invalid TOML: /);
  assert.equal(e.line, 6);
  assert.equal(typeof e.column, 'number');
  assert.deepEqual(r.config, {});

  const dup = parseProjectConfig('[tool.ftaudit]\nselect = []\nselect = []\n', FILE);
  assert.equal(dup.errors[0].line, 3);
});

test('wrong types name the key path and the expected type, at the key', () => {
  const r = parseProjectConfig(
    `[tool.ftaudit]
select = "FT101"
assume-concurrent = "yes"
target-version = 314
lock-types = ["ok.Lock", 3]
per-file-ignores = ["tests/*"]
`,
    FILE,
  );
  const by = (re: RegExp) => r.errors.find((e) => re.test(e.message));
  const select = by(/ select:/)!;
  assert.equal(select.message, '[tool.ftaudit] select: expected an array of rule codes (strings such as "FT101" or "FT1"), got a string "FT101"');
  assert.deepEqual([select.line, select.column], [2, 1]);
  assert.match(by(/assume-concurrent/)!.message, /assume-concurrent: expected a boolean \(true or false\), got a string "yes"/);
  assert.equal(by(/assume-concurrent/)!.line, 3);
  assert.match(by(/target-version/)!.message, /target-version: expected a Python version string such as "py313", "py314" or "3\.14", got an integer/);
  assert.match(by(/lock-types/)!.message, /lock-types\[1\]: expected a string, got an integer/);
  assert.match(by(/per-file-ignores/)!.message, /per-file-ignores: expected a table of glob = \[rule codes\], got an array/);
  assert.equal(by(/per-file-ignores/)!.line, 6);
  // What is valid is kept; what is not keeps its default (absent).
  assert.deepEqual(r.config, { lockTypes: ['ok.Lock'] });
});

test('bad values: an old target version, a malformed dotted name', () => {
  const r = parseProjectConfig('[tool.ftaudit]\ntarget-version = "py27"\nthread-entry-points = ["pkg.spawn", "not a name"]\n', FILE);
  assert.match(r.errors[0].message, /target-version: expected .*got "py27"/);
  assert.match(r.errors[1].message, /thread-entry-points: "not a name" is not a dotted Python name/);
  assert.deepEqual([r.errors[1].line, r.errors[1].column], [3, 37]);
  assert.deepEqual(r.config, { threadEntryPoints: ['pkg.spawn'] });
});

test('unknown keys are errors, with a suggestion and their line', () => {
  const r = parseProjectConfig('[tool.ftaudit]\nselect = []\nassumeConcurrent = true\nfrobnicate = 1\n\n[tool.ftaudit.extra]\nx = 1\n', FILE);
  assert.equal(r.errors.length, 3);
  assert.match(r.errors[0].message, /^\[tool\.ftaudit\] unknown key 'assumeConcurrent' \(did you mean 'assume-concurrent'\?\)/);
  assert.equal(r.errors[0].line, 3);
  assert.match(r.errors[1].message, /unknown key 'frobnicate'; known keys: select, ignore, per-file-ignores/);
  assert.equal(r.errors[1].line, 4);
  assert.match(r.errors[2].message, /unknown key 'extra'/);
  assert.equal(r.errors[2].line, 6);
  assert.deepEqual(r.config, { select: [] });
});

test('unknown rule codes are errors pointing at the code; the known ones are kept', () => {
  const text = `[tool.ftaudit]
select = [
  "FT1",
  "XY1",
]
ignore = ['FT9999']
per-file-ignores = { "tests/*" = ["FT101", "ZZ9"] }
`;
  const r = parseProjectConfig(text, FILE);
  assert.deepEqual(
    r.errors.map((e) => [e.message, e.line, e.column]),
    [
      ['[tool.ftaudit] select: unknown rule code XY1 (see `ftaudit rules`)', 4, 3],
      ['[tool.ftaudit] ignore: unknown rule code FT9999 (see `ftaudit rules`)', 6, 11],
      ['[tool.ftaudit] per-file-ignores."tests/*": unknown rule code ZZ9 (see `ftaudit rules`)', 7, 44],
    ],
  );
  assert.deepEqual(r.config, { select: ['FT1'], ignore: [], perFileIgnores: { 'tests/*': ['FT101'] } });
  assert.equal(formatConfigError('/project/pyproject.toml', r.errors[0], '/project'), 'pyproject.toml:4:3: [tool.ftaudit] select: unknown rule code XY1 (see `ftaudit rules`)');
});

test('dotted keys and a non-table [tool.ftaudit] are located too', () => {
  const r = parseProjectConfig('[tool]\nftaudit.select = ["NOPE"]\n', FILE);
  assert.deepEqual([r.errors[0].line, r.errors[0].column], [2, 19]);
  const t = parseProjectConfig('[tool]\nftaudit = 3\n', FILE);
  assert.match(t.errors[0].message, /\[tool\.ftaudit\]: expected a table, got an integer/);
  assert.equal(t.errors[0].line, 2);
});

test('loadProjectConfig never throws: missing and unreadable files become errors', () => {
  const dir = tmp();
  const missing = loadProjectConfig(join(dir, 'nope.toml'));
  assert.match(missing.errors[0].message, /cannot read the config file: no such file/);
  assert.deepEqual(missing.config, {});
  assert.match(loadProjectConfig(dir).errors[0].message, /cannot read the config file: is a directory/);
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked.toml');
    writeFileSync(locked, '[tool.ftaudit]\n');
    chmodSync(locked, 0o000);
    assert.match(loadProjectConfig(locked).errors[0].message, /permission denied/);
  }
  writeFileSync(join(dir, 'pyproject.toml'), '[tool.ftaudit]\nselect = ["FT1"]\n');
  assert.deepEqual(loadProjectConfig(join(dir, 'pyproject.toml')).config, { select: ['FT1'] });
});

test('findProjectConfig walks up to the nearest pyproject.toml, from files and directories', () => {
  const dir = tmp();
  mkdirSync(join(dir, 'pkg', 'sub', 'deep'), { recursive: true });
  mkdirSync(join(dir, 'other'), { recursive: true });
  writeFileSync(join(dir, 'pyproject.toml'), '');
  writeFileSync(join(dir, 'pkg', 'pyproject.toml'), '[tool.ftaudit]\n');
  writeFileSync(join(dir, 'pkg', 'sub', 'deep', 'm.py'), '');
  clearConfigCache();
  assert.equal(findProjectConfig(join(dir, 'pkg', 'sub', 'deep', 'm.py')), join(dir, 'pkg', 'pyproject.toml'));
  assert.equal(findProjectConfig(join(dir, 'pkg', 'sub')), join(dir, 'pkg', 'pyproject.toml'));
  assert.equal(findProjectConfig(join(dir, 'pkg')), join(dir, 'pkg', 'pyproject.toml'));
  assert.equal(findProjectConfig(join(dir, 'other', 'not-yet.py')), join(dir, 'pyproject.toml'));
  // Cached per directory until cleared.
  writeFileSync(join(dir, 'pkg', 'sub', 'pyproject.toml'), '');
  assert.equal(findProjectConfig(join(dir, 'pkg', 'sub', 'deep', 'm.py')), join(dir, 'pkg', 'pyproject.toml'));
  clearConfigCache();
  assert.equal(findProjectConfig(join(dir, 'pkg', 'sub', 'deep', 'm.py')), join(dir, 'pkg', 'sub', 'pyproject.toml'));
});
