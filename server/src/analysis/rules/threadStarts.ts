// Where a class lets a thread run one of its own methods, and what orders the starter and the thread:
// shared by the rules about what a thread sees when it starts (FT113, FT114).
import type { Node } from '../parser';
import type { ClassInfo, ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { namedChildren } from '../model/syntax';
import { isTestCode } from '../model/testCode';

/**
 * Spawners that run their callable at once on the new thread. A callable handed to a thread object's
 * constructor as a callback (`WorkerThread(self.on_exception, tasks)`) runs when that thread decides.
 */
export const RUNS_AT_ONCE = /^[\w.]*(?:Thread\(target=|Timer\(|start_new(?:_thread)?\(|submit\(|run_in_executor\(|to_thread\()/;

/** Calls before a read that order it after the starter's later statements (a hand-off the thread waits for). */
export const WAITS = /\.(?:wait|get|acquire|join|recv|accept)\(|\bsleep\(/;

/**
 * Calls that block until another thread acts, told apart from look-alikes: a queue's `get()` (no key)
 * and a thread's `join()` (no iterable) wait; `d.get(key)` and `", ".join(parts)` do not.
 */
export const BLOCKING_WAITS = /\.(?:wait|acquire|recv|accept)\(|\.(?:get|join)\((?:\s*\)|\s*(?:timeout|block)\s*=|\s*(?:True|False|\d))|\bsleep\(/;

/** The call after which `spawn`'s thread runs: the site itself (a pool's submit), `Thread(…).start()`, or `t.start()` after `t = Thread(…)`. */
function startOf(site: Node, pool: boolean, starter: FunctionScope, model: ModuleModel): Node | null {
  if (site.type !== 'call') return null;
  if (pool) return site;
  const parent = site.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'start' && parent.parent?.type === 'call') return parent.parent;
  const assignment = parent?.type === 'assignment' && parent.childForFieldName('right')?.id === site.id ? parent : null;
  const holder = assignment?.childForFieldName('left')?.text;
  if (!holder) return null;
  return model.callsIn(starter.node).find((c) => c.startIndex > site.endIndex && c.childForFieldName('function')?.text === `${holder}.start`) ?? null;
}

export interface Publication {
  starter: FunctionScope;
  start: Node;
  entry: Node;
  cls: ClassInfo;
}

/**
 * Where a method of a class lets a thread run one of the object's own methods: `Thread(target=self._run)`
 * then its start, a pool's `submit(self._work)`, or `self.start()` in a method of a `Thread` subclass
 * (whose `run` the thread runs).
 */
export function publications(model: ModuleModel): Publication[] {
  const out: Publication[] = [];
  for (const spawn of model.threads.spawns) {
    if (spawn.entry.assumed || spawn.entry.external || spawn.fn.type !== 'function_definition') continue;
    const entryScope = model.scopeOf(spawn.fn.childForFieldName('body') ?? spawn.fn);
    const cls = entryScope?.classNode ? model.classInfo(entryScope.classNode) : null;
    if (!entryScope?.receiver || !cls) continue;
    if (spawn.entry.threadClass) {
      // `self.start()` in the thread class's own methods (most often the end of `__init__`).
      for (const method of cls.methods.values()) {
        const starter = model.scopeOf(method.childForFieldName('body') ?? method);
        if (!starter?.receiver || method === spawn.fn || isTestCode(starter)) continue;
        const start = model.callsIn(method).find((c) => c.childForFieldName('function')?.text === `${starter.receiver}.start` && namedChildren(c.childForFieldName('arguments')!).length === 0);
        if (start) out.push({ starter, start, entry: spawn.fn, cls });
      }
      continue;
    }
    if (!RUNS_AT_ONCE.test(spawn.entry.via)) continue;
    const starter = model.scopeOf(spawn.site);
    if (!starter?.receiver || starter.classNode?.id !== cls.node.id || isTestCode(starter)) continue;
    // The entry must be the starter's own object's method (`target=self._run`), not another object's.
    const target = spawn.target;
    if (target && !(target.type === 'attribute' && target.childForFieldName('object')?.text === starter.receiver)) continue;
    const start = startOf(spawn.site, spawn.pool, starter, model);
    if (start) out.push({ starter, start, entry: spawn.fn, cls });
  }
  return out;
}
