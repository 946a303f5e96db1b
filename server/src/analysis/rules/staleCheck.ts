// A check made holding a lock whose action runs after the lock is released (issue 9, kind 4):
//
//     with self._lock:
//         ended = self.end_time is not None      # the check, under the lock
//     if ended:                                   # decided after the release
//         return
//     self.name = name                            # the action: another thread may have ended the span
//
// (or `with lock: if <check>: return` followed by the action). Between the release and the action,
// another thread can take the lock and change what was checked — here `end()` setting `end_time` — so
// the action runs on a stale answer. The check is only a race when something else changes the
// checked state holding the same lock; that locked change is the evidence cited.
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { withItems } from '../model/locks';
import { decoratorNames, namedChildren, siblingsAfter, snippet } from '../model/syntax';
import { mutationOf, runsAlone } from './common';
import { isTestCode } from './hazards';
import { firstInModuleOrder, sharedWritesOf, type SharedWrite } from './writes';
import type { RuleContext } from '../types';

/** A state the check reads: a field of the receiver (`self.end_time`) or a module global. */
interface Checked {
  /** The text as written here (`self.end_time`, `_registry`). */
  text: string;
  /** sharedWrites' keys (`Span.end_time`, `_registry`; a property's getter adds the field it returns). */
  keys: string[];
}

export function checkActAfterRelease(withNode: Node, ctx: RuleContext): void {
  const { model } = ctx;
  const scope = model.scopeOf(withNode);
  const body = withNode.childForFieldName('body');
  const block = withNode.parent;
  if (!scope || !body || block?.type !== 'block' || withNode.firstChild?.type === 'async') return;
  const written = withItems(withNode).filter((item) => model.isLock(item)).map((item) => item.text);
  // What is really held: a Condition built on the object's lock is that lock.
  const locks = written.map((l) => model.canonicalLock(l, scope));
  const statements = namedChildren(body);
  const after = siblingsAfter(withNode);
  // Candidate checks, each with the statements that run on its answer (their shapes first: most blocks
  // have none, and what is held here and whether the function runs alone are dearer questions):
  // (a) `with L: if <check>: return` — everything after the block;
  // (b) `with L: flag = <check>` then `if flag: return` after the block — what follows that `if`.
  const shapes: Array<{ check: Node | null; acts: Node[] }> = [];
  for (const stmt of statements) {
    if (stmt.type === 'if_statement' && exitsEarly(stmt)) shapes.push({ check: stmt.childForFieldName('condition'), acts: after });
    const a = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
    const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
    if (left?.type !== 'identifier' || !scope.locals.has(left.text)) continue;
    // (b) `if flag: return` — what follows that `if`; (c) `if flag: <act>` / `if not flag: <act>` — its
    // branches, which run on the answer (`present = k in d` under the lock, `if not present:` after it).
    const i = after.findIndex((s) => s.type === 'if_statement' && mentionsAny(s.childForFieldName('condition'), new Map([[left.text, true]])));
    if (i < 0) continue;
    const decided = after[i];
    shapes.push({ check: a!.childForFieldName('right'), acts: exitsEarly(decided) ? after.slice(i + 1) : branchesOf(decided) });
  }
  if (shapes.length === 0) return;
  // Re-entering a lock already held releases nothing at the end of the block.
  if (model.heldLocks(withNode).some((l) => locks.includes(l))) return;
  if (runsAlone(withNode, scope, ctx) || isTestCode(scope)) return;
  const candidates: Array<{ checked: Checked[]; acts: Node[] }> = [];
  for (const { check, acts } of shapes) {
    // A check that reads no shared state decides nothing about it.
    const checked = readsOfState(check, scope, model);
    if (checked.length > 0) candidates.push({ checked, acts });
  }
  if (candidates.length === 0) return;
  // Something else changes the checked state holding the same lock: the answer can go stale — unless
  // the change also holds a lock held around the whole check and action (the callers' `with
  // self._lock:` around both), which keeps it out of the gap.
  const ours = new Set(locks.map((l) => lockName(l, scope)));
  const outer = outerLocks(withNode, scope, model);
  let changer: { node: Node; name: string; state: Checked } | null = null;
  let checked: Checked[] = [];
  let acts: Node[] = [];
  for (const candidate of candidates) {
    for (const state of candidate.checked) {
      // The first such write in source order, whichever of the state's keys it writes.
      const changes = (w: SharedWrite) => w.scope !== scope && w.held.some((l) => ours.has(lockName(l, w.scope))) && !serialisedBy(outer, w, model);
      const found = state.keys.map((k) => sharedWritesOf(model, k).find(changes)).filter((w): w is SharedWrite => !!w);
      const w = firstInModuleOrder(model, found);
      if (w) {
        changer = { node: w.node, name: w.scope.name, state };
        break;
      }
    }
    if (changer) {
      checked = candidate.checked;
      acts = candidate.acts;
      break;
    }
  }
  if (!changer) return;
  // Check and claim: the block that checks also changes the checked state (`if not self._items: return;
  // batch = self._items; self._items = []`). What happens after the release works on what it took,
  // not on the answer, so another thread changing the state meanwhile leaves nothing stale.
  const claimed = (state: Checked) => state.keys.some((k) => sharedWritesOf(model, k).some((w) => w.scope === scope && w.node.startIndex >= body.startIndex && w.node.endIndex <= body.endIndex));
  if (checked.some(claimed)) return;
  // An action under a later block of the same lock that tests again — the checked state anywhere in
  // that block, or any test of its own (`if`/`while`) around or before the action — is a two-phase protocol (an
  // early-out, then the work re-validated under the lock), not a stale check. Taking the lock again
  // without a test still acts on the old answer.
  const relocked = (n: Node): boolean => {
    let tested = false;
    for (let up = n.parent; up && up !== scope.node; up = up.parent) {
      if (up.type === 'if_statement' || up.type === 'while_statement' || up.type === 'elif_clause') {
        tested = true;
        // A test made holding the lock again, taken by `acquire()` rather than `with`.
        if (up.type !== 'elif_clause' && model.heldLocks(up).some((l) => locks.includes(model.canonicalLock(l, scope)))) return true;
      }
      if (up.type !== 'with_statement' || !withItems(up).some((item) => locks.includes(model.canonicalLock(item.text, scope)))) continue;
      const body = up.childForFieldName('body');
      if (!body) return tested;
      // A test earlier in the block (`if …: return` before the action) re-validates as well.
      const before = body.descendantsOfType(['if_statement', 'while_statement']).some((t) => t.startIndex < n.startIndex);
      // The state read again in the block: beyond the action's own write of it (`del d[k]` re-tests nothing).
      // Or the action computes its new value from the state as it is now (`self._tasks = [t for t in
      // self._tasks if …]` under the lock again): it acts on the current state, not on the old answer.
      return tested || before || checked.some((state) => readsOutside(body, state.text, n) || recomputesFrom(n, state.text));
    }
    return false;
  };
  const act = firstWrite(acts, scope, model, relocked);
  if (!act) return;
  const release = withNode.endPosition.row + 1;
  ctx.report(act, {
    severity: 'warning',
    confidence: 'medium',
    message:
      `\`${snippet(act, 50)}\` acts on a check of \`${changer.state.text}\` made holding \`${written[0]}\` (line ${withNode.startPosition.row + 1}), ` +
      `but the lock is released at line ${release} before the action: \`${changer.name}\` changes \`${changer.state.text.split('.').pop()}\` holding the same lock (line ${changer.node.startPosition.row + 1}), ` +
      `so on free-threaded Python it can run in between and the action runs on a stale answer. Keep the check and the action under one \`with ${written[0]}:\`.`,
  });
}

/**
 * The mirror image: the check's answer taken before the lock and acted on holding it —
 *
 *     should_dispose = self.is_disposed           # read with no lock
 *     with self.lock:
 *         if not should_dispose:                  # decided on the old answer
 *             self.current = value                # dispose() set is_disposed meanwhile: a leak
 *
 * Another method changes the checked state holding the same lock, so between the read and the lock it
 * can change and the action under the lock runs on the stale answer. Reported at the read.
 */
export function checkBeforeLock(withNode: Node, ctx: RuleContext): void {
  const { model } = ctx;
  const scope = model.scopeOf(withNode);
  const body = withNode.childForFieldName('body');
  if (!scope || !body || withNode.firstChild?.type === 'async' || !scope.receiver) return;
  const tests = body.descendantsOfType('if_statement').filter((t): t is Node => !!t && model.scopeOf(t) === scope);
  if (tests.length === 0) return;
  const written = withItems(withNode).filter((item) => model.isLock(item)).map((item) => item.text);
  if (written.length === 0) return;
  const locks = written.map((l) => model.canonicalLock(l, scope));
  for (const test of tests) {
    const condition = test.childForFieldName('condition');
    const names = condition ? [condition, ...condition.descendantsOfType('identifier')].filter((n): n is Node => n?.type === 'identifier' && n.parent?.type !== 'attribute' && scope.locals.has(n.text)) : [];
    for (const name of names) {
      const snapshot = snapshotBefore(name.text, withNode, body, test, scope);
      const value = snapshot?.childForFieldName('right');
      if (!snapshot || !value || model.heldLocks(snapshot).some((l) => locks.includes(model.canonicalLock(l, scope)))) continue;
      const checked = readsOfState(value, scope, model);
      // A fresh read of the state in the test itself compares the snapshot with now: a re-validation.
      if (checked.length === 0 || checked.some((state) => condition!.text.includes(state.text))) continue;
      if (model.heldLocks(withNode).some((l) => locks.includes(l)) || runsAlone(withNode, scope, ctx) || isTestCode(scope)) return;
      const ours = new Set(locks.map((l) => lockName(l, scope)));
      const outer = outerLocks(snapshot, scope, model);
      const changes = (w: SharedWrite) => w.scope !== scope && w.held.some((l) => ours.has(lockName(l, w.scope))) && !serialisedBy(outer, w, model);
      const state = checked.find((c) => c.keys.some((k) => sharedWritesOf(model, k).some(changes)));
      const changer = state ? firstInModuleOrder(model, state.keys.map((k) => sharedWritesOf(model, k).find(changes)).filter((w): w is SharedWrite => !!w)) : null;
      const act = changer ? firstWrite(branchesOf(test), scope, model, () => false) : null;
      if (!changer || !state || !act) continue;
      ctx.report(snapshot, {
        severity: 'warning',
        confidence: 'medium',
        message:
          `\`${snippet(snapshot, 50)}\` reads \`${state.text}\` before taking \`${written[0]}\` (line ${withNode.startPosition.row + 1}), and \`${snippet(act, 40)}\` (line ${act.startPosition.row + 1}) acts on that answer holding the lock: ` +
          `\`${changer.scope.name}\` changes \`${state.text.split('.').pop()}\` holding the same lock (line ${changer.node.startPosition.row + 1}), so on free-threaded Python it can run between the read and the lock and the action runs on a stale answer. ` +
          `Read it after taking the lock.`,
      });
      return;
    }
  }
}

/** The one `name = …` before the `with` block that the test sees (none in the block before the test). */
function snapshotBefore(name: string, withNode: Node, body: Node, test: Node, scope: FunctionScope): Node | null {
  // Bound again in the block before the test (`k, request = pending.popitem()`, `for request in …`):
  // the test sees that value, not the one read before the lock.
  const rebound = body.descendantsOfType(['assignment', 'for_statement', 'as_pattern']).some((b) => {
    if (!b || b.startIndex >= test.startIndex) return false;
    const target = b.type === 'assignment' ? b.childForFieldName('left') : b.type === 'for_statement' ? b.childForFieldName('left') : b.childForFieldName('alias');
    return !!target && (target.text === name || target.descendantsOfType('identifier').some((id) => id?.text === name));
  });
  if (rebound) return null;
  let last: Node | null = null;
  for (const a of scope.node.descendantsOfType('assignment')) {
    if (!a || a.startIndex >= withNode.startIndex) continue;
    const left = a.childForFieldName('left');
    if (left?.text === name && left.type === 'identifier') last = a;
    // Bound another way after the read (`for x in …`, a tuple target): not the snapshot any more.
    else if (last && left?.descendantsOfType('identifier').some((id) => id?.text === name)) last = null;
  }
  return last;
}

/** A lock as the methods of one class name it: `self._lock` → `._lock`, whatever the receiver is called. */
/** The locks held at `node` from outside (the function's enclosing blocks, its callers'), as lockName gives them. */
function outerLocks(node: Node, scope: FunctionScope, model: ModuleModel): Set<string> {
  return new Set(model.heldLocks(node).map((l) => lockName(model.canonicalLock(l, scope), scope)));
}

/** Does the change hold one of `outer` — itself, or around its whole function (its callers' lock)? */
function serialisedBy(outer: ReadonlySet<string>, w: SharedWrite, model: ModuleModel): boolean {
  if (outer.size === 0) return false;
  return w.held.some((l) => outer.has(lockName(l, w.scope))) || model.locksAround(w.scope).some((l) => outer.has(lockName(l, w.scope)));
}

function lockName(lock: string, where: FunctionScope): string {
  return where.receiver && lock.startsWith(`${where.receiver}.`) ? lock.slice(where.receiver.length) : lock;
}

/** The statements of an `if`'s branches (`elif` and `else` included), in order. */
function branchesOf(ifNode: Node): Node[] {
  const out: Node[] = [];
  for (const part of [ifNode, ...namedChildren(ifNode).filter((c) => c.type === 'elif_clause' || c.type === 'else_clause')]) {
    const body = part.childForFieldName(part.type === 'else_clause' ? 'body' : 'consequence');
    if (body) out.push(...namedChildren(body));
  }
  return out;
}

/**
 * Is `action` a container rebuilt from the state itself (`self._tasks = list(filter(…, self._tasks))`,
 * `self._tasks = [t for t in self._tasks if …]`)? Not arithmetic on it: `self.n = self.n + 1` after
 * `if self.n >= limit: return` still acts on the old answer.
 */
function recomputesFrom(action: Node, state: string): boolean {
  const assignment = action.type === 'expression_statement' ? namedChildren(action)[0] : action;
  const value = assignment?.type === 'assignment' ? assignment.childForFieldName('right') : null;
  if (!value || !REBUILDS.has(value.type)) return false;
  return value.descendantsOfType('attribute').some((a) => a?.text === state) || (!state.includes('.') && value.descendantsOfType('identifier').some((i) => i?.text === state));
}

const REBUILDS = new Set(['call', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/** Does `block` mention `state` (`self._items`, `_registry`) anywhere but inside `action`? */
function readsOutside(block: Node, state: string, action: Node): boolean {
  if (!block.text.includes(state)) return false;
  return block.descendantsOfType(['attribute', 'identifier']).some((n) => n.text === state && (n.startIndex < action.startIndex || n.endIndex > action.endIndex));
}

/** Cleanup in a `finally` (undoing the attempt's own bookkeeping) runs whatever was decided. */
function inFinally(node: Node, limit: Node): boolean {
  for (let up = node.parent; up && up !== limit; up = up.parent) if (up.type === 'finally_clause') return true;
  return false;
}

/** `if …: return` / `raise` / `continue` / `break`: the rest of the block runs only on the other answer. */
function exitsEarly(ifNode: Node): boolean {
  const consequence = ifNode.childForFieldName('consequence');
  const last = consequence ? namedChildren(consequence).filter((c) => c.type !== 'comment').pop() : undefined;
  return !!last && /^(return_statement|raise_statement|continue_statement|break_statement)$/.test(last.type);
}

function mentionsAny(expr: Node | null, names: Map<string, unknown>): boolean {
  if (!expr) return false;
  if (expr.type === 'identifier') return names.has(expr.text);
  return expr.descendantsOfType('identifier').some((id) => names.has(id.text));
}

/** Fields of the receiver and module globals an expression reads (a property read: the field its getter returns). */
function readsOfState(expr: Node | null, scope: FunctionScope, model: ModuleModel): Checked[] {
  if (!expr) return [];
  const out: Checked[] = [];
  const cls = model.classInfo(scope.classNode);
  const nodes = [expr, ...expr.descendantsOfType(['attribute', 'identifier'])];
  for (const n of nodes) {
    if (n.type === 'attribute') {
      const object = n.childForFieldName('object');
      const field = n.childForFieldName('attribute')?.text;
      if (!cls || !scope.receiver || object?.type !== 'identifier' || object.text !== scope.receiver || !field) continue;
      const keys = [`${cls.name}.${field}`];
      const returned = getterField(cls.methods.get(field));
      if (returned) keys.push(`${cls.name}.${returned}`);
      out.push({ text: n.text, keys });
    } else if (n.type === 'identifier' && n.parent?.type !== 'attribute' && !scope.locals.has(n.text) && !scope.parameters.has(n.text) && model.bindings.get(n.text)?.kind === 'value') {
      out.push({ text: n.text, keys: [n.text] });
    }
  }
  return out;
}

/** `@property def end_time(self): return self._end_time` → `_end_time`. */
function getterField(method: Node | undefined): string | null {
  if (!method || !decoratorNames(method).includes('property')) return null;
  const statements = namedChildren(method.childForFieldName('body') ?? method).filter((s) => s.type !== 'comment' && !(s.type === 'expression_statement' && namedChildren(s)[0]?.type === 'string'));
  const value = statements.length === 1 && statements[0].type === 'return_statement' ? namedChildren(statements[0])[0] : null;
  const receiver = namedChildren(method.childForFieldName('parameters') ?? method)[0]?.text;
  return value?.type === 'attribute' && value.childForFieldName('object')?.text === receiver ? value.childForFieldName('attribute')?.text ?? null : null;
}

/** The first write to shared state (a receiver field or a module global) among `statements`, nested ones included. */
function firstWrite(statements: Node[], scope: FunctionScope, model: ModuleModel, relocked: (n: Node) => boolean): Node | null {
  const targets = (n: Node): Node | null => {
    if (n.type === 'assignment' || n.type === 'augmented_assignment') return n.childForFieldName('left');
    return mutationOf(n)?.container ?? null;
  };
  for (const stmt of statements) {
    const candidates = [stmt, ...stmt.descendantsOfType(['assignment', 'augmented_assignment', 'call', 'delete_statement'])];
    for (const n of candidates) {
      if (model.scopeOf(n) !== scope || relocked(n) || inFinally(n, scope.node)) continue;
      const direct = targets(n);
      let t = direct;
      while (t && (t.type === 'subscript' || (t.type === 'attribute' && t.childForFieldName('object')?.type !== 'identifier'))) {
        t = t.type === 'subscript' ? t.childForFieldName('value') : t.childForFieldName('object');
      }
      if (!t) continue;
      if (t.type === 'attribute' && scope.receiver && t.childForFieldName('object')?.text === scope.receiver) return n;
      if (t.type !== 'identifier' || scope.locals.has(t.text) || scope.parameters.has(t.text)) continue;
      // A bare name is a global only when declared so; `G[k] = v`, `G.append(v)` change the global's object.
      const changesObject = t !== direct || (n.type !== 'assignment' && n.type !== 'augmented_assignment');
      if (scope.globals.has(t.text) || (changesObject && model.bindings.get(t.text)?.kind === 'value')) return n;
    }
  }
  return null;
}
