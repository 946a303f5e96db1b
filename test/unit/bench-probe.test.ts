import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { isolationArgs, scrubbedEnv } from '../../bench/interpreter';
import { gilMode, InterpreterError, probeInterpreter } from '../../bench/probe';
import { hangingInterpreter, machinePython, readPids, tempDir, waitGone, writeScript } from './bench-helpers';

test("probes the machine's python3", async () => {
  const { info } = await machinePython();
  assert.equal(info.label, 'python3');
  assert.match(info.version, /^3\.\d+\.\d+/);
  assert.ok(info.version_info[0] === 3 && info.version_info[1] >= 8);
  assert.equal(typeof info.gil_enabled, 'boolean');
  assert.ok(path.isAbsolute(info.executable));
  assert.ok((info.cpu_count ?? 0) >= 1);
  if (process.platform === 'linux') assert.ok((info.affinity ?? 0) >= 1);
  // This machine's python3 is a GIL build; a free-threaded one is covered by bench-ft.test.ts.
  if (!info.free_threaded_build) {
    assert.equal(info.gil_enabled, true);
    assert.equal(gilMode(info), 'GIL');
  }
});

test('a missing interpreter is named', async () => {
  await assert.rejects(probeInterpreter({ path: 'python3.99t-not-installed' }), (e: unknown) => {
    assert.ok(e instanceof InterpreterError);
    assert.equal(e.interpreter, 'python3.99t-not-installed');
    assert.equal(e.message, "interpreter 'python3.99t-not-installed': not found");
    return true;
  });
});

test('garbage output gives a clear error naming the interpreter and quoting the output', async () => {
  const dir = tempDir();
  const fake = writeScript(dir, 'garbage-python', '#!/bin/sh\necho "Segmentation fault? no: just some garbage"\n');
  await assert.rejects(probeInterpreter({ path: fake, label: 'garbage' }), (e: unknown) => {
    assert.ok(e instanceof InterpreterError);
    assert.match(e.message, /^interpreter 'garbage' \(.*garbage-python\) is not a working Python: the probe exited without a probe result; printed: Segmentation fault\? no: just some garbage$/);
    return true;
  });
});

test('a crashing interpreter reports its exit status and stderr', async () => {
  const dir = tempDir();
  const fake = writeScript(dir, 'broken-python', '#!/bin/sh\necho "error while loading shared libraries: libpython3.14t.so" >&2\nexit 127\n');
  await assert.rejects(probeInterpreter({ path: fake }), /interpreter 'broken-python' \(.*broken-python\) is not a working Python: the probe failed \(exit code 127\); error while loading shared libraries/);
});

test('a malformed probe line is reported, not trusted', async () => {
  const dir = tempDir();
  const fake = writeScript(dir, 'liar', '#!/bin/sh\necho \'FTAUDIT_PROBE {"version": 3}\'\n');
  await assert.rejects(probeInterpreter({ path: fake }), /interpreter 'liar' \(.*liar\): unreadable probe result: FTAUDIT_PROBE \{"version": 3\}/);
});

test('too old an interpreter is refused with its version', async () => {
  const dir = tempDir();
  const line = JSON.stringify({ version: '2.7.18', version_info: [2, 7, 18], implementation: 'CPython', executable: '/usr/bin/python2' });
  const fake = writeScript(dir, 'python2', `#!/bin/sh\necho 'FTAUDIT_PROBE ${line}'\n`);
  await assert.rejects(probeInterpreter({ path: fake }), /interpreter 'python2' \(.*python2\) is CPython 2\.7\.18; the experiments need Python 3\.8 or newer/);
});

test('the file name is not trusted: the probe says what the build is', async () => {
  const dir = tempDir();
  const line = JSON.stringify({
    version: '3.14.0', version_info: [3, 14, 0], implementation: 'CPython', executable: '/opt/ft/bin/python3',
    gil_enabled: false, py_gil_disabled: 1, cpu_count: 4, affinity: 2, platform: 'linux', machine: 'x86_64',
  });
  const fake = writeScript(dir, 'python3', `#!/bin/sh\necho 'FTAUDIT_PROBE ${line}'\n`);
  const { info } = await probeInterpreter({ path: fake });
  assert.equal(info.gil_enabled, false);
  assert.equal(info.free_threaded_build, true);
  assert.equal(info.affinity, 2);
  assert.equal(gilMode(info), 'free-threaded');
  assert.equal(gilMode({ gil_enabled: true, free_threaded_build: true }), 'free-threaded build, GIL on');
});

test('a hanging interpreter is killed when the probe times out', { skip: process.platform === 'win32' && 'POSIX only' }, async () => {
  const dir = tempDir();
  const pidFile = path.join(dir, 'pids');
  await assert.rejects(
    probeInterpreter({ path: hangingInterpreter(dir, pidFile), label: 'stuck' }, { timeoutMs: 1500 }),
    /interpreter 'stuck' \(.*\): no answer to the probe within 1\.5 s \(killed\)/,
  );
  assert.deepEqual(await waitGone(await readPids(pidFile)), []);
});

test('environment: PYTHON* variables are removed unless configured; -I unless they are; -B always', () => {
  const base = { PATH: '/bin', PYTHONPATH: '/evil', PYTHONHOME: '/x', python_gil: '1', HOME: '/root' };
  assert.deepEqual(scrubbedEnv({ path: 'python3' }, base), { PATH: '/bin', HOME: '/root' });
  assert.deepEqual(isolationArgs({ path: 'python3' }), ['-I', '-B']);
  const configured = { path: 'python3.14t', env: { PYTHON_GIL: '1' } };
  assert.deepEqual(scrubbedEnv(configured, base), {
    PATH: '/bin',
    HOME: '/root',
    PYTHON_GIL: '1',
    PYTHONNOUSERSITE: '1',
    PYTHONSAFEPATH: '1',
  });
  assert.deepEqual(isolationArgs(configured), ['-B']);
  assert.deepEqual(isolationArgs({ path: 'python3', env: { OMP_NUM_THREADS: '1' } }), ['-I', '-B']);
});

test('a configured PYTHON* variable reaches the interpreter; a stray one does not', async () => {
  const dir = tempDir();
  const fake = writeScript(
    dir,
    'env-python',
    '#!/bin/sh\necho "PYTHON_GIL=${PYTHON_GIL:-unset} PYTHONPATH=${PYTHONPATH:-unset}" >&2\nexit 1\n',
  );
  const env = { ...process.env, PYTHONPATH: '/stray' };
  await assert.rejects(probeInterpreter({ path: fake }, { env }), /PYTHON_GIL=unset PYTHONPATH=unset/);
  await assert.rejects(probeInterpreter({ path: fake, env: { PYTHON_GIL: '0' } }, { env }), /PYTHON_GIL=0 PYTHONPATH=unset/);
});
