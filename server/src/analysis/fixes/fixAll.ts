// Applies fixes to a text, ruff-style: in passes, each pass taking the non-overlapping fixes of a fresh
// analysis, until nothing fixable is left. Later passes see the locks earlier ones created and reuse them.
// Within a pass, guards of consecutive statements on one lock become one `with` block (two blocks one
// after the other release the lock in between, so the pair would still not be atomic).
import type { Finding, GuardSpan, TextEdit } from '../types';
import { applyEdits, indentLines, indentUnit, lineEnding, overlaps } from './text';

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

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.start === b.start && a.end === b.end && a.newText === b.newText;
}

export function fixAll(text: string, check: (text: string) => Finding[], options: { unsafe?: boolean } = {}): FixAllResult {
  const applied = new Map<string, number>();
  let findings = check(text);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let accepted: TextEdit[] = [];
    const guards: { span: GuardSpan; edit: TextEdit }[] = [];
    let count = 0;
    for (const f of findings) {
      if (!isApplicable(f, !!options.unsafe)) continue;
      // An edit another fix of this pass already makes (the same `import threading`, the same new
      // lock) is made once; any other overlap defers the fix to the next pass.
      const edits = f.fix!.edits.filter((e) => !accepted.some((a) => sameEdit(a, e)));
      if (edits.some((e) => accepted.some((a) => overlaps(a, e)))) continue;
      accepted.push(...edits);
      const span = f.fix!.guard;
      const wrap = span && edits.find((e) => e.start === span.start && e.end === span.end);
      if (span && wrap) guards.push({ span, edit: wrap });
      applied.set(f.code, (applied.get(f.code) ?? 0) + 1);
      count++;
    }
    if (count === 0) break;
    accepted = mergeAdjacentGuards(text, accepted, guards);
    const next = applyEdits(text, accepted);
    if (next === text) break;
    text = next;
    findings = check(text);
  }
  return { text, applied, remaining: findings };
}

/** Only blank lines and comments between two offsets. */
function onlyCommentsBetween(text: string, from: number, to: number): boolean {
  return from <= to && text.slice(from, to).split(/\r?\n|\r/).every((l) => /^\s*(#.*)?$/.test(l));
}

/**
 * Replaces the wrap edits of guards on one lock over consecutive sibling statements (nothing but
 * comments between them, no other edit in between) by one edit that wraps them all in one block.
 */
function mergeAdjacentGuards(text: string, edits: TextEdit[], guards: { span: GuardSpan; edit: TextEdit }[]): TextEdit[] {
  if (guards.length < 2) return edits;
  const groups = new Map<string, { span: GuardSpan; edit: TextEdit }[]>();
  for (const g of guards) {
    const key = `${g.span.lock}\0${g.span.parent}\0${g.span.indent}`;
    groups.set(key, [...(groups.get(key) ?? []), g]);
  }
  const eol = lineEnding(text);
  const unit = indentUnit(text);
  const replaced = new Set<TextEdit>();
  const added: TextEdit[] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => a.span.start - b.span.start);
    let run = [group[0]];
    const flush = () => {
      if (run.length > 1) {
        const { span } = run[0];
        const body = indentLines(text.slice(span.start, run[run.length - 1].span.end), unit);
        run.forEach((g) => replaced.add(g.edit));
        added.push({ start: span.start, end: run[run.length - 1].span.end, newText: span.append ? body : `${span.indent}with ${span.lock}:${eol}${body}` });
      }
    };
    for (const g of group.slice(1)) {
      const prev = run[run.length - 1].span;
      const between = { start: prev.end, end: g.span.start, newText: '' };
      const adjacent = !g.span.append && onlyCommentsBetween(text, prev.end, g.span.start) &&
        !edits.some((e) => e !== g.edit && e !== run[run.length - 1].edit && (overlaps(e, between) || (e.start >= prev.end && e.end <= g.span.start)));
      if (adjacent) run.push(g);
      else {
        flush();
        run = [g];
      }
    }
    flush();
  }
  return replaced.size === 0 ? edits : [...edits.filter((e) => !replaced.has(e)), ...added];
}
