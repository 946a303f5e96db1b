// FT103's EAFP form: a lookup that fails, then an insert in the handler —
//
//     try:
//         return self._instances[pid]          # the check: a lookup that may raise KeyError
//     except KeyError:
//         inst = self._instances[pid] = make(pid)   # the act: another thread may have inserted meanwhile
//
// Two threads can both miss and both insert: the second replaces the first's entry (two objects for
// one key, one caller's work lost). Docs: docs/rules/FT103.md
import type { Node } from '../parser';
import type { RuleContext } from '../types';
import { sharedState } from '../model/sharing';
import { changesOwnEntry } from '../model/perThreadKeys';
import { namedChildren, snippet } from '../model/syntax';
import { raceVerdict, sameExpression } from './common';

const ASSIGNMENT: ReadonlySet<string> = new Set(['assignment']);
const RETURN: ReadonlySet<string> = new Set(['return_statement']);

/** `except KeyError:`, `except (KeyError, TypeError):`, `except LookupError:` — a handler for a failed lookup. */
function catchesMissingKey(handler: Node): boolean {
  const colon = handler.text.indexOf(':');
  return /\b(?:KeyError|LookupError)\b/.test(handler.text.slice(0, colon < 0 ? undefined : colon));
}

/** Subscript reads (`d[k]`, not `d[k] = v`) made in the `try` body, in its function's own scope. */
function lookupsIn(body: Node, ctx: RuleContext): Node[] {
  const scope = ctx.model.scopeOf(body);
  return body.descendantsOfType('subscript').filter((s) => {
    if (ctx.model.scopeOf(s) !== scope) return false;
    const up = s.parent;
    return !((up?.type === 'assignment' || up?.type === 'augmented_assignment') && up.childForFieldName('left')?.id === s.id) && up?.type !== 'delete_statement';
  });
}

/** Does a `with` block around `insert` test the container again before it (double-checked)? */
function testedAgainUnderLock(insert: Node, container: Node, ctx: RuleContext): boolean {
  for (let n = insert.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type !== 'with_statement' || ctx.model.locallyHeldLocks(insert).length === 0) continue;
    const before = n.text.slice(0, insert.startIndex - n.startIndex);
    if (before.includes(`in ${container.text}`) || before.includes(`${container.text}.get(`) || before.includes(`${container.text}[`)) return true;
  }
  return false;
}

/**
 * Does the inserted value make a new object whose identity callers can tell apart (`super().__new__(cls)`,
 * `Session(…)`, `type(name, bases, ns)`), rather than a value computed from the key (`re.compile(p)`,
 * `name.lower()`)? Two threads inserting equal values lose nothing anyone can see: a memo, benign.
 */
function makesIdentity(insert: Node, ctx: RuleContext): boolean {
  let value: Node | null = insert;
  while (value?.type === 'assignment') value = value.childForFieldName('right');
  if (value?.type === 'identifier') {
    const scope = ctx.model.scopeOf(insert);
    const name = value.text;
    const binding = scope ? ctx.model.assignmentsOf(scope).filter((a) => a.childForFieldName('left')?.text === name && a.startIndex < insert.startIndex).pop() : undefined;
    value = binding?.childForFieldName('right') ?? null;
  }
  const callee = value?.type === 'call' ? value.childForFieldName('function')?.text ?? '' : '';
  if (!callee) return false;
  // A class's name is CapWords (`Session`, `PreparedStatement.from_message`); `NAME_RE.sub` is a constant's method.
  const className = (name: string) => /^_?[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$/.test(name);
  const parts = callee.split('.');
  const last = parts[parts.length - 1];
  return className(last) || /^(?:type|object)$/.test(callee) || last === '__new__' || (parts.length > 1 && className(parts[parts.length - 2]));
}

export function lookupThenInsert(handler: Node, ctx: RuleContext): void {
  if (!catchesMissingKey(handler)) return;
  const tryNode = handler.parent;
  const body = tryNode?.type === 'try_statement' ? tryNode.childForFieldName('body') : null;
  const scope = ctx.model.scopeOf(handler);
  if (!body || !scope) return;
  // The act: an insert in the handler, or after the `try` when a found entry leaves the function
  // (`try: inst = d[k]; if ok: return inst` / `except KeyError: pass`, then `d[k] = new`).
  const after: Node[] = [];
  if (ctx.model.nodesWithin(body, RETURN).length > 0 || /\breturn\b/.test(body.text)) {
    for (let next = tryNode!.nextNamedSibling; next; next = next.nextNamedSibling) after.push(...ctx.model.nodesWithin(next, ASSIGNMENT));
  }
  const inserts = [...ctx.model.nodesWithin(handler, ASSIGNMENT), ...after].filter((a) => namedChildren(a).some((c) => c.type === 'subscript') || a.childForFieldName('right')?.type === 'assignment');
  if (inserts.length === 0) return;
  for (const lookup of lookupsIn(body, ctx)) {
    const container = lookup.childForFieldName('value');
    if (!container) continue;
    // `inst = d[k] = make()` chains are nested assignments: every target counts.
    const insert = inserts.find((a) => {
      for (let x: Node | null = a; x?.type === 'assignment'; x = x.childForFieldName('right')) {
        const left = x.childForFieldName('left');
        if (left?.type === 'subscript' && sameExpression(left.childForFieldName('value')!, container)) return true;
      }
      return false;
    });
    if (!insert || changesOwnEntry(insert, scope, ctx.model)) continue;
    const shared = sharedState(container, scope, ctx.model, 'object');
    if (!shared) continue;
    // One lock over the lookup and the insert: nothing can come between them.
    const atLookup = ctx.model.heldLocks(lookup);
    const atInsert = ctx.model.heldLocks(insert);
    if (atLookup.some((l) => atInsert.includes(l)) || testedAgainUnderLock(insert, container, ctx)) continue;
    const verdict = raceVerdict(lookup, scope, shared, ctx);
    if (!verdict) continue;
    // A memo of values computed from the key: two inserts of equal values lose nothing in a library's
    // own use; reported only when every function is assumed concurrent, and then as low confidence.
    const identity = makesIdentity(insert, ctx);
    if (!identity && !ctx.options.assumeConcurrent) continue;
    const locked = atInsert.length > 0 ? ` holding \`${atInsert[0]}\`, which the lookup did not hold,` : ` ${verdict.unlocked},`;
    ctx.report(insert, {
      severity: identity ? verdict.severity : 'info',
      confidence: identity ? verdict.confidence : 'low',
      message:
        `\`${snippet(insert, 40)}\` inserts into ${shared.description}${locked} after the lookup \`${snippet(lookup, 40)}\` (line ${lookup.startPosition.row + 1}) failed with KeyError. ` +
        `On free-threaded Python two threads can both miss and both insert: the second replaces the first's entry (two objects for one key, one caller's work lost).` +
        `${verdict.where} Hold one lock over the lookup and the insert (test again inside it), or insert with \`${container.text}.setdefault(…)\` and use what it returns.`,
    });
    return;
  }
}
