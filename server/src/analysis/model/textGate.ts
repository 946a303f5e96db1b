// Whole-module text gates ("does the module mention `register_at_fork`?") asked per top-level
// statement and cached on its node: a later export takes a statement's node over only while its text is
// unchanged, so after an edit only the statements it touched are searched again, not the whole text.
// The gates look for words and short phrases, which never span two statements.
import type { Node } from '../parser';

const answers = new WeakMap<Node, Map<RegExp, boolean>>();
/** The whole module's answer, per version of its tree: asked again and again by rules and queries. */
const moduleAnswers = new WeakMap<Node, Map<RegExp, boolean>>();

/** Does `re` (no `g` or `y` flag) match the text of any top-level statement or comment of the module? */
export function moduleMentions(root: Node, re: RegExp): boolean {
  let whole = moduleAnswers.get(root);
  if (!whole) moduleAnswers.set(root, (whole = new Map()));
  const known = whole.get(re);
  if (known !== undefined) return known;
  let answer = false;
  for (const statement of root.children) {
    let byStatement = answers.get(statement);
    if (!byStatement) answers.set(statement, (byStatement = new Map()));
    let hit = byStatement.get(re);
    if (hit === undefined) byStatement.set(re, (hit = re.test(statement.text)));
    if (hit) {
      answer = true;
      break;
    }
  }
  whole.set(re, answer);
  return answer;
}
