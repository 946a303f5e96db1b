import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { candidates, defaultSelection, discoverInterpreters, findOnPath, pyenvInterpreter } from '../../bench/discover';
import { machinePython, tempDir, writeScript } from './bench-helpers';

/** A fake interpreter that answers the probe with the given facts. */
function fakePython(dir: string, name: string, facts: Record<string, unknown>): string {
  const line = JSON.stringify({ implementation: 'CPython', platform: 'linux', machine: 'x86_64', cpu_count: 2, affinity: 2, ...facts });
  return writeScript(dir, name, `#!/bin/sh\necho 'FTAUDIT_PROBE ${line}'\n`);
}

function layout() {
  const root = tempDir();
  const bin = path.join(root, 'bin');
  const pyenv = path.join(root, 'pyenv');
  fs.mkdirSync(bin);
  const ver = (v: string) => {
    const dir = path.join(pyenv, 'versions', v, 'bin');
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  return { root, bin, pyenv, ver };
}

test('PATH candidates are looked up like `which`, executables only', () => {
  const { bin } = layout();
  writeScript(bin, 'python3.14t', '#!/bin/sh\n');
  fs.writeFileSync(path.join(bin, 'python3.14'), 'not executable', { mode: 0o644 });
  const env = { PATH: `/nonexistent${path.delimiter}${bin}` };
  assert.equal(findOnPath('python3.14t', env), path.join(bin, 'python3.14t'));
  assert.equal(findOnPath('python3.14', env), undefined);
  assert.equal(findOnPath('python3.15t', env), undefined);
});

test('a pyenv version contributes its most specific python3 name', () => {
  const { ver, pyenv } = layout();
  const ft = ver('3.14.0t');
  for (const n of ['python', 'python3', 'python3.14', 'python3.14t']) writeScript(ft, n, '#!/bin/sh\n');
  const gil = ver('3.12.1');
  for (const n of ['python', 'python3', 'python3.12']) writeScript(gil, n, '#!/bin/sh\n');
  ver('2.7.18');
  writeScript(path.join(pyenv, 'versions', '2.7.18', 'bin'), 'python2.7', '#!/bin/sh\n');
  assert.equal(pyenvInterpreter(path.join(pyenv, 'versions', '3.14.0t')), path.join(ft, 'python3.14t'));
  assert.equal(pyenvInterpreter(path.join(pyenv, 'versions', '3.12.1')), path.join(gil, 'python3.12'));
  assert.equal(pyenvInterpreter(path.join(pyenv, 'versions', '2.7.18')), undefined);
  const list = candidates({ env: { PATH: '', PYENV_ROOT: pyenv } });
  assert.deepEqual(list.map((c) => `${c.source} ${c.config.label}`), ['pyenv pyenv 3.12.1', 'pyenv pyenv 3.14.0t']);
});

test('every candidate is probed: names are hints, duplicates go, broken ones are reported', async () => {
  const { bin, pyenv, ver } = layout();
  // "python3" on PATH is in fact a free-threaded build; "python3.14" is the same binary again.
  const ft = { version: '3.14.0', version_info: [3, 14, 0], gil_enabled: false, py_gil_disabled: 1, executable: '/opt/ft/bin/python3.14t' };
  fakePython(bin, 'python3', ft);
  fakePython(bin, 'python3.14', ft);
  writeScript(bin, 'python3.14t', '#!/bin/sh\necho garbage\n');
  fakePython(ver('3.13.0t'), 'python3.13t', { version: '3.13.0', version_info: [3, 13, 0], gil_enabled: false, py_gil_disabled: 1, executable: '/p/3.13t' });
  fakePython(ver('3.12.1'), 'python3.12', { version: '3.12.1', version_info: [3, 12, 1], executable: '/p/3.12' });
  fakePython(ver('3.7.16'), 'python3.7', { version: '3.7.16', version_info: [3, 7, 16], executable: '/p/3.7' });

  const discovery = await discoverInterpreters({ env: { PATH: bin, PYENV_ROOT: pyenv } });
  assert.deepEqual(
    discovery.found.map((f) => `${f.source} ${f.info.label} ${f.info.gil_enabled ? 'GIL' : 'free-threaded'}`),
    ['path python3 free-threaded', 'pyenv pyenv 3.12.1 GIL', 'pyenv pyenv 3.13.0t free-threaded'],
  );
  assert.deepEqual(
    discovery.rejected.map((r) => r.message.replace(/ \(\/.*?\)/, '')).sort(),
    [
      "interpreter 'pyenv 3.7.16' is CPython 3.7.16; the experiments need Python 3.8 or newer",
      "interpreter 'python3.14t' is not a working Python: the probe exited without a probe result; printed: garbage",
    ],
  );
  const { selected, skipped } = defaultSelection(discovery);
  assert.deepEqual(selected.map((s) => s.info.label), ['python3', 'pyenv 3.13.0t']);
  assert.deepEqual(skipped.map((s) => s.info.label), ['pyenv 3.12.1']);
});

test('configured interpreters come first and win over the same one discovered', async () => {
  const python = await machinePython();
  const discovery = await discoverInterpreters({
    configured: [{ path: python.info.executable, label: 'mine' }],
    names: ['python3'],
    pyenvRoot: null,
  });
  assert.equal(discovery.found[0].info.label, 'mine');
  assert.equal(discovery.found[0].source, 'configured');
  assert.equal(discovery.found.filter((f) => f.info.executable === python.info.executable).length, 1);
});
