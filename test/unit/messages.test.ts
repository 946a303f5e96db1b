// Messages say what kind of race a finding is: the evidence they cite must be true of the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Checker } from '../../server/src/analysis';

const fixture = (rel: string) => readFileSync(join(__dirname, '..', 'fixtures', 'rules', rel), 'utf8');

test('FT104: a flag set before try and reset in its finally is named a re-entrancy guard, with the per-thread remedy', async () => {
  const checker = await Checker.create({ select: ['FT104'] });
  const [finding] = checker.checkText(fixture('FT104/reentrancy_guard.py')).findings;
  assert.match(finding.message, /`_busy` is a re-entrancy guard \(tested at line 10, set here, reset in the `finally` at line 16\)/);
  assert.match(finding.message, /threading\.local\(\)/);
  // A plain lazy flag (no reset in a finally) keeps the lazy-initialisation wording.
  const [lazy] = checker.checkText('import threading\n_done = False\n\ndef once():\n    global _done\n    if not _done:\n        _done = True\n\nthreading.Thread(target=once).start()\n').findings;
  assert.match(lazy.message, /^Lazy initialisation of module global `_done`/);
});

test('FT103: an act under a lock after a check made before it says so, and offers no fix that would take the lock twice', async () => {
  const checker = await Checker.create({ select: ['FT103'] });
  const [finding] = checker.checkText(fixture('FT103/check_before_lock.py')).findings;
  assert.match(finding.message, /changes `self\.cache` of `Signal` .* holding `self\.lock`, but `if found is None` \(line 20\) checked it before the lock was taken/);
  assert.equal(finding.fix, undefined);
});

test('FT111: a key read after its test while another thread replaces the dict says it is replaced, not that keys are removed', async () => {
  const checker = await Checker.create({ select: ['FT111'] });
  const text = [
    'import threading',
    '',
    'class Packages:',
    '    def __init__(self):',
    '        self.cache = {}',
    '        threading.Thread(target=self.reload).start()',
    '',
    '    def reload(self):',
    '        self.cache = dict(load())',
    '',
    '    def version(self, name):',
    '        if name in self.cache:',
    '            return self.cache[name]',
    '',
    '    def forget(self, name):',
    '        del self.cache[name]',
    '',
    'def load():',
    '    return {}',
    '',
  ].join('\n');
  const [replaced] = checker.checkText(text).findings;
  assert.match(replaced.message, /`reload` replaces `self\.cache` with another object \(`self\.cache = dict\(load\(\)\)`, line 9\)/);
  assert.match(replaced.message, /raises KeyError when the new object lacks the key/);
  const [removed] = checker.checkText(text.replace('self.cache = dict(load())', 'self.cache.pop("x", None)')).findings;
  assert.match(removed.message, /`reload` removes keys from `self\.cache`/);
});
