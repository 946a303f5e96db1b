// A reproduction plan for "FILE:LINE": the race finding on that line (checked as if the code were
// concurrent, so a finding the default mode leaves out still names its rule) and the plan built
// from the tree. A line without a finding is planned all the same: after a fix the same statement
// is re-run to show the race is gone.
import { Checker, type CheckSettings } from '../index';
import type { Finding } from '../types';
import { planReproduction, REPRODUCIBLE_CODES, type ReproPlan } from './plan';

let checker: Promise<Checker> | undefined;

function auditChecker(): Promise<Checker> {
  const settings: CheckSettings = { assumeConcurrent: true, minConfidence: 'low' };
  return (checker ??= Checker.create(settings));
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

export interface LinePlan {
  plan: ReproPlan;
  /** The race finding on the line, if any. */
  finding?: Finding;
}

/** Plans the reproduction of the race on `line` (1-based) of `text`; `code` prefers that rule's finding. */
export async function planForLine(text: string, file: string, line: number, code?: string): Promise<LinePlan> {
  const result = (await auditChecker()).check(text);
  const onLine = result.findings.filter((f) => REPRODUCIBLE_CODES.has(f.code) && lineOf(text, f.start) === line);
  const finding = onLine.find((f) => f.code === code) ?? onLine[0];
  const plan = planReproduction(result.tree.rootNode, { file, line, code: finding?.code ?? code, message: finding?.message });
  return { plan, finding };
}
