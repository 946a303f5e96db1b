// FT103 — `if k in d: del d[k]` and friends on a shared container without a lock. Docs: docs/rules/FT103.md
import type { Node } from '../parser';
import { changesOwnEntry } from '../model/perThreadKeys';
import { checkActAfterRelease, checkBeforeLock } from './staleCheck';
import { lookupThenInsert } from './lookupThenInsert';
import type { Rule, RuleContext } from '../types';
import { isMetaclass, sharedState } from '../model/sharing';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { caughtAround, inExclusiveBranches, namedChildren, positionalArguments, snippet } from '../model/syntax';
import { isAtomicIdiom, MUTATION_TYPES, mutationOf, raceVerdict, sameExpression } from './common';
import { MISSING_ENTRY } from '../model/mutations';
import { soleRemoverThread } from './singleWriter';
import { atomicDictFix } from '../fixes/atomicDict';
import { textHas } from './hazards';
import { guardFix } from '../fixes/guard';
import { writtenUnderLock } from './writes';

/** The containers a condition inspects: `k in d`, `d`, `not d`, `len(d)`, `d.get(k) is None`. */
export function checkedContainers(condition: Node): Node[] {
  switch (condition.type) {
    case 'comparison_operator': {
      const ops = condition.children.filter((c) => c && !c.isNamed).map((c) => c!.type);
      const operands = namedChildren(condition);
      if (ops.includes('in') || ops.includes('not in')) return operands.slice(1, 2);
      if (ops.includes('is') || ops.includes('is not') || ops.includes('==') || ops.includes('!=') || ops.some((o) => o === '>' || o === '<' || o === '>=' || o === '<=')) {
        return operands.flatMap((o) => getterContainer(o) ?? lenContainer(o) ?? []);
      }
      return [];
    }
    case 'not_operator': {
      const arg = condition.childForFieldName('argument');
      return arg ? checkedContainers(arg) : [];
    }
    case 'boolean_operator':
      return [condition.childForFieldName('left'), condition.childForFieldName('right')].flatMap((c) => (c ? checkedContainers(c) : []));
    case 'parenthesized_expression':
      return namedChildren(condition).flatMap(checkedContainers);
    case 'identifier':
    case 'attribute':
    case 'subscript':
      return [condition];
    case 'call':
      return [getterContainer(condition) ?? lenContainer(condition)].filter((c): c is Node => !!c);
  }
  return [];
}

/**
 * The check made through a local: `v = d.get(k)` … `if v is None: d[k] = …` tests `d` as surely as
 * `if k not in d` does. → the containers the condition's locals were last read from.
 */
function containersReadInto(condition: Node, ifNode: Node, model: ModuleModel): Array<{ container: Node; read?: Node }> {
  const scope = model.scopeOf(ifNode);
  if (!scope) return [];
  const names = new Set(testedNames(condition).filter((n) => scope.locals.has(n)));
  if (names.size === 0) return [];
  const out: Array<{ container: Node; read?: Node }> = [];
  for (const name of names) {
    const assignment = model
      .assignmentsOf(scope)
      .filter((n) => n.startIndex < ifNode.startIndex && n.childForFieldName('left')?.text === name)
      .pop();
    const read = assignment?.childForFieldName('right');
    const container = read ? getterContainer(read) ?? (read.type === 'subscript' ? read.childForFieldName('value') : null) : null;
    if (container) out.push({ container, read: assignment });
  }
  return out;
}

/** Bare names a condition tests: `v`, `not v`, `v is None`, `v is SENTINEL`, `a and not b`. */
function testedNames(condition: Node): string[] {
  switch (condition.type) {
    case 'identifier':
      return [condition.text];
    case 'not_operator':
    case 'parenthesized_expression':
      return namedChildren(condition).flatMap(testedNames);
    case 'boolean_operator':
      return [condition.childForFieldName('left'), condition.childForFieldName('right')].flatMap((c) => (c ? testedNames(c) : []));
    case 'comparison_operator':
      return namedChildren(condition).filter((c) => c.type === 'identifier').map((c) => c.text);
  }
  return [];
}

/** `d.get(k)` → d */
function getterContainer(n: Node): Node | null {
  if (n.type !== 'call') return null;
  const fn = n.childForFieldName('function');
  return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'get' ? fn.childForFieldName('object') : null;
}

/** `len(d)` → d */
function lenContainer(n: Node): Node | null {
  if (n.type !== 'call' || n.childForFieldName('function')?.text !== 'len') return null;
  return namedChildren(n.childForFieldName('arguments')!)[0] ?? null;
}

/** `s.discard(x)`: like `d.pop(k, None)`, one step that does nothing when the item is already gone. */
function isDiscard(n: Node): boolean {
  return n.type === 'call' && n.childForFieldName('function')?.childForFieldName('attribute')?.text === 'discard';
}

/** The first in-place change of `container` in the if's branches (not its condition), if any. */
export function actionOn(ifNode: Node, container: Node, model: ModuleModel): Node | null {
  const containerText = container.text.replace(/\s+/g, '');
  const viaHelper = /^\w+\.\w+$/.test(containerText);
  for (const { node: n, mutated } of actionCandidates(ifNode, model)) {
    if (mutated === containerText && !isAtomicIdiom(n) && !isDiscard(n)) return n;
    if (viaHelper && n.type === 'call' && changesThroughHelper(n, container, model)) return n;
  }
  return null;
}

const candidateCache = new WeakMap<ModuleModel, Map<number, Array<{ node: Node; mutated: string | null }>>>();

/**
 * The changes an if can be the check for: in its branches, and — for a guard clause (`if v is not
 * None: return v`) — after it in the same block. With the container each changes, computed once per if.
 */
function actionCandidates(ifNode: Node, model: ModuleModel): Array<{ node: Node; mutated: string | null }> {
  let perIf = candidateCache.get(model);
  if (!perIf) candidateCache.set(model, (perIf = new Map()));
  let list = perIf.get(ifNode.id);
  if (list) return list;
  const conditionEnd = ifNode.childForFieldName('condition')?.endIndex ?? ifNode.startIndex;
  const inIf = model.nodesWithin(ifNode, MUTATION_TYPES).filter((n) => n.startIndex >= conditionEnd);
  // After an early exit: the rest of the block — or, when the exit leaves the function (`return`,
  // `raise`), the rest of the function, outside the other branches of the ifs around the check
  // (`if singleton: v = d.get(k); if v: return v` … `if singleton: d[k] = new`).
  const block = ifNode.parent;
  const scope = model.scopeOf(ifNode);
  const region = (leavesFunction(ifNode) && scope?.node.type === 'function_definition' ? scope.node.childForFieldName('body') : null) ?? block;
  const after = region && exits(ifNode) ? model.nodesWithin(region, MUTATION_TYPES).filter((n) => n.startIndex >= ifNode.endIndex && !inExclusiveBranches(ifNode, n)) : [];
  list = [...inIf, ...after].map((node) => ({ node, mutated: mutationOf(node)?.container.text.replace(/\s+/g, '') ?? null }));
  perIf.set(ifNode.id, list);
  return list;
}

/**
 * Double-checked locking done right: the act runs under a lock taken after the first check, and an if
 * between that lock and the act checks the same container again.
 */
function recheckedUnderLock(action: Node, ifNode: Node, container: Node, model: ModuleModel): boolean {
  if (model.heldLocks(action).length === 0) return false;
  for (let n = action.parent; n && n.id !== ifNode.id; n = n.parent) {
    // An `if` around the act, under the lock, that reads the container again (`acquire()` … `if
    // self.queue[0] == item: self.queue.pop(0)`): the act rests on that test, not on the first.
    if (n.type === 'if_statement' && model.heldLocks(n).length > 0) {
      const condition = n.childForFieldName('condition');
      if (condition && mentions(condition, container)) return true;
    }
    if (n.type === 'with_statement') {
      const body = n.childForFieldName('body');
      for (const stmt of body ? namedChildren(body) : []) {
        if (stmt.startIndex > action.startIndex) break;
        const ifs = stmt.type === 'if_statement' ? [stmt] : model.nodesWithin(stmt, IF).filter((i) => i.startIndex < action.startIndex);
        // Tested again directly (`if k not in d`) or through a local read again under the lock
        // (`v = d.get(k)` / `if v is None`): double-checked.
        if (ifs.some((i) => checkedContainers(i.childForFieldName('condition')!).some((c) => sameExpression(c, container)))) return true;
        if (ifs.some((i) => containersReadInto(i.childForFieldName('condition')!, i, model).some(({ container: c, read }) => sameExpression(c, container) && !!read && model.heldLocks(read).length > 0))) return true;
      }
      if (keyFromLockedLoop(action, body, container)) return true;
    }
  }
  return false;
}

/**
 * The act's key comes from a loop over the container under the same lock (`for t, w in
 * self._workers.items(): … dead[t] = w` then `for t in dead: self._workers.pop(t)`): the act rests on
 * that locked read — a test before the lock (`if not self._workers: return`) is only a shortcut.
 */
function keyFromLockedLoop(action: Node, body: Node | null, container: Node): boolean {
  const args = action.type === 'call' ? action.childForFieldName('arguments') : null;
  const key = args ? namedChildren(args)[0] : action.type === 'subscript' ? action.childForFieldName('subscript') : null;
  if (key?.type !== 'identifier' || !body) return false;
  let readAt = -1;
  for (const loop of body.descendantsOfType('for_statement')) {
    if (loop.startIndex > action.startIndex) break;
    const right = loop.childForFieldName('right');
    if (readAt < 0 && right && mentions(right, container)) readAt = loop.startIndex;
    const bound = loop.childForFieldName('left');
    if (readAt >= 0 && loop.startIndex >= readAt && bound && (bound.text === key.text || bound.descendantsOfType('identifier').some((i) => i.text === key.text))) return true;
  }
  return false;
}

/** Does `expr` read `container` (the same expression) somewhere inside it? */
function mentions(expr: Node, container: Node): boolean {
  if (sameExpression(expr, container)) return true;
  return namedChildren(expr).some((c) => mentions(c, container));
}

/** An act that takes an entry out or reads one (`c.pop()`, `c.remove(x)`, `del c[k]`, `c[k]`). */
function takesOut(action: Node): boolean {
  if (action.type === 'delete_statement' || action.type === 'subscript') return true;
  const method = action.type === 'call' ? action.childForFieldName('function')?.childForFieldName('attribute')?.text : undefined;
  return method === 'pop' || method === 'popleft' || method === 'popitem' || method === 'remove';
}

const IF: ReadonlySet<string> = new Set(['if_statement']);
/** A check through a local needs a read such as `v = d.get(k)` into it. */
const GETTER = /\.get\(/;

/** Does the if's body leave the block (return, raise, continue, break) with no else? */
/** The if's body ends by leaving the function (`return`, `raise`), not only its loop. */
function leavesFunction(ifNode: Node): boolean {
  const body = ifNode.childForFieldName('consequence');
  const last = body ? namedChildren(body).pop() : null;
  return last?.type === 'return_statement' || last?.type === 'raise_statement';
}

export function exits(ifNode: Node): boolean {
  const body = ifNode.childForFieldName('consequence');
  const last = body ? namedChildren(body).pop() : null;
  return !ifNode.childForFieldName('alternative') && !!last && ['return_statement', 'raise_statement', 'continue_statement', 'break_statement'].includes(last.type);
}

/** `self._register(k)` where the method changes `self.<same container>` itself (one call deep). */
function changesThroughHelper(call: Node, container: Node, model: ModuleModel): boolean {
  const callee = call.childForFieldName('function');
  const scope = model.scopeOf(call);
  if (callee?.type !== 'attribute' || !scope?.receiver || callee.childForFieldName('object')?.text !== scope.receiver) return false;
  const parts = container.text.split('.');
  if (parts[0] !== scope.receiver || parts.length !== 2) return false;
  for (const fn of model.functionsFor(callee, call)) {
    const helper = model.scopeOf(fn.childForFieldName('body') ?? fn);
    if (!helper?.receiver || helper.node.id === scope.node.id) continue;
    const renamed = `${helper.receiver}.${parts[1]}`;
    const changes = model.ownNodes(helper).filter((n) => mutationOf(n)?.container.text === renamed && !isAtomicIdiom(n));
    // A helper that checks again under its lock before every change (`with lock: if d.get(k) is None:
    // d[k] = …`) is double-checked: the caller's unlocked test only saves taking the lock.
    if (changes.length > 0 && !changes.every((n) => recheckedInHelper(n, renamed, model))) return true;
  }
  return false;
}

/** Is this change made holding a lock, after a read of the same container under that `with`? */
function recheckedInHelper(change: Node, container: string, model: ModuleModel): boolean {
  if (model.heldLocks(change).length === 0) return false;
  for (let n = change.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    const body = n.childForFieldName('body');
    if (!body) return false;
    const before = body.text.slice(0, change.startIndex - body.startIndex);
    const name = container.replace(/\./g, '\\s*\\.\\s*');
    return new RegExp(`${name}\\s*(?:\\.\\s*get\\s*\\(|\\[)|\\bin\\s+${name}\\b`).test(before);
  }
  return false;
}

/** Is this change the "act" of a check-then-act on the same container (FT103 reports it)? */
export function insideCheckThenAct(node: Node, container: Node, model: ModuleModel): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition') return false;
    if (n.type !== 'if_statement') continue;
    const condition = n.childForFieldName('condition');
    if (condition && checkedContainers(condition).some((c) => sameExpression(c, container) && actionOn(n!, c, model))) return true;
  }
  return false;
}

const INSERTIONS: ReadonlySet<string> = new Set(['add', 'append', 'appendleft', 'extend', 'extendleft', 'update', 'insert', 'put', 'put_nowait', 'setdefault']);

/**
 * `if self.sink: self.sink.add(x)`, `if buf: buf.append(x)`: a test that the container holds something
 * (or that the field is set at all) guarding an insertion into it. Only a removal falsifies the test,
 * and the insertion does not depend on it: nothing is lost or doubled. (`if not buf: buf.append(first)`
 * is another matter: two threads both see it empty and both add the first entry.)
 */
function insertionAfterNonEmptyTest(ifNode: Node, condition: Node, container: Node, action: Node): boolean {
  if (ifNode.type !== 'if_statement') return false;
  const body = ifNode.childForFieldName('consequence');
  if (!body || action.startIndex < body.startIndex || action.endIndex > body.endIndex) return false;
  // The container itself is the test, or an `and` of tests (`if self.ready and self.sink:`).
  for (let n: Node | null = container; n && n.id !== condition.id; n = n.parent) {
    const up: Node | null = n.parent;
    if (!up) return false;
    const ok = up.type === 'parenthesized_expression' || (up.type === 'boolean_operator' && up.children.some((c) => c?.type === 'and'));
    if (!ok) return false;
  }
  if (action.type === 'call') {
    const fn = action.childForFieldName('function');
    return fn?.type === 'attribute' && sameExpression(fn.childForFieldName('object')!, container) && INSERTIONS.has(fn.childForFieldName('attribute')?.text ?? '');
  }
  const left = action.type === 'assignment' ? action.childForFieldName('left') : null;
  return left?.type === 'subscript' && sameExpression(left.childForFieldName('value')!, container);
}

const MEMBER_CHANGES: ReadonlySet<string> = new Set(['remove', 'discard', 'pop', 'append', 'add']);

/** `X.remove(self)`, `X.add(self)`, `del X[self]`, `X[self] = v`: a change keyed by the method's own object. */
function keyedByOwnObject(action: Node, scope: FunctionScope): boolean {
  const receiver = scope.receiver;
  if (!receiver || scope.isClassMethod) return false;
  let n: Node | null = action;
  if (n.type === 'expression_statement') n = namedChildren(n)[0] ?? null;
  if (n?.type === 'call') {
    const method = n.childForFieldName('function')?.childForFieldName('attribute')?.text ?? '';
    const args = positionalArguments(n);
    return MEMBER_CHANGES.has(method) && args.length === 1 && args[0].text === receiver;
  }
  const target = n?.type === 'delete_statement' ? namedChildren(n)[0] : n?.type === 'assignment' ? n.childForFieldName('left') : null;
  return target?.type === 'subscript' && target.childForFieldName('subscript')?.text === receiver;
}

/** Can another thread run this object's methods: audit mode, or a thread of the module that uses the object? */
function ownObjectShared(scope: FunctionScope, ctx: RuleContext): boolean {
  const cls = ctx.model.classInfo(scope.classNode);
  // A metaclass's objects are classes, which every thread reaches (`cls._instances[cls] = …`: a singleton).
  return !cls || !!ctx.options.assumeConcurrent || cls.isThreadSubclass || isMetaclass(cls.node) || ctx.model.threads.sharedInstances.has(cls.node.id);
}

/** `if`/`while` CONDITION tests a shared container that the statement's body (or what follows an early exit) changes. */
function checkThenAct(node: Node, ctx: RuleContext): void {
  const scope = ctx.model.scopeOf(node);
  const keyword = node.type === 'while_statement' ? 'while' : 'if';
  const condition = node.childForFieldName('condition');
  if (!scope || !condition) return;
  const throughLocals = textHas(ctx.model, ctx.text, GETTER) ? containersReadInto(condition, node, ctx.model) : [];
  for (const { container, read } of [...checkedContainers(condition).map((container) => ({ container, read: undefined })), ...throughLocals]) {
    // `"x" not in self.__dict__` tests an attribute: lazy initialisation, FT104's.
    if (container.type === 'attribute' && container.childForFieldName('attribute')?.text === '__dict__') continue;
    const action = actionOn(node, container, ctx.model);
    // A loop's test guards only what a pass takes out; a loop that adds until a size is reached refills.
    if (node.type === 'while_statement' && action && !takesOut(action)) continue;
    // `if USE_ASYNC and self._tasks: …` with `USE_ASYNC = False`: the action never runs.
    if (!action || ctx.model.isDeadCode(action)) continue;
    // `if me not in d: d[me] = []` with `me = get_ident()`: only this thread adds or removes its entry.
    if (changesOwnEntry(action, scope, ctx.model)) continue;
    // `if self in self._instances: self._instances.remove(self)`: each object adds and removes only
    // itself, so only this object's code can falsify the check — on another thread only when the object
    // is shared with one.
    if (keyedByOwnObject(action, scope) && !ownObjectShared(scope, ctx)) continue;
    if (recheckedUnderLock(action, node, container, ctx.model)) continue;
    if (insertionAfterNonEmptyTest(node, condition, container, action)) continue;
    const shared = sharedState(container, scope, ctx.model, 'object');
    if (!shared) continue;
    // A consumer taking out what it found (`if self.queue: self.queue.pop(0)`) where only its own
    // thread removes entries: the others only add, which cannot falsify "it holds an entry".
    if (takesOut(action) && soleRemoverThread(shared, scope, ctx.model)) continue;
    // `if k in d:` / `try: d.pop(k)` / `except KeyError: …`: the author expects the entry to go
    // missing in between and handles it; the race costs nothing but the handler.
    if (takesOut(action) && caughtAround(action, MISSING_ENTRY)) continue;
    const verdict = raceVerdict(node, scope, shared, ctx);
    if (!verdict) continue;
    // Reported at the act: the line that fails (or loses an entry) when the check no longer holds.
    const actLocks = ctx.model.heldLocks(action);
    if (actLocks.length > 0) {
      // The act holds a lock the check did not: a test before the lock, not repeated inside it. (Wrapping
      // both in the lock would take a non-reentrant lock twice: the remedy is the second test.)
      ctx.report(action, {
        severity: verdict.severity,
        confidence: verdict.confidence,
        message:
          `\`${snippet(action, 40)}\` changes ${shared.description} holding \`${actLocks[0]}\`, but \`${keyword} ${snippet(condition, 40)}\` (line ${condition.startPosition.row + 1}) checked it before the lock was taken and is not tested again under it. ` +
          `On free-threaded Python two threads can both pass the check and act in turn (the second insertion replaces the first's, a second pop finds nothing), or another thread changes the container in between.` +
          `${verdict.where} Test again inside the \`with\` block.`,
      });
      return;
    }
    ctx.report(action, {
      severity: verdict.severity,
      confidence: verdict.confidence,
      // A container some code locks needs that lock here too (FT105); otherwise one atomic call will do.
      // The lock must cover the check (an earlier read into a local) through the act (after the if).
      // A loop draining the container would hold the lock for all its passes: no quick fix (see the message).
      fix:
        keyword === 'while'
          ? undefined
          : (writtenUnderLock(ctx.model, shared.key) ? undefined : atomicDictFix(ctx.text, node)) ??
            guardFix(ctx, read ?? node, scope, shared, action.startIndex >= node.endIndex ? action : read ? node : undefined),
      message:
        `\`${snippet(action, 40)}\` changes ${shared.description} after \`${keyword} ${snippet(condition, 40)}\` (line ${condition.startPosition.row + 1}) checked ${read ? `what line ${read.startPosition.row + 1} read from it (\`${snippet(read, 40)}\`)` : 'it'}, ${verdict.unlocked}. ` +
        `On free-threaded Python another thread can change the container between the check and the action, so the check no longer holds (a KeyError, a lost entry, a double pop).` +
        `${verdict.where} ${keyword === 'while' ? 'Take the item out in one atomic step and stop when there is none (`try: item = todo.pop()` / `except (KeyError, IndexError): break`), or hand the work over through a queue.Queue.' : 'Hold one lock over the check and the action, or use one atomic call (`d.pop(k, None)`, `d.setdefault(k, v)`).'}`,
    });
    return;
  }
}

export const FT103: Rule = {
  code: 'FT103',
  name: 'check-then-act',
  summary: 'A shared container is tested and then changed (`if k in d: del d[k]`) without a lock',
  precision: 'high',
  visit: {
    // A check made holding a lock, acted on after the release (staleCheck.ts).
    with_statement(node: Node, ctx: RuleContext) {
      checkActAfterRelease(node, ctx);
      checkBeforeLock(node, ctx);
    },
    if_statement(node: Node, ctx: RuleContext) {
      checkThenAct(node, ctx);
    },
    // `while len(todo) > 0: item = todo.pop()`: each pass tests, then takes out (worker threads draining
    // one work list: the last item is popped by one and the others' pops fail).
    while_statement(node: Node, ctx: RuleContext) {
      checkThenAct(node, ctx);
    },
    // `try: v = d[k]` / `except KeyError: d[k] = make()`: the EAFP check-then-act (lookupThenInsert.ts).
    except_clause(node: Node, ctx: RuleContext) {
      lookupThenInsert(node, ctx);
    },
  },
};
