// Whole-module text gates ("does the module mention `register_at_fork`?") asked per top-level
// statement and cached on its node: a later export takes a statement's node over only while its text is
// unchanged, so after an edit only the statements it touched are searched again, not the whole text.
// The gates look for words and short phrases, which never span two statements.
import type { Node } from '../parser';

const answers = new WeakMap<Node, Map<RegExp, boolean>>();

/**
 * One version's answers, and what the version before it answered: which statement matched first (null:
 * none). A statement taken over is the same text, so an earlier "none" needs only this version's new
 * statements searched, and an earlier match that is still a statement answers at once.
 */
interface VersionAnswers {
  readonly root: Node;
  readonly first: Map<RegExp, Node | null>;
  /** The previous version's first matches, and the statements new since it (null: no previous version). */
  readonly before: { first: ReadonlyMap<RegExp, Node | null>; fresh: readonly Node[] } | null;
}

/** The latest version's answers of each document (keyed by its Source, which every version shares). */
const latest = new WeakMap<object, VersionAnswers>();

function versionAnswers(root: Node): VersionAnswers {
  const last = latest.get(root.source);
  if (last?.root === root) return last;
  // Node ids only grow, and a version's nodes are made after the previous version's root: a statement
  // with a smaller id than that root was taken over (a larger one may be either, and is searched).
  const newer = !!last && last.root.id < root.id;
  const before = newer ? { first: last.first, fresh: root.children.filter((s) => s.id > last.root.id) } : null;
  const current: VersionAnswers = { root, first: new Map(), before };
  // An older version asked late (its analysis was overtaken) does not replace the newest.
  if (!last || newer) latest.set(root.source, current);
  return current;
}

function statementMentions(statement: Node, re: RegExp): boolean {
  let byStatement = answers.get(statement);
  if (!byStatement) answers.set(statement, (byStatement = new Map()));
  let hit = byStatement.get(re);
  if (hit === undefined) byStatement.set(re, (hit = re.test(statement.text)));
  return hit;
}

/** Does `re` (no `g` or `y` flag) match the text of any top-level statement or comment of the module? */
export function moduleMentions(root: Node, re: RegExp): boolean {
  const version = versionAnswers(root);
  let first = version.first.get(re);
  if (first !== undefined) return first !== null;
  const earlier = version.before?.first.get(re);
  if (earlier === null) first = version.before!.fresh.find((s) => statementMentions(s, re)) ?? null;
  // A statement taken over by this version has this root as its parent.
  else if (earlier && earlier.parent === root) first = earlier;
  else first = root.children.find((s) => statementMentions(s, re)) ?? null;
  version.first.set(re, first);
  return first !== null;
}
