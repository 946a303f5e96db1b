// Shared by the bench-*.test.ts files: temporary fake interpreters and process checks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { locateExperimentsDir } from '../../bench/locate';
import { InterpreterInfo, probeInterpreter, ProbedInterpreter } from '../../bench/probe';
import { scratchDir } from '../helpers/scratch';

export const experimentsDir = locateExperimentsDir();

export function tempDir(prefix = 'ftaudit-bench-'): string {
  return scratchDir(prefix);
}

/** Writes an executable script (a fake interpreter) and returns its path. */
export function writeScript(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body, { mode: 0o755 });
  return file;
}

/** A process is gone when it no longer exists or is a zombie waiting for a reaper. */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

export async function waitGone(pids: number[], ms = 5000): Promise<number[]> {
  const deadline = Date.now() + ms;
  let alive = pids.filter((p) => !isGone(p));
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    alive = alive.filter((p) => !isGone(p));
  }
  return alive;
}

/**
 * A fake interpreter that starts a grandchild and then hangs; both pids are written to `pidFile`
 * (grandchild first) before it hangs.
 */
export function hangingInterpreter(dir: string, pidFile: string): string {
  return writeScript(dir, 'hang-python', `#!/bin/sh\nsleep 300 &\necho $! > '${pidFile}'\necho $$ >> '${pidFile}'\nwait\n`);
}

export async function readPids(pidFile: string, ms = 5000): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : '';
    const pids = text.split('\n').filter(Boolean).map(Number);
    if (pids.length >= 2 || Date.now() > deadline) return pids;
    await new Promise((r) => setTimeout(r, 20));
  }
}

let python3: Promise<ProbedInterpreter> | undefined;
/** The machine's python3, probed once per test file. */
export function machinePython(): Promise<ProbedInterpreter> {
  python3 ??= probeInterpreter({ path: 'python3' });
  return python3;
}

/**
 * Whether `race` must count exactly: with the GIL on CPython 3.10+, threads switch only at calls and
 * loop back-edges, never inside `counter[0] += 1` (3.8 and 3.9 GIL builds lose 30–45% here).
 */
export function countsExactly(info: InterpreterInfo): boolean {
  const [major, minor] = info.version_info;
  return info.gil_enabled && info.implementation === 'CPython' && (major > 3 || (major === 3 && minor >= 10));
}
