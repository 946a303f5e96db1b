// FT208 — `lock.acquire()` whose release is not protected by try/finally. Docs: docs/rules/FT208.md
import type { Node } from '../parser';
import type { Fix, Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { indentLines, indentUnit, lineEnding, ownLines } from '../fixes/text';
import { namedChildren, snippet } from '../model/syntax';
import { isTestCode, methodName, methodReceiver, usedAsSignal } from './hazards';

const PLAIN_VALUES = ['identifier', 'integer', 'float', 'string', 'true', 'false', 'none'];

/** `x` or `obj.field` (a plain attribute of a name): reading or binding it does not raise in practice. */
function isPlainSlot(node: Node | null): boolean {
  if (node?.type === 'identifier') return true;
  return node?.type === 'attribute' && node.childForFieldName('object')?.type === 'identifier';
}

/** A test of plain values (`x is None`, `not self.done`, `a == self.b`): nothing in it raises in practice. */
function isPlainTest(node: Node | null): boolean {
  if (!node) return false;
  if (PLAIN_VALUES.includes(node.type) || isPlainSlot(node)) return true;
  if (node.type === 'parenthesized_expression') return isPlainTest(namedChildren(node)[0] ?? null);
  if (node.type === 'not_operator') return isPlainTest(node.childForFieldName('argument'));
  if (node.type === 'boolean_operator') return isPlainTest(node.childForFieldName('left')) && isPlainTest(node.childForFieldName('right'));
  if (node.type !== 'comparison_operator') return false;
  const ops = node.children.filter((c) => !c.isNamed).map((c) => c.type);
  return ops.every((op) => op === 'is' || op === 'is not' || op === '==' || op === '!=') && namedChildren(node).every((o) => PLAIN_VALUES.includes(o.type) || isPlainSlot(o));
}

/**
 * Statements that cannot raise in practice (so nothing can skip the release): `pass`; assignments of
 * names, constants, plain attributes and plain tests (`self.value = value`, `was_none = self.path is
 * None`); a counter stepped by a constant (`self.next_id += 1`); a plain value appended to a plain slot
 * never set to None (`self.downloads.append(t)`); the held Condition's own `notify()`,
 * `notify_all()` and `wait()`; an `if` on a plain test whose branches are all such statements — the
 * hand-tuned hot path of a future, a queue or an id counter, with no call, subscript or division in it.
 */
function cannotRaise(stmt: Node, lock: string, text: string): boolean {
  if (stmt.type === 'pass_statement' || stmt.type === 'comment') return true;
  if (stmt.type === 'if_statement') {
    if (!isPlainTest(stmt.childForFieldName('condition'))) return false;
    const branches = [stmt.childForFieldName('consequence'), ...namedChildren(stmt).filter((c) => c.type === 'elif_clause' || c.type === 'else_clause')];
    return branches.every((b) => {
      if (!b) return false;
      if (b.type === 'elif_clause' && !isPlainTest(b.childForFieldName('condition'))) return false;
      const block = b.type === 'block' ? b : b.childForFieldName('consequence') ?? b.childForFieldName('body');
      return !!block && namedChildren(block).every((s) => cannotRaise(s, lock, text));
    });
  }
  if (stmt.type !== 'expression_statement') return false;
  const e = namedChildren(stmt)[0];
  if (e?.type === 'augmented_assignment') {
    const op = e.children.find((c) => !c.isNamed)?.type;
    return isPlainSlot(e.childForFieldName('left')) && (op === '+=' || op === '-=') && e.childForFieldName('right')?.type === 'integer';
  }
  if (e?.type === 'call') {
    const fn = e.childForFieldName('function');
    const args = namedChildren(e.childForFieldName('arguments') ?? e).filter((a) => a.type !== 'comment');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text ?? '' : '';
    const plainArgs = args.every((a) => PLAIN_VALUES.includes(a.type) || isPlainSlot(a));
    // `self.pending.append(t)`: a list's append of a plain value does not raise in practice — unless
    // the slot is ever set to None (`self._callbacks = None` once a future is done).
    const slot = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
    if (method === 'append' && args.length === 1 && plainArgs && isPlainSlot(slot) && !setToNone(slot!, text)) return true;
    return fn?.type === 'attribute' && fn.childForFieldName('object')?.text === lock && ['notify', 'notify_all', 'notifyAll', 'wait'].includes(method) && plainArgs;
  }
  if (e?.type !== 'assignment') return false;
  const left = e.childForFieldName('left');
  const right = e.childForFieldName('right');
  return isPlainSlot(left) && !!right && isPlainTest(right);
}

/** Is `node` inside a finally or except clause below `limit`? */
function inCleanupClause(node: Node, limit: Node): boolean {
  for (let n = node.parent; n && n !== limit; n = n.parent) {
    if (n.type === 'finally_clause' || n.type === 'except_clause') return true;
  }
  return false;
}

/** The acquire statement is itself inside a try whose finally releases the lock. */
function insideProtectedTry(stmt: Node, receiver: string, fnBody: Node): boolean {
  for (let n = stmt.parent; n && n !== fnBody; n = n.parent) {
    if (n.type !== 'try_statement') continue;
    const fin = namedChildren(n).find((c) => c.type === 'finally_clause');
    if (fin && fin.text.includes(`${receiver}.release(`)) return true;
  }
  return false;
}

/** Is `stmt` inside a `with <lock>:` block on the same lock expression (within the function)? */
function insideWithOf(stmt: Node, lock: string, fnBody: Node): boolean {
  for (let n = stmt.parent; n && n.id !== fnBody.id; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    const clause = namedChildren(n).find((c) => c.type === 'with_clause');
    if (clause && namedChildren(clause).some((item) => item.text.replace(/\s+/g, '') === lock.replace(/\s+/g, ''))) return true;
  }
  return false;
}

function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

/**
 * `lock.acquire()` … `lock.release()` (siblings in one block, each statement on lines of its own) becomes
 * `with lock:` around what was between them: the lock is released however the block exits.
 */
function withStatementFix(text: string, acquire: Node, release: Node, lock: string): Fix | undefined {
  if (release.parent?.id !== acquire.parent?.id || release.type !== 'expression_statement') return undefined;
  const a = ownLines(text, acquire);
  const r = ownLines(text, release);
  if (!a || !r || r.indent !== a.indent || a.end > r.start) return undefined;
  const middle = text.slice(a.end, r.start);
  if (middle.trim() === '') return undefined;
  const eol = lineEnding(text);
  // Comments after the acquire and release calls stay, on the `with` line.
  const comments = [acquire, release].map((st) => text.slice(st.endIndex, ownLines(text, st)!.end).trim()).filter(Boolean);
  const trailing = comments.length > 0 ? `  ${comments.join(' ')}` : '';
  return {
    message: `Use \`with ${lock}:\``,
    // Same behaviour on the normal path; on an exception the lock is now released, which is the point.
    applicability: 'safe',
    edits: [{ start: a.start, end: r.end, newText: `${a.indent}with ${lock}:${trailing}${eol}${indentLines(middle, indentUnit(text))}` }],
  };
}

export const FT208: Rule = {
  code: 'FT208',
  name: 'acquire-without-finally',
  summary: '`lock.acquire()` whose `release()` is not in a `finally`: an exception leaves the lock held',
  precision: 'high',
  visit: {
    call(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (methodName(node) !== 'acquire' || node.parent?.type !== 'expression_statement') return;
      const receiver = methodReceiver(node);
      if (!receiver || !model.isLock(receiver)) return;
      const scope = model.scopeOf(node);
      const fnBody = scope?.node.childForFieldName('body');
      // Tests use locks as gates (acquire, start threads, assert, release): not a critical section.
      if (!scope || !fnBody || isTestCode(scope)) return;
      const stmt = node.parent;
      const name = receiver.text;
      if (insideProtectedTry(stmt, name, fnBody)) return;
      // A re-acquire inside `with lock:` after a deliberate `lock.release()`: the block's exit releases it.
      if (insideWithOf(stmt, name, fnBody)) return;
      const releases = model.ownNodes(scope).filter((n) => n.type === 'call' && n.startIndex > node.endIndex && methodName(n) === 'release' && methodReceiver(n)?.text === name);
      // No release here: the lock is handed over (a context manager's __enter__, an acquire() wrapper).
      if (releases.length === 0) return;
      if (releases.some((r) => inCleanupClause(r, fnBody))) return;
      // `try: lock.acquire() except …: … else: lock.release()` — nothing runs in between.
      const tryStmt = stmt.parent?.parent;
      if (tryStmt?.type === 'try_statement' && namedChildren(stmt.parent!).at(-1)?.id === stmt.id) {
        const elseClause = namedChildren(tryStmt).find((c) => c.type === 'else_clause');
        if (elseClause && releases[0].startIndex >= elseClause.startIndex && releases[0].endIndex <= elseClause.endIndex) return;
      }
      // A lock used as a gate: a nested function or thread between acquire and release waits on it.
      const gate = model.index.definitionsBetween(node.endIndex, releases[0].startIndex).some((f) =>
        new RegExp(`(?<![\\w.])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.acquire\\(`).test(f.text));
      if (gate) return;
      // A lock used as a signal (another context takes it, a third releases it): no critical section here.
      if (usedAsSignal(ctx.text, name)) return;
      // A semaphore another function also releases (a send window an acknowledgement callback opens
      // again): a count handed between threads, not a critical section — `with` would be wrong there.
      if (model.isSemaphore(receiver) && model.index.all('call').some(({ node: c }) => methodName(c) === 'release' && methodReceiver(c)?.text === name && model.scopeOf(c) !== scope)) return;
      // So is a lock another function releases without taking it (the reply's callback releasing the
      // request's lock, on another thread): a binary semaphore — the release here is the path where no
      // request went out, and a `finally` would hand the lock back too early.
      if (releasedByAnotherFunction(name, scope, model)) return;
      // A path that returns or yields holding the lock hands it over on purpose (baton passing).
      if (/\b(return|yield)\b/.test(ctx.text.slice(node.endIndex, releases[0].startIndex))) return;
      // Nothing between acquire and the first release can raise.
      const first = statementOf(releases[0]);
      if (first.parent?.id === stmt.parent?.id) {
        const between = namedChildren(stmt.parent!).filter((s) => s.startIndex > stmt.endIndex && s.endIndex <= first.startIndex);
        if (between.every((s) => cannotRaise(s, name, ctx.text))) return;
      }
      ctx.report(node, {
        severity: 'warning',
        fix: releases.length === 1 && namedChildren(node.childForFieldName('arguments')!).length === 0 ? withStatementFix(ctx.text, stmt, statementOf(releases[0]), name) : undefined,
        message:
          `\`${snippet(node, 40)}\` is released at line ${releases[0].startPosition.row + 1} but not in a \`finally\`: if anything in between raises, the lock stays held and every other thread that needs it blocks forever. ` +
          `Use \`with ${name}:\`, or \`${name}.acquire()\` followed by \`try: … finally: ${name}.release()\`.`,
      });
    },
  },
};

/**
 * Does a callback release `lock` without acquiring it itself — a function other than `scope`, handed out
 * as a value (`link.add_callback(self._on_reply)`) or run by a thread? (A context manager's
 * `__exit__` releasing what `__enter__` took is a critical section's end, not such a hand-over.)
 */
function releasedByAnotherFunction(lock: string, scope: FunctionScope, model: ModuleModel): boolean {
  const byScope = new Map<FunctionScope, { acquires: boolean; releases: boolean }>();
  for (const { node: c } of model.index.all('call')) {
    const method = methodName(c);
    if ((method !== 'release' && method !== 'acquire') || methodReceiver(c)?.text !== lock) continue;
    const owner = model.scopeOf(c);
    if (!owner || owner === scope) continue;
    const seen = byScope.get(owner) ?? { acquires: false, releases: false };
    if (method === 'release') seen.releases = true;
    else seen.acquires = true;
    byScope.set(owner, seen);
  }
  const handedOut = (fn: FunctionScope) => {
    const entry = model.threads.entryFor(fn);
    if (entry && !entry.assumed) return true;
    return new RegExp(String.raw`\.${fn.name}\b(?!\s*\()|[(,=]\s*${fn.name}\b(?!\s*\()`).test(model.text);
  };
  return [...byScope].some(([fn, s]) => s.releases && !s.acquires && !/^__(?:a?exit|del)__$/.test(fn.name) && handedOut(fn));
}

/** Is the slot (`x`, `self.items`) — any object's field of that name, for an attribute — ever assigned None in `text`? */
function setToNone(slot: Node, text: string): boolean {
  const name = slot.type === 'attribute' ? `\\.${slot.childForFieldName('attribute')?.text ?? ''}` : `(?<![\\w.])${slot.text}`;
  return new RegExp(`${name}\\s*=\\s*None\\b`).test(text);
}
