// Benchmark results kept in the extension's storage: every run as its own file (the last 20), and the
// merged newest figure per experiment × interpreter in latest.json. Plain Node: no vscode import.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BenchRun, loadRun, mergeRuns, saveRun } from '../../../bench/results';

const KEEP = 20;

export class ResultStore {
  constructor(private readonly dir: string) {}

  get latestFile(): string {
    return path.join(this.dir, 'latest.json');
  }

  latest(): BenchRun | undefined {
    try {
      return loadRun(this.latestFile);
    } catch {
      return undefined;
    }
  }

  /** Saves the run and returns the merged view now in latest.json. */
  add(run: BenchRun): BenchRun {
    const merged = mergeRuns(this.latest(), run);
    saveRun(path.join(this.dir, 'runs', `${run.created.replace(/[:.]/g, '-')}.json`), run);
    saveRun(this.latestFile, merged);
    this.prune();
    return merged;
  }

  private prune(): void {
    const runs = path.join(this.dir, 'runs');
    const files = fs.readdirSync(runs).filter((f) => f.endsWith('.json')).sort();
    for (const old of files.slice(0, Math.max(0, files.length - KEEP))) fs.rmSync(path.join(runs, old), { force: true });
  }
}
