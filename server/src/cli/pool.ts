// Runs the CLI's file checks on worker threads (one per core by default) or in-process, and hands the
// outcomes back in job order whatever order the workers finish in, so the output is deterministic.
// A pool lives for a whole `ftaudit check` run: the cross-file rounds (analysis/project/checkProject)
// reuse its workers.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { FileChecker, type FileJob, type FileOutcome } from './checkfile';
import type { WorkerReply, WorkerRequest } from './worker';

/**
 * Workers start with their old generation capped, so V8 collects the per-file garbage instead of growing
 * two heaps (the CLI's peak RSS, issue #10's budget); a file whose model needs more (roughly 1 MB of
 * source and up) runs out of it, and is checked again on a worker without the cap, which replaces it.
 */
const FIRST_HEAP_CAP_MB = 64;

/** Below this many files, starting workers costs more than it saves. */
export const MIN_FILES_FOR_WORKERS = 8;

export function defaultJobs(): number {
  const fromEnv = Number(process.env.FTAUDIT_WORKERS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length || 1;
}

/** How many workers a run of `files` files gets with `jobs` allowed: 0 means in-process. */
export function workerCount(files: number, jobs: number): number {
  if (jobs <= 1 || files < MIN_FILES_FOR_WORKERS) return 0;
  return Math.min(files, jobs);
}

/**
 * The worker's script: the bundle next to the CLI bundle (server/out/worker.js), or, when the CLI runs
 * from source under tsx (tests), worker.ts loaded through tsx. Null when neither is there.
 */
function workerScript(): { code: string } | { file: string } | null {
  const built = path.join(__dirname, 'worker.js');
  if (fs.existsSync(built)) return { file: built };
  const source = path.join(__dirname, 'worker.ts');
  if (fs.existsSync(source)) return { code: `require('tsx/cjs/api').register(); require(${JSON.stringify(source)});` };
  return null;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

export interface PoolOptions {
  /** 0 or 1: in-process. */
  workers: number;
  /** A worker thread failed (its file is then checked in-process). */
  onWorkerError?: (message: string) => void;
  /** The workers' first old-generation cap in MB (default FIRST_HEAP_CAP_MB). */
  heapCapMb?: number;
  /** A file outgrew the cap and went to a worker without it. */
  onHeapCapReached?: (file: string) => void;
}

interface Slot {
  worker: Worker;
  /** The job it is working on (an index into the current run), if any. */
  current?: number;
  dead: boolean;
  /** The current run's handlers (the worker's own listeners stay for its whole life). */
  /** Its old-generation cap in MB (undefined: V8's default). */
  heapCapMb?: number;
  onMessage?: (reply: WorkerReply) => void;
  onDeath?: (message: string, outOfMemory: boolean) => void;
}

export class CheckPool {
  private readonly local = new FileChecker();
  private readonly slots: Slot[] = [];
  private readonly script: ReturnType<typeof workerScript>;

  constructor(private readonly options: PoolOptions) {
    this.script = options.workers > 1 ? workerScript() : null;
    if (!this.script) return;
    for (let i = 0; i < options.workers; i++) this.slots.push(this.spawn(options.heapCapMb ?? FIRST_HEAP_CAP_MB));
  }

  /** A worker whose old generation is capped at `heapCapMb` (undefined: V8's default). */
  private spawn(heapCapMb: number | undefined): Slot {
    const script = this.script!;
    // A small young generation: the per-file garbage is short-lived, and two workers' semi-spaces add up.
    const resourceLimits = { maxYoungGenerationSizeMb: 8, ...(heapCapMb ? { maxOldGenerationSizeMb: heapCapMb } : {}) };
    const worker = 'file' in script ? new Worker(script.file, { resourceLimits }) : new Worker(script.code, { eval: true, resourceLimits });
    const slot: Slot = { worker, dead: false, heapCapMb };
    let outOfMemory = false;
    const die = (message: string) => {
      if (slot.dead) return;
      slot.dead = true;
      slot.onDeath?.(message, outOfMemory);
    };
    worker.on('message', (reply: WorkerReply) => slot.onMessage?.(reply));
    worker.on('error', (error) => {
      outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      die(error instanceof Error ? error.message : String(error));
    });
    worker.on('exit', (code) => die(`worker thread exited with code ${code}`));
    return slot;
  }

  /** Checks `jobs`; `onOutcome` is called in job order as soon as every earlier outcome is known. */
  async run(jobs: readonly FileJob[], onOutcome?: (index: number, outcome: FileOutcome) => void): Promise<FileOutcome[]> {
    const outcomes: Array<FileOutcome | undefined> = new Array(jobs.length);
    let flushed = 0;
    const settle = (index: number, outcome: FileOutcome) => {
      outcomes[index] = outcome;
      while (flushed < jobs.length && outcomes[flushed]) {
        onOutcome?.(flushed, outcomes[flushed]!);
        flushed++;
      }
    };
    const live = this.slots.filter((s) => !s.dead);
    if (live.length === 0 || jobs.length === 0) {
      for (let i = 0; i < jobs.length; i++) settle(i, await this.local.check(jobs[i]));
      return outcomes as FileOutcome[];
    }

    // Largest files first (LPT scheduling), so no worker is left with a big file at the end.
    const order = jobs.map((job, i) => ({ i, size: fileSize(job.file) })).sort((a, b) => b.size - a.size || a.i - b.i).map((x) => x.i);
    let next = 0;
    const leftovers: number[] = [];
    await new Promise<void>((resolve) => {
      let busy = 0;
      const feed = (slot: Slot) => {
        if (slot.dead || next >= order.length) {
          slot.current = undefined;
          if (busy === 0) resolve();
          return;
        }
        slot.current = order[next++];
        busy++;
        slot.worker.postMessage({ id: slot.current, job: jobs[slot.current] } satisfies WorkerRequest);
      };
      const attach = (slot: Slot) => {
        slot.onMessage = (reply) => {
          busy--;
          slot.current = undefined;
          if ('crash' in reply) {
            settle(reply.id, { reported: [], messages: [`ftaudit: error: ${jobs[reply.id].file}: analysis failed: ${reply.crash}\n`], errors: 1 });
          } else {
            settle(reply.id, reply.outcome);
          }
          feed(slot);
        };
        slot.onDeath = (message, outOfMemory) => {
          if (outOfMemory && slot.heapCapMb !== undefined && slot.current !== undefined) {
            // The file needs more heap than the cap: a worker without it takes the slot's place and the file.
            this.options.onHeapCapReached?.(jobs[slot.current].file);
            const replacement = this.spawn(undefined);
            this.slots[this.slots.indexOf(slot)] = replacement;
            live.push(replacement);
            attach(replacement);
            replacement.current = slot.current;
            slot.current = undefined;
            replacement.worker.postMessage({ id: replacement.current, job: jobs[replacement.current] } satisfies WorkerRequest);
            return;
          }
          this.options.onWorkerError?.(message);
          // A worker that died (out of memory, a crash in the wasm) leaves its file to the main thread.
          if (slot.current !== undefined) {
            leftovers.push(slot.current);
            slot.current = undefined;
            busy--;
          }
          if (busy === 0 && (next >= order.length || live.every((s) => s.dead))) resolve();
        };
      };
      for (const slot of live) attach(slot);
      for (const slot of live) feed(slot);
    });
    for (const slot of live) {
      slot.onMessage = undefined;
      slot.onDeath = undefined;
    }

    // Whatever the workers could not do (they died) is done here, in order.
    const rest = [...leftovers, ...order.slice(next)].sort((a, b) => a - b);
    for (const i of rest) settle(i, await this.local.check(jobs[i]));
    return outcomes as FileOutcome[];
  }

  async close(): Promise<void> {
    const live = this.slots.filter((s) => !s.dead);
    for (const s of live) s.dead = true;
    await Promise.all(live.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}

/** One run on a fresh pool (what the tests and one-shot callers use). */
export async function runJobs(jobs: readonly FileJob[], options: PoolOptions & { onOutcome?: (index: number, outcome: FileOutcome) => void }): Promise<FileOutcome[]> {
  const pool = new CheckPool({ ...options, workers: Math.min(options.workers, jobs.length) });
  try {
    return await pool.run(jobs, options.onOutcome);
  } finally {
    await pool.close();
  }
}
