// Runs one child process without a shell: collects its output, enforces a timeout and honours an
// AbortSignal. On POSIX the child leads its own process group (spawned detached), so a timeout or a
// cancel kills the whole tree with kill(-pid) — the multiprocessing experiment's workers included.
import { spawn } from 'node:child_process';

export interface ProcessOptions {
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the process tree after this many milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Output kept per stream; the rest is dropped (a runaway child cannot exhaust memory). */
  maxOutputBytes?: number;
}

export interface ProcessOutcome {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Process id of the child (the process group id on POSIX). */
  pid: number | undefined;
}

/** The child could not be started at all (missing file, not executable, …). */
export class SpawnError extends Error {
  constructor(
    readonly command: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'SpawnError';
  }
}

export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('cancelled');
  error.name = 'AbortError';
  return error;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Kills a process and, on POSIX, every process left in its process group. Never throws. */
export function killTree(pid: number): void {
  if (process.platform === 'win32') {
    const killer = spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    killer.on('error', () => undefined);
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;
/** After the child exits, how long to wait for grandchildren that still hold its pipes. */
const PIPE_GRACE_MS = 2000;

export function runProcess(command: string, options: ProcessOptions): Promise<ProcessOutcome> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;

  return new Promise<ProcessOutcome>((resolve, reject) => {
    const child = spawn(command, [...options.args], {
      env: options.env,
      cwd: options.cwd,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out = collector(maxBytes);
    const err = collector(maxBytes);
    child.stdout.on('data', out.add);
    child.stderr.on('data', err.add);

    let timedOut = false;
    let aborted = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let graceTimer: NodeJS.Timeout | undefined;

    const kill = () => {
      if (child.pid !== undefined) killTree(child.pid);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      if (error) return reject(error);
      if (aborted) return reject(abortError(signal));
      resolve({
        stdout: out.text(),
        stderr: err.text(),
        code: exit?.code ?? null,
        signal: exit?.signal ?? null,
        timedOut,
        pid: child.pid,
      });
    };

    child.on('error', (error: NodeJS.ErrnoException) => {
      // 'error' also reports a failed kill; only a failure to start (no pid) ends the run here.
      if (child.pid !== undefined) return;
      finish(new SpawnError(command, error.code, spawnMessage(command, error)));
    });
    child.on('exit', (code, sig) => {
      exit = { code, signal: sig };
      // The leader is gone: take stragglers of its group with it, then give the pipes a moment.
      kill();
      graceTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, PIPE_GRACE_MS);
    });
    child.on('close', () => finish());
  });
}

function spawnMessage(command: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return `${command}: not found`;
    case 'EACCES':
      return `${command}: not executable (permission denied)`;
    default:
      return `${command}: cannot start (${error.message})`;
  }
}

function collector(maxBytes: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let dropped = false;
  return {
    add: (chunk: Buffer) => {
      if (size >= maxBytes) {
        dropped = true;
        return;
      }
      const kept = chunk.subarray(0, maxBytes - size);
      if (kept.length < chunk.length) dropped = true;
      chunks.push(kept);
      size += kept.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8') + (dropped ? '\n[output truncated]' : ''),
  };
}

export function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** The last lines of some output, shortened for one message. */
export function excerpt(text: string, max = 300): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  const tail = trimmed.split(/\r?\n/).slice(-4).join(' | ');
  return tail.length > max ? `…${tail.slice(-max)}` : tail;
}
