// Facts kept on a definition's or statement's node across versions (the syntax index's segments, a
// class's lock attributes, a statement's bindings, the module's text gates) must change when what they
// depend on changes elsewhere: after each edit below — none inside the class whose facts change — the
// findings of the edited tree equal a from-scratch analysis of its text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPythonParser } from '../../server/src/analysis/parser';
import { analyze } from '../../server/src/analysis/analyze';
import { selectRules } from '../../server/src/analysis/selection';
import { exportTree } from '../../server/src/analysis/syntaxTree';
import { DocumentStore } from '../../server/src/documents';
import type { Finding } from '../../server/src/analysis/types';

const RULES = selectRules({ select: ['ALL'] });
const id = (f: Finding) => JSON.stringify([f.code, f.start, f.end, f.message, f.severity]);

const BASE = `import threading

LOCAL_BASE = object

class Counter:
    def __init__(self):
        self._guard = make_guard()
        self._per_thread = Slots()
        self.n = 0

    def bump(self):
        with self._guard:
            self.n += 1

    def peek(self):
        return self.n

    def reset(self):
        self.n = 0


class Slots(LOCAL_BASE):
    pass


COUNTER = Counter()
threading.Thread(target=COUNTER.bump).start()
threading.Thread(target=COUNTER.reset).start()
`;

/** Edits outside class Counter that change what its own text means, each followed by its undo. */
const EDITS: Array<[string, string]> = [
  // The factory becomes a lock factory: `self._guard` is a lock and `bump` is guarded.
  ['LOCAL_BASE = object\n', 'LOCAL_BASE = object\nmake_guard = threading.Lock\n'],
  // Imported under that name instead.
  ['import threading\n', 'import threading\nfrom threading import RLock as make_guard\n'],
  // The per-thread holder's class becomes a threading.local.
  ['class Slots(LOCAL_BASE):', 'class Slots(threading.local):'],
  // A configured lock type, spelled as a module-level alias.
  ['COUNTER = Counter()\n', 'make_guard = threading.Condition\nCOUNTER = Counter()\n'],
  // A word a whole-module gate looks for, in new statements only (the gate was closed before).
  ['COUNTER = Counter()\n', 'import random\n\ndef roll():\n    random.seed(7)\n\nthreading.Thread(target=roll).start()\nCOUNTER = Counter()\n'],
];

test('facts kept on unchanged definitions follow edits elsewhere that change their meaning', async () => {
  const parser = await createPythonParser();
  const fresh = await createPythonParser();
  const store = new DocumentStore(parser);
  const uri = 'file:///facts.py';
  const entry = store.open(uri, 'python', 1, BASE);
  analyze({ tree: store.tree(entry), text: BASE, rules: RULES });
  let version = 1;
  let changed = 0;
  const check = (label: string) => {
    const text = entry.document.getText();
    const incremental = analyze({ tree: store.tree(entry), text, rules: RULES }).map(id);
    const scratch = analyze({ tree: exportTree(fresh.parse(text)!, text), text, rules: RULES }).map(id);
    assert.deepEqual(incremental, scratch, label);
    return scratch;
  };
  const before = check('base');
  for (const [from, to] of EDITS) {
    for (const [a, b] of [[from, to], [to, from]]) {
      const text = entry.document.getText();
      const at = text.indexOf(a);
      assert.ok(at >= 0, `${a} in the text`);
      store.change(uri, ++version, [{ range: { start: entry.document.positionAt(at), end: entry.document.positionAt(at + a.length) }, text: b }]);
      const after = check(`${JSON.stringify(a)} → ${JSON.stringify(b)}`);
      if (b === to && JSON.stringify(after) !== JSON.stringify(before)) changed++;
    }
  }
  // Not vacuous: most of the edits change the findings inside the class they did not touch.
  assert.ok(changed >= 4, `edits that changed the findings: ${changed}`);
});
