// Applies fixes to a text, ruff-style: in passes, each pass taking the non-overlapping fixes of a fresh
// analysis, until nothing fixable is left. Later passes see the locks earlier ones created and reuse them.
import type { Finding, TextEdit } from '../types';
import { applyEdits, overlaps } from './text';

export interface FixAllResult {
  text: string;
  /** Fixes applied, by rule code. */
  applied: Map<string, number>;
  /** Findings of the final text. */
  remaining: Finding[];
}

const MAX_PASSES = 25;

export function isApplicable(finding: Finding, unsafe: boolean): boolean {
  const a = finding.fix?.applicability;
  return a === 'safe' || (unsafe && a === 'unsafe');
}

export function fixAll(text: string, check: (text: string) => Finding[], options: { unsafe?: boolean } = {}): FixAllResult {
  const applied = new Map<string, number>();
  let findings = check(text);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const accepted: TextEdit[] = [];
    let count = 0;
    for (const f of findings) {
      if (!isApplicable(f, !!options.unsafe)) continue;
      const edits = f.fix!.edits;
      if (edits.some((e) => accepted.some((a) => overlaps(a, e)))) continue;
      accepted.push(...edits);
      applied.set(f.code, (applied.get(f.code) ?? 0) + 1);
      count++;
    }
    if (count === 0) break;
    const next = applyEdits(text, accepted);
    if (next === text) break;
    text = next;
    findings = check(text);
  }
  return { text, applied, remaining: findings };
}
