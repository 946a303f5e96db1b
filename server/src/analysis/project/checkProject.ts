// Checks a set of files with cross-file thread reachability: analyse every file once, build the
// project graph from their summaries, then re-analyse only the files whose functions turn out to run
// on threads started elsewhere, until nothing changes. `analyse` may run in worker threads. The first
// round asks each module to add the facts its own summary implies (ownFacts.ts): a module the rest of
// the run tells nothing more is then not analysed again.
import { ProjectGraph, sameFacts, type ProjectFacts } from './graph';
import type { ModuleSummary } from './summary';
import { sameAnswers, type FactReads } from './factReads';

export interface ProjectFile {
  /** Anything that identifies the file to `analyse` (usually its path). */
  key: string;
  module: string;
}

const MAX_ROUNDS = 6;

export async function checkProject<R extends { summary?: ModuleSummary; appliedFacts?: ProjectFacts; factReads?: FactReads }>(
  files: readonly ProjectFile[],
  /**
   * Analyses files with the facts given. With `deriveOwnFacts`, the module adds those of its own summary
   * and reports what it applied as `appliedFacts` (the key present, even when undefined).
   */
  analyse: (files: ReadonlyArray<{ key: string; facts?: ProjectFacts; deriveOwnFacts?: boolean }>) => Promise<R[]>,
  /**
   * Facts known before any analysis (read from the files' text: the application's main loop), given to
   * the first round, so that knowing them later makes no module be analysed again.
   */
  initial?: ReadonlyMap<string, ProjectFacts>,
): Promise<Map<string, R>> {
  const results = new Map<string, R>();
  const graph = new ProjectGraph();
  const applied = new Map<string, ProjectFacts | undefined>();
  // What each module's last analysis asked of its facts (absent: compare all of them).
  const asked = new Map<string, FactReads | undefined>();
  const record = (file: ProjectFile, result: R) => {
    results.set(file.key, result);
    asked.set(file.module, result.factReads);
    // A module the text gate skipped has no summary, but it must still be known as a call target.
    graph.set(result.summary ?? { module: file.module, reachable: {}, spawns: {}, calls: {} });
  };
  (await analyse(files.map((f) => ({ key: f.key, facts: initial?.get(f.module), deriveOwnFacts: true })))).forEach((r, i) => {
    applied.set(files[i].module, 'appliedFacts' in r ? r.appliedFacts : initial?.get(files[i].module));
    record(files[i], r);
  });
  for (let round = 1; round < MAX_ROUNDS; round++) {
    const facts = graph.facts();
    // Stale: a module some answer of which changes (facts it never asked about cannot change its result).
    const stale = files.filter((f) => {
      const reads = asked.get(f.module);
      return reads ? !sameAnswers(reads, applied.get(f.module), facts.get(f.module)) : !sameFacts(facts.get(f.module), applied.get(f.module));
    });
    if (stale.length === 0) break;
    for (const f of stale) applied.set(f.module, facts.get(f.module));
    (await analyse(stale.map((f) => ({ key: f.key, facts: facts.get(f.module) })))).forEach((r, i) => record(stale[i], r));
  }
  return results;
}
