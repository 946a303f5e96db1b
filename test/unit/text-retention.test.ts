// An open document edited many times must not keep its old versions alive. V8 makes a slice of 13 or
// more characters a view of the string it was cut from, so a name cached on a syntax node — nodes
// outlive their version, taken over by later exports — once held that whole version of the text: one
// document's worth of memory per keystroke, for as long as the file stayed open. This counts the
// versions of the text left in the heap after a series of edits, each analysed as the editor does
// (first answer, then the full analysis).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import { ModuleAnalysis, selectRules } from '../../server/src/analysis';
import { createPythonParser } from '../../server/src/analysis/parser';
import { DocumentStore } from '../../server/src/documents';
import { editedFunction, editedSpan } from '../../server/src/editedDefinition';

const PROBE = 'leak-probe-7f3a9c';

function moduleText(classes: number): string {
  const parts = [`# ${PROBE}\nimport threading\n\n_registry = {}\n`];
  for (let c = 0; c < classes; c++) {
    parts.push(`
class Worker${c}:
    def __init__(self):
        self._lock = threading.Lock()
        self.count_${c} = 0
        self.items_${c} = []

    def start(self):
        threading.Thread(target=self._run_loop_${c}, daemon=True).start()

    def _run_loop_${c}(self):
        while True:
            self.handle_item_${c}(None)

    def handle_item_${c}(self, item):
        self.count_${c} += 1
        if item not in _registry:
            _registry[item] = self.items_${c}
        with self._lock:
            self.items_${c}.append(item)
`);
  }
  return parts.join('');
}

/** How many strings in the heap are (the start of) a version of the document. */
async function versionsInHeap(): Promise<number> {
  const chunks: string[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(String(chunk));
  const snapshot = JSON.parse(chunks.join(''));
  const fields: string[] = snapshot.snapshot.meta.node_fields;
  const types: string[] = snapshot.snapshot.meta.node_types[0];
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  let count = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    if (types[snapshot.nodes[i + typeAt]] === 'string' && (snapshot.strings[snapshot.nodes[i + nameAt]] as string).startsWith(`# ${PROBE}`)) count++;
  }
  return count;
}

test('editing an open document does not keep its old versions alive', async () => {
  const parser = await createPythonParser(join(__dirname, '..', '..', 'grammars'));
  const store = new DocumentStore(parser);
  const rules = selectRules({});
  const uri = 'file:///retention.py';
  let version = 1;
  const text = moduleText(40);
  const entry = store.open(uri, 'python', version, text);
  const lines = text.split('\n');
  const sites = lines.flatMap((line, i) => (line.startsWith('        self.count_') ? [i] : []));
  const EDITS = 40;
  for (let i = 0; i < EDITS; i++) {
    const line = sites[(i * 7) % sites.length];
    const insert = i % 2 === 0;
    const range = insert ? { start: { line, character: 8 }, end: { line, character: 8 } } : { start: { line, character: 8 }, end: { line, character: 9 } };
    store.change(uri, ++version, [{ range, text: insert ? 'x' : '' }]);
    const edits = store.takeEdits(entry);
    const current = entry.document.getText();
    const tree = store.treeWithin(entry, 10_000)!;
    const analysis = new ModuleAnalysis({ tree, text: current, rules, options: {} });
    const span = edits ? editedSpan(edits) : null;
    const fn = span ? editedFunction(tree, span, current.length) : null;
    if (fn) analysis.within(fn.startIndex, fn.endIndex);
    assert.ok(analysis.run().findings.length > 0);
  }
  // The current text is held by the document and its tree (more than one string object may hold it);
  // every earlier version must be gone.
  const versions = await versionsInHeap();
  assert.ok(versions <= 3, `${versions} versions of the document are still in the heap after ${EDITS} edits`);
});
