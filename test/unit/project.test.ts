// Cross-file thread reachability: a worker defined in one module, started in another, calling a third.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Checker, LineIndex, ProjectGraph, moduleIdentity } from '../../server/src/analysis';
import { checkProject } from '../../server/src/analysis/project/checkProject';
import { listPythonFiles, parseExpectations } from '../helpers/fixtures';

const root = join(__dirname, '..', 'fixtures', 'projects', 'app');

test('module names come from the packages around a file', () => {
  assert.deepEqual(moduleIdentity(join(root, 'pkg', 'jobs.py')), { module: 'pkg.jobs', packageName: 'pkg' });
  assert.deepEqual(moduleIdentity(join(root, 'pkg', '__init__.py')), { module: 'pkg', packageName: 'pkg' });
  assert.deepEqual(moduleIdentity(join(root, 'main.py')), { module: 'main', packageName: '' });
});

test('findings in modules reached only through other modules\' threads', async () => {
  const checker = await Checker.create({ select: ['ALL'] });
  const files = listPythonFiles(root).map((path) => ({ key: path, module: moduleIdentity(path).module }));
  const results = await checkProject(files, async (batch) =>
    batch.map(({ key, facts }) => checker.checkModule(readFileSync(key, 'utf8'), moduleIdentity(key), facts)),
  );
  for (const file of files) {
    const text = readFileSync(file.key, 'utf8');
    const lines = new LineIndex(text);
    const actual = results.get(file.key)!.findings.map((f) => `${lines.positionAt(f.start).line + 1}:${f.code}:${f.severity}`);
    const expected = parseExpectations(text).map((e) => `${e.line}:${e.code}:${e.severity}`);
    assert.deepEqual(actual, expected, relative(root, file.key));
  }
  const jobs = results.get(join(root, 'pkg', 'jobs.py'))!.findings[0];
  assert.match(jobs.message, /runs on threads \(pool\.map\(process, …\) in main, line 8\)/);
});

test('function names that are Object.prototype members do not confuse the graph', () => {
  const graph = new ProjectGraph();
  graph.set({ module: 'a', reachable: { constructor: 'Thread(target=constructor)' }, spawns: {}, calls: {} });
  graph.set({ module: 'b', reachable: {}, spawns: { 'a.toString': 'x', 'b.valueOf': 'y' }, calls: {} });
  assert.deepEqual([...graph.externalEntries()].map(([m, e]) => [m, [...e.keys()]]), [['a', ['toString']], ['b', ['valueOf']]]);
});

test('a lock every caller in another module holds counts as held (assume-concurrent)', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'locked'));
});

test('functions other modules call only while they are imported run before their threads (assume-concurrent)', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'imported'));
});

test('a module global changed by another module\'s thread while its own module iterates it: both sides', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'crossmodule'), { assumeConcurrent: false });
});

test('a subclass of another module\'s Thread subclass runs its run() on the thread', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'threadbase'), { assumeConcurrent: false });
});

/** Checks a fixture project with `--select ALL` (and `--assume-concurrent` unless told); each file's findings must be its `# expect:` lines. */
async function expectProjectFindings(root: string, { assumeConcurrent = true } = {}): Promise<void> {
  const checker = await Checker.create({ select: ['ALL'], assumeConcurrent });
  const files = listPythonFiles(root).map((path) => ({ key: path, module: moduleIdentity(path).module }));
  const results = await checkProject(files, async (batch) =>
    batch.map(({ key, facts }) => checker.checkModule(readFileSync(key, 'utf8'), moduleIdentity(key), facts)),
  );
  for (const file of files) {
    const text = readFileSync(file.key, 'utf8');
    const lines = new LineIndex(text);
    const actual = results.get(file.key)!.findings.map((f) => `${lines.positionAt(f.start).line + 1}:${f.code}`);
    const expected = parseExpectations(text).map((e) => `${e.line}:${e.code}`);
    assert.deepEqual(actual, expected, relative(root, file.key));
  }
}
