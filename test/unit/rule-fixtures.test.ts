// Every fixture under test/fixtures/rules/<CODE>/ is checked with all rules: the findings must be
// exactly the `# expect:` comments (line, code and, when given, severity).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Checker, LineIndex, ALL_RULES, moduleIdentity } from '../../server/src/analysis';
import { listPythonFiles, parseExpectations } from '../helpers/fixtures';

const root = join(__dirname, '..', 'fixtures', 'rules');

test('every rule has a fixture folder and a doc page', () => {
  const folders = new Set(readdirSync(root));
  for (const rule of ALL_RULES) {
    assert.ok(folders.has(rule.code), `missing test/fixtures/rules/${rule.code}/`);
    assert.ok(readFileSync(join(__dirname, '..', '..', 'docs', 'rules', `${rule.code}.md`), 'utf8').includes(rule.code));
  }
});

for (const file of listPythonFiles(root)) {
  test(`fixture ${relative(root, file)}`, async () => {
    const text = readFileSync(file, 'utf8');
    const assumeConcurrent = /^# ftaudit-test: assume-concurrent/m.test(text);
    const checker = await Checker.create({ select: ['ALL'], assumeConcurrent });
    // `# ftaudit-test: test-module`: checked as a test module (`test_*.py`), the way a project run sees one.
    const asTestModule = /^# ftaudit-test: test-module/m.test(text);
    const { findings, hasSyntaxErrors } = asTestModule ? checker.checkModule(text, { ...moduleIdentity(file), isTest: true }) : checker.checkText(text);
    assert.equal(hasSyntaxErrors, false, 'fixtures must be valid Python');
    const lines = new LineIndex(text);
    const expected = parseExpectations(text);
    const actual = findings.map((f) => ({ line: lines.positionAt(f.start).line + 1, code: f.code, severity: f.severity }));
    const key = (e: { line: number; code: string }) => `${e.line}:${e.code}`;
    const show = (f: (typeof actual)[number]) => `line ${f.line} ${f.code} (${f.severity}): ${lines.lineText(f.line - 1).trim()}`;
    const unexpected = actual.filter((a) => !expected.some((e) => key(e) === key(a)));
    const missing = expected.filter((e) => !actual.some((a) => key(a) === key(e)));
    assert.deepEqual(unexpected.map(show), [], 'unexpected findings');
    // One finding per rule and place: the same report twice (a keyword token visited as its expression) is a bug.
    const places = findings.map((f) => `${f.code}@${f.start}`);
    assert.deepEqual(places.filter((p, i) => places.indexOf(p) !== i), [], 'duplicate findings');
    assert.deepEqual(missing.map((m) => `line ${m.line} ${m.code}: ${lines.lineText(m.line - 1).trim()}`), [], 'missing findings');
    for (const e of expected.filter((x) => x.severity)) {
      const a = actual.find((x) => key(x) === key(e))!;
      assert.equal(a.severity, e.severity, `severity at line ${e.line}`);
    }
  });
}
