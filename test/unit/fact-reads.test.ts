// A module is analysed again only when an answer it asked of the project facts changes
// (analysis/project/factReads.ts): the recorder, the comparison, and the same findings as a run that
// re-analyses every module whose facts changed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Checker, moduleIdentity } from '../../server/src/analysis';
import { checkProject } from '../../server/src/analysis/project/checkProject';
import { mergeReads, recordFactReads, sameAnswers } from '../../server/src/analysis/project/factReads';
import type { ProjectFacts } from '../../server/src/analysis/options';
import { listPythonFiles } from '../helpers/fixtures';

test('the recorder answers as the facts do and records each name asked, or the whole kind when walked', () => {
  const facts: ProjectFacts = { callerLocks: new Map([['enter', 'self._lock']]), threadClasses: new Set(['pkg.Worker']), mainLoop: 'Tk main loop' };
  const recorder = recordFactReads(facts);
  assert.equal(recorder.facts.callerLocks?.get('enter'), 'self._lock');
  assert.equal(recorder.facts.callerLocks?.get('leave'), undefined);
  assert.equal(recorder.facts.threadClasses?.has('pkg.Worker'), true);
  // A kind the run says nothing of is empty, and its questions are still recorded.
  assert.equal(recorder.facts.primedAtImport?.get('setup'), undefined);
  assert.equal(recorder.facts.guiClasses?.size, 0);
  assert.deepEqual([...(recorder.facts.threadEntries ?? [])], []);
  assert.deepEqual(recorder.reads(), {
    callerLocks: ['enter', 'leave'],
    threadClasses: ['pkg.Worker'],
    primedAtImport: ['setup'],
    guiClasses: ['\0size'],
    threadEntries: true,
  });
  // The main loop is read whole; a module that never looks at it does not depend on it.
  assert.equal(recorder.facts.mainLoop, 'Tk main loop');
  assert.equal(recorder.reads().mainLoop, true);
  assert.equal(recordFactReads(undefined).facts.mainLoop, undefined);
});

test('answers are compared by name; news of names never asked changes nothing', () => {
  const before: ProjectFacts = { callerLocks: new Map([['enter', 'self._lock']]) };
  const reads = { callerLocks: ['enter'], primedAtImport: ['setup'], guiClasses: ['\0size'] };
  assert.equal(sameAnswers(reads, before, { callerLocks: new Map([['enter', 'self._lock'], ['other', 'L']]), primedAtImport: new Map([['unrelated', 'x']]) }), true);
  assert.equal(sameAnswers(reads, before, { callerLocks: new Map([['enter', 'self._other']]) }), false);
  assert.equal(sameAnswers(reads, before, { callerLocks: new Map() }), false);
  assert.equal(sameAnswers(reads, before, { ...before, primedAtImport: new Map([['setup', 'main, line 3']]) }), false);
  // An emptiness question changes with the first entry, not with the next ones.
  assert.equal(sameAnswers(reads, before, { ...before, guiClasses: new Set(['tk.Tk']) }), false);
  assert.equal(sameAnswers({ guiClasses: ['\0size'] }, { guiClasses: new Set(['a']) }, { guiClasses: new Set(['a', 'b']) }), true);
  // A kind read whole is compared whole.
  assert.equal(sameAnswers({ threadEntries: true }, {}, { threadEntries: new Map([['f', 'pool.map']]) }), false);
  assert.equal(sameAnswers({ mainLoop: true }, { mainLoop: 'Tk' }, { mainLoop: 'Tk' }), true);
  assert.deepEqual(mergeReads({ a: ['x'], b: true }, { a: ['y'], b: ['z'], c: ['w'] }), { a: ['x', 'y'], b: true, c: ['w'] });
});

test('every project fixture: re-analysing only modules whose answers change finds what re-analysing every changed module finds', async () => {
  const projects = join(__dirname, '..', 'fixtures', 'projects');
  for (const assumeConcurrent of [false, true]) {
    const checker = await Checker.create({ select: ['ALL'], assumeConcurrent });
    for (const name of readdirSync(projects)) {
      const files = listPythonFiles(join(projects, name)).map((path) => ({ key: path, module: moduleIdentity(path).module }));
      if (files.length === 0) continue;
      const run = async (tracked: boolean) => {
        let analyses = 0;
        const results = await checkProject(files, async (batch) =>
          batch.map(({ key, facts, deriveOwnFacts }) => {
            analyses++;
            const result = checker.checkModule(readFileSync(key, 'utf8'), moduleIdentity(key), facts, deriveOwnFacts);
            if (tracked) return result;
            const { factReads: _, ...untracked } = result;
            return untracked;
          }),
        );
        return { analyses, findings: files.map((f) => results.get(f.key)!.findings.map((x) => `${x.code}@${x.start}:${x.message}`)) };
      };
      const all = await run(false);
      const tracked = await run(true);
      assert.deepEqual(tracked.findings, all.findings, `${name} (assume-concurrent: ${assumeConcurrent})`);
      assert.ok(tracked.analyses <= all.analyses, name);
    }
  }
});
