// A lock a function makes on every call and never hands on (`lock = threading.Lock()`, then only
// `with lock:` / `lock.acquire()` / `lock.release()`): each call, each thread, holds its own, so it
// excludes no one. FT207 reports it; other rules must not take it for a guard.
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Is every use of `name` in the function's body a binding, a `with`, or acquire/release/locked? */
export function usedOnlyAsLock(name: string, body: string): boolean {
  // Comments name it too (`# set the global importlock here`): they are no use.
  const bodyText = body.replace(/#[^\n]*/g, '');
  const uses = [...bodyText.matchAll(new RegExp(`(?<![\\w.])${escape(name)}(?!\\w)`, 'g'))].length;
  const allowed = [
    ...bodyText.matchAll(new RegExp(`(?<![\\w.])${escape(name)}\\s*=\\s*`, 'g')),
    ...bodyText.matchAll(new RegExp(`\\bwith\\s+(?:[^:\\n]*,\\s*)?${escape(name)}\\s*(?=[:,]|\\s+as\\b)`, 'g')),
    ...bodyText.matchAll(new RegExp(`(?<![\\w.])${escape(name)}\\.(?:acquire|release|locked)\\(`, 'g')),
  ].length;
  return uses === allowed;
}

/** Is the lock `name`, held in `scope`, one the function makes on every call and keeps to itself? */
export function isPerCallLock(name: string, scope: FunctionScope, model: ModuleModel): boolean {
  if (!/^\w+$/.test(name) || !scope.locals.has(name)) return false;
  const body = scope.node.childForFieldName('body');
  if (!body) return false;
  const bindings = model.assignmentsOf(scope).filter((a) => a.childForFieldName('left')?.text === name);
  return bindings.length > 0 && bindings.every((a) => model.isLockConstruction(a.childForFieldName('right'))) && usedOnlyAsLock(name, body.text);
}
