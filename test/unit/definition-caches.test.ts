// Facts cached on definition nodes (scopes, the syntax index) must follow what lies outside the
// definition: its decorators and its class can change while the definition's own subtree does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPythonParser } from '../../server/src/analysis/parser';
import { analyze, selectRules } from '../../server/src/analysis';
import { DocumentStore } from '../../server/src/documents';
import { ModuleModel } from '../../server/src/analysis/model/module';
import { exportTree, type SyntaxTree } from '../../server/src/analysis/syntaxTree';

const rules = selectRules({ select: ['ALL'] });
const options = { assumeConcurrent: true };

/** Every function's scope as the model sees it, and every finding. */
function facts(tree: SyntaxTree, text: string): string[] {
  const model = new ModuleModel(tree, options, undefined, text);
  const scopes = model.allScopes().map((s) => `${s.name}: receiver=${s.receiver} classmethod=${s.isClassMethod} class=${s.classNode?.childForFieldName('name')?.text} params=${[...s.parameters]} locals=${[...s.locals]}`);
  return [...scopes, ...analyze({ tree, text, rules, options }).map((f) => `${f.code}@${f.start}: ${f.message}`)];
}

type Edit = { from: string; to: string };

/** Applies each step (one didChange; several edits in a step go in one message, first to last). */
async function factsAfter(text: string, steps: Array<Edit | Edit[]>): Promise<{ incremental: string[]; fresh: string[] }> {
  const store = new DocumentStore(await createPythonParser());
  const uri = 'file:///cache.py';
  const entry = store.open(uri, 'python', 1, text);
  analyze({ tree: store.tree(entry), text, rules, options });
  let version = 1;
  for (const step of steps) {
    // Each change's range is in the text after the changes before it (LSP's order).
    let current = entry.document.getText();
    const changes = [];
    for (const { from, to } of Array.isArray(step) ? step : [step]) {
      const at = current.indexOf(from);
      assert.ok(at >= 0, from);
      const lines = current.slice(0, at).split('\n');
      const start = { line: lines.length - 1, character: lines[lines.length - 1].length };
      const endLines = current.slice(0, at + from.length).split('\n');
      const end = { line: endLines.length - 1, character: endLines[endLines.length - 1].length };
      changes.push({ range: { start, end }, text: to });
      current = current.slice(0, at) + to + current.slice(at + from.length);
    }
    store.change(uri, ++version, changes);
    analyze({ tree: store.tree(entry), text: entry.document.getText(), rules, options });
  }
  const final = entry.document.getText();
  const incremental = facts(store.tree(entry), final);
  const parser = await createPythonParser();
  const fresh = facts(exportTree(parser.parse(final)!, final), final);
  return { incremental, fresh };
}

const method = `import threading


class Counter:
    def __init__(self):
        self.n = 0

    def bump(self):
        self.n += 1
`;

test('a decorator added above an unchanged method changes its receiver', async () => {
  const { incremental, fresh } = await factsAfter(method, [{ from: '    def bump', to: '    @staticmethod\n    def bump' }]);
  assert.deepEqual(incremental, fresh);
});

test('a decorator removed, then added back', async () => {
  const decorated = method.replace('    def bump', '    @classmethod\n    def bump');
  const { incremental, fresh } = await factsAfter(decorated, [
    { from: '    @classmethod\n', to: '' },
    { from: '    def bump', to: '    @classmethod\n    def bump' },
  ]);
  assert.deepEqual(incremental, fresh);
});

test('a method moved out of its class by a dedent above it', async () => {
  const { incremental, fresh } = await factsAfter(method, [{ from: 'class Counter:', to: 'class Counter:\n    pass\n\n\ndef loose():\n    pass\n\n\nclass Other:' }]);
  assert.deepEqual(incremental, fresh);
});

test('a decorator changed in the same change as another statement (the whole-text incremental parse)', async () => {
  const decorated = method.replace('    def bump', '    @classmethod\n    def bump') + '\n\nLIMIT = 10\n';
  const { incremental, fresh } = await factsAfter(decorated, [[
    { from: '@classmethod', to: '@staticmethod' },
    { from: 'LIMIT = 10', to: 'LIMIT = 11' },
  ]]);
  assert.deepEqual(incremental, fresh);
});
