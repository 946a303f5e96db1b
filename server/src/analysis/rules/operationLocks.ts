// A lock whose every critical section does slow work — I/O on a device, a connection or a file, a
// sleep, a subprocess — serialises that work: one reconnect, one command-and-reply on a serial line,
// one writer of a file at a time. Making the others wait is the lock's purpose, not a slow path in
// front of quick reads and updates of shared state (FT210's concern).
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import { withItems } from '../model/locks';
import { methodName } from './hazards';
import { MUTATING_METHODS } from '../model/mutations';
import { RECEIVES, SENDS } from './FT115-exchange-without-lock';

/** Methods that move data to or from a peer, a device or a file. */
const IO_METHODS: ReadonlySet<string> = new Set([...SENDS, ...RECEIVES, 'flush', 'connect', 'request', 'urlopen']);

const CALL: ReadonlySet<string> = new Set(['call']);
const WRITES: ReadonlySet<string> = new Set(['assignment', 'augmented_assignment', 'delete_statement', 'call']);

/** Blocking work a call does itself (FT210's list), given by the rule to keep this module free of it. */
export type BlockingTest = (call: Node, model: ModuleModel) => string | null;

const cache = new WeakMap<ModuleModel, Map<string, boolean>>();

/** `self._lock` in a method of `Conn` → `Conn#_lock`; a module-level lock → its text; null for anything else. */
function lockKey(lock: string, at: Node, model: ModuleModel): string | null {
  const text = lock.replace(/\s+/g, '');
  if (text.includes('(')) return null;
  const scope = model.scopeOf(at);
  if (scope?.receiver && text.startsWith(`${scope.receiver}.`)) {
    const cls = model.classInfo(scope.classNode);
    return cls ? `${cls.name}#${text.slice(scope.receiver.length + 1)}` : null;
  }
  return /^\w+$/.test(text) ? text : null;
}

/**
 * Does every `with` block of the module that takes `lock` (as named at `at`) do slow work, directly
 * or in a function of the module it calls? Two such blocks at least; a lock also taken by `acquire()`
 * or only by callers elsewhere is not known well enough (false).
 */
export function serialisesSlowWork(lock: string, at: Node, model: ModuleModel, blocking: BlockingTest): boolean {
  const key = lockKey(lock, at, model);
  if (!key) return false;
  let known = cache.get(model);
  if (!known) cache.set(model, (known = new Map()));
  let answer = known.get(key);
  if (answer === undefined) known.set(key, (answer = everySectionSlow(key, model, blocking)));
  return answer;
}

function everySectionSlow(key: string, model: ModuleModel, blocking: BlockingTest): boolean {
  let sections = 0;
  for (const { node: statement } of model.index.all('with_statement')) {
    if (!withItems(statement).some((item) => lockKey(item.text, statement, model) === key)) continue;
    const body = statement.childForFieldName('body');
    if (!body || !slowWork(body, model, blocking, true) || writesSharedState(body, model)) return false;
    sections++;
  }
  // One section alone is the canonical slow path: whether other threads would wait for anything but
  // the same work cannot be told. Several, each doing the work and nothing else, are its serialiser.
  if (sections < 2) return false;
  // Taken by hand too (`lock.acquire()`): those sections are not read here.
  const name = key.includes('#') ? key.split('#')[1] : key;
  return !new RegExp(String.raw`\b${name.replace(/\./g, '\\.')}\.acquire\(`).test(model.text);
}

/**
 * Does the block change an object's field or a module global (`self.x = …`, `results[k] = …`,
 * `pending.append(…)`)? Then the lock guards that state too, and the slow work keeps its readers waiting.
 */
function writesSharedState(body: Node, model: ModuleModel): boolean {
  const scope = model.scopeOf(body);
  const shared = (target: Node | null | undefined): boolean => {
    let root = target ?? null;
    while (root && (root.type === 'attribute' || root.type === 'subscript')) root = root.type === 'attribute' ? root.childForFieldName('object') : root.childForFieldName('value');
    if (root?.type !== 'identifier') return false;
    if (root !== target && root.text === scope?.receiver) return true;
    const kind = model.resolve(root.text, scope).kind;
    return kind === 'global' || (kind === 'module' && root !== target) || (root === target && !!scope?.globals.has(root.text));
  };
  for (const n of model.nodesWithin(body, WRITES)) {
    if (n.type === 'call') {
      const callee = n.childForFieldName('function');
      if (callee?.type === 'attribute' && MUTATING_METHODS.has(callee.childForFieldName('attribute')?.text ?? '') && shared(callee.childForFieldName('object'))) return true;
    } else if (n.type === 'delete_statement' ? n.namedChildren.some((t) => shared(t)) : shared(n.childForFieldName('left'))) return true;
  }
  return false;
}

/** Slow work among the calls in `node` (its own scope), or one call down into the module's functions. */
function slowWork(node: Node, model: ModuleModel, blocking: BlockingTest, deeper: boolean): boolean {
  const calls = model.nodesWithin(node, CALL);
  if (calls.some((call) => blocking(call, model) || IO_METHODS.has(methodName(call) ?? ''))) return true;
  if (!deeper) return false;
  for (const call of calls) {
    const callee = call.childForFieldName('function');
    for (const fn of callee ? model.functionsFor(callee, call) : []) {
      const body = fn.childForFieldName('body');
      if (body && slowWork(body, model, blocking, false)) return true;
    }
  }
  return false;
}
