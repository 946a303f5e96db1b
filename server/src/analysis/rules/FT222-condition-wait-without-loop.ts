// FT222 — `cond.wait()` guarded by an `if` (or by nothing) instead of a `while` that re-tests the
// predicate: the waiter goes on although the state it waited for may not hold. Docs: docs/rules/FT222.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { namedChildren, snippet } from '../model/syntax';
import { isTestCode, methodName, methodReceiver, textHas } from './hazards';
import { constructedBy } from './constructions';

const GATE = /Condition\b/;
/** A receiver named as a condition variable, when what made it is not known here. */
const CONDITION_NAME = /(?:^|[._])(?:cond(?:ition)?|cv|not_empty|not_full|all_tasks_done)$/i;

export const FT222: Rule = {
  code: 'FT222',
  name: 'condition-wait-without-loop',
  summary: '`Condition.wait()` under an `if` instead of a `while` loop that re-tests the predicate: the waiter may go on while the state it waited for does not hold',
  precision: 'medium',
  visit: {
    call(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE) || methodName(node) !== 'wait') return;
      const receiver = methodReceiver(node);
      if (!receiver || node.parent?.type !== 'expression_statement') return;
      const made = constructedBy(receiver, model);
      if (made ? !/(?:^|\.)Condition$/.test(made) : !CONDITION_NAME.test(receiver.text)) return;
      const entered = enclosingWith(node, receiver.text);
      const scope = model.scopeOf(node);
      if (!entered || !scope || model.isDeadCode(node) || isTestCode(scope) || ctx.options.testModule) return;
      const guard = guardingIf(node, entered);
      if (looped(node, entered, guard)) return;
      // Nothing after the wait relies on the state (a helper that only waits, `wait(); return`): its
      // callers decide what to test.
      const after = statementsAfter(node.parent!, scope.node).filter((s) => !NO_WORK.has(s.type) && !(s.type === 'return_statement' && namedChildren(s).length === 0));
      if (after.length === 0) return;
      // The predicate tested again after the wait (`if not self.ready: raise Timeout`, `return
      // self._flag`) — for a wait with no guard, any test after it (`if self._state == FINISHED:`, a
      // `try: popleft()`): the code copes with waking to a state that does not hold.
      if (guard ? testedAgain(guard, entered) : after.some((s) => s.startIndex < entered.endIndex && RETESTS.has(s.type))) return;
      // A state that once set is never unset (`self._flag = True` its only change): one wake-up after
      // it is set finds it set.
      if (guard && setOnlyOnce(guard, scope, model)) return;
      const predicate = guard?.childForFieldName('condition');
      ctx.report(node, {
        severity: 'warning',
        message:
          (predicate
            ? `\`${snippet(node, 40)}\` runs once under \`if ${snippet(predicate, 40)}:\`, and the code after it takes the state to have changed. `
            : `\`${snippet(node, 40)}\` is not in a loop that tests what it waits for, and the code after it takes the state to have changed. `) +
          `A woken waiter only gets the lock back after the notifier and any other thread that takes it first: another consumer can undo the change in between, ` +
          `a \`notify_all()\` wakes waiters whose state did not change, and a timed wait returns on timeout. On free-threaded Python these threads really run at once. ` +
          `Wait in \`while <not ready>: ${snippet(receiver, 30)}.wait()\`, or use \`${snippet(receiver, 30)}.wait_for(predicate)\`.`,
      });
    },
  },
};

const NO_WORK: ReadonlySet<string> = new Set(['pass_statement', 'comment']);
const RETESTS: ReadonlySet<string> = new Set(['if_statement', 'while_statement', 'assert_statement', 'try_statement']);

/** The statements that run after `statement` in its block and in the blocks around it, up to the function. */
function statementsAfter(statement: Node, fn: Node): Node[] {
  const out: Node[] = [];
  for (let s: Node | null = statement; s && s.id !== fn.id; s = s.parent) {
    if (s.parent?.type !== 'block') continue;
    const siblings = namedChildren(s.parent);
    for (const next of siblings.slice(siblings.findIndex((x) => x.id === s!.id) + 1)) {
      out.push(next);
      // What follows a `return` (`raise`, `continue`, `break`) in this block is not reached from here.
      if (EXITS.has(next.type)) return out;
    }
  }
  return out;
}

const EXITS: ReadonlySet<string> = new Set(['return_statement', 'raise_statement', 'continue_statement', 'break_statement']);

/**
 * A guard that waits for one field to be set (`if not self._done:`, `if self._error is None:`) where
 * every change of it outside construction sets it (`self._done = True`, `self._error = text`): once set
 * it stays set, so one wake-up after it is set finds it set.
 */
function setOnlyOnce(guard: Node, scope: FunctionScope, model: ModuleModel): boolean {
  const condition = guard.childForFieldName('condition');
  const test = /^(?:not\s+)?(\w+)\.(\w+)(\s+is\s+None)?$/.exec(condition?.text ?? '');
  const cls = model.classInfo(scope.classNode);
  if (!test || test[1] !== scope.receiver || !cls) return false;
  const [, , field, noneTest] = test;
  let sets = 0;
  for (const method of cls.methods.values()) {
    const own = model.scopeOf(method.childForFieldName('body') ?? method);
    if (!own?.receiver || model.isConstructionOnly(own)) continue;
    for (const a of method.descendantsOfType(['assignment', 'augmented_assignment'])) {
      const left = a?.childForFieldName('left');
      if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== own.receiver || left.childForFieldName('attribute')?.text !== field) continue;
      const right = a!.type === 'assignment' ? a!.childForFieldName('right') : null;
      // `is None` waits for any value but None; a truth test for a true constant.
      const setsIt = noneTest ? !!right && right.type !== 'none' : right?.type === 'true';
      if (!setsIt) return false;
      sets++;
    }
  }
  return sets > 0;
}

/** The `with <receiver>:` block around the call, within its function. */
function enclosingWith(node: Node, receiver: string): Node | null {
  for (let n = node.parent; n && n.type !== 'function_definition' && n.type !== 'lambda'; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    const items = n.descendantsOfType('with_item').filter((item) => item?.parent?.parent?.id === n.id || item?.parent?.id === n.id);
    if (items.some((item) => item?.childForFieldName('value')?.text === receiver)) return n;
  }
  return null;
}

/**
 * Does a `while` loop run the wait again after re-testing? Any loop inside the `with` block re-runs the
 * guard under the lock; a loop around the `with` block counts for a guarded wait only when it tests the
 * guard's state (`while self._active:` around `with cond: if self._paused: cond.wait()` re-tests
 * nothing the wait was for). An unguarded wait in any loop is a signal wait, not judged here.
 */
function looped(node: Node, entered: Node, guard: Node | null): boolean {
  const guardPaths = guard ? testedPaths(guard.childForFieldName('condition')) : null;
  let inside = true;
  for (let n = node.parent; n && n.type !== 'function_definition' && n.type !== 'lambda'; n = n.parent) {
    if (n.id === entered.id) inside = false;
    if (n.type !== 'while_statement') continue;
    if (inside || !guardPaths) return true;
    if ([...testedPaths(n.childForFieldName('condition'))].some((p) => guardPaths.has(p))) return true;
    // The wait ends the iteration: the next one starts over, with every test before the wait.
    if (statementsAfter(node.parent!, n).every((x) => NO_WORK.has(x.type) || x.type === 'continue_statement')) return true;
  }
  return false;
}

/** The names and attribute paths a test reads (`self._paused`, `self`, `_paused` …), less a bare `self`. */
function testedPaths(test: Node | null): Set<string> {
  if (!test) return new Set();
  const nodes = [test, ...test.descendantsOfType(['attribute', 'identifier'])].filter((n): n is Node => !!n && (n.type === 'attribute' || n.type === 'identifier'));
  return new Set(nodes.filter((n) => n.type === 'attribute' || n.parent?.type !== 'attribute').map((n) => n.text).filter((t) => t !== 'self' && t !== 'not'));
}

/** The nearest `if` (or `elif`) between the `with` block and the call whose branch holds the call. */
function guardingIf(node: Node, entered: Node): Node | null {
  for (let inner: Node = node, n = node.parent; n && n.id !== entered.id; inner = n, n = n.parent) {
    if ((n.type === 'if_statement' || n.type === 'elif_clause') && n.childForFieldName('consequence')?.id === inner.id) return n;
  }
  return null;
}

/** Does code after the guarding `if`, still in the `with` block, test what the guard tested? */
function testedAgain(guard: Node, entered: Node): boolean {
  const paths = testedPaths(guard.childForFieldName('condition'));
  const statement = guard.type === 'elif_clause' ? guard.parent : guard;
  for (const later of entered.descendantsOfType(['if_statement', 'while_statement', 'assert_statement', 'return_statement'])) {
    if (!later || !statement || later.startIndex <= statement.endIndex) continue;
    // `return self._flag`: the fresh state handed to the caller.
    const test = later.type === 'assert_statement' || later.type === 'return_statement' ? namedChildren(later)[0] : later.childForFieldName('condition');
    if (later.type === 'return_statement') {
      if (test && paths.has(test.text)) return true;
      continue;
    }
    if ([...testedPaths(test ?? null)].some((p) => paths.has(p))) return true;
  }
  return false;
}
