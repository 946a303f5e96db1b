// Checks a set of files with cross-file thread reachability: analyse every file once, build the
// project graph from their summaries, then re-analyse only the files whose functions turn out to run
// on threads started elsewhere, until nothing changes. `analyse` may run in worker threads.
import { ProjectGraph, sameEntries } from './graph';
import type { ModuleSummary } from './summary';

export interface ProjectFile {
  /** Anything that identifies the file to `analyse` (usually its path). */
  key: string;
  module: string;
}

const MAX_ROUNDS = 6;

export async function checkProject<R extends { summary?: ModuleSummary }>(
  files: readonly ProjectFile[],
  analyse: (files: ReadonlyArray<{ key: string; entries?: ReadonlyMap<string, string>; callerLocks?: ReadonlyMap<string, string>; importCallers?: ReadonlyMap<string, string> }>) => Promise<R[]>,
): Promise<Map<string, R>> {
  const results = new Map<string, R>();
  const graph = new ProjectGraph();
  const applied = new Map<string, ReadonlyMap<string, string>>();
  const appliedLocks = new Map<string, ReadonlyMap<string, string>>();
  const appliedImports = new Map<string, ReadonlyMap<string, string>>();
  const record = (file: ProjectFile, result: R) => {
    results.set(file.key, result);
    // A module the text gate skipped has no summary, but it must still be known as a call target.
    graph.set(result.summary ?? { module: file.module, reachable: {}, spawns: {}, calls: {} });
  };
  (await analyse(files.map((f) => ({ key: f.key })))).forEach((r, i) => record(files[i], r));
  for (let round = 1; round < MAX_ROUNDS; round++) {
    const external = graph.externalEntries();
    const locks = graph.callerLocks();
    const imports = graph.importCallers();
    const stale = files.filter(
      (f) =>
        !sameEntries(external.get(f.module), applied.get(f.module)) ||
        !sameEntries(locks.get(f.module), appliedLocks.get(f.module)) ||
        !sameEntries(imports.get(f.module), appliedImports.get(f.module)),
    );
    if (stale.length === 0) break;
    for (const f of stale) {
      applied.set(f.module, external.get(f.module) ?? new Map());
      appliedLocks.set(f.module, locks.get(f.module) ?? new Map());
      appliedImports.set(f.module, imports.get(f.module) ?? new Map());
    }
    (await analyse(stale.map((f) => ({ key: f.key, entries: external.get(f.module), callerLocks: locks.get(f.module), importCallers: imports.get(f.module) })))).forEach((r, i) => record(stale[i], r));
  }
  return results;
}
