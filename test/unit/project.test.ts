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
  assert.deepEqual(moduleIdentity(join(root, 'pkg', 'jobs.py')), { module: 'pkg.jobs', packageName: 'pkg', isTest: false, isScript: false });
  assert.deepEqual(moduleIdentity(join(root, 'pkg', '__init__.py')), { module: 'pkg', packageName: 'pkg', isTest: false, isScript: false });
  assert.deepEqual(moduleIdentity(join(root, 'main.py')), { module: 'main', packageName: '', isTest: false, isScript: false });
});

test('test modules are told apart as test runners find them', () => {
  const tests = join(__dirname, '..', 'fixtures', 'projects', 'testmodules');
  const isTest = (...parts: string[]) => moduleIdentity(join(tests, ...parts)).isTest;
  assert.equal(isTest('test_cart.py'), true);
  assert.equal(isTest('conftest.py'), true);
  assert.equal(isTest('tests', 'fakes.py'), true, 'a module of a `tests` package');
  assert.equal(isTest('shop', 'cart.py'), false);
  // By name alone (the files need not exist): pytest's and unittest's patterns, and near misses.
  for (const name of ['cart_test.py', 'cart_tests.py', 'tests.py', 'test.py']) assert.equal(isTest(name), true, name);
  for (const name of ['testing.py', 'contest.py', 'attest.py', 'latest_test_data.py', 'protest_util.py']) assert.equal(isTest(name), false, name);
});

test('--assume-concurrent does not apply to test modules; their own threads still count', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'testmodules'));
});

test('findings in modules reached only through other modules\' threads', async () => {
  const checker = await Checker.create({ select: ['ALL'] });
  const files = listPythonFiles(root).map((path) => ({ key: path, module: moduleIdentity(path).module }));
  const results = await checkProject(files, async (batch) =>
    batch.map(({ key, facts, deriveOwnFacts }) => checker.checkModule(readFileSync(key, 'utf8'), moduleIdentity(key), facts, deriveOwnFacts)),
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

test('--assume-concurrent does not apply to a script of a scripts or bin folder run as a program; its own threads still count', async () => {
  const scripts = join(__dirname, '..', 'fixtures', 'projects', 'scripts');
  assert.equal(moduleIdentity(join(scripts, 'scripts', 'simulate.py')).isScript, true);
  assert.equal(moduleIdentity(join(scripts, 'bin', 'serve.py')).isScript, true);
  assert.equal(moduleIdentity(join(scripts, 'tool', 'simulate.py')).isScript, false);
  await expectProjectFindings(scripts);
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

test("a branch no other module's thread selects is no thread code (startup=True)", async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'startupbranch'));
});

test("a GUI toolkit imported through the application's own shim is the toolkit (assume-concurrent)", async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'toolkitshim'));
});

test("a call on a library's object under a lock lends that lock to no method of the run", async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'librarycalls'));
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

test('a subclass of another module\'s GUI class runs its methods on the GUI thread only', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'guibase'));
});

test('what a Django app\'s AppConfig.ready() calls in other modules runs at start-up, before request threads (assume-concurrent)', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'startuphook'));
});

test('an event wait under a lock a caller in another module holds is reported: whether the setter takes it is unknown here', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'callerlockwait'), { assumeConcurrent: false });
});

test('a public method its class calls only while constructing is construction code, unless another module calls it on an object', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'ctorparsers'), { assumeConcurrent: true });
});

test('`+=` on an object of another module\'s class that implements it in place loses no update; one that builds a new object does', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'inplaceevents'), { assumeConcurrent: false });
});

test('a method decorated with another module\'s lock decorator runs holding the lock', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'lockdeco'), { assumeConcurrent: false });
});

test('another module\'s lock decorators that hold the lock through a local, or fall back to the receiver\'s lock', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'aliasdeco'), { assumeConcurrent: false });
});

test('a built-in container\'s method called under a lock lends that lock to no function of the same name elsewhere', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'builtinnames'), { assumeConcurrent: false });
});

test('an override of another module\'s construction hook runs while the object is built', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'ctorhooks'), { assumeConcurrent: false });
});

test('a hook a metaclass of another module calls on the classes it builds runs at import, with the helpers it calls', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'classhooks'), { assumeConcurrent: false });
});

test('a function of another module that hands its argument to a thread makes what callers pass thread code', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'wrappers'), { assumeConcurrent: false });
});

test('a thread class that runs the callable its constructor gets is a spawner for importers, even ones the text gate would skip', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'spawnerclass'), { assumeConcurrent: false });
});

test('a method of another module\'s worker that hands a callable to its thread (unpacked from the data) makes what callers pass thread code; a queue\'s consumer is not followed', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'workers'), { assumeConcurrent: false });
});

test('a function of another module that hands its argument to the main loop makes what callers pass GUI-thread code', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'handovers'), { assumeConcurrent: false });
});

test('a method called through another module\'s module-level object runs on the caller\'s threads', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'singleton'), { assumeConcurrent: false });
});

test('writes before a fresh helper object\'s thread-starting start() are ordered, across a namespace package', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'namespacepkg'), { assumeConcurrent: false });
});

test('a class every module makes on the GUI thread only is the GUI\'s, under assume-concurrent', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'guiowned'));
});

test('hooks a base class in another module calls holding its lock run under that lock', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'hooklock'), { assumeConcurrent: false });
});

test('a base class\'s method another module\'s thread calls runs the subclasses\' overrides on that thread, across modules the text gate skips', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'dispatch'), { assumeConcurrent: false });
});

test('in an application (a module runs a GUI main loop), code no thread of the run reaches runs on the loop\'s thread', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'application'), { assumeConcurrent: false });
});

test('under assume-concurrent too: an application\'s loop-thread code is its own, and a thread of another module still reaches what it calls', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'application'), { assumeConcurrent: true });
});

test('a terminal UI\'s key loop (curses.wrapper) makes its own package an application, not the other services beside it', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'services'), { assumeConcurrent: false });
});

test('a library that runs a GUI main loop for its callers is no application: its callers may use threads', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'library_loop'), { assumeConcurrent: false });
});

test('a function another module\'s hand-over decorator wraps runs on the main loop, whoever calls it', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'handover'), { assumeConcurrent: false });
});

test('a subclass\'s worker calling its base class\'s widget code on itself, in another module, is FT220', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'selfgui'), { assumeConcurrent: false });
});

test('a module\'s facts about itself apply from the first round: one analysis, the findings of two', async () => {
  const dir = join(__dirname, '..', 'fixtures', 'projects', 'ownfacts');
  await expectProjectFindings(dir);
  const checker = await Checker.create({ select: ['ALL'], assumeConcurrent: true });
  const files = listPythonFiles(dir).map((path) => ({ key: path, module: moduleIdentity(path).module }));
  const run = async (derive: boolean) => {
    let analyses = 0;
    const results = await checkProject(files, async (batch) =>
      batch.map(({ key, facts, deriveOwnFacts }) => {
        analyses++;
        return checker.checkModule(readFileSync(key, 'utf8'), moduleIdentity(key), facts, derive && deriveOwnFacts);
      }),
    );
    return { analyses, findings: files.map((f) => results.get(f.key)!.findings), facts: results.get(files[0].key)!.appliedFacts };
  };
  const twoRounds = await run(false);
  const oneRound = await run(true);
  assert.equal(twoRounds.analyses, 2);
  assert.equal(oneRound.analyses, 1);
  assert.deepEqual(oneRound.findings, twoRounds.findings);
  assert.match(oneRound.facts?.callerLocks?.get('enter') ?? '', /self\._lock/);
});

test('a decorator of another module that starts a thread per call makes what it decorates thread code', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'spawndecorator'), { assumeConcurrent: false });
});

test('a lazy initialisation another module runs at its top level has run at import: its branch and what only it calls are not thread code', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'primedimport'), { assumeConcurrent: false });
});

test('a function other modules use only as a decorator at their top level runs at import, before any thread', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'importdecorator'), { assumeConcurrent: false });
});

test('a method other modules call only before they start their threads runs before those threads, and so does what only it calls', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'startorder'), { assumeConcurrent: false });
});

test('under assume-concurrent, a class whose every object in the run is kept private by an owner that calls it under its lock is not assumed shared', async () => {
  await expectProjectFindings(join(__dirname, '..', 'fixtures', 'projects', 'ownedcomponent'));
});

/** Checks a fixture project with `--select ALL` (and `--assume-concurrent` unless told); each file's findings must be its `# expect:` lines. */
async function expectProjectFindings(root: string, { assumeConcurrent = true } = {}): Promise<void> {
  const checker = await Checker.create({ select: ['ALL'], assumeConcurrent });
  const files = listPythonFiles(root).map((path) => ({ key: path, module: moduleIdentity(path).module }));
  const results = await checkProject(files, async (batch) =>
    batch.map(({ key, facts, deriveOwnFacts }) => checker.checkModule(readFileSync(key, 'utf8'), moduleIdentity(key), facts, deriveOwnFacts)),
  );
  for (const file of files) {
    const text = readFileSync(file.key, 'utf8');
    const lines = new LineIndex(text);
    const actual = results.get(file.key)!.findings.map((f) => `${lines.positionAt(f.start).line + 1}:${f.code}`);
    const expected = parseExpectations(text).map((e) => `${e.line}:${e.code}`);
    assert.deepEqual(actual, expected, relative(root, file.key));
  }
}
