// What the CodeLens above an experiment shows: pure helpers, no vscode import (unit-tested).
import * as path from 'node:path';
import { findExperiment, RUN_MARKER } from '../../../bench/experiments';
import { experimentTables } from '../../../bench/format';
import type { BenchRun } from '../../../bench/results';

/** The experiment id of a bundled script, or undefined for any other file. */
export function experimentIdForFile(file: string, experimentsDir: string): string | undefined {
  if (path.resolve(path.dirname(file)) !== path.resolve(experimentsDir)) return undefined;
  const match = /^bench_(\w+)\.py$/.exec(path.basename(file));
  return match && findExperiment(match[1]) ? match[1] : undefined;
}

/** 0-based line of `def run(`, where the lens goes. */
export function markerLine(text: string): number | undefined {
  const match = RUN_MARKER.exec(text);
  return match ? text.slice(0, match.index).split('\n').length - 1 : undefined;
}

/** "last run: race: GIL 0% lost · free-threaded 55% lost", or undefined without results. */
export function lastResultTitle(run: BenchRun | undefined, experiment: string): string | undefined {
  if (!run || !run.results.some((r) => r.experiment === experiment)) return undefined;
  const table = experimentTables(run).find((t) => t.experiment === experiment);
  return table ? `last run: ${table.summary}` : undefined;
}
