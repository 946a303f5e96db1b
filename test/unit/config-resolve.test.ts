// effectiveSettings: per-file-ignores with ruff's glob semantics, and settings/flags over the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { editorOverrides, effectiveSettings, isExcluded, perFileIgnoreCodes, type ProjectConfig } from '../../server/src/config';
import { normalizeSettings, settingsOverrides } from '../../server/src/settings';

const root = join('/', 'work', 'proj');
const project = (config: ProjectConfig) => ({ config, root });
const at = (...parts: string[]) => join(root, ...parts);

test('per-file-ignores: globs relative to the pyproject directory, file names anywhere, negation', () => {
  const table = {
    'tests/**': ['FT101'],
    'scripts/*.py': ['FT102'],
    '__init__.py': ['FT103'],
    '*_pb2.py': ['FT104'],
    '!src/**': ['FT105'],
    './docs/conf.py': ['FT106'],
  };
  const codes = (...parts: string[]) => perFileIgnoreCodes(at(...parts), table, root).sort();
  assert.deepEqual(codes('tests', 'test_x.py'), ['FT101', 'FT105']);
  assert.deepEqual(codes('tests', 'unit', 'deep', 'test_x.py'), ['FT101', 'FT105']);
  // `*` crosses directories, as in ruff (globset's default).
  assert.deepEqual(codes('scripts', 'tools', 'gen.py'), ['FT102', 'FT105']);
  assert.deepEqual(codes('src', 'pkg', '__init__.py'), ['FT103']);
  assert.deepEqual(codes('src', 'pkg', 'api_pb2.py'), ['FT104']);
  assert.deepEqual(codes('src', 'pkg', 'core.py'), []);
  assert.deepEqual(codes('docs', 'conf.py'), ['FT105', 'FT106']);
  // A relative glob is anchored at the root: `tests/**` does not match `src/tests/x.py`.
  assert.deepEqual(codes('src', 'tests', 'x.py'), []);
  // Outside the project only file-name globs can match.
  assert.deepEqual(perFileIgnoreCodes(join('/', 'elsewhere', 'tests', '__init__.py'), table, root).sort(), ['FT103', 'FT105']);
});

test('per-file-ignores turn rules off in effectiveSettings, even when selected', () => {
  const p = project({ select: ['FT101', 'FT102'], perFileIgnores: { 'tests/**': ['FT101'] } });
  assert.deepEqual(effectiveSettings(at('tests', 'a.py'), p).ignore, ['FT101']);
  assert.deepEqual(effectiveSettings(at('src', 'a.py'), p).ignore, []);
  // Flags replacing select do not bring per-file-ignored rules back (ruff: per-file-ignores always apply).
  assert.deepEqual(effectiveSettings(at('tests', 'a.py'), p, { select: ['ALL'] }).ignore, ['FT101']);
});

test('defaults with no project and no overrides', () => {
  assert.deepEqual(effectiveSettings(at('a.py'), null), { select: [], ignore: [], assumeConcurrent: false, lockTypes: [], threadEntryPoints: [] });
});

test('precedence: settings and flags override the file, key by key', () => {
  const p = project({
    select: ['FT1'],
    ignore: ['FT102'],
    assumeConcurrent: true,
    targetVersion: '3.13',
    lockTypes: ['a.Lock'],
    threadEntryPoints: ['a.spawn'],
  });
  const file = at('m.py');
  // Nothing set: the file's values.
  assert.deepEqual(effectiveSettings(file, p, {}), {
    select: ['FT1'],
    ignore: ['FT102'],
    assumeConcurrent: true,
    targetVersion: '3.13',
    lockTypes: ['a.Lock'],
    threadEntryPoints: ['a.spawn'],
  });
  // `select` replaces the file's selection, its ignore included (ruff's layering) …
  assert.deepEqual(effectiveSettings(file, p, { select: ['FT101'] }), { ...effectiveSettings(file, p, {}), select: ['FT101'], ignore: [] });
  assert.deepEqual(effectiveSettings(file, p, { select: ['FT101'], ignore: ['FT103'] }).ignore, ['FT103']);
  // … `ignore` alone adds to the file's.
  assert.deepEqual(effectiveSettings(file, p, { ignore: ['FT103'] }).ignore, ['FT102', 'FT103']);
  // Other keys: replaced when set.
  const o = effectiveSettings(file, p, { targetVersion: '3.14', lockTypes: ['b.Lock'], threadEntryPoints: ['b.go'] });
  assert.deepEqual([o.targetVersion, o.lockTypes, o.threadEntryPoints], ['3.14', ['b.Lock'], ['b.go']]);
  // Unset overrides (VS Code's defaults: [], '', false) leave the file alone.
  assert.deepEqual(effectiveSettings(file, p, { select: [], ignore: [], targetVersion: '', lockTypes: [], assumeConcurrent: false }), effectiveSettings(file, p, {}));
  // assumeConcurrent: true from a setting turns it on over a file that does not.
  assert.equal(effectiveSettings(file, project({}), { assumeConcurrent: true }).assumeConcurrent, true);
});

test('per-file-ignores from settings replace the file\'s, relative to the given root', () => {
  const p = project({ perFileIgnores: { 'tests/**': ['FT101'] } });
  const s = effectiveSettings(at('gen', 'x.py'), p, { perFileIgnores: { 'gen/**': ['FT102'] } });
  assert.deepEqual(s.ignore, ['FT102']);
  assert.deepEqual(effectiveSettings(at('tests', 'x.py'), p, { perFileIgnores: { 'gen/**': ['FT102'] } }).ignore, []);
  const ws = join('/', 'work');
  assert.deepEqual(effectiveSettings(at('gen', 'x.py'), p, { perFileIgnores: { 'proj/gen/*': ['FT103'] }, perFileIgnoresRoot: ws }).ignore, ['FT103']);
});

test('extend-exclude matches files and the directories between them and the root', () => {
  assert.equal(isExcluded(at('generated', 'deep', 'x.py'), ['generated'], root), true);
  assert.equal(isExcluded(at('src', 'x_pb2.py'), ['*_pb2.py'], root), true);
  assert.equal(isExcluded(at('src', 'x.py'), ['generated', '*_pb2.py'], root), false);
  assert.equal(isExcluded(at('vendor', 'lib', 'x.py'), ['vendor/**'], root), true);
  // The root's own name never excludes everything.
  assert.equal(isExcluded(at('x.py'), ['proj'], root), false);
});

test('VS Code settings: the same keys camelCased; wrong values dropped with a message', () => {
  const problems: string[] = [];
  const o = editorOverrides(
    {
      enable: true,
      select: ['ft1', 'XY9'],
      ignore: 'FT101',
      perFileIgnores: { 'tests/**': ['FT101'] },
      assumeConcurrent: true,
      targetVersion: 'py313',
      lockTypes: ['pkg.Lock'],
      threadEntryPoints: [],
      'trace.server': 'off',
    },
    problems,
  );
  assert.deepEqual(o, { select: ['FT1'], perFileIgnores: { 'tests/**': ['FT101'] }, assumeConcurrent: true, targetVersion: '3.13', lockTypes: ['pkg.Lock'], threadEntryPoints: [] });
  assert.deepEqual(problems, ['ftaudit.select: unknown rule code XY9 (see `ftaudit rules`)', 'ftaudit.ignore: expected an array of rule codes (strings such as "FT101" or "FT1"), got a string "FT101"']);

  const s = normalizeSettings({ select: ['FT1'], targetVersion: '3.14', perFileIgnores: { 'a/*': ['FT101'] } });
  assert.deepEqual(s, { enable: true, select: ['FT1'], ignore: [], assumeConcurrent: false, perFileIgnores: { 'a/*': ['FT101'] }, lockTypes: [], threadEntryPoints: [], maxAnalysisSize: 1_000_000, targetVersion: '3.14' });
  assert.deepEqual(normalizeSettings(undefined), { enable: true, select: [], ignore: [], assumeConcurrent: false, perFileIgnores: {}, lockTypes: [], threadEntryPoints: [], maxAnalysisSize: 1_000_000 });
  // Server settings over a pyproject: the editor's select wins, its defaults do not.
  const p = project({ select: ['FT102'], assumeConcurrent: true });
  assert.deepEqual(effectiveSettings(at('m.py'), p, settingsOverrides(normalizeSettings({}))).select, ['FT102']);
  assert.equal(effectiveSettings(at('m.py'), p, settingsOverrides(normalizeSettings({}))).assumeConcurrent, true);
  assert.deepEqual(effectiveSettings(at('m.py'), p, settingsOverrides(normalizeSettings({ select: ['FT101'] }))).select, ['FT101']);
});
