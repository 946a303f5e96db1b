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
import { exits as exitsEarly } from './FT103-check-then-act';
import { runsAlone } from './common';
import { isTestCode } from './hazards';
import { readOnceFix } from '../fixes/readOnce';

/** A clear of the state: `self.x = None` / `G = None` / `del self.x`, in the function `scope`. */
interface Clear {
  node: Node;
  scope: FunctionScope;
}

/** What a condition tests against None: `x is None`, `x is not None`, `not x`, `x` → the tested expression and its sense. */
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

/** The receiver field (`self.x`) or module global the subject names, as a key; null for anything else. */
function stateOf(subject: Node, scope: FunctionScope, model: ModuleModel): { key: string; field: string | null } | null {
  if (subject.type === 'attribute') {
    const object = subject.childForFieldName('object');
    const field = subject.childForFieldName('attribute')?.text;
    if (object?.type !== 'identifier' || !scope.receiver || object.text !== scope.receiver || !field || !scope.classNode) return null;
    return { key: `${scope.classNode.id}.${field}`, field };
  }
  if (subject.type === 'identifier' && !scope.locals.has(subject.text) && !scope.parameters.has(subject.text) && model.bindings.get(subject.text)?.kind === 'value') {
    return { key: subject.text, field: null };
  }
  return null;
}

const clearsCache = new WeakMap<ModuleModel, Map<string, Clear[]>>();

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
      if (n.type === 'assignment' && n.childForFieldName('right')?.type === 'none') targets = [n.childForFieldName('left')!];
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

/**
 * Does the clear run on a thread that really exists beside the user of the state? A thread this module
 * starts (not one assumed by `--assume-concurrent`, not one reached by name from another module), and
 * for a field, the object's own thread: started from a method of the same class (`Thread(target=
 * self._run)`), so the thread and the caller hold the same object.
 */
function clearedOnOwnThread(clearScope: FunctionScope, useScope: FunctionScope, model: ModuleModel): boolean {
  const entry = model.threads.entryFor(clearScope);
  if (!entry || entry.assumed || entry.external) return false;
  // The same thread runs the use: the clear cited cannot land between its test and its use.
  if (model.threads.entryFor(useScope)?.site === entry.site) return false;
  const cls = useScope.classNode;
  if (!cls) return true; // a module global: any thread this module starts
  if (clearScope.classNode?.id !== cls.id) return false;
  if (model.dedicatedThreadOf(clearScope)) return true;
  return entry.site.startIndex >= cls.startIndex && entry.site.endIndex <= cls.endIndex;
}

export const FT111: Rule = {
  code: 'FT111',
  name: 'use-after-check',
  summary: 'A field tested for None and then used, while another thread sets it to None (the use can see None)',
  precision: 'medium',
  visit: {
    if_statement(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      const condition = node.childForFieldName('condition');
      const scope = model.scopeOf(node);
      if (!condition || !scope || isTestCode(scope)) return;
      for (const test of noneTests(condition)) checkUse(node, condition, test, scope, ctx);
    },
  },
};

function checkUse(node: Node, condition: Node, test: { subject: Node; nonNoneWhenTrue: boolean }, scope: FunctionScope, ctx: RuleContext): void {
  const { model } = ctx;
  const state = stateOf(test.subject, scope, model);
  if (!state) return;
  const clears = clearsOf(model).get(state.key);
  if (!clears) return;
  // Where the test has ruled None out: the body of `if x:` / `if x is not None:`, or what follows an
  // early exit on `if x is None: return`.
  const region = test.nonNoneWhenTrue ? namedChildren(node.childForFieldName('consequence') ?? node) : exitsEarly(node) ? siblingsAfter(node) : [];
  const use = firstUse(region, test.subject, scope, model);
  if (!use || model.isDeadCode(use) || runsAlone(use, scope, ctx)) return;
  // The test and the use both run under what the test holds (the use is inside or after it, in the
  // same block): a clear holding one of those locks cannot land between them.
  const testLocks = model.heldLocks(node);
  // A clear another thread runs, holding no lock the test holds. Construction and code that runs
  // alone (after fork, at exit, a finaliser) clear nothing while the object is in use.
  const clear = clears.find(
    (c) =>
      c.scope !== scope &&
      !model.isConstructionOnly(c.scope) &&
      !runsAlone(c.node, c.scope, ctx) &&
      !model.isDeadCode(c.node) &&
      !model.heldLocks(c.node).some((l) => testLocks.includes(l)) &&
      clearedOnOwnThread(c.scope, scope, model),
  );
  if (!clear) return;
  const entry = model.threads.entryFor(clear.scope)!;
  const useEntry = model.threads.entryFor(scope);
  const assumed = entry.assumed || !!useEntry?.assumed;
  const via = entry.site === clear.scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
  const subject = test.subject.text;
  ctx.report(use, {
    severity: assumed ? 'warning' : useEntry ? 'error' : 'warning',
    confidence: assumed ? 'low' : 'high',
    fix: readOnceFix(ctx, node, test.subject, region, test.nonNoneWhenTrue),
    message:
      `\`${snippet(use, 40)}\` reads \`${subject}\` again after \`if ${snippet(condition!, 40)}\` (line ${condition!.startPosition.row + 1}) ruled out None, ` +
      `but \`${clear.scope.name}\` sets it to None (line ${clear.node.startPosition.row + 1}) on another thread (\`${clear.scope.name}\` runs on threads: ${via})` +
      `${clear.node.type === 'delete_statement' ? ' — here it deletes it' : ''}. The check and the use are two reads: on free-threaded Python the clear can land between them, ` +
      `and the use fails (AttributeError or TypeError on None). Read \`${subject}\` once into a local, then test and use the local.`,
  });
}
