// FT111 — a field (or global) tested for None, then used, while another thread sets it to None:
//
//     def stop(self):
//         if self._thread is None:     # the check
//             return
//         self._thread.join()          # the use reads the field again
//
//     def _run(self):                  # the thread's target
//         ...
//         self._thread = None          # the clear, on the other thread
//
// Each read of `self._thread` is atomic; the check and the use are two reads, and the clear can land
// between them, so the use raises AttributeError on None. Docs: docs/rules/FT111.md
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { Rule, RuleContext } from '../types';
import { namedChildren, siblingsAfter, snippet } from '../model/syntax';
import { runsAlone } from './common';
import { isTestCode, textHas } from './hazards';
import { readOnceFix } from '../fixes/readOnce';
import { checkKeyRead, keyTests } from './keyAfterCheck';
import { clearReport, concurrentClear, ruledOutRegion, stateOf, type Clear } from './clears';

/**
 * The None tests a condition makes on its own or joined: `a is None or b is None` (false: both set, as
 * after an early exit), `a and b is not None` (true: both set). Operands joined the other way prove
 * nothing about each other and are left out.
 */
function noneTests(condition: Node): Array<{ subject: Node; nonNoneWhenTrue: boolean }> {
  if (condition.type === 'parenthesized_expression') {
    const inner = namedChildren(condition)[0];
    return inner ? noneTests(inner) : [];
  }
  if (condition.type === 'boolean_operator') {
    const op = condition.children.find((c) => !c.isNamed)?.type;
    const parts = [condition.childForFieldName('left'), condition.childForFieldName('right')].flatMap((c) => (c ? noneTests(c) : []));
    // `and`: all true, each set when true; `or`: all false, each set when false.
    return parts.filter((t) => t.nonNoneWhenTrue === (op === 'and'));
  }
  const one = noneTest(condition);
  return one ? [one] : [];
}

/** What a condition tests against None: `x is None`, `x is not None`, `not x`, `x` → the tested expression and its sense. */
function noneTest(condition: Node): { subject: Node; nonNoneWhenTrue: boolean } | null {
  if (condition.type === 'parenthesized_expression') {
    const inner = namedChildren(condition)[0];
    return inner ? noneTest(inner) : null;
  }
  if (condition.type === 'not_operator') {
    const arg = condition.childForFieldName('argument');
    const inner = arg ? noneTest(arg) : null;
    return inner ? { subject: inner.subject, nonNoneWhenTrue: !inner.nonNoneWhenTrue } : null;
  }
  if (condition.type === 'attribute' || condition.type === 'identifier') return { subject: condition, nonNoneWhenTrue: true };
  if (condition.type === 'comparison_operator') {
    const operands = namedChildren(condition);
    const ops = condition.children.filter((c) => !c.isNamed).map((c) => c.type);
    if (operands.length !== 2 || operands[1].type !== 'none' || ops.length !== 1) return null;
    if (ops[0] === 'is' || ops[0] === '==') return { subject: operands[0], nonNoneWhenTrue: false };
    if (ops[0] === 'is not' || ops[0] === '!=') return { subject: operands[0], nonNoneWhenTrue: true };
  }
  return null;
}


const clearsCache = new WeakMap<ModuleModel, Map<string, Clear[]>>();

/** The value an assignment stores, through a chain (`self._a = self._b = None` stores None in both). */
function chainedValue(assignment: Node): Node | null {
  let value = assignment.childForFieldName('right');
  while (value?.type === 'assignment') value = value.childForFieldName('right');
  return value;
}

/** Every `= None` (and `del`) of a receiver field or a declared global, by state key. */
function clearsOf(model: ModuleModel): Map<string, Clear[]> {
  let map = clearsCache.get(model);
  if (map) return map;
  map = new Map();
  const add = (key: string, clear: Clear) => {
    const list = map!.get(key);
    if (list) list.push(clear);
    else map!.set(key, [clear]);
  };
  for (const scope of model.allScopes()) {
    for (const n of model.ownNodes(scope)) {
      let targets: Node[] = [];
      if (n.type === 'assignment' && chainedValue(n)?.type === 'none') targets = [n.childForFieldName('left')!];
      else if (n.type === 'delete_statement') targets = namedChildren(n).flatMap((t) => (t.type === 'expression_list' ? namedChildren(t) : [t]));
      for (const target of targets) {
        if (target.type === 'identifier' && !scope.globals.has(target.text)) continue;
        const state = target ? stateOf(target, scope, model) : null;
        if (state) add(state.key, { node: n, scope });
      }
    }
  }
  clearsCache.set(model, map);
  return map;
}

/** The first use of `subject` (`x.attr`, `x(…)`, `x[…]`) among `statements`, before anything rebinds it. */
function firstUse(statements: Node[], subject: Node, scope: FunctionScope, model: ModuleModel): Node | null {
  const text = subject.text;
  for (const stmt of statements) {
    const nodes = [stmt, ...stmt.descendantsOfType(['attribute', 'call', 'subscript', 'assignment', 'augmented_assignment'])];
    for (const n of nodes) {
      if (model.scopeOf(n) !== scope) continue;
      if ((n.type === 'assignment' || n.type === 'augmented_assignment') && n.childForFieldName('left')?.text === text) return null;
      const base = n.type === 'attribute' ? n.childForFieldName('object') : n.type === 'call' ? n.childForFieldName('function') : n.type === 'subscript' ? n.childForFieldName('value') : null;
      if (base?.text !== text) continue;
      // `self.x.y = v` assigns through it; still a use (it fails on None), so is `self.x()`.
      return n;
    }
  }
  return null;
}

export const FT111: Rule = {
  code: 'FT111',
  name: 'use-after-check',
  summary: 'A field tested for None (or a dict key for presence) and then used, while another thread clears it (the use can see None, or raise KeyError)',
  precision: 'medium',
  visit: {
    if_statement(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      const condition = node.childForFieldName('condition');
      const scope = model.scopeOf(node);
      if (!condition || !scope || isTestCode(scope)) return;
      for (const test of noneTests(condition)) checkUse(node, condition, test, scope, ctx);
      for (const test of keyTests(condition)) checkKeyRead(node, condition, test, scope, ctx);
    },
    // `while self.sock: data = self.sock.recv(…)`: each pass tests the field, then reads it again to use it.
    while_statement(node: Node, ctx: RuleContext) {
      const condition = node.childForFieldName('condition');
      const body = node.childForFieldName('body');
      const scope = ctx.model.scopeOf(node);
      if (!condition || !body || !scope || isTestCode(scope)) return;
      for (const test of noneTests(condition)) if (test.nonNoneWhenTrue) checkUse(node, condition, test, scope, ctx, [body], 'while ');
    },
    // A worker's loop that uses `self.sock` with no None check at all while `close()` clears it.
    function_definition(node: Node, ctx: RuleContext) {
      checkUncheckedUses(node, ctx);
    },
    // `assert self._x is not None` and then `self._x.f()`: the assert is the check, what follows it the use.
    assert_statement(node: Node, ctx: RuleContext) {
      const condition = namedChildren(node)[0];
      const scope = ctx.model.scopeOf(node);
      if (!condition || !scope || isTestCode(scope)) return;
      const after = siblingsAfter(node);
      for (const test of noneTests(condition)) if (test.nonNoneWhenTrue) checkUse(node, condition, test, scope, ctx, after, 'assert ');
    },
    // `not self.sock or self.sock.send(…)`, `self.x and self.x.f()`: the right side runs only where the
    // left ruled None out — a check and a use in one expression are still two reads.
    boolean_operator(node: Node, ctx: RuleContext) {
      const op = node.children.find((c) => !c.isNamed)?.type;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const scope = ctx.model.scopeOf(node);
      if (!left || !right || !scope || isTestCode(scope)) return;
      for (const test of noneTests(left)) if (test.nonNoneWhenTrue === (op === 'and')) checkUse(node, left, test, scope, ctx, [right], '');
    },
  },
};

/** `within`: where the test holds, when not an `if`'s (then `lead` is how the check is quoted: `assert `, or nothing for `x and x.f()`). */
function checkUse(node: Node, condition: Node, test: { subject: Node; nonNoneWhenTrue: boolean }, scope: FunctionScope, ctx: RuleContext, within?: Node[], lead = 'if '): void {
  const { model } = ctx;
  const state = stateOf(test.subject, scope, model);
  if (!state) return;
  const clears = clearsOf(model).get(state.key);
  if (!clears) return;
  // Where the test has ruled None out: the body of `if x:` / `if x is not None:`, or what follows an
  // early exit on `if x is None: return`.
  const region = within ?? ruledOutRegion(node, test.nonNoneWhenTrue);
  const use = firstUse(region, test.subject, scope, model);
  if (!use || model.isDeadCode(use) || runsAlone(use, scope, ctx)) return;
  const clear = concurrentClear(clears, node, scope, ctx, state.owner);
  if (!clear) return;
  const { severity, confidence, threads } = clearReport(clear, scope, model);
  const subject = test.subject.text;
  ctx.report(use, {
    severity,
    confidence,
    fix: within ? undefined : readOnceFix(ctx, node, test.subject, region, test.nonNoneWhenTrue),
    message:
      `\`${snippet(use, 40)}\` reads \`${subject}\` again after \`${lead}${snippet(condition!, 40)}\` (line ${condition!.startPosition.row + 1}) ruled out None, ` +
      `but \`${clear.scope.name}\` sets it to None (line ${clear.node.startPosition.row + 1}) ${threads}` +
      `${clear.node.type === 'delete_statement' ? ' — here it deletes it' : ''}. The check and the use are two reads: on free-threaded Python the clear can land between them, ` +
      `and the use fails (AttributeError or TypeError on None). Read \`${subject}\` once into a local, then test and use the local.`,
  });
}

/**
 * The unchecked form: code a thread of the module runs uses a field of its object (`self.sock.recv()`,
 * `self.cancellable.is_cancelled()`) that a method on another thread sets to None — a `close()` its
 * users call, a GUI handler resetting the object — and the function never tests it for None. The
 * first use per field is reported. A function that tests the field (the checked form above reports
 * it) or binds it itself is left alone, as are clears made only after the thread is joined.
 */
/** A field set to None (or deleted) somewhere in the module: the unchecked form's cheap gate. */
const FIELD_CLEAR = /\.\w+\s*=\s*None\b|\bdel\s+\w+\./;

function checkUncheckedUses(fn: Node, ctx: RuleContext): void {
  const { model } = ctx;
  const body = fn.childForFieldName('body');
  const scope = body ? model.scopeOf(body) : null;
  if (!scope?.receiver || !scope.classNode || isTestCode(scope)) return;
  const entry = model.threads.entryFor(scope);
  if (!entry || entry.assumed || entry.external || !textHas(model, ctx.text, FIELD_CLEAR)) return;
  const clears = clearsOf(model);
  if (clears.size === 0) return;
  const seen = new Set<string>();
  for (const n of model.ownNodes(scope)) {
    if (n.type !== 'call') continue;
    // `self.sock.recv(…)` (a method of the field's object) or `self.callback(…)` (the field called).
    const callee = n.childForFieldName('function');
    const held = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    const base: Node | null = held?.type === 'attribute' && held.childForFieldName('object')?.text === scope.receiver ? held : callee;
    if (base?.type !== 'attribute' || base.childForFieldName('object')?.text !== scope.receiver) continue;
    const field = base.childForFieldName('attribute')?.text;
    if (!field || seen.has(field)) continue;
    seen.add(field);
    const state = stateOf(base, scope, model);
    const fieldClears = state ? clears.get(state.key) : undefined;
    if (!state || !fieldClears || testsOrBinds(fn, base.text) || model.isDeadCode(n) || runsAlone(n, scope, ctx)) continue;
    const clear = concurrentClear(fieldClears, n, scope, ctx, state.owner);
    if (!clear || clear.node.type === 'delete_statement') continue;
    const { severity, confidence, threads } = clearReport(clear, scope, model);
    ctx.report(n, {
      severity,
      confidence,
      message:
        `\`${snippet(n, 40)}\` uses \`${base.text}\` with no None check, but \`${clear.scope.name}\` sets it to None (line ${clear.node.startPosition.row + 1}) ${threads}. ` +
        `On free-threaded Python the clear can land just before the use, which then fails (AttributeError or TypeError on None). ` +
        `Read \`${base.text}\` once into a local and test it, or clear it only after the thread has stopped.`,
    });
  }
}

/** Does the function test `subject` against None or for truth, or bind it, anywhere (then the unchecked form does not apply)? */
function testsOrBinds(fn: Node, subject: string): boolean {
  const s = subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${s}\\s+is\\s+(?:not\\s+)?None|(?:\\bif|\\bwhile|\\bnot|\\band|\\bor|\\belif|\\bassert)\\s+${s}\\b(?!\\.|\\[|\\()|${s}\\s+(?:and|or)\\b|${s}\\s*(?::|,)?\\s*=(?!=)|getattr\\(\\s*${s.split('\\.')[0]}`).test(fn.text);
}
