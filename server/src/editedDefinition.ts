// The editor's first answer after an edit inside one function: that function's findings afresh, the rest
// of the last findings carried over through the edits. The worker publishes it at once and follows it
// with the full analysis (analysisWorker.ts), which replaces it when anything else changed.
import type { Finding, Fix } from './analysis';
import type { Node, Tree } from './analysis/parser';
import type { TextChange } from './analysis/syntaxTree';

/** A function larger than this share of the file is not worth a first pass of its own. */
const MAX_SHARE = 0.5;

/** Where `offset` of the text before `edits` is after them (an offset inside a replaced range moves to its end). */
export function mapOffset(offset: number, edits: readonly TextChange[]): number {
  for (const e of edits) {
    if (offset >= e.oldEnd) offset += e.newEnd - e.oldEnd;
    else if (offset > e.start) offset = e.newEnd;
  }
  return offset;
}

/** The span of the current text that the edits wrote or deleted at (each edit's range carried through the later ones). */
export function editedSpan(edits: readonly TextChange[]): { start: number; end: number } | null {
  if (edits.length === 0) return null;
  let start = Infinity;
  let end = -Infinity;
  edits.forEach((e, i) => {
    const later = edits.slice(i + 1);
    // The start of an edit stays before anything inserted at it later; its end after.
    start = Math.min(start, mapStart(e.start, later));
    end = Math.max(end, mapOffset(e.newEnd, later));
  });
  return { start, end };
}

function mapStart(offset: number, edits: readonly TextChange[]): number {
  for (const e of edits) {
    if (offset > e.oldEnd || (offset === e.oldEnd && e.oldEnd > e.start)) offset += e.newEnd - e.oldEnd;
    else if (offset > e.start) offset = e.start;
  }
  return offset;
}

/**
 * The innermost function definition whose body holds the whole edited span (an edit on its `def` line
 * changes what other code sees of it), or null.
 */
export function editedFunction(tree: Tree, span: { start: number; end: number }, textLength: number): Node | null {
  let node: Node | null = tree.rootNode.descendantForIndex(span.start, span.end);
  for (; node; node = node.parent) {
    if (node.type !== 'function_definition') continue;
    const body = node.childForFieldName('body');
    if (!body || span.start < body.startIndex || span.end > node.endIndex) continue;
    if (tree.rootNode.hasError) return null; // recovery may have moved what lies around the edit
    return node.endIndex - node.startIndex <= textLength * MAX_SHARE ? node : null;
  }
  return null;
}

/**
 * The first answer: `fresh` (what the rules' visits inside [range.start, range.end) of the current text
 * report there) with the `last` findings (of the text before `edits`) carried through the edits. Inside
 * the range a last finding stays unless the edits wrote over it or a fresh one replaces it: some are
 * reported from elsewhere (a whole-module pass, the other side of a race), and a squiggle that vanished
 * for the moment until the full analysis would flicker. The full analysis settles both ways.
 */
export function mergeFindings(last: readonly Finding[], edits: readonly TextChange[], range: { start: number; end: number }, fresh: readonly Finding[], span: { start: number; end: number }): Finding[] {
  const freshKeys = new Set(fresh.map(key));
  const kept: Finding[] = [];
  for (const f of last) {
    const start = mapOffset(f.start, edits);
    const end = Math.max(start, mapOffset(f.end, edits));
    const inside = start >= range.start && end <= range.end;
    if (inside && (end >= span.start && start <= span.end)) continue; // written over
    if (inside && freshKeys.has(key({ code: f.code, start, end }))) continue;
    if (!inside && start < range.end && end > range.start && !(start < range.start && end > range.end)) continue; // straddles an edge
    const fix = f.fix && carryFix(f.fix, edits, range);
    const alternatives = f.alternatives?.map((a) => carryFix(a, edits, range)).filter((a): a is Fix => !!a);
    kept.push({ ...f, start, end, fix: fix ?? undefined, alternatives });
  }
  return [...kept, ...fresh].sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
}

function key(f: { code: string; start: number; end: number }): string {
  return `${f.code}:${f.start}:${f.end}`;
}

/** A fix carried through the edits; null when it rewrites text in the range (made for the old text there). */
function carryFix(fix: Fix, edits: readonly TextChange[], range: { start: number; end: number }): Fix | null {
  const moved = fix.edits.map((e) => ({ ...e, start: mapOffset(e.start, edits), end: mapOffset(e.end, edits) }));
  if (moved.some((e) => e.end > range.start && e.start < range.end)) return null;
  const guard = fix.guard && {
    ...fix.guard,
    parent: mapOffset(fix.guard.parent, edits),
    start: mapOffset(fix.guard.start, edits),
    end: mapOffset(fix.guard.end, edits),
  };
  if (guard && guard.end > range.start && guard.start < range.end) return null;
  return { ...fix, edits: moved, ...(guard ? { guard } : {}) };
}
