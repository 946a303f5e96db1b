// The user's own measured race figures, quoted where a race diagnostic is shown: "on python3.14t here,
// this pattern lost 55% of updates". Plain text building, no vscode import (tested in unit tests).
import type { BenchRun } from '../../../bench/results';

/** Codes whose hazard the `race` experiment measures (lost read-modify-write updates). */
export const RACE_CODES = new Set(['FT101', 'FT102']);

/** Markdown for a hover, or undefined when no race result has been measured yet. */
export function raceFigureMarkdown(run: BenchRun | undefined): string | undefined {
  const results = (run?.results ?? []).filter((r) => r.experiment === 'race' && typeof r.lost_fraction === 'number' && !r.error);
  if (results.length === 0) return undefined;
  const lines = results.map((r) => {
    const gil = r.gil_enabled === false ? 'free-threaded, GIL off' : r.gil_enabled === true ? 'GIL on' : 'GIL state varied';
    const threads = r.params.threads ?? '?';
    const per = r.params.iterations ?? r.params.increments ?? '?';
    return `- on **${r.interpreter}** here (${gil}): this pattern lost **${Math.round(r.lost_fraction! * 100)}%** of updates (${threads} threads × ${per} \`counter[0] += 1\`)`;
  });
  return `**Measured on this machine** (ftaudit race experiment, ${run!.created.slice(0, 10)}):\n\n${lines.join('\n')}`;
}
