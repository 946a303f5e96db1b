// The severity policy the race rules share: report where there is evidence of concurrency.
import type { Node } from '../parser';
import type { RuleContext, Severity } from '../types';
import type { FunctionScope } from '../model/scopes';
import type { SharedState } from '../model/sharing';

export interface RaceVerdict {
  severity: Severity;
  /** A sentence saying how the code gets onto threads, or '' when it is not visible. */
  where: string;
}

/**
 * Error when the code is thread-reachable (or the state is declared guarded); warning when the state
 * is shared and the module shows concurrency but no thread entry reaches this code; null when a lock
 * is held or there is no sign of concurrency at all.
 */
export function raceVerdict(node: Node, scope: FunctionScope, shared: SharedState, ctx: RuleContext): RaceVerdict | null {
  const { model } = ctx;
  if (model.heldLocks(node).length > 0) return null;
  const entry = model.threads.entryFor(scope);
  const guarded = model.guardedBy.get(shared.key);
  if (entry) {
    const via = entry.site === scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
    return { severity: 'error', where: ` \`${scope.name}\` runs on threads (${via}).` };
  }
  if (guarded) return { severity: 'error', where: ` It is declared \`# guarded-by: ${guarded.lock}\`.` };
  if (shared.kind === 'shared-instance' || model.hasConcurrencyEvidence) return { severity: 'warning', where: '' };
  return null;
}
