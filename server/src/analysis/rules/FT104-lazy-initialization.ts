// FT104 — `if _inst is None: _inst = X()` on shared state without a lock, and double-checked
// locking that forgets the second check. Docs: docs/rules/FT104.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { receiverField, sharedState } from '../model/sharing';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { namedChildren, positionalArguments, snippet } from '../model/syntax';
import { onRealThread, raceVerdict, runsAlone, sameExpression } from './common';
import { guardFix } from '../fixes/guard';

/** The variable a "not initialised yet" test looks at: `x is None`, `x == None`, `not x`. */
export function uninitialisedSubject(condition: Node): Node | null {
  if (condition.type === 'parenthesized_expression') {
    const inner = namedChildren(condition)[0];
    return inner ? uninitialisedSubject(inner) : null;
  }
  if (condition.type === 'not_operator') {
    const arg = condition.childForFieldName('argument');
    // `if not self.timer.is_alive():` — a thread (or timer) that has finished is replaced and started again.
    const fn = arg?.type === 'call' ? arg.childForFieldName('function') : null;
    if (fn?.type === 'attribute' && /^(?:is_alive|isAlive)$/.test(fn.childForFieldName('attribute')?.text ?? '') && namedChildren(arg!.childForFieldName('arguments')!).length === 0) {
      const thread = fn.childForFieldName('object');
      return thread && (thread.type === 'identifier' || thread.type === 'attribute') ? thread : null;
    }
    return arg && (arg.type === 'identifier' || arg.type === 'attribute') ? arg : null;
  }
  // `if reset or x is None or expired:` initialises as surely as `if x is None:` alone.
  if (condition.type === 'boolean_operator' && condition.children.some((c) => c?.type === 'or')) {
    for (const side of [condition.childForFieldName('left'), condition.childForFieldName('right')]) {
      const subject = side && side.type !== 'identifier' && side.type !== 'attribute' ? uninitialisedSubject(side) : null;
      if (subject) return subject;
    }
  }
  if (condition.type === 'comparison_operator') {
    const ops = condition.children.filter((c) => c && !c.isNamed).map((c) => c!.type);
    const [left, right] = namedChildren(condition);
    if ((ops[0] === 'is' || ops[0] === '==') && right?.type === 'none' && (left?.type === 'identifier' || left?.type === 'attribute')) return left;
    // `if self.fields is Record.empty_fields:` — still the placeholder it was built with.
    if (ops[0] === 'is' && ops.length === 1 && isSentinel(right) && (left?.type === 'identifier' || left?.type === 'attribute')) return left;
  }
  return null;
}

const SENTINEL_NAME = /(?:^|_)(?:missing|sentinel|unset|not_?set|marker|empty|nothing|undefined|placeholder|uninitiali[sz]ed)(?:_|$)/i;

/**
 * A placeholder a field starts as and is replaced on first use: a module or class constant named as
 * one (`_MISSING`, `_sentinel`, `NOTSET`, `Record.empty_fields`), never a local or a parameter.
 */
function isSentinel(node: Node | undefined): boolean {
  if (node?.type === 'identifier') return SENTINEL_NAME.test(node.text) && (/^_|^[A-Z0-9_]+$/.test(node.text));
  if (node?.type !== 'attribute') return false;
  const owner = node.childForFieldName('object');
  const name = node.childForFieldName('attribute')?.text ?? '';
  return owner?.type === 'identifier' && /^[A-Z]/.test(owner.text) && SENTINEL_NAME.test(name);
}

/**
 * What a "not initialised yet" test looks at, in the forms that name the attribute by string:
 * `not hasattr(obj, "x")`, `getattr(obj, "x", None) is None`, `not getattr(obj, "x", None)`,
 * `"x" not in obj.__dict__` / `vars(obj)`. → the object and the attribute name.
 */
export function uninitialisedAttribute(condition: Node): { object: Node; field: string } | null {
  if (condition.type === 'parenthesized_expression') {
    const inner = namedChildren(condition)[0];
    return inner ? uninitialisedAttribute(inner) : null;
  }
  const byName = (call: Node | null | undefined, fns: readonly string[]) => {
    if (call?.type !== 'call' || !fns.includes(call.childForFieldName('function')?.text ?? '')) return null;
    const [object, name] = namedChildren(call.childForFieldName('arguments')!);
    const field = name ? stringValue(name) : null;
    return object && field ? { object, field } : null;
  };
  if (condition.type === 'not_operator') return byName(condition.childForFieldName('argument'), ['hasattr', 'getattr']);
  if (condition.type === 'comparison_operator') {
    const ops = condition.children.filter((c) => c && !c.isNamed).map((c) => c!.type);
    const [left, right] = namedChildren(condition);
    if ((ops[0] === 'is' || ops[0] === '==') && right?.type === 'none') return byName(left, ['getattr']);
    if (ops[0] === 'not in' && left && right) {
      const field = stringValue(left);
      const dictOf = right.type === 'attribute' && right.childForFieldName('attribute')?.text === '__dict__' ? right.childForFieldName('object') : right.type === 'call' && right.childForFieldName('function')?.text === 'vars' ? namedChildren(right.childForFieldName('arguments')!)[0] : null;
      return field && dictOf ? { object: dictOf, field } : null;
    }
  }
  return null;
}

function stringValue(node: Node): string | null {
  if (node.type !== 'string') return null;
  const m = /^[rRbBuU]?(['"])(\w+)\1$/.exec(node.text);
  return m ? m[2] : null;
}

/**
 * How the body initialises `target` (`obj.x` / `NAME` text): an assignment, `setattr(obj, "x", …)`,
 * `obj.__dict__["x"] = …`; or one call deep, a function or method of this module whose own body does.
 */
function initialisation(ifNode: Node, target: string, model: ModuleModel, receiver: string | null): { node: Node; viaCall: boolean; checkedInside?: boolean; lockedInside?: boolean } | null {
  const body = ifNode.childForFieldName('consequence');
  if (!body) return null;
  const own = model.nodesWithin(body, INIT_TYPES);
  const direct = own.find((n) => initialises(n, target));
  if (direct) return { node: direct, viaCall: false };
  for (const call of own) {
    if (call.type !== 'call') continue;
    const callee = call.childForFieldName('function');
    for (const fn of callee ? model.functionsFor(callee, call) : []) {
      const scope = model.scopeOf(fn.childForFieldName('body') ?? fn);
      if (!scope) continue;
      // `self._init()` initialises `self._x` when the helper assigns its own `self._x` — called on this
      // object (`self._init()`, `super()._init()`, `Base._init(self)`), not a constructor or another
      // object's method, whose `self` is another object.
      const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
      const onThisObject = object?.text === receiver || /^super\(/.test(object?.text ?? '') || positionalArguments(call)[0]?.text === receiver;
      if (receiver && scope.receiver && target.startsWith(`${receiver}.`) && !onThisObject) continue;
      const renamed = receiver && scope.receiver && target.startsWith(`${receiver}.`) ? `${scope.receiver}.${target.slice(receiver.length + 1)}` : target;
      if (!target.includes('.') && !scope.globals.has(target)) continue;
      const inits = model.ownNodes(scope).filter((n) => initialises(n, renamed));
      if (inits.length === 0) continue;
      // The helper takes a lock and tests again before it initialises: double-checked locking done
      // right, one call deep (`if not self._done: self._run_once()` with the lock and the second test in
      // `_run_once`).
      const condition = ifNode.childForFieldName('condition');
      const again = condition ? condition.text.replace(/\s+/g, '').replace(receiver && scope.receiver ? new RegExp(`(?<![\\w.])${receiver}\\.`, 'g') : /$^/, `${scope.receiver}.`) : null;
      const checkedInside = (n: Node) => {
        if (model.heldLocks(n).length === 0) return false;
        for (let up = n.parent; up && up !== scope.node; up = up.parent) {
          if (up.type === 'if_statement' && (up.childForFieldName('condition')?.text ?? '').replace(/\s+/g, '') === again) return true;
        }
        return false;
      };
      return { node: call, viaCall: true, checkedInside: inits.every(checkedInside), lockedInside: inits.every((n) => model.heldLocks(n).length > 0) };
    }
  }
  return null;
}

/**
 * The guard-clause form: `if x is not None: return x` / `if self._loaded: return` — the body only
 * leaves, and the initialisation follows the if. → the tested subject.
 */
function guardClause(ifNode: Node, condition: Node): { subject: Node } | null {
  const body = ifNode.childForFieldName('consequence');
  const first = body ? namedChildren(body)[0] : null;
  if (!first || (first.type !== 'return_statement' && first.type !== 'raise_statement') || ifNode.childForFieldName('alternative')) return null;
  if (condition.type === 'identifier' || condition.type === 'attribute') return { subject: condition };
  if (condition.type === 'comparison_operator') {
    const ops = condition.children.filter((c) => c && !c.isNamed).map((c) => c!.type);
    const [left, right] = namedChildren(condition);
    if ((ops[0] === 'is not' || ops[0] === '!=') && right?.type === 'none' && (left?.type === 'identifier' || left?.type === 'attribute')) return { subject: left };
  }
  return null;
}

/** The guard clause's body is a `raise`: the state must not be set yet. */
function raisesWhenSet(ifNode: Node): boolean {
  const body = ifNode.childForFieldName('consequence');
  const statements = body ? namedChildren(body).filter((n) => n.type !== 'comment') : [];
  return statements.length > 0 && statements[statements.length - 1].type === 'raise_statement' && statements.every((n) => n.type === 'raise_statement' || n.type === 'expression_statement');
}

/**
 * Is this write (to `target`, compact text) the initialisation of a lazy-init test — inside
 * `if x is None:` / `if not hasattr(…)`, or after a guard clause `if x is not None: return x` in the same
 * block? FT104 reports those; other rules step aside.
 */
export function isLazyInitialisation(node: Node, target: string): boolean {
  const tested = (condition: Node | null) => {
    if (!condition) return null;
    const subject = uninitialisedSubject(condition);
    const byName = subject ? null : uninitialisedAttribute(condition);
    return subject ? subject.text.replace(/\s+/g, '') : byName ? `${byName.object.text}.${byName.field}` : null;
  };
  for (let child = node, n = node.parent; n && n.type !== 'function_definition'; child = n, n = n.parent) {
    if (n.type === 'if_statement' && tested(n.childForFieldName('condition')) === target) return true;
    if (n.type === 'block' && guardedEarlier(child, target)) return true;
  }
  return false;
}

/** Is a statement before `stmt` in its block a guard clause on `target` (`if target is not None: return`)? */
function guardedEarlier(stmt: Node, target: string): boolean {
  for (let prev = stmt.previousNamedSibling; prev; prev = prev.previousNamedSibling) {
    const condition = prev.type === 'if_statement' ? prev.childForFieldName('condition') : null;
    const guard = condition ? guardClause(prev, condition) : null;
    if (guard && guard.subject.text.replace(/\s+/g, '') === target) return true;
  }
  return false;
}

/** `flag = True` (a constant, not a made object): a run-once flag rather than a lazily made object. */
/**
 * `flag = True` followed (in the same block) by `try: … finally: flag = False`: the assignment in the
 * `finally` that resets the flag, or null.
 */
function reentrancyReset(assignment: Node, target: string): Node | null {
  if (!setsFlag(assignment) || assignment.parent?.type !== 'expression_statement') return null;
  for (let s = assignment.parent.nextNamedSibling; s; s = s.nextNamedSibling) {
    if (s.type !== 'try_statement') continue;
    const fin = namedChildren(s).find((c) => c.type === 'finally_clause');
    const reset = fin?.descendantsOfType('assignment').find((a) => a.childForFieldName('left')?.text.replace(/\s+/g, '') === target);
    return reset ?? null;
  }
  return null;
}

function setsFlag(assignment: Node): boolean {
  const value = assignment.type === 'assignment' ? assignment.childForFieldName('right') : null;
  return !!value && ['true', 'false', 'none', 'integer', 'string'].includes(value.type);
}

/** `False`, `None`, `0`, `""`, `[]`, `{}`, `set()`: a value that clears a flag or a pending list. */
function isClearing(value: Node | null): boolean {
  if (!value) return false;
  if (['false', 'none'].includes(value.type) || value.text === '0' || value.text === '""' || value.text === "''") return true;
  return (['list', 'dictionary', 'tuple'].includes(value.type) && value.namedChildCount === 0) || /^(set|list|dict)\(\)$/.test(value.text);
}

/** Methods that tear an object down (or switch it off): its owner calls them, at the end of its use. */
const TEARDOWN = /^_{0,2}(?:(?:close|stop|shutdown|terminate|disconnect|cleanup|teardown)(?:_\w+)?|clean_up|dispose|tear_down|disable|quit|finish|release|destroy)$|^__(?:exit|del)__$/;

/**
 * The consume-once flag: `if self._dirty: … self._dirty = False` — a test and the clearing write in
 * separate steps, so two threads can both see the flag set and both run the body (flush twice, sort
 * while another thread sorts). Reported at the clearing write.
 */
function consumeOnce(ifNode: Node, condition: Node, scope: FunctionScope, ctx: RuleContext): boolean {
  if ((condition.type !== 'identifier' && condition.type !== 'attribute') || guardClause(ifNode, condition)) return false;
  const body = ifNode.childForFieldName('consequence');
  const target = condition.text.replace(/\s+/g, '');
  const clear = body ? ctx.model.nodesWithin(body, INIT_TYPES).find((n) => n.type === 'assignment' && n.childForFieldName('left')?.text.replace(/\s+/g, '') === target && isClearing(n.childForFieldName('right'))) : undefined;
  if (!clear) return false;
  const field = condition.type === 'attribute' && condition.childForFieldName('object')?.text === scope.receiver && !scope.isClassMethod ? condition.childForFieldName('attribute')!.text : null;
  const shared = field ? receiverField(field, scope, ctx.model) : sharedState(condition, scope, ctx.model, condition.type === 'identifier' ? 'rebind' : 'object');
  const verdict = shared ? raceVerdict(ifNode, scope, shared, ctx) : null;
  if (!shared || !verdict || ctx.model.heldLocks(clear).length > 0) return false;
  // `close()`: `if self._preview: self._preview.close(); self._preview = None` — with no thread
  // reaching the teardown, only a guess says two threads tear the object down at once (assume-concurrent,
  // or an object shared with a thread that never calls it); its owner does, once.
  if (TEARDOWN.test(scope.name) && !onRealThread(scope, ctx.model)) return true;
  ctx.report(clear, {
    severity: verdict.severity,
    confidence: verdict.confidence,
    fix: guardFix(ctx, ifNode, scope, shared),
    message:
      `\`if ${snippet(condition, 40)}:\` (line ${ifNode.startPosition.row + 1}) tests ${shared.description} and \`${snippet(clear, 40)}\` clears it in separate steps, without a lock: ` +
      `on free-threaded Python two threads can both see it set and both run the body.${verdict.where} Test and clear it under one lock.`,
  });
  return true;
}

/** Double-checked with guard clauses: a guard clause on the same subject inside the lock, before the write. */
function isLazyInitialisationUnderGuard(assignment: Node, target: string): boolean {
  for (let child = assignment, n = assignment.parent; n && n.type !== 'function_definition'; child = n, n = n.parent) {
    if (n.type === 'with_statement') return false;
    if (n.type === 'block' && guardedEarlier(child, target)) return true;
  }
  return false;
}

/** The first assignment to `target` after the if, in the statements of the same block. */
function initialisationAfter(ifNode: Node, target: string, model: ModuleModel): { node: Node; viaCall: boolean; checkedInside?: boolean; lockedInside?: boolean } | null {
  const block = ifNode.parent;
  if (!block) return null;
  const after = model.nodesWithin(block, INIT_TYPES).filter((n) => n.startIndex >= ifNode.endIndex);
  const found = after.find((n) => initialises(n, target));
  return found ? { node: found, viaCall: false } : null;
}

function initialises(n: Node, target: string): boolean {
  const compact = (t: string) => t.replace(/\s+/g, '');
  if (n.type === 'assignment') {
    const left = n.childForFieldName('left');
    if (!left) return false;
    const text = compact(left.text);
    if (text === target) return true;
    const dot = target.lastIndexOf('.');
    return dot > 0 && (text === `${target.slice(0, dot)}.__dict__["${target.slice(dot + 1)}"]` || text === `${target.slice(0, dot)}.__dict__['${target.slice(dot + 1)}']`);
  }
  if (n.type === 'call' && n.childForFieldName('function')?.text === 'setattr') {
    const [object, name] = namedChildren(n.childForFieldName('arguments')!);
    return !!object && !!name && `${compact(object.text)}.${stringValue(name)}` === target;
  }
  return false;
}

const INIT_TYPES: ReadonlySet<string> = new Set(['assignment', 'call']);

/** Is there a re-check of the same condition between the assignment and the outer if (inside the lock)? */
function rechecked(assignment: Node, outer: Node, model: ModuleModel): boolean {
  const condition = outer.childForFieldName('condition');
  const target = assignment.type === 'assignment' ? assignment.childForFieldName('left') : null;
  for (let child: Node = assignment, n = assignment.parent; n && n.id !== outer.id; child = n, n = n.parent) {
    if (n.type !== 'if_statement') continue;
    const inner = n.childForFieldName('condition');
    if (sameExpression(inner, condition)) return true;
    // The second test spelled another way: `if X: return X` outside, `if X is None:` (or `if not X:`)
    // inside, the initialisation in its body.
    if (target && inner && n.childForFieldName('consequence')?.id === child.id && testsUnset(inner, target)) return true;
    // A second test of other state under the lock (`if not self._claimed: self._claimed = True; …`,
    // `self.count -= 1; if not self.count: …`): the object's own protocol decides who writes, under the
    // lock; whether it admits one thread is past what a syntactic check can say.
    if (inner && n.childForFieldName('consequence')?.id === child.id && heldBetween(n, outer) && readsOwnState(inner, assignment)) return true;
    // The second test reads a companion the same locked block sets (`if _pool_pid != pid: _pool = …;
    // _pool_pid = pid`): a thread that passed the first test finds the companion set and skips.
    if (inner && n.childForFieldName('consequence')?.id === child.id && model.heldLocks(n).length > 0 && testsCompanionSetBy(inner, child)) return true;
  }
  return false;
}

/** Does the test read a name or field (`_pool_pid`, `self._ready`) that an assignment in `block` sets? */
function testsCompanionSetBy(test: Node, block: Node): boolean {
  const compact = (t: string) => t.replace(/\s+/g, '');
  const read = new Set([...test.descendantsOfType('identifier'), ...test.descendantsOfType('attribute')].map((n) => compact(n.text)));
  if (test.type === 'identifier' || test.type === 'attribute') read.add(compact(test.text));
  return block.descendantsOfType('assignment').some((a) => {
    const left = a.childForFieldName('left');
    return !!left && (left.type === 'identifier' || left.type === 'attribute') && read.has(compact(left.text));
  });
}

/** Is `node` inside a `with` block that is itself inside `outer`? */
function heldBetween(node: Node, outer: Node): boolean {
  for (let n = node.parent; n && n.id !== outer.id; n = n.parent) if (n.type === 'with_statement') return true;
  return false;
}

/** Does the test read a field of the object the assignment writes to (`self.count` beside `self.is_disposed = …`)? */
function readsOwnState(test: Node, assignment: Node): boolean {
  const left = assignment.type === 'assignment' ? assignment.childForFieldName('left') : null;
  const object = left?.type === 'attribute' ? left.childForFieldName('object')?.text : undefined;
  if (!object) return false;
  return test.descendantsOfType('attribute').some((a) => a.childForFieldName('object')?.text === object) || (test.type === 'attribute' && test.childForFieldName('object')?.text === object);
}

/** `not X`, `X is None`, `X == None`: a test that `target` is unset. */
function testsUnset(condition: Node, target: Node): boolean {
  const same = (n: Node | null | undefined) => !!n && n.text.replace(/\s+/g, '') === target.text.replace(/\s+/g, '');
  if (condition.type === 'parenthesized_expression') {
    const inner = namedChildren(condition)[0];
    return !!inner && testsUnset(inner, target);
  }
  if (condition.type === 'not_operator') return same(condition.childForFieldName('argument'));
  if (condition.type !== 'comparison_operator') return false;
  const operands = namedChildren(condition);
  const ops = condition.children.filter((c) => !c.isNamed).map((c) => c.type);
  return operands.length === 2 && operands[1].type === 'none' && ops.length === 1 && (ops[0] === 'is' || ops[0] === '==') && same(operands[0]);
}

/** `self.F`, `self.F is not None`, `self.F == True`: a test that a field of the receiver is set. */
function setFlagField(condition: Node, receiver: string): string | null {
  let subject = condition;
  if (condition.type === 'comparison_operator') {
    const ops = condition.children.filter((c) => !c.isNamed).map((c) => c.text).join(' ');
    if (ops !== 'is not' && ops !== '!=' && ops !== '==') return null;
    subject = namedChildren(condition)[0];
  }
  if (subject?.type !== 'attribute' || subject.childForFieldName('object')?.text !== receiver) return null;
  return subject.childForFieldName('attribute')?.text ?? null;
}

interface Publication {
  flag: Node;
  data: Node;
  lock: string;
}

const publicationCache = new WeakMap<ModuleModel, Map<Node, Map<string, Publication>>>();

/**
 * Every `with <lock>:` block of the class's methods that assigns `self.flag` and later `self.data`,
 * keyed `flag data` (the first such pair); computed once per class and analysis.
 */
function publications(cls: { node: Node; methods: Map<string, Node> }, model: ModuleModel): Map<string, Publication> {
  let byClass = publicationCache.get(model);
  if (!byClass) publicationCache.set(model, (byClass = new Map()));
  let found = byClass.get(cls.node);
  if (found) return found;
  found = new Map();
  for (const method of cls.methods.values()) {
    const scope = model.scopeOf(method.childForFieldName('body') ?? method);
    // Construction publishes to nobody: no other thread sees the object until it is built.
    if (!scope?.receiver || model.isConstructionOnly(scope)) continue;
    for (const w of model.ownNodes(scope)) {
      if (w.type !== 'with_statement') continue;
      const statements = namedChildren(w.childForFieldName('body') ?? w);
      const lock = statements.length > 0 ? model.heldLocks(statements[0])[0] : undefined;
      if (!lock) continue;
      const assigned: Array<{ field: string; node: Node }> = [];
      for (const stmt of statements) {
        const a = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
        const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
        const field = left?.type === 'attribute' && left.childForFieldName('object')?.text === scope.receiver ? left.childForFieldName('attribute')?.text : undefined;
        if (!field) continue;
        for (const earlier of assigned) {
          const key = `${earlier.field} ${field}`;
          if (earlier.field !== field && !found.has(key)) found.set(key, { flag: earlier.node, data: a!, lock });
        }
        assigned.push({ field, node: a! });
      }
    }
  }
  byClass.set(cls.node, found);
  return found;
}

/** The read is tested for being set: `x is None`, `x is not None`, `if x:`, `not x`. */
function toleratesUnset(read: Node): boolean {
  const parent = read.parent;
  if (!parent) return false;
  if (parent.type === 'comparison_operator') return namedChildren(parent).some((c) => c.type === 'none');
  if (parent.type === 'not_operator') return true;
  return (parent.type === 'if_statement' || parent.type === 'elif_clause' || parent.type === 'while_statement') && parent.childForFieldName('condition') === read;
}

/**
 * `if self._ready: return self._snapshot` without the lock, while a method sets `self._ready` before
 * `self._snapshot` holding it: a reader can see the flag and not yet the data it announces (the
 * publication order of a double-checked read).
 */
function checkPublicationOrder(ifNode: Node, condition: Node, scope: FunctionScope, ctx: RuleContext): void {
  if (!scope.receiver || !scope.classNode) return;
  // The test's shape first: what is held and who runs the reader are dearer questions.
  const flag = setFlagField(condition, scope.receiver);
  const cls = flag ? ctx.model.classInfo(scope.classNode) : null;
  const body = ifNode.childForFieldName('consequence');
  if (!flag || !cls || !body || ctx.model.heldLocks(ifNode).length > 0) return;
  // A reader that runs alone (an after-fork child's reset, an atexit handler, construction) meets no writer.
  if (runsAlone(ifNode, scope, ctx) || ctx.model.isConstructionOnly(scope)) return;
  const reads = body.descendantsOfType('attribute').filter((a) => a.childForFieldName('object')?.text === scope.receiver);
  // `if self.thread is not None: self.thread.join()`: the reader copes with the data not being there yet.
  const tested = new Set(reads.filter(toleratesUnset).map((a) => a.childForFieldName('attribute')?.text));
  for (const read of reads) {
    const data = read.childForFieldName('attribute')?.text;
    if (!data || data === flag || tested.has(data)) continue;
    if (read.parent?.type === 'assignment' && read.parent.childForFieldName('left') === read) continue;
    // `if self._writer == me:`: the test passes only on the thread that owns the object, and only the
    // owner changes the flag — nobody publishes to it.
    if (ctx.model.ownerOnly(read)) continue;
    const order = publications(cls, ctx.model).get(`${flag} ${data}`);
    if (!order) continue;
    ctx.report(read, {
      severity: 'warning',
      confidence: 'medium',
      message:
        `\`${snippet(read, 40)}\` is read after an unlocked test of \`${snippet(condition, 40)}\` (line ${condition.startPosition.row + 1}), but the writer sets \`${snippet(order.flag, 40)}\` (line ${order.flag.startPosition.row + 1}) ` +
        `before \`${snippet(order.data, 40)}\` (line ${order.data.startPosition.row + 1}) holding \`${order.lock}\`: on free-threaded Python a reader can see the flag set and the data not yet written. ` +
        `Set the data before the flag, or read both holding \`${order.lock}\`.`,
    });
    return;
  }
}

export const FT104: Rule = {
  code: 'FT104',
  name: 'lazy-initialization',
  summary: 'Lazy initialisation of shared state (`if x is None: x = …`) without a lock, or double-checked locking without the second check',
  precision: 'medium',
  visit: {
    try_statement(node: Node, ctx: RuleContext) {
      // `try: self._x … except AttributeError: self._x = …` (or the assignment after the try): EAFP lazy init.
      const scope = ctx.model.scopeOf(node);
      const handler = namedChildren(node).find((c) => c.type === 'except_clause' && /\bAttributeError\b/.test(namedChildren(c)[0]?.text ?? ''));
      const body = node.childForFieldName('body');
      if (!scope || !handler || !body) return;
      const first = namedChildren(body)[0];
      const probe = first ? namedChildren(first)[0] : null;
      if (probe?.type !== 'attribute') return;
      const target = probe.text.replace(/\s+/g, '');
      const inHandler = ctx.model.nodesWithin(handler, INIT_TYPES).find((n) => initialises(n, target));
      const init = inHandler ? { node: inHandler, viaCall: false } : initialisationAfter(node, target, ctx.model);
      // A lock created lazily is the classic case: two threads may each get their own lock.
      const field = probe.childForFieldName('attribute')?.text ?? '';
      const shared = !init ? null : probe.childForFieldName('object')?.text === scope.receiver ? receiverField(field, scope, ctx.model, { lockItself: true }) : sharedState(probe, scope, ctx.model, 'object');
      const verdict = shared ? raceVerdict(node, scope, shared, ctx) : null;
      if (!init || !shared || !verdict || ctx.model.heldLocks(init.node).length > 0) return;
      ctx.report(init.node, {
        severity: verdict.severity,
        confidence: verdict.confidence,
        fix: guardFix(ctx, node, scope, shared, init.node),
        message:
          `Lazy initialisation of ${shared.description} without a lock (probed for AttributeError at line ${node.startPosition.row + 1}): on free-threaded Python two threads can both miss \`${snippet(probe, 40)}\` and both run \`${snippet(init.node, 40)}\`, ` +
          `so the initialisation runs twice and callers can be handed different results.${verdict.where} Create it in \`__init__\`, or take a lock and probe again inside it.`,
      });
    },
    if_statement(node: Node, ctx: RuleContext) {
      const scope = ctx.model.scopeOf(node);
      const condition = node.childForFieldName('condition');
      if (!scope || !condition) return;
      // Initialised while the program was imported: later callers find it done.
      if (ctx.model.importPriming.initialisedAtImport(node, scope)) return;
      checkPublicationOrder(node, condition, scope, ctx);
      if (consumeOnce(node, condition, scope, ctx)) return;
      const guard = guardClause(node, condition);
      const subject = guard ? guard.subject : uninitialisedSubject(condition);
      const byName = subject ? null : uninitialisedAttribute(condition);
      const target = subject ? subject.text.replace(/\s+/g, '') : byName ? `${byName.object.text.replace(/\s+/g, '')}.${byName.field}` : null;
      if (!target) return;
      const init = guard ? initialisationAfter(node, target, ctx.model) : initialisation(node, target, ctx.model, scope.receiver);
      if (!init || init.checkedInside) return;
      const assignment = init.node;
      // A helper that assigns a global reads as a plain name here: it is the module's state all the same.
      const ownField = subject?.type === 'attribute' && subject.childForFieldName('object')?.text === scope.receiver && !scope.isClassMethod ? subject.childForFieldName('attribute')!.text : null;
      const shared = ownField
        ? receiverField(ownField, scope, ctx.model, { lockItself: true })
        : subject
        ? sharedState(subject, scope, ctx.model, init.viaCall || subject.type !== 'identifier' ? 'object' : 'rebind')
        : byName!.object.text === scope.receiver
          ? receiverField(byName!.field, scope, ctx.model)
          : null;
      // Only the owner thread gets past an ownership check to the initialisation: it cannot run twice at once.
      if (!shared || (shared.kind === 'shared-instance' && ctx.model.ownerOnly(assignment))) return;
      // `if self._open: raise …` before `self._open = True`, on an object nothing shows is shared:
      // a guard against misuse (entering twice, writing while a handle is open), not a lazy initialisation
      // its users race to run. (On an object shared by design — a decorator's — it is the race.)
      if (guard && raisesWhenSet(node) && shared.confidence === 'low') return;
      const verdict = raceVerdict(node, scope, shared, ctx);
      if (!verdict) return;
      const name = subject ? snippet(subject, 40) : target;
      if (init.lockedInside && ctx.model.heldLocks(assignment).length === 0) {
        // The helper locks but does not test again: double-checked locking without the second check.
        ctx.report(assignment, {
          severity: verdict.severity,
          confidence: verdict.confidence,
          message:
            `\`${snippet(assignment, 40)}\` initialises ${shared.description} holding a lock, but does not test \`${name}\` again inside it (tested at line ${condition.startPosition.row + 1}, without the lock): ` +
            `two threads that both passed the test each run it in turn, so the work it guards runs twice.${verdict.where} Repeat the test inside the helper's \`with\` block.`,
        });
      } else if (ctx.model.heldLocks(assignment).length === 0 && reentrancyReset(assignment, target)) {
        // `if busy: return` / `busy = True` / `try: … finally: busy = False`: a guard against re-entry,
        // which every thread shares when it lives in a global or on a shared object.
        const reset = reentrancyReset(assignment, target)!;
        ctx.report(assignment, {
          severity: verdict.severity,
          confidence: verdict.confidence,
          message:
            `\`${name}\` is a re-entrancy guard (tested at line ${condition.startPosition.row + 1}, set here, reset in the \`finally\` at line ${reset.startPosition.row + 1}) kept in ${shared.description}, which every thread shares: ` +
            `on free-threaded Python two threads can both pass the test, and one thread's guard turns another away with the early answer.${verdict.where} ` +
            `Keep the guard per thread (\`threading.local()\` or a \`ContextVar\`), or hold a lock over the guarded work.`,
        });
      } else if (ctx.model.heldLocks(assignment).length === 0) {
        // Reported at the initialisation: the line that runs twice when two threads pass the test.
        ctx.report(assignment, {
          severity: verdict.severity,
          confidence: verdict.confidence,
          // A guard clause's lock must reach the initialisation after the if.
          fix: guardFix(ctx, node, scope, shared, guard ? assignment : undefined),
          message:
            `Lazy initialisation of ${shared.description} without a lock (tested at line ${condition.startPosition.row + 1}): on free-threaded Python two threads can both see \`${name}\` unset and both run \`${snippet(assignment, 40)}\`, ` +
            `${setsFlag(assignment) ? 'so the work it guards runs twice' : 'so the initialisation runs twice and callers can be handed different results'}.${verdict.where} ` +
            `Initialise it at import time, or take a lock and check again inside it (double-checked locking).`,
        });
      } else if (!rechecked(assignment, node, ctx.model) && !(guard && isLazyInitialisationUnderGuard(assignment, target))) {
        ctx.report(assignment, {
          severity: verdict.severity,
          confidence: verdict.confidence,
          message:
            `Double-checked locking without the second check: \`${name}\` is tested outside the lock but not tested again inside it, so two threads that both passed the first test ` +
            `each initialise it in turn.${verdict.where} Repeat \`if ${snippet(condition!, 40)}:\` inside the \`with\` block.`,
        });
      }
    },
  },
};
