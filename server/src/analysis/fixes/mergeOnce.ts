// "Accumulate locally, merge once": `for …: with lock: total += x` becomes a local accumulator in the
// loop and one locked merge after it (the per-thread accumulator of the experiments article).
import type { Node } from '../parser';
import type { Fix } from '../types';
import { namedChildren } from '../model/syntax';
import { indentUnit, lineEnding, ownLines } from './text';

/**
 * `inner` is the loop's only statement: either `with lock: T += E` (FT108) or a bare `T += E` being
 * guarded (FT101's fix), which is rewritten the same way rather than into a hot lock.
 */
export function mergeOnceFix(text: string, loop: Node, inner: Node, lock: string): Fix | undefined {
  const loopBody = loop.childForFieldName('body');
  if (!loopBody || namedChildren(loopBody).length !== 1 || loop.type !== 'for_statement') return undefined;
  if (namedChildren(loop).some((c) => c.type === 'else_clause')) return undefined;
  const lockedBody = inner.type === 'with_statement' ? inner.childForFieldName('body') : null;
  const locked = lockedBody ? namedChildren(lockedBody) : [inner];
  const update = locked.length === 1 && locked[0].type === 'expression_statement' ? namedChildren(locked[0])[0] : null;
  if (update?.type !== 'augmented_assignment') return undefined;
  const op = update.children.find((c) => c && !c.isNamed && c.type.endsWith('='))?.type;
  const target = update.childForFieldName('left');
  const value = update.childForFieldName('right');
  if ((op !== '+=' && op !== '-=') || !target || !value) return undefined;
  // The increment must not read the shared target itself, or accumulating locally changes its meaning.
  if (value.text.includes(target.text.split(/[[.]/)[0])) return undefined;
  const loopLines = ownLines(text, loop);
  const withLines = ownLines(text, inner);
  if (!loopLines || !withLines) return undefined;
  const eol = lineEnding(text);
  const unit = indentUnit(text);
  const acc = uniqueName(text, '_local_total');
  const header = text.slice(loopLines.start, withLines.start);
  const newText =
    `${loopLines.indent}${acc} = 0${eol}` +
    header +
    `${withLines.indent}${acc} += ${value.text}${eol}` +
    `${loopLines.indent}with ${lock}:${eol}` +
    `${loopLines.indent}${unit}${target.text} ${op} ${acc}${eol}`;
  return {
    message: `Accumulate in \`${acc}\` and merge once under \`${lock}\` after the loop`,
    // Other threads now see the total only when the loop ends, and an exception mid-loop drops the
    // partial sum: a behaviour change, so not applied by --fix without --unsafe-fixes.
    applicability: 'unsafe',
    edits: [{ start: loopLines.start, end: withLines.end, newText }],
  };
}

function uniqueName(text: string, base: string): string {
  let name = base;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(text); i++) name = `${base}_${i}`;
  return name;
}
