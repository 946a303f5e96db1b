// What FT111's two forms share: the state a test names, and a clear (or removal) of it that another
// thread can make between the test and the use.
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { ThreadEntry } from '../model/threads';
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
      // The clear runs on a thread beside the user, or the user runs on a thread beside the clear
      // (a trace hook using the field while `stop()` on the caller's thread clears it).
      (clearedOnOwnThread(c.scope, scope, model, owner) || (publicApi(c.scope) && clearedOnOwnThread(scope, c.scope, model, owner) && !joinedBeforeClear(c, model.threads.entryFor(scope)!, model))),
  );
}

/**
 * The thread that runs the use is over when the clear runs: it was submitted inside a `with
 * ThreadPoolExecutor() as pool:` (done when the block ends), or the clear's function — or every call of
 * it in the module (`stop()`: `self.join()`, then `self.close()`) — joins that thread first, itself or
 * through methods of the object it calls first (`self._stop_heartbeat()`, which joins it; `super().close()`,
 * whose `self.disable()` runs this class's override, which joins it).
 */
function joinedBeforeClear(clear: Clear, entry: ThreadEntry, model: ModuleModel): boolean {
  if (forkJoined(entry.site)) return true;
  const thread = threadObject(entry);
  if (!thread) return false;
  const joins = (n: Node, scope: FunctionScope) => n.type === 'call' && n.childForFieldName('function')?.text === `${thread(scope)}.join`;
  // The object's own class: `self.disable()` written in a base class runs the override of this class.
  const objectClass = model.classInfo(clear.scope.classNode);
  const visited = new Set<number>();
  // Joined there, or by a method of the object called there first, up to three calls deep
  // (`self._heartbeat_stop()`: `self._thread.join()`; `super().close()` → `self.disable()` → join).
  const joinedBefore = (at: Node | null, scope: FunctionScope, depth = 0): boolean =>
    model.ownNodes(scope).some((n) => {
      if (n.type !== 'call' || (at && n.startIndex >= at.startIndex)) return false;
      if (joins(n, scope)) return true;
      if (depth >= 3) return false;
      const callee = n.childForFieldName('function');
      if (callee?.type !== 'attribute') return false;
      return calledMethods(callee, n, scope).some((fn) => {
        const body = fn.childForFieldName('body');
        const helper = body ? model.scopeOf(body) : null;
        if (!helper?.receiver || visited.has(fn.id)) return false;
        visited.add(fn.id);
        return joinedBefore(null, helper, depth + 1);
      });
    });
  const calledMethods = (callee: Node, call: Node, scope: FunctionScope): Node[] => {
    const object = callee.childForFieldName('object');
    const name = callee.childForFieldName('attribute')?.text ?? '';
    if (object?.text === scope.receiver) {
      const own = objectClass ? model.methodOfObject(objectClass, name) : null;
      return own ? [own] : model.functionsFor(callee, call);
    }
    // `super().close()`, `super(Cls, self).close()`: the next class's method in the object's lineage.
    const writtenIn = model.classInfo(scope.classNode);
    if (object?.type === 'call' && object.childForFieldName('function')?.text === 'super' && writtenIn) {
      const next = model.methodOfObject(writtenIn, name, writtenIn);
      return next ? [next] : [];
    }
    return [];
  };
  if (joinedBefore(clear.node, clear.scope)) return true;
  const callers = model.callersOf(clear.scope.node);
  return callers.length > 0 && callers.every((call) => {
    const caller = model.scopeOf(call);
    return !!caller && joinedBefore(call, caller);
  });
}

/** How code names the thread an entry runs on: a Thread subclass's `self`, or where `Thread(target=…)` was stored. */
function threadObject(entry: ThreadEntry): ((scope: FunctionScope) => string | undefined) | null {
  if (entry.threadClass) return (scope) => scope.receiver ?? undefined;
  const stored = entry.site.parent?.type === 'assignment' && entry.site.parent.childForFieldName('right') === entry.site ? entry.site.parent.childForFieldName('left')?.text : undefined;
  return stored ? () => stored : null;
}

/**
 * Work submitted inside `with ThreadPoolExecutor() as pool:` is done when the block ends: it runs
 * within the submitting call, not beside the object's later life.
 */
function forkJoined(site: Node | undefined): boolean {
  const fn = site?.type === 'call' ? site.childForFieldName('function') : null;
  const pool = fn?.type === 'attribute' ? fn.childForFieldName('object')?.text : undefined;
  if (!pool) return false;
  for (let n = site!.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    const clause = namedChildren(n).find((c) => c.type === 'with_clause');
    for (const item of clause ? namedChildren(clause) : []) {
      const value = item.childForFieldName('value') ?? namedChildren(item)[0];
      if (value?.type === 'as_pattern' && /(?:Executor|Pool)\(/.test(namedChildren(value)[0]?.text ?? '') && value.childForFieldName('alias')?.text === pool) return true;
    }
  }
  return false;
}

/**
 * A method or function the module's users call (`stop`, `close`): on their own threads. (A private
 * helper's callers may be ordered against the thread — a callback it hands back to a loop — or hold the
 * lock the use holds: not followed here.)
 */
function publicApi(scope: FunctionScope): boolean {
  return scope.parent === null && (!scope.name.startsWith('_') || (scope.name.startsWith('__') && scope.name.endsWith('__') && scope.name !== '__init__'));
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
  if (entry.site.startIndex >= cls.startIndex && entry.site.endIndex <= cls.endIndex) return true;
  // A thread a subclass starts on its objects (`class Layer(Logic)` starting the relay that calls `sleep_time`).
  const starter = model.scopeOf(entry.site)?.classNode;
  return !!starter && model.derivesFrom(starter, cls);
}

/** Where a test has ruled its case out: the body when it holds there (`if x:`), else what follows an early exit (`if x is None: return`). */
export function ruledOutRegion(ifNode: Node, inBody: boolean): Node[] {
  return inBody ? namedChildren(ifNode.childForFieldName('consequence') ?? ifNode) : exitsEarly(ifNode) ? siblingsAfter(ifNode) : [];
}

/**
 * How a report against `clear` reads: error when a thread runs the use too, low confidence when a thread
 * is only assumed, and which side runs on a thread (`threads`: "on another thread (`stop` runs on
 * threads: …)", or "while `__call__` runs on threads (…)" when the user is the thread and the clear is its caller's).
 */
export function clearReport(clear: Clear, scope: FunctionScope, model: ModuleModel): { severity: Finding['severity']; confidence: Finding['confidence']; via: string; threads: string } {
  const clearEntry = model.threads.entryFor(clear.scope);
  const useEntry = model.threads.entryFor(scope);
  // The clear's thread is the story unless only --assume-concurrent supplies it while a real thread runs
  // the use (audit mode must not tell a weaker story than default mode does).
  const onClear = !!clearEntry && !clearEntry.external && clearEntry.site !== useEntry?.site && !(clearEntry.assumed && useEntry && !useEntry.assumed);
  const entry = (onClear ? clearEntry : useEntry)!;
  const entryScope = onClear ? clear.scope : scope;
  const assumed = entry.assumed || (onClear && !!useEntry?.assumed);
  const via = entry.site === entryScope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
  return {
    severity: assumed ? 'warning' : useEntry ? 'error' : 'warning',
    confidence: assumed ? 'low' : 'high',
    via,
    threads: onClear ? `on another thread (\`${clear.scope.name}\` runs on threads: ${via})` : `while \`${scope.name}\` runs on threads (${via})`,
  };
}
