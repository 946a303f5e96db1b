import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { isAbortError, runProcess, SpawnError } from '../../bench/proc';
import { hangingInterpreter, readPids, tempDir, waitGone, writeScript } from './bench-helpers';

const posix = process.platform !== 'win32';

test('collects stdout, stderr and the exit code', async () => {
  const dir = tempDir();
  const script = writeScript(dir, 'say', '#!/bin/sh\necho out\necho err >&2\nexit 3\n');
  const outcome = await runProcess(script, { args: [], timeoutMs: 10_000 });
  assert.equal(outcome.stdout, 'out\n');
  assert.equal(outcome.stderr, 'err\n');
  assert.equal(outcome.code, 3);
  assert.equal(outcome.timedOut, false);
});

test('a missing or non-executable command is a SpawnError naming it', async () => {
  const dir = tempDir();
  const missing = path.join(dir, 'no-such-python');
  await assert.rejects(runProcess(missing, { args: [], timeoutMs: 1000 }), (e: unknown) => {
    assert.ok(e instanceof SpawnError);
    assert.equal(e.code, 'ENOENT');
    assert.match(e.message, /no-such-python: not found/);
    return true;
  });
  const plain = writeScript(dir, 'not-exec', 'x');
  const fs = await import('node:fs');
  fs.chmodSync(plain, 0o644);
  await assert.rejects(runProcess(plain, { args: [], timeoutMs: 1000 }), /not executable/);
});

test('a hanging process is killed at the timeout, grandchildren included', { skip: !posix && 'POSIX process groups' }, async () => {
  const dir = tempDir();
  const pidFile = path.join(dir, 'pids');
  const outcome = await runProcess(hangingInterpreter(dir, pidFile), { args: [], timeoutMs: 1500 });
  assert.equal(outcome.timedOut, true);
  assert.equal(outcome.signal, 'SIGKILL');
  const pids = await readPids(pidFile);
  assert.equal(pids.length, 2, 'the fake interpreter wrote its pid and its child');
  assert.deepEqual(await waitGone(pids), [], 'no process of the tree survives');
});

test('abort kills the tree and rejects with an AbortError', { skip: !posix && 'POSIX process groups' }, async () => {
  const dir = tempDir();
  const pidFile = path.join(dir, 'pids');
  const controller = new AbortController();
  const running = runProcess(hangingInterpreter(dir, pidFile), { args: [], timeoutMs: 60_000, signal: controller.signal });
  const pids = await readPids(pidFile);
  controller.abort();
  await assert.rejects(running, (e) => isAbortError(e));
  assert.deepEqual(await waitGone(pids), []);
});

test('an already aborted signal starts nothing', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(runProcess('/bin/true', { args: [], timeoutMs: 1000, signal: controller.signal }), (e) => isAbortError(e));
});

test('output beyond the cap is dropped and marked', async () => {
  const dir = tempDir();
  const script = writeScript(dir, 'flood', '#!/bin/sh\nhead -c 100000 /dev/zero | tr "\\0" x\n');
  const outcome = await runProcess(script, { args: [], timeoutMs: 10_000, maxOutputBytes: 1000 });
  assert.equal(outcome.stdout, 'x'.repeat(1000) + '\n[output truncated]');
});
