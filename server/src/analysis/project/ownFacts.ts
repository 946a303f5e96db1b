// A module's project facts from its own summary alone: what a graph of this one module tells it (calls
// it makes holding a lock of functions it defines, threads it starts on its own code…). Applied before
// the rules run, they spare a run the module's second analysis whenever the whole run's graph agrees —
// always in a one-file run. When it does not, checkProject's fixpoint analyses the module again with
// the graph's facts, as it would have anyway: the guess changes what is computed, never the result.
import { ProjectGraph, type ProjectFacts } from './graph';
import type { ModuleSummary } from './summary';

/**
 * `given` (facts known for the whole run before any analysis: the application's main loop) with the
 * facts the module's own summary implies. The main loop is the whole run's question: one module alone
 * cannot answer it.
 */
export function withOwnFacts(summary: ModuleSummary, given: ProjectFacts | undefined): ProjectFacts | undefined {
  const graph = new ProjectGraph();
  graph.set(summary);
  const { mainLoop: _alone, ...own } = graph.facts().get(summary.module) ?? {};
  const merged: ProjectFacts = { ...own, ...given };
  return Object.keys(merged).length > 0 ? merged : undefined;
}
