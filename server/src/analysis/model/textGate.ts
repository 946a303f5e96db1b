// Whole-module text gates ("does the module mention `register_at_fork`?") asked per top-level
// statement and cached on its node: a later export takes a statement's node over only while its text is
// unchanged, so after an edit only the statements it touched are searched again, not the whole text.
// The gates look for words and short phrases, which never span two statements.
import type { Node } from '../parser';

const answers = new WeakMap<Node, Map<RegExp, boolean>>();

/** Does `re` (no `g` or `y` flag) match the text of any top-level statement or comment of the module? */
export function moduleMentions(root: Node, re: RegExp): boolean {
  for (const statement of root.children) {
    let known = answers.get(statement);
    if (!known) answers.set(statement, (known = new Map()));
    let hit = known.get(re);
    if (hit === undefined) known.set(re, (hit = re.test(statement.text)));
    if (hit) return true;
  }
  return false;
}
