// "Guard with a lock": wrap the racy statement (or the whole check-then-act / lazy-init `if`) in
// `with <lock>:`, reusing the lock that already guards the state elsewhere, or creating one next to it.
import type { Node } from '../parser';
import type { Fix, RuleContext, TextEdit } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { SharedState } from '../model/sharing';
import { namedChildren } from '../model/syntax';
import { sharedWritesOf } from '../rules/writes';
import { lockConstructor } from './threadingImport';
import { mergeOnceFix } from './mergeOnce';
import { enclosingStatement, indentLines, indentUnit, indentationAt, lineEnding, lineStart, nextLineStart, ownLines } from './text';
import { nonReentrant, reacquires } from '../model/reacquire';

interface LockChoice {
  expression: string;
  /** Edits that create the lock (and its import), empty when an existing lock is reused. */
  edits: TextEdit[];
  reused: boolean;
}

/**
 * `sameLockOnly`: only the lock the other accesses already take (FT105: a new lock beside the one the
 * locked writers hold excludes none of them), and no fix when that lock cannot be named here.
 */
export function guardFix(ctx: RuleContext, node: Node, scope: FunctionScope, shared: SharedState, last?: Node, { sameLockOnly = false } = {}): Fix | undefined {
  const stmt = enclosingStatement(node);
  const lock = stmt ? chooseLock(ctx, scope, shared, sameLockOnly) : null;
  if (!stmt || !lock) return undefined;
  // Around a call that takes the same plain `Lock` itself, the reused lock would deadlock (FT221).
  if (lock.reused && callsTakingLock(ctx.model, stmt, last ? enclosingStatement(last) ?? stmt : stmt, scope, lock.expression)) return undefined;
  // Alone in a loop body, a locked update becomes a hot lock (FT108): accumulate and merge once instead.
  const loop = stmt.parent?.type === 'block' ? stmt.parent.parent : null;
  const body = loop?.type === 'for_statement' ? loop.childForFieldName('body') : null;
  if (!last && body && namedChildren(body).filter((c) => c.type !== 'comment').length === 1) {
    const merged = mergeOnceFix(ctx.text, loop!, stmt, lock.expression);
    if (merged) return { ...merged, edits: [...lock.edits, ...merged.edits] };
    // Nothing to accumulate (each iteration updates another item): take the lock once, around the loop.
    return wrapInLock(ctx.text, loop!, loop, lock);
  }
  return wrapInLock(ctx.text, stmt, last ? enclosingStatement(last) : stmt, lock);
}

/** "Guard with `lock`" for a lock the code names itself (`# guarded-by: LOCK`). */
export function guardWithNamedLock(text: string, node: Node, lock: string): Fix | undefined {
  const stmt = enclosingStatement(node);
  return stmt ? wrapInLock(text, stmt, stmt, { expression: lock, edits: [], reused: true }) : undefined;
}

/** Wraps the statements from `first` to `last` (siblings, each on lines of their own) in `with lock:`. */
function wrapInLock(text: string, first: Node, last: Node | null, lock: LockChoice): Fix | undefined {
  if (!last || first.parent?.id !== last.parent?.id || !first.parent) return undefined;
  const start = ownLines(text, first);
  const end = ownLines(text, last);
  if (!start || !end) return undefined;
  const eol = lineEnding(text);
  const unit = indentUnit(text);
  const body = text.slice(start.start, end.end);
  const guard = { lock: lock.expression, parent: first.parent.startIndex, start: start.start, end: end.end, indent: start.indent };
  // Reusing a lock can deadlock when a caller already holds it (a non-reentrant Lock); a new,
  // dedicated lock cannot.
  const applicability = lock.reused ? 'unsafe' : 'safe';
  // Right after a `with <the same lock>:` block, the statements join it: two blocks one after the
  // other release the lock between them, so the pair would still not be atomic.
  const from = lock.reused && lock.edits.length === 0 ? joinsBlockAbove(text, first, lock.expression, start.indent + unit) : null;
  if (from !== null && from <= start.start) {
    // The comments between the block and the statements move into the block with them.
    return {
      message: `Guard with \`${lock.expression}\` (in the \`with\` block above)`,
      applicability,
      edits: [{ start: from, end: end.end, newText: indentLines(text.slice(from, end.end), unit) }],
      guard: { ...guard, start: from, append: true },
    };
  }
  return {
    message: lock.reused ? `Guard with \`${lock.expression}\`` : `Guard with a new lock \`${lock.expression}\``,
    applicability,
    edits: [...lock.edits, { start: start.start, end: end.end, newText: `${start.indent}with ${lock.expression}:${eol}${indentLines(body, unit)}` }],
    guard,
  };
}

/**
 * When the statement before `first` (comments aside) is `with <lock>:` with its body on lines of its
 * own, indented `bodyIndent`, and nothing else in its header (`with lock as x:`, several items): the
 * offset of the line after that block, where the statements to add to it start. Else null.
 */
function joinsBlockAbove(text: string, first: Node, lock: string, bodyIndent: string): number | null {
  let prev = first.previousNamedSibling;
  while (prev?.type === 'comment') prev = prev.previousNamedSibling;
  if (prev?.type !== 'with_statement' || prev.children[0]?.type === 'async') return null;
  const clause = namedChildren(prev).find((c) => c.type === 'with_clause');
  const items = clause ? namedChildren(clause) : [];
  if (items.length !== 1 || items[0].text !== lock) return null;
  const statements = namedChildren(prev.childForFieldName('body') ?? prev);
  const last = statements[statements.length - 1];
  if (!last || last.startPosition.row === prev.startPosition.row) return null;
  if (indentationAt(text, last.startIndex) !== bodyIndent || !ownLines(text, last)) return null;
  return nextLineStart(text, prev.endIndex);
}

function chooseLock(ctx: RuleContext, scope: FunctionScope, shared: SharedState, sameLockOnly = false): LockChoice | null {
  const { model, text } = ctx;
  const existing = sharedWritesOf(model, shared.key).find((w) => w.held.length > 0 && !w.via)?.held[0];
  // One entry of a table of locks (`self.locks[kind]`, named `self.locks[]`): which entry guards this
  // write depends on its key, and a new lock beside the table would exclude nothing.
  if (existing?.endsWith('[]')) return null;
  // A module global under a lock of the object (`with self._lock:` in every `Port`) is reported because
  // each object has its own: the guard is a module lock, not that one again.
  const objectLock = shared.kind === 'global' && !!scope.receiver && !!existing?.startsWith(`${scope.receiver}.`);
  if (existing && !objectLock && usableHere(existing, scope, model)) return heldByCaller(existing, scope, model) ? null : { expression: existing, edits: [], reused: true };
  if (sameLockOnly) return null;
  if (shared.kind === 'global') return moduleLock(shared.key, model, text);
  if (shared.kind === 'shared-instance' && scope.receiver) {
    const cls = model.classInfo(scope.classNode);
    if (!cls) return null;
    const own = [...cls.lockAttributes][0];
    if (own) return heldByCaller(`${scope.receiver}.${own}`, scope, model) ? null : { expression: `${scope.receiver}.${own}`, edits: [], reused: true };
    return instanceLock(cls.node, scope.receiver, model, text);
  }
  return null;
}

/** Does a call between `first` and `last` (this function's own) run a function that takes the non-reentrant `lock` again? */
function callsTakingLock(model: ModuleModel, first: Node, last: Node, scope: FunctionScope, lock: string): boolean {
  if (!nonReentrant(lock, scope, model)) return false;
  return model.callsIn(scope.node).some((call) => {
    if (call.startIndex < first.startIndex || call.endIndex > last.endIndex) return false;
    const callee = call.childForFieldName('function');
    return !!callee && !!reacquires(callee, call, scope, lock, model, 0, new Set());
  });
}

/**
 * Does a caller of the function already hold `lock` when it calls it (`record()`: `with self._lock:
 * self._append(text)`)? Taking it again inside would deadlock a plain `Lock` (FT221): no guard reuses it.
 */
function heldByCaller(lock: string, scope: FunctionScope, model: ModuleModel): boolean {
  const field = scope.receiver && lock.startsWith(`${scope.receiver}.`) ? lock.slice(scope.receiver.length) : null;
  return model.callersOf(scope.node).some((call) => {
    const caller = model.scopeOf(call);
    const named = field ? (caller?.receiver ? `${caller.receiver}${field}` : null) : lock;
    return !!named && model.locallyHeldLocks(call).includes(named);
  });
}

/** A lock expression written in another function can be used here if it is a module global or `self.…` (or such a wrapper's `get_lock()`). */
function usableHere(lock: string, scope: FunctionScope, model: ModuleModel): boolean {
  const head = lock.split('.')[0];
  // A call may make a new lock each time; `counter.get_lock()` (multiprocessing's synchronized
  // wrappers) returns the wrapper's one lock.
  if (lock.replace(/\.get_lock\(\)$/, '').includes('(')) return false;
  return head === scope.receiver || (model.bindings.has(head) && !scope.locals.has(head) && !scope.parameters.has(head));
}

/** `_name_lock = threading.Lock()` on the line after the global's definition (or reuse it if present). */
function moduleLock(name: string, model: ModuleModel, text: string): LockChoice | null {
  const lockName = `_${name.replace(/^_+/, '')}_lock`;
  if (model.bindings.has(lockName)) return { expression: lockName, edits: [], reused: true };
  const value = model.bindings.get(name)?.node;
  const stmt = value ? enclosingStatement(value) : null;
  if (!stmt || stmt.parent?.type !== 'module') return null;
  const ctor = lockConstructor(model, text);
  const at = nextLineStart(text, stmt.endIndex);
  const eol = lineEnding(text);
  const needsBreak = at === text.length && !/[\r\n]$/.test(text);
  return { expression: lockName, edits: [...ctor.edits, { start: at, end: at, newText: `${needsBreak ? eol : ''}${lockName} = ${ctor.expression}${eol}` }], reused: false };
}

/** `self._lock = threading.Lock()` at the start of `__init__`, creating `__init__` when the class has none. */
function instanceLock(classNode: Node, receiver: string, model: ModuleModel, text: string): LockChoice | null {
  const ctor = lockConstructor(model, text);
  const edit = addToInit(classNode, model, text, (self) => `${self}._lock = ${ctor.expression}`);
  return edit ? { expression: `${receiver}._lock`, edits: [...ctor.edits, edit], reused: false } : null;
}

/**
 * An edit that puts `line(receiver)` at the start of the class's `__init__` (after its docstring),
 * creating `__init__` (calling the base class's) when the class has none. Null for one-line bodies.
 */
export function addToInit(classNode: Node, model: ModuleModel, text: string, line: (receiver: string) => string): TextEdit | null {
  const eol = lineEnding(text);
  const unit = indentUnit(text);
  const cls = model.classInfo(classNode);
  if (!cls) return null;
  const init = cls.methods.get('__init__');
  if (init) {
    const initReceiver = init.childForFieldName('parameters') && namedChildren(init.childForFieldName('parameters')!)[0]?.text;
    const body = init.childForFieldName('body');
    const first = body ? namedChildren(body)[0] : null;
    if (!first || !initReceiver || !/^\w+$/.test(initReceiver)) return null;
    const isDocstring = first.type === 'expression_statement' && namedChildren(first)[0]?.type === 'string';
    const anchor = isDocstring ? nextLineStart(text, first.endIndex) : lineStart(text, first.startIndex);
    const indent = indentationAt(text, first.startIndex);
    if (first.startPosition.row === init.startPosition.row) return null; // `def __init__(self): pass` on one line
    return { start: anchor, end: anchor, newText: `${indent}${line(initReceiver)}${eol}` };
  }
  const body = classNode.childForFieldName('body');
  const first = body ? namedChildren(body)[0] : null;
  if (!first || first.startPosition.row === classNode.startPosition.row) return null;
  const indent = indentationAt(text, first.startIndex);
  const isDocstring = first.type === 'expression_statement' && namedChildren(first)[0]?.type === 'string';
  const anchor = isDocstring ? nextLineStart(text, first.endIndex) : lineStart(text, first.startIndex);
  const bases = classNode.childForFieldName('superclasses');
  const hasBases = !!bases && namedChildren(bases).some((b) => b.text !== 'object');
  const lines = hasBases
    ? [`def __init__(self, *args, **kwargs):`, `${unit}super().__init__(*args, **kwargs)`, `${unit}${line('self')}`]
    : [`def __init__(self):`, `${unit}${line('self')}`];
  const newText = lines.map((l) => `${indent}${l}${eol}`).join('') + eol;
  return { start: anchor, end: anchor, newText };
}
