// Helpers shared by the FT2xx hazard rules (process-wide state, iterators, lock misuse, blocking calls).
// They only read the model; the race rules' severity policy lives in common.ts.
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { ThreadEntry } from '../model/threads';
import { calleeText, keywordArgument, namedChildren, positionalArguments } from '../model/syntax';

export { calleeText };
import { moduleMentions } from '../model/textGate';

// Several FT2xx rules visit every call: memoise per tree what they all ask (each answer costs wasm crossings).
const calleeCache = new WeakMap<ModuleModel, Map<number, string | null>>();
const methodCache = new WeakMap<Node, string | null>();

/** The qualified name of a call's callee (`os.putenv`, `threading.Lock`), through import aliases. */
export function calleeName(call: Node, model: ModuleModel): string | null {
  let cache = calleeCache.get(model);
  if (!cache) calleeCache.set(model, (cache = new Map()));
  let q = cache.get(call.id);
  if (q === undefined) cache.set(call.id, (q = model.imports.qualify(call.childForFieldName('function'))));
  return q;
}


/** The last name of the callee (`join` for `os.path.join`), from its text. */
export function calleeLastName(call: Node): string {
  const t = calleeText(call);
  return t.slice(t.lastIndexOf('.') + 1);
}

/** `x.method(...)` → method name, else null. */
export function methodName(call: Node): string | null {
  let m = methodCache.get(call);
  if (m === undefined) {
    const text = calleeText(call);
    if (/^[A-Za-z_][\w.]*$/.test(text)) m = text.includes('.') ? text.slice(text.lastIndexOf('.') + 1) : null;
    else {
      const fn = call.childForFieldName('function');
      m = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text ?? null : null;
    }
    methodCache.set(call, m);
  }
  return m;
}

/** `x.method(...)` → x, else null. */
export function methodReceiver(call: Node): Node | null {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
}

/** Is `name` a builtin here (not rebound at module level, not imported, not a local of `scope`)? */
export function isBuiltin(name: string, scope: FunctionScope | null, model: ModuleModel): boolean {
  return model.resolve(name, scope).kind === 'unknown' && !model.imports.isImported(name);
}

/** The thread entry of the function containing `node`, with its scope, or null. */
export function threadCode(node: Node, model: ModuleModel): { scope: FunctionScope; entry: ThreadEntry } | null {
  const scope = model.scopeOf(node);
  const entry = scope ? model.threads.entryFor(scope) : null;
  // Only assume-concurrent puts a function on threads that other modules call while they are
  // imported, before they start any: no other thread sees what it changes.
  if (entry?.assumed && model.importTimeFunctions().some((fn) => fn === scope!.node)) return null;
  // Nor does code that runs only in a lazy initialisation the program's imports have already run.
  if (entry && model.importPriming.onlyInInitialisation(scope!)) return null;
  return scope && entry ? { scope, entry } : null;
}

/** Only `--assume-concurrent` puts this function on threads (no thread entry reaches it). */
export function onlyAssumed(entry: ThreadEntry, scope: FunctionScope): boolean {
  return entry.site === scope.node && entry.via.startsWith('assume-concurrent');
}

/** "`worker` runs on threads (threading.Thread(target=worker), line 12)" — for messages. */
export function runsOnThreads(scope: FunctionScope, entry: ThreadEntry): string {
  const via = entry.site === scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
  return `\`${scope.name}\` runs on threads (${via})`;
}

/** Inside a `for`/`while` loop or a comprehension, without leaving the function? Returns that node. */
export function enclosingLoop(node: Node, stopAt: Node | null = null): Node | null {
  for (let n = node.parent; n && n !== stopAt; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return null;
    if (LOOP_TYPES.has(n.type)) return n;
  }
  return null;
}

/**
 * A loop whose every pass waits — sleeps, waits on an event or condition, blocks on a socket, a select
 * or a queue with a timeout, opens a file or syncs one to disk, walks a directory tree: its passes are paced by the wait or the
 * I/O (microseconds to milliseconds, against a generator call's tens of nanoseconds), so what it calls
 * per pass is not hot.
 */
export function isPacedLoop(loop: Node): boolean {
  if (loop.type !== 'for_statement' && loop.type !== 'while_statement') return false;
  // A walk over the file system lists a directory on every pass.
  if (loop.type === 'for_statement' && DIRECTORY_WALK.test(loop.childForFieldName('right')?.text ?? '')) return true;
  return PACING.test(loop.childForFieldName('body')?.text ?? '');
}

const DIRECTORY_WALK = /^(?:os\.)?(?:walk|fwalk)\(|\.(?:walk|rglob)\(/;

// `sleep(0.2)` paces the loop; `sleep(0)` (or `0.0`) only yields.
const PACING = /(?<![\w.])(?:time\.)?sleep\(\s*(?!0(?:\.0*)?\s*\))[^\s)]|\.(?:wait|wait_for|recv|recv_into|recvfrom|accept|select)\(|\bselect\.select\(|\.get\([^)]*\b(?:timeout\s*=|block\s*=\s*True)|(?<![\w.])open\(|\bfsync\(/;

const LOOP_TYPES = new Set(['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/** Is `node` inside a loop body (not the iterable of a `for`) that is itself inside `outer`? */
export function isInLoop(node: Node): boolean {
  return enclosingLoop(node) !== null;
}

/**
 * Arguments a thread-starting call hands to the thread's callable: `Thread(target=f, args=(a, b),
 * kwargs={"k": c})`, `Timer(t, f, args=…)`, `executor.submit(f, a, b)`, `_thread.start_new_thread(f, (a,))`.
 * Null when the call starts no thread.
 */
export function threadArguments(call: Node, model: ModuleModel): Node[] | null {
  const last0 = calleeLastName(call);
  if (last0 !== 'Thread' && last0 !== 'Timer' && last0 !== 'submit' && last0 !== 'start_new_thread' && last0 !== 'start_new') return null;
  const q = calleeName(call, model) ?? '';
  const last = q.split('.').pop() ?? '';
  const fromTuple = (n: Node | null): Node[] => {
    if (!n) return [];
    if (n.type === 'tuple' || n.type === 'list') return namedChildren(n);
    if (n.type === 'dictionary') return namedChildren(n).flatMap((p) => (p.type === 'pair' && p.childForFieldName('value') ? [p.childForFieldName('value')!] : []));
    return [];
  };
  const isThreading = q.startsWith('threading.') || (q === last && model.imports.isImported(last));
  if ((last === 'Thread' || last === 'Timer') && isThreading) {
    const positional = positionalArguments(call);
    // Thread(group, target, name, args, kwargs); Timer(interval, function, args, kwargs)
    const args = keywordArgument(call, 'args') ?? positional[last === 'Thread' ? 3 : 2] ?? null;
    const kwargs = keywordArgument(call, 'kwargs') ?? positional[last === 'Thread' ? 4 : 3] ?? null;
    return [...fromTuple(args), ...fromTuple(kwargs)];
  }
  if (q === '_thread.start_new_thread' || q === '_thread.start_new') return fromTuple(positionalArguments(call)[1] ?? null);
  if (methodName(call) === 'submit' && model.imports.hasConcurrencyImport()) return positionalArguments(call).slice(1);
  return null;
}

/** The function_definition or module root whose own code holds `node`. */
export function ownerNode(node: Node, model: ModuleModel): Node {
  return model.scopeOf(node)?.node ?? model.root;
}

/** Assignments `name = value` in the scope that owns `at` (module level: module statements). */
export function assignmentsTo(name: string, at: Node, model: ModuleModel): Node[] {
  const scope = model.scopeOf(at);
  const candidates = scope ? model.ownNodes(scope) : model.index.inFunction(-1).map((e) => e.node).filter((n) => !inClassBody(n));
  return candidates.filter((n) => n.type === 'assignment' && n.childForFieldName('left')?.type === 'identifier' && n.childForFieldName('left')?.text === name);
}

function inClassBody(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'class_definition') return true;
  return false;
}

/** The minor version of `targetVersion` ("3.14", "py314" → 14), or null when unset or unreadable. */
export function targetMinor(targetVersion: string | undefined): number | null {
  const m = /^(?:py3(\d{1,2})|3\.(\d{1,2}))$/.exec((targetVersion ?? '').trim().toLowerCase());
  return m ? Number(m[1] ?? m[2]) : null;
}

/** The call at the root of an access path: `getcontext()` in `getcontext().traps[X]`. */
export function rootCall(node: Node): Node | null {
  let n: Node | null = node;
  while (n) {
    if (n.type === 'call') return n;
    if (n.type === 'attribute') n = n.childForFieldName('object');
    else if (n.type === 'subscript') n = n.childForFieldName('value');
    else return null;
  }
  return null;
}

export { isTestCode } from '../model/testCode';

const textCache = new WeakMap<ModuleModel, Map<RegExp, boolean>>();

/** Does the module's text match `re`? Computed once per module: a cheap gate for rules about rare APIs. */
export function textHas(model: ModuleModel, text: string, re: RegExp): boolean {
  let cache = textCache.get(model);
  if (!cache) textCache.set(model, (cache = new Map()));
  let hit = cache.get(re);
  // The module's own text is searched statement by statement (cached across edits); other text whole.
  if (hit === undefined) cache.set(re, (hit = text === model.root.source.text ? moduleMentions(model.root, re) : re.test(text)));
  return hit;
}

/**
 * A lock used as a signal, not around a critical section: its `acquire` is handed on as a value
 * (`loop.call_soon(LOCK.acquire)`, `Thread(target=done.acquire)`), so another context takes it and a
 * third releases it — a binary semaphore spelled with a Lock.
 */
export function usedAsSignal(text: string, lock: string): boolean {
  return new RegExp(`(?<![\\w.])${lock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.acquire(?!\\s*\\()(?!\\w)`).test(text);
}
