// Lock recognition and "is a lock held here?" for a statement.
// Locks are recognised by construction (threading.Lock() and friends, through aliases), by being a
// lock attribute of the enclosing class, and — as a fallback for locks passed in or imported — by name.
import type { Node } from '../parser';
import type { ImportTable } from './imports';
import { dottedName, namedChildren } from './syntax';

const LOCK_TYPES = new Set(['Lock', 'RLock', 'Condition', 'Semaphore', 'BoundedSemaphore', 'allocate_lock', 'allocate']);
/**
 * Qt's mutexes (PyQt, PySide, qtpy: `QtCore.QMutex()`): taken with `lock()` / `tryLock()` (a
 * QReadWriteLock with `lockForRead()` / `lockForWrite()`), released with `unlock()`, or held by a
 * `QMutexLocker` (`with QMutexLocker(m):`, or a local locker until the function returns).
 */
const QT_LOCK_TYPES = new Set(['QMutex', 'QRecursiveMutex', 'QReadWriteLock']);
const QT_TAKE = new Set(['lock', 'lockForRead', 'lockForWrite']);
const QT_TRY = new Set(['tryLock', 'tryLockForRead', 'tryLockForWrite']);
const QT_LOCKERS = /^Q(?:Mutex|Read|Write)Locker$/;
/** Read-write locks' own names for taking and giving back one mode. */
const RW_TAKE = /^(?:acquire_?(?:read|write|shared|exclusive)|acquire(?:Read|Write|Shared|Exclusive))$/;
const RW_GIVE = /^(?:release_?(?:read|write|shared|exclusive)|release(?:Read|Write|Shared|Exclusive))$/;
const LOCK_MODULES = new Set(['threading', '_thread', 'multiprocessing', 'multiprocessing.synchronize', 'multiprocessing.dummy']);
const LOCKISH_NAME = /(^|_)r?lock(s)?($|_)|mutex|(^|_)mtx($|_)|semaphore|(^|_)sem($|_)|(^|_)cond(ition)?($|_)|^_?cv$/i;
/** `readLock`, `stateRLock`: camel case, so `handler_block`, `clock` and `deadlock` are no locks. */
const CAMEL_LOCK = /[a-z0-9]R?Lock$/;

/** Is `value` an expression that constructs a new thread lock (`threading.Lock()`, `th.RLock()`, `Lock()`)? */
export function isLockConstruction(value: Node | null, imports: ImportTable, extraTypes: readonly string[] = []): boolean {
  if (!value || value.type !== 'call') return false;
  const qualified = imports.qualify(value.childForFieldName('function'));
  return !!qualified && isLockFactory(qualified, imports, extraTypes);
}

/** Is the qualified callable one that makes a thread lock (`threading.Lock`, `_thread.allocate_lock`, a configured type)? */
export function isLockFactory(qualified: string, imports: ImportTable, extraTypes: readonly string[] = []): boolean {
  if (extraTypes.length > 0 && extraTypes.some((t) => t === qualified || qualified.endsWith(`.${t}`) || t.endsWith(`.${qualified}`))) return true;
  const parts = qualified.split('.');
  const last = parts[parts.length - 1];
  if (QT_LOCK_TYPES.has(last)) return parts.length === 1 ? imports.isImported(last) : parts[parts.length - 2] === 'QtCore';
  if (!LOCK_TYPES.has(last)) return false;
  const module = parts.slice(0, -1).join('.');
  return module === '' ? imports.isImported(last) || last !== 'allocate' : LOCK_MODULES.has(module) || module.endsWith('threading');
}

export function isLockishName(name: string): boolean {
  return LOCKISH_NAME.test(name) || CAMEL_LOCK.test(name);
}

/** A table of locks (`self.locks[kind]`, `_key_locks[k]`): each entry is a lock. */
const LOCK_TABLE = /(?:^|_)(?:locks|mutexes)$|[a-z](?:Locks|Mutexes)$|^(?:LOCKS|MUTEXES)$/;

/** `self.locks[kind]` → `self.locks[]`: one entry of a table of locks, or null. The entries are named as one lock (each guards its key's share of the state). */
export function lockTableEntry(expr: Node): string | null {
  if (expr.type !== 'subscript') return null;
  const table = expr.childForFieldName('value');
  const parts = table ? dottedName(table) : null;
  return parts && LOCK_TABLE.test(parts[parts.length - 1]) ? `${table!.text}[]` : null;
}

/** `queue.Queue`'s Conditions: all three are built on the queue's one `mutex`. */
const QUEUE_CONDITIONS = /^(.+)\.(?:not_empty|not_full|all_tasks_done)$/;

/**
 * `with q.not_empty:` takes `q.mutex` (queue.Queue builds its Conditions on that one lock), so code
 * under `q.not_empty` and code under `q.mutex` exclude each other. A class's own `self.not_empty` is
 * left alone: it is whatever that class builds (see the model's Condition aliases).
 */
export function queueMutex(lock: string): string | null {
  const m = QUEUE_CONDITIONS.exec(lock);
  return m && m[1] !== 'self' && m[1] !== 'cls' ? `${m[1]}.mutex` : null;
}

export interface LockResolver {
  /** Does this expression (the subject of a `with`, or an `.acquire()` receiver) denote an existing lock? */
  isLock(expr: Node): boolean;
  /** A semaphore: released without being held (it counts), so a release says nothing about holding it. */
  isSemaphore?(expr: Node): boolean;
  /**
   * The lock a call of a helper returns holding (`self._acquire_lock(timeout)`, whose body acquires
   * `self._lock` and never releases it), named as the caller writes it; or null.
   */
  lockAcquiredBy?(call: Node): string | null;
  /** The lock a local or closure name is bound to (`lock = self._lock`, `(tl := self._lock)`), as written there; or null. */
  lockAlias?(expr: Node): string | null;
  /** The lock `with expr:` takes when the object is its own lock (its `__enter__` acquires `self._lock`): `expr._lock`; or null. */
  entersLock?(expr: Node): string | null;
}

/**
 * The locks held at `node`, innermost first, looking up to the function boundary: `with lock:` blocks,
 * statements after `lock.acquire()` with no `lock.release()` in between (covers try/finally), and the
 * body of `if lock.acquire(...):` (and the `else` of `if not lock.acquire(...):`).
 */
export function heldLocks(node: Node, resolver: LockResolver): string[] {
  const cache = cacheFor(resolver);
  const held: string[] = [];
  let child = node;
  let childType: string | undefined;
  // Ancestors come from the cache: `node.parent` crosses into wasm, allocates, and in web-tree-sitter
  // 0.25+ walks down from the root (its cost grows with the number of top-level statements).
  for (let up = ancestor(node, cache); up; child = up.node, childType = up.type, up = ancestor(up.node, cache)) {
    const n = up.node;
    const type = up.type;
    if (type === 'function_definition' || type === 'lambda' || type === 'class_definition') break;
    if (type === 'with_statement' && (childType ?? child.type) === 'block') {
      let locks = cache.withLocks.get(n.id);
      // `async with` takes an asyncio lock (a thread lock has no `__aenter__`): it orders the
      // coroutines of one event loop, never two threads.
      if (!locks) cache.withLocks.set(n.id, (locks = n.firstChild?.type === 'async' ? [] : withItems(n).map((item) => lockerLock(item) ?? item).filter((item) => resolver.isLock(item)).map((item) => lockTableEntry(item) ?? queueMutex(item.text) ?? resolver.entersLock?.(item) ?? resolver.lockAlias?.(item) ?? item.text)));
      held.push(...locks);
    } else if (type === 'if_statement' && child.id === consequenceId(n, cache)) {
      const cond = n.childForFieldName('condition');
      const receiver = cond ? acquireReceiver(cond) ?? acquiredInto(cond, n) : null;
      if (receiver) held.push(receiver.text);
    } else if (type === 'if_statement' && (childType ?? child.type) === 'else_clause') {
      // `if not x.acquire(False): <defer> else: <work>`: the `else` runs holding x.
      const cond = n.childForFieldName('condition');
      const tested = cond?.type === 'not_operator' ? cond.childForFieldName('argument') : null;
      const receiver = tested ? acquireReceiver(tested) ?? acquiredInto(tested, n) : null;
      if (receiver) held.push(receiver.text);
    } else if (type === 'block' || type === 'module') {
      held.push(...acquiredBefore(n, child, cache, resolver));
    }
  }
  return held;
}

interface LockCache {
  /** node id → its parent and the parent's type (null at the root) */
  parents: Map<number, { node: Node; type: string } | null>;
  /** if_statement id → the id of its consequence block */
  consequences: Map<number, number | undefined>;
  /** with_statement id → the locks it takes */
  withLocks: Map<number, string[]>;
  /** block id → its acquire()/release() statements, in order (`lock`: the released receiver is a lock) */
  blockCalls: Map<number, Array<{ start: number; acquired: string | null; released: string | null; lock: boolean }>>;
}

const caches = new WeakMap<LockResolver, LockCache>();

/** Per-model caches: the same blocks and `with` statements are asked about for many nodes. */
function cacheFor(resolver: LockResolver): LockCache {
  let cache = caches.get(resolver);
  if (!cache) caches.set(resolver, (cache = { parents: new Map(), consequences: new Map(), withLocks: new Map(), blockCalls: new Map() }));
  return cache;
}

function ancestor(node: Node, cache: LockCache): { node: Node; type: string } | null {
  let up = cache.parents.get(node.id);
  if (up === undefined) {
    const parent = node.parent;
    up = parent ? { node: parent, type: parent.type } : null;
    cache.parents.set(node.id, up);
  }
  return up;
}

function consequenceId(ifStatement: Node, cache: LockCache): number | undefined {
  if (!cache.consequences.has(ifStatement.id)) cache.consequences.set(ifStatement.id, ifStatement.childForFieldName('consequence')?.id);
  return cache.consequences.get(ifStatement.id);
}

/** The subjects of `with a, b as c:` (without the `as` targets). */
export function withItems(withStatement: Node): Node[] {
  const clause = namedChildren(withStatement).find((c) => c.type === 'with_clause');
  if (!clause) return [];
  const subjects: Node[] = [];
  for (const item of namedChildren(clause)) {
    if (item.type !== 'with_item') continue;
    let value = item.childForFieldName('value');
    if (value?.type === 'as_pattern') value = namedChildren(value)[0] ?? null;
    // `with (tl := self._lock):` takes the lock the walrus binds.
    while (value?.type === 'parenthesized_expression' || value?.type === 'named_expression') {
      value = value.type === 'named_expression' ? value.childForFieldName('value') : namedChildren(value)[0] ?? null;
    }
    if (value) subjects.push(value);
  }
  return subjects;
}

/** `rc = x.acquire(…)` … `if rc:` → x: the nearest earlier statement of the block that binds the name tested. */
function acquiredInto(cond: Node, ifStatement: Node): Node | null {
  if (cond.type !== 'identifier') return null;
  for (let s = ifStatement.previousNamedSibling; s; s = s.previousNamedSibling) {
    const e = s.type === 'expression_statement' ? namedChildren(s)[0] : null;
    if (e?.type !== 'assignment' || e.childForFieldName('left')?.text !== cond.text) continue;
    const right = e.childForFieldName('right');
    return right ? acquireReceiver(right) : null;
  }
  return null;
}

/** `x.acquire(...)` → x (also through `not`, for `if not x.acquire(): return`), else null. */
function acquireReceiver(expr: Node): Node | null {
  if (expr.type !== 'call') return null;
  const fn = expr.childForFieldName('function');
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  if (method !== 'acquire' && !QT_TRY.has(method ?? '')) return null;
  return fn!.childForFieldName('object');
}

/** `QMutexLocker(m)` (also QReadLocker / QWriteLocker) → m: the lock the locker holds while it lives. */
function lockerLock(expr: Node | null): Node | null {
  if (expr?.type !== 'call') return null;
  const name = dottedName(expr.childForFieldName('function'));
  if (!name || !QT_LOCKERS.test(name[name.length - 1])) return null;
  const args = namedChildren(expr.childForFieldName('arguments')!);
  return args.length === 1 ? args[0] : null;
}

/**
 * `if not x.acquire(blocking=False): raise …` (or return; or `if not rc:` after `rc = x.acquire(…)`):
 * past the `if`, x is held — the failing path left the block. The lock, else null.
 */
function acquiredUnlessLeft(ifStatement: Node, resolver: LockResolver): string | null {
  const cond = ifStatement.childForFieldName('condition');
  if (cond?.type !== 'not_operator' || ifStatement.childForFieldName('alternative')) return null;
  const tested = cond.childForFieldName('argument') ?? cond;
  // Also `acquired = x.acquire(timeout=…)` then `if not acquired: return`.
  const receiver = acquireReceiver(tested) ?? acquiredInto(tested, ifStatement);
  const consequence = ifStatement.childForFieldName('consequence');
  const last = consequence ? namedChildren(consequence).filter((c) => c.type !== 'comment').pop() : undefined;
  // A semaphore counts (a queue's items), it does not exclude.
  if (!receiver || !dottedName(receiver) || !resolver.isLock(receiver) || resolver.isSemaphore?.(receiver) || !last || !/^(return_statement|raise_statement|continue_statement|break_statement)$/.test(last.type)) return null;
  // The consequence ends by leaving, so no path through it falls through to what follows.
  return receiver.text;
}

/** Module-level lock helpers such as logging's `_acquireLock()` / `_releaseLock()`. */
const LOCK_HELPER = { acquire: /^_?acquire_?lock$/i, release: /^_?release_?lock$/i } as const;

function callOnStatement(stmt: Node, method: 'acquire' | 'release', resolver: LockResolver): string | null {
  if (stmt.type !== 'expression_statement') return null;
  const call = namedChildren(stmt)[0];
  // `locker = QMutexLocker(self._mutex)`: held until the function returns (nothing here releases it).
  if (call?.type === 'assignment') {
    const lock = method === 'acquire' ? lockerLock(call.childForFieldName('right')) : null;
    return lock && dottedName(lock) && resolver.isLock(lock) ? lock.text : null;
  }
  if (call?.type !== 'call') return null;
  const fn = call.childForFieldName('function');
  const name = dottedName(fn);
  // Named after the acquiring call, so an acquire and its release match: `logging._acquireLock()`.
  if (name && LOCK_HELPER[method].test(name[name.length - 1])) return `${[...name.slice(0, -1), name[name.length - 1].replace(/release/i, (m) => (m[0] === 'R' ? 'Acquire' : 'acquire'))].join('.')}()`;
  if (fn?.type !== 'attribute') return null;
  const name2 = fn.childForFieldName('attribute')?.text ?? '';
  const receiver = fn.childForFieldName('object');
  if (!receiver || !dottedName(receiver)) return null;
  if (name2 === method) return receiver.text;
  // `self._lock.__enter__()` in a context manager's own `__enter__` (released in its `__exit__`).
  if (name2 === (method === 'acquire' ? '__enter__' : '__exit__')) return resolver.isLock(receiver) ? receiver.text : null;
  // A read-write lock's modes (`rw.acquire_write()` … `rw.release()`): taken as the one lock (a write
  // under the read mode is not told apart), on what is known to be a lock.
  if ((method === 'acquire' ? RW_TAKE : RW_GIVE).test(name2)) return resolver.isLock(receiver) ? receiver.text : null;
  // Qt's names (`m.lock()`, `m.unlock()`): only on what is known to be a lock (a door has a lock() too).
  const qt = method === 'acquire' ? QT_TAKE.has(name2) : name2 === 'unlock';
  return qt && resolver.isLock(receiver) ? receiver.text : null;
}

/**
 * Locks acquired by earlier sibling statements of `child` in `block` and not released since; and locks
 * a later sibling releases with no acquire of them in between: the function was entered holding them (a
 * hand-over protocol, `acquire_and_get()` then `set_and_release()`), since releasing a lock that is not
 * held raises.
 */
function acquiredBefore(block: Node, child: Node, cache: LockCache, resolver: LockResolver): string[] {
  let calls = cache.blockCalls.get(block.id);
  if (!calls) {
    calls = [];
    for (const stmt of namedChildren(block)) {
      if (stmt.type === 'if_statement') {
        const acquired = acquiredUnlessLeft(stmt, resolver);
        if (acquired) calls.push({ start: stmt.startIndex, acquired, released: null, lock: false });
        const flagged = acquired ? null : unlessCallerHolds(stmt, resolver);
        if (flagged) calls.push({ start: stmt.startIndex, ...flagged, lock: !!flagged.released });
        continue;
      }
      // `lock.acquire()` then `try: … finally: lock.release()`: after the `try`, the lock is free again.
      // Only an acquire before it is closed: such a release says nothing of a lock held on entry (the
      // `try` may take the lock itself: `try: lock.acquire(); … finally: lock.release()`).
      if (stmt.type === 'try_statement') {
        for (const released of releasedInFinally(stmt, resolver)) calls.push({ start: stmt.startIndex, acquired: null, released, lock: false });
        continue;
      }
      if (stmt.type !== 'expression_statement') continue;
      // A counting semaphore's slot excludes nobody: several threads hold one at once.
      const direct = callOnStatement(stmt, 'acquire', resolver);
      const acquired = direct ? (onSemaphore(stmt, resolver) ? null : direct) : helperAcquires(stmt, resolver);
      const released = acquired ? null : callOnStatement(stmt, 'release', resolver);
      if (acquired || released) calls.push({ start: stmt.startIndex, acquired, released, lock: !!released && releasesLock(stmt, resolver) });
    }
    cache.blockCalls.set(block.id, calls);
  }
  const open: string[] = [];
  const later: string[] = [];
  for (const c of calls) {
    if (c.start < child.startIndex) {
      if (c.acquired) open.push(c.acquired);
      if (c.released) {
        const i = open.lastIndexOf(c.released);
        if (i >= 0) open.splice(i, 1);
      }
    } else if (c.start >= child.endIndex) {
      if (c.acquired) later.push(c.acquired);
      else if (c.released) {
        const i = later.lastIndexOf(c.released);
        if (i >= 0) later.splice(i, 1);
        else if (c.lock && !open.includes(c.released)) open.push(c.released);
      }
    }
  }
  return open;
}

/**
 * `if not have_lock: self._lock.acquire()` (and its `release()` at the end): the function takes the lock
 * unless its caller says it holds it already — past the `if`, the lock is held either way.
 */
function unlessCallerHolds(ifStatement: Node, resolver: LockResolver): { acquired: string | null; released: string | null } | null {
  const cond = ifStatement.childForFieldName('condition');
  if (ifStatement.childForFieldName('alternative')) return null;
  // `if not have_lock:`, or `if lock:` on a parameter that defaults to True (`save(login, lock=True)`,
  // called with `lock=False` by code that holds the lock already).
  const negated = cond?.type === 'not_operator' && cond.childForFieldName('argument')?.type === 'identifier';
  if (!negated && !(cond?.type === 'identifier' && parameterDefault(ifStatement, cond.text) === 'True')) return null;
  const consequence = ifStatement.childForFieldName('consequence');
  const body = consequence ? namedChildren(consequence).filter((c) => c.type !== 'comment') : [];
  if (body.length !== 1 || onSemaphore(body[0], resolver)) return null;
  const acquired = callOnStatement(body[0], 'acquire', resolver);
  const released = acquired ? null : callOnStatement(body[0], 'release', resolver);
  return acquired || released ? { acquired, released } : null;
}

/** The default value's text of parameter `name` of the function `node` is in (null: no such default). */
function parameterDefault(node: Node, name: string): string | null {
  let fn: Node | null = node.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  for (const p of fn ? namedChildren(fn.childForFieldName('parameters')!) : []) {
    if ((p.type === 'default_parameter' || p.type === 'typed_default_parameter') && p.childForFieldName('name')?.text === name) return p.childForFieldName('value')?.text ?? null;
  }
  return null;
}

/** Locks a `try` statement's `finally` clause releases (`finally: self._lock.release()`), directly or under an `if`. */
function releasedInFinally(tryStatement: Node, resolver: LockResolver): string[] {
  const clause = namedChildren(tryStatement).find((c) => c.type === 'finally_clause');
  const body = clause ? namedChildren(clause).find((c) => c.type === 'block') : undefined;
  const out: string[] = [];
  for (const stmt of body ? namedChildren(body) : []) {
    const released = callOnStatement(stmt, 'release', resolver);
    if (released && releasesLock(stmt, resolver)) out.push(released);
  }
  return out;
}

/** `self._acquire_lock(…)` as a statement: the lock the helper returns holding. */
function helperAcquires(stmt: Node, resolver: LockResolver): string | null {
  const call = namedChildren(stmt)[0];
  return call?.type === 'call' && resolver.lockAcquiredBy ? resolver.lockAcquiredBy(call) : null;
}

/** `sem.acquire()` / `sem.release()` on a semaphore (by its name or its construction). */
function onSemaphore(stmt: Node, resolver: LockResolver): boolean {
  const fn = namedChildren(stmt)[0]?.childForFieldName('function');
  const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
  return !!receiver && !!resolver.isSemaphore?.(receiver);
}

/** `x.release()` on something the model knows as a lock (not a memoryview, a connection, a pool slot). */
function releasesLock(stmt: Node, resolver: LockResolver): boolean {
  const call = namedChildren(stmt)[0];
  const fn = call?.childForFieldName('function');
  const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
  if (!receiver) return true; // a module lock helper: `_releaseLock()`
  // `lock.__exit__(exc_type, exc, tb)` passes the exception on: a release all the same.
  const bare = namedChildren(call.childForFieldName('arguments')!).length === 0 || fn?.childForFieldName('attribute')?.text === '__exit__';
  return bare && resolver.isLock(receiver) && !resolver.isSemaphore?.(receiver);
}
