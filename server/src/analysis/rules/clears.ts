// What FT111's two forms share: the state a test names, and a clear (or removal) of it that another
// thread can make between the test and the use.
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { Finding, RuleContext } from '../types';
import { runsAlone } from './common';
import { namedChildren, siblingsAfter } from '../model/syntax';
import { exits as exitsEarly } from './FT103-check-then-act';

/** A clear of the state (`self.x = None`, `G = None`, `del self.x`) or a removal from it, in the function `scope`. */
export interface Clear {
  node: Node;
  scope: FunctionScope;
}

/** The receiver field (`self.x`) or module global the subject names, as a key; null for anything else. */
export function stateOf(subject: Node, scope: FunctionScope, model: ModuleModel): { key: string; field: string | null; owner?: Node } | null {
  if (subject.type === 'attribute') {
    const object = subject.childForFieldName('object');
    const field = subject.childForFieldName('attribute')?.text;
    if (!scope.receiver || !field || !scope.classNode) return null;
    // `self.daemon.streams`, where `self.daemon` holds a class of this module: that class's field.
    if (object?.type === 'attribute' && object.childForFieldName('object')?.text === scope.receiver) {
      const cls = model.classInfo(scope.classNode);
      const holder = cls ? model.classOfField(cls, object.childForFieldName('attribute')?.text ?? '') : null;
      return holder && holder !== cls ? { key: `${holder.node.id}.${field}`, field, owner: holder.node } : null;
    }
    if (object?.type !== 'identifier' || object.text !== scope.receiver) return null;
    return { key: `${scope.classNode.id}.${field}`, field };
  }
  if (subject.type === 'identifier' && !scope.locals.has(subject.text) && !scope.parameters.has(subject.text) && model.bindings.get(subject.text)?.kind === 'value') {
    return { key: subject.text, field: null };
  }
  return null;
}

/**
 * A clear (or removal) that can land between the test at `test` and a use after it: made by another
 * function on another thread, holding no lock the test holds (the test and the use both run under
 * those, the use being inside or after the test in its block). Construction and code that runs alone
 * (after fork, at exit, a finaliser) clear nothing while the object is in use.
 */
export function concurrentClear(clears: readonly Clear[], test: Node, scope: FunctionScope, ctx: RuleContext, owner?: Node): Clear | undefined {
  const { model } = ctx;
  const testLocks = model.heldLocks(test);
  return clears.find(
    (c) =>
      c.scope !== scope &&
      !model.isConstructionOnly(c.scope) &&
      !runsAlone(c.node, c.scope, ctx) &&
      !model.isDeadCode(c.node) &&
      !model.heldLocks(c.node).some((l) => testLocks.includes(l)) &&
      clearedOnOwnThread(c.scope, scope, model, owner),
  );
}

/**
 * Does the clear run on a thread that really exists beside the user of the state? A thread this module
 * starts (not one assumed by `--assume-concurrent`, not one reached by name from another module), and
 * for a field, the object's own thread: started from a method of the same class (`Thread(target=
 * self._run)`), so the thread and the caller hold the same object.
 */
function clearedOnOwnThread(clearScope: FunctionScope, useScope: FunctionScope, model: ModuleModel, owner?: Node): boolean {
  const entry = model.threads.entryFor(clearScope);
  if (!entry || entry.assumed || entry.external) return false;
  // The same thread runs the use: the clear cited cannot land between its test and its use.
  if (model.threads.entryFor(useScope)?.site === entry.site) return false;
  // The object whose field it is: the user's own, or the one a field of it holds (`self.daemon`).
  const cls = owner ?? useScope.classNode;
  if (!cls) return true; // a module global: any thread this module starts
  if (clearScope.classNode?.id !== cls.id) return false;
  if (model.dedicatedThreadOf(clearScope)) return true;
  return entry.site.startIndex >= cls.startIndex && entry.site.endIndex <= cls.endIndex;
}

/** Where a test has ruled its case out: the body when it holds there (`if x:`), else what follows an early exit (`if x is None: return`). */
export function ruledOutRegion(ifNode: Node, inBody: boolean): Node[] {
  return inBody ? namedChildren(ifNode.childForFieldName('consequence') ?? ifNode) : exitsEarly(ifNode) ? siblingsAfter(ifNode) : [];
}

/** How a report against `clear` reads: error when a thread runs the use too, low confidence when a thread is only assumed, and where the clear's thread starts. */
export function clearReport(clear: Clear, scope: FunctionScope, model: ModuleModel): { severity: Finding['severity']; confidence: Finding['confidence']; via: string } {
  const entry = model.threads.entryFor(clear.scope)!;
  const useEntry = model.threads.entryFor(scope);
  const assumed = entry.assumed || !!useEntry?.assumed;
  return {
    severity: assumed ? 'warning' : useEntry ? 'error' : 'warning',
    confidence: assumed ? 'low' : 'high',
    via: entry.site === clear.scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`,
  };
}
