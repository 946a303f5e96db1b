// The editor's first answer after an edit inside one function (server/src/editedDefinition.ts and
// ModuleAnalysis.within): what the rules' visits inside a function report is what the full analysis
// reports there, never more; the last findings are carried through the edits; and the full analysis in
// steps equals analyze().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPythonParser } from '../../server/src/analysis/parser';
import { analyze, ModuleAnalysis } from '../../server/src/analysis/analyze';
import { selectRules } from '../../server/src/analysis/selection';
import { exportTree } from '../../server/src/analysis/syntaxTree';
import type { Finding } from '../../server/src/analysis/types';
import { ruleFixtureFiles } from '../helpers/fixtures';
import { editedFunction, editedSpan, mapOffset, mergeFindings } from '../../server/src/editedDefinition';

const RULES = selectRules({ select: ['ALL'] });
const id = (f: Finding) => JSON.stringify([f.code, f.start, f.end, f.message, f.severity, f.confidence]);


test('the findings of one function alone are among the full analysis’s, and the steps equal analyze()', async () => {
  const parser = await createPythonParser();
  let functions = 0;
  let exact = 0;
  let withFindings = 0;
  for (const { name, text } of ruleFixtureFiles()) {
    const options = text.includes('ftaudit-test: assume-concurrent') ? { assumeConcurrent: true } : {};
    const tree = exportTree(parser.parse(text)!, text);
    const full = analyze({ tree, text, rules: RULES, options });
    const analysis = new ModuleAnalysis({ tree, text, rules: RULES, options });
    for (const fn of tree.rootNode.descendantsOfType('function_definition')) {
      const own = analysis.within(fn.startIndex, fn.endIndex).map(id);
      const expected = full.filter((f) => f.start >= fn.startIndex && f.end <= fn.endIndex).map(id);
      for (const f of own) assert.ok(expected.includes(f), `${name}: ${f} is not a finding of the full analysis`);
      functions++;
      if (own.length === expected.length) exact++;
      if (own.length > 0) withFindings++;
    }
    // Sharing one model between the first answer and the full run changes nothing.
    const steps = analysis.steps();
    let step = steps.next();
    while (!step.done) step = steps.next();
    assert.deepEqual(step.value.findings.map(id), full.map(id), `${name}: the full run after within() ≠ analyze()`);
  }
  assert.ok(functions > 1000 && withFindings > 200, `not vacuous: ${functions} functions, ${withFindings} with findings`);
  // Findings another node reports into a function (a whole-module pass) are the full run's to find.
  assert.ok(exact / functions > 0.9, `within() alone is exact for most functions: ${exact}/${functions}`);
});

test('offsets are carried through edits; the edited span covers every edit', () => {
  const edits = [
    { start: 10, oldEnd: 10, newEnd: 13 }, // insert 3 at 10
    { start: 20, oldEnd: 25, newEnd: 21 }, // replace 5 by 1 at 20 (after the first)
  ];
  assert.equal(mapOffset(5, edits), 5);
  assert.equal(mapOffset(10, edits), 13);
  assert.equal(mapOffset(16, edits), 19);
  assert.equal(mapOffset(18, edits), 21); // 21 after the first edit: inside the second's old range → its end
  assert.equal(mapOffset(17, edits), 20);
  assert.equal(mapOffset(30, edits), 29);
  assert.deepEqual(editedSpan(edits), { start: 10, end: 21 });
  assert.deepEqual(editedSpan([{ start: 40, oldEnd: 40, newEnd: 41 }, { start: 40, oldEnd: 41, newEnd: 40 }]), { start: 40, end: 40 });
  assert.equal(editedSpan([]), null);
});

test('the function an edit falls in: inside a body only, not its def line, not one that holds most of the file', async () => {
  const parser = await createPythonParser();
  const text = ['import threading', '', 'class A:', '    def f(self):', '        self.n = 1', '        return self.n', '', 'def g():', '    pass', '', 'x = 1', ''].join('\n');
  const tree = exportTree(parser.parse(text)!, text);
  const at = (s: string) => text.indexOf(s);
  assert.equal(editedFunction(tree, { start: at('self.n = 1'), end: at('self.n = 1') + 1 }, text.length * 4)?.text.startsWith('def f'), true);
  assert.equal(editedFunction(tree, { start: at('def f') + 4, end: at('def f') + 5 }, text.length * 4), null, 'the def line');
  assert.equal(editedFunction(tree, { start: at('x = 1'), end: at('x = 1') }, text.length * 4), null, 'module level');
  assert.equal(editedFunction(tree, { start: at('self.n = 1'), end: at('pass') }, text.length * 4), null, 'two functions');
  assert.equal(editedFunction(tree, { start: at('self.n = 1'), end: at('self.n = 1') + 1 }, 60), null, 'a function that is most of the file');
});

test('the first answer: fresh findings inside the function, the others carried, fixes moved or dropped', () => {
  const finding = (code: string, start: number, end: number, fixAt?: number): Finding => ({
    code,
    message: `${code} at ${start}`,
    severity: 'warning',
    start,
    end,
    ...(fixAt !== undefined ? { fix: { message: 'fix', applicability: 'safe' as const, edits: [{ start: fixAt, end: fixAt, newText: 'x' }] } } : {}),
  });
  // The old text: a finding before the function (0–5, fix inside the function), two in it, one after it.
  const last = [finding('FT101', 0, 5, 50), finding('FT105', 40, 45), finding('FT101', 60, 65), finding('FT102', 200, 210, 205)];
  // One character inserted at 62 (inside the second finding in the function); the function is 30–102 after it.
  const edits = [{ start: 62, oldEnd: 62, newEnd: 63 }];
  const range = { start: 30, end: 102 };
  const fresh = [finding('FT101', 60, 66)];
  const merged = mergeFindings(last, edits, range, fresh, editedSpan(edits)!);
  assert.deepEqual(
    merged.map((f) => [f.code, f.start, f.end, f.fix?.edits[0].start ?? null]),
    [
      ['FT101', 0, 5, null], // its fix wrote inside the edited function: dropped, not misplaced
      ['FT105', 40, 45, null], // reported from elsewhere, untouched by the edit: kept
      ['FT101', 60, 66, null], // fresh; the old one was written over
      ['FT102', 201, 211, 206], // moved, with its fix
    ],
  );
});
