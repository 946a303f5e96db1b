// Ratchet on the real-race corpus (test/corpus/): in --assume-concurrent mode, every `# race` line must
// be reported unless test/corpus/expected.json lists it as missed, and the `# fixed` lines of after-files
// and the safe files may be reported exactly where expected.json says. The test fails both ways: a new
// miss or a new false report is a regression; a listed miss now reported (or a listed false report gone)
// is an improvement to record — regenerate the file with
//   node --import tsx scripts/bench-recall.ts --update-expected
// and commit it with the change that caused it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EXPECTED_FILE, expectedOf, raceCases, runCorpus, safeUnits, markedLines, type Expected } from '../helpers/corpus';

const UPDATE = 'node --import tsx scripts/bench-recall.ts --update-expected';

test('the corpus has its shape: 40+ race cases with after-versions, 30+ safe files, markers everywhere', () => {
  const cases = raceCases();
  assert.ok(cases.length >= 40, `${cases.length} race cases`);
  for (const c of cases) {
    assert.ok(c.after, `${c.name} has no _after version`);
    assert.ok(c.racy.files.some((f) => markedLines(f, 'race').length > 0), `${c.name} has no \`# race\` line`);
    assert.ok(c.after!.files.some((f) => markedLines(f, 'fixed').length > 0), `${c.name}_after has no \`# fixed\` line`);
    for (const f of c.after!.files) assert.deepEqual(markedLines(f, 'race'), [], `${f}: after-files carry no \`# race\` marker`);
  }
  const safe = safeUnits().flatMap((u) => u.files);
  assert.ok(safe.length >= 30, `${safe.length} safe files`);
  for (const f of safe) assert.deepEqual(markedLines(f, 'race'), [], `${f}: safe files carry no \`# race\` marker`);
});

test('assume-concurrent findings on the corpus match test/corpus/expected.json exactly', async () => {
  const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Expected;
  const result = await runCorpus('assume-concurrent');
  assert.deepEqual(result.errors, [], 'the analysis must not fail on corpus files');
  const actual = expectedOf(result);
  const problems: string[] = [];
  const compare = (what: string, exp: Record<string, number[]>, act: Record<string, number[]>, whenOnlyExpected: string, whenOnlyActual: string) => {
    for (const file of new Set([...Object.keys(exp), ...Object.keys(act)])) {
      const e = new Set(exp[file] ?? []);
      const a = new Set(act[file] ?? []);
      for (const row of e) if (!a.has(row)) problems.push(`${file}:${row} ${what}: ${whenOnlyExpected}`);
      for (const row of a) if (!e.has(row)) problems.push(`${file}:${row} ${what}: ${whenOnlyActual}`);
    }
  };
  compare('`# race` line', expected.missedRaceLines, actual.missedRaceLines, `now reported (improvement: run \`${UPDATE}\`)`, 'no longer reported (regression)');
  compare('`# fixed` line', expected.reportedFixedLines, actual.reportedFixedLines, `no longer reported (improvement: run \`${UPDATE}\`)`, 'newly reported (regression: a fixed line must stay clean)');
  compare('safe file', expected.safeFileFindings, actual.safeFileFindings, `no longer reported (improvement: run \`${UPDATE}\`)`, 'newly reported (regression: a false alarm)');
  assert.deepEqual(problems, [], `the corpus results differ from test/corpus/expected.json:\n  ${problems.join('\n  ')}`);
});
