// A first answer asks for the shared writes of one state at a time (rules/writes.ts, sharedWritesOf)
// instead of building the module's whole list: each answer must be the whole list's, in its order, and
// a function's findings must not depend on whether the whole list was built first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPythonParser } from '../../server/src/analysis/parser';
import { ModuleAnalysis } from '../../server/src/analysis/analyze';
import { selectRules } from '../../server/src/analysis/selection';
import { exportTree } from '../../server/src/analysis/syntaxTree';
import { ModuleModel } from '../../server/src/analysis/model/module';
import { firstInModuleOrder, sharedWrites, sharedWritesOf, type SharedWrite } from '../../server/src/analysis/rules/writes';
import type { Finding } from '../../server/src/analysis/types';
import { ruleFixtureFiles } from '../helpers/fixtures';

const RULES = selectRules({ select: ['ALL'] });
const signature = (w: SharedWrite) => JSON.stringify([w.node.id, w.scope.node.id, w.shared.key, w.shared.description, w.held, w.via ?? null]);
const id = (f: Finding) => JSON.stringify([f.code, f.start, f.end, f.message, f.severity, f.confidence, f.fix ?? null]);


const optionsOf = (text: string) => (text.includes('ftaudit-test: assume-concurrent') ? { assumeConcurrent: true } : {});

test('the writes of one key, asked alone, are the whole list’s writes of that key in its order', async () => {
  const parser = await createPythonParser();
  let keys = 0;
  let ordered = 0;
  for (const { name, text } of ruleFixtureFiles()) {
    const tree = exportTree(parser.parse(text)!, text);
    const whole = sharedWrites(new ModuleModel(tree, optionsOf(text), undefined, text));
    const byKey = new ModuleModel(tree, optionsOf(text), undefined, text);
    byKey.answeringOneDefinition = true;
    const asked = [...new Set(whole.map((w) => w.shared.key)), 'never_written', 'Cls.', ''];
    for (const key of asked) {
      const alone = sharedWritesOf(byKey, key);
      assert.deepEqual(alone.map(signature), whole.filter((w) => w.shared.key === key).map(signature), `${name}: writes of ${key}`);
      keys++;
    }
    // The first of writes of several keys, found without the whole list, is the whole list's first.
    const firsts = asked.map((key) => sharedWritesOf(byKey, key).at(-1)).filter((w): w is SharedWrite => !!w).reverse();
    if (firsts.length > 1) {
      const expected = whole.find((w) => firsts.some((f) => signature(f) === signature(w)));
      assert.equal(signature(firstInModuleOrder(byKey, firsts)!), signature(expected!), `${name}: the first write in module order`);
      ordered++;
    }
    // Asked alone, nothing built the whole list.
    byKey.answeringOneDefinition = false;
  }
  assert.ok(keys > 300 && ordered > 50, `not vacuous: ${keys} keys, ${ordered} files with several`);
});

test('a function’s own findings are the same whether or not the whole list of writes was built first', async () => {
  const parser = await createPythonParser();
  let functions = 0;
  let withFindings = 0;
  for (const { name, text } of ruleFixtureFiles()) {
    const tree = exportTree(parser.parse(text)!, text);
    for (const fn of tree.rootNode.descendantsOfType('function_definition')) {
      const byKey = new ModuleAnalysis({ tree, text, rules: RULES, options: optionsOf(text) });
      const whole = new ModuleAnalysis({ tree, text, rules: RULES, options: optionsOf(text) });
      sharedWrites((whole as unknown as { model: ModuleModel }).model);
      const own = byKey.within(fn.startIndex, fn.endIndex).map(id);
      assert.deepEqual(own, whole.within(fn.startIndex, fn.endIndex).map(id), `${name}: ${fn.childForFieldName('name')?.text}`);
      functions++;
      if (own.length > 0) withFindings++;
    }
  }
  assert.ok(functions > 1000 && withFindings > 200, `not vacuous: ${functions} functions, ${withFindings} with findings`);
});
