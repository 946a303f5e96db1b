// Ownership transfer (RacerD): an object stored into state that is itself shared — a field of a shared
// object, one of its containers, a module-level container — is reached by every thread that reaches
// the holder. `agg = self._aggs[key] = Agg()` under a registry's lock makes every `Agg` one that the
// registry's callers share, whatever `Agg`'s own code says.
import type { Node } from '../parser';
import { namedChildren } from './syntax';
import type { Confidence } from '../options';
import type { FunctionScope } from './scopes';

export interface HeldClass {
  node: Node;
  name: string;
}

export interface HolderEvidence {
  why: string;
  confidence: Confidence;
  weak: boolean;
  /** The evidence is this lock, held at some access of the field. */
  lock?: string;
  /** The evidence is the holder's own holder's (no chains: each link weakens it). */
  held?: boolean;
}

/**
 * What must be true of the holder's uses of the objects in its field for them to be shared. Each use is
 * a read that reaches an object: an item of a container field (`self._d[k]`, `.get(k)`, a loop,
 * `return self._d`), or the object in a plain field (`self.fp.write(…)`); adding, removing and testing
 * membership keep references without using them (a registry of handles its callers own).
 * - `lock`: the field is shared because a lock guards it: some use is without that lock (or returns
 *   the object), or one of `locals` (bound to the new object) is used after it.
 * - `thread`: the holder is shared with its own thread: some use is in code that thread does not run,
 *   or in thread code that is no one thread's own (two threads run it at once).
 * - neither: some use at all.
 */
export interface HolderReach {
  container: boolean;
  lock: string | null;
  thread: boolean;
  locals: readonly HeldLocal[];
}

export interface HeldLocal {
  name: string;
  scope: FunctionScope;
}

export interface ContainmentResolver {
  /** The calls whose callee is written exactly `name` (`Agg(…)`). */
  callsOf(name: string): readonly Node[];
  scopeOf(node: Node): FunctionScope | null;
  classOfScope(scope: FunctionScope): HeldClass | null;
  /** The sharing evidence of one field of a class of this module (null: confined). */
  fieldSharing(cls: HeldClass, field: string): HolderEvidence | null;
  /** The holder's methods that may run once the object is shared (construction left out). */
  methodScopes(cls: HeldClass): FunctionScope[];
  heldLocks(node: Node): string[];
  /** Does a real thread entry (not assume-concurrent's) reach this function? */
  onThread(scope: FunctionScope): boolean;
  /** Is this function on a real thread that may run it several times at once (no thread of its own)? */
  onSeveralThreads(scope: FunctionScope): boolean;
  /** The smallest node spanning this offset. */
  nodeAt(offset: number): Node;
  /** A module-level name's value when it is bound once at module level (undefined: not a module binding). */
  moduleValue(name: string): Node | null | undefined;
}

/** Calls that put their argument into the receiver: `self._items.append(x)`, `REGISTRY.setdefault(k, x)`. */
const STORE_METHODS = /^(?:append|appendleft|add|insert|setdefault|put|put_nowait)$/;

interface Holder {
  /** `self._aggs`, `REGISTRY` */
  text: string;
  /** The field of the method's class that holds it, or null for a module global. */
  field: string | null;
  cls: HeldClass | null;
  line: number;
  /** Locals bound to the new object on its way into the holder. */
  locals: HeldLocal[];
  /** Stored as an item (`self._d[k] = x`, `self._d.append(x)`) rather than as the field's value. */
  container: boolean;
}

/**
 * The strongest evidence that instances of `cls` are shared because code of this module stores them into
 * shared state; null when no instance is stored anywhere shared. Evidence of the holder at low confidence
 * (assume-concurrent's guess) is passed on by nothing: the class has its own guess.
 */
export function keptInSharedState(cls: HeldClass, resolver: ContainmentResolver): HolderEvidence | null {
  let best: HolderEvidence | null = null;
  for (const call of resolver.callsOf(cls.name)) {
    const scope = resolver.scopeOf(call);
    for (const holder of holdersOf(call, scope, resolver)) {
      const evidence = holderEvidence(holder, cls, resolver);
      if (evidence && stronger(evidence, best)) best = evidence;
    }
  }
  return best;
}

function stronger(a: HolderEvidence, b: HolderEvidence | null): boolean {
  if (!b) return true;
  const rank = (e: HolderEvidence) => (e.weak ? 0 : 2) + (e.confidence === 'high' ? 2 : e.confidence === 'medium' ? 1 : 0);
  return rank(a) > rank(b);
}

function holderEvidence(holder: Holder, cls: HeldClass, resolver: ContainmentResolver): HolderEvidence | null {
  if (holder.field !== null) {
    // A class holding its own kind (`self.next = Node()`) says nothing new about it.
    if (!holder.cls || holder.cls.node.id === cls.node.id) return null;
    const evidence = resolver.fieldSharing(holder.cls, holder.field);
    if (!evidence || evidence.confidence === 'low' || evidence.held) return null;
    // Shared because a lock guards the field, the objects in it are shared only if they leave that lock;
    // shared with the holder's thread, only if other code uses them too.
    const reach = { container: holder.container, lock: evidence.lock ?? null, thread: !evidence.lock && evidence.confidence === 'high', locals: holder.locals };
    if (!reachedBeyond(holder.cls, holder.field, reach, resolver)) return null;
    return {
      held: true,
      why: `its instances are kept in \`${holder.text}\` of \`${holder.cls.name}\` (line ${holder.line}), and ${lowerFirst(evidence.why)}`,
      confidence: 'medium',
      weak: evidence.weak,
    };
  }
  // Like a module-level instance: every caller reaches what a module-level container holds.
  return { held: true, why: `its instances are kept in module global \`${holder.text}\` (line ${holder.line}), which every caller reaches`, confidence: 'medium', weak: true };
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

/** Where the object `call` makes is stored: the assignment chain it is the value of, a store call's receiver, or a local later stored. */
function holdersOf(call: Node, scope: FunctionScope | null, resolver: ContainmentResolver): Holder[] {
  // `into`: the object is put into the target (a store call's receiver), rather than bound to it.
  const targets: Array<{ node: Node; into: boolean }> = [];
  let value: Node = call;
  // `a = self._d[k] = Agg()`: every left side of the chain.
  for (let up = value.parent; up?.type === 'assignment' && up.childForFieldName('right')?.id === value.id; value = up, up = up.parent) {
    const left = up.childForFieldName('left');
    if (left) targets.push({ node: left, into: false });
  }
  const args = call.parent;
  const store = args?.type === 'argument_list' ? args.parent : null;
  const method = store?.type === 'call' ? store.childForFieldName('function') : null;
  if (method?.type === 'attribute' && STORE_METHODS.test(method.childForFieldName('attribute')?.text ?? '')) {
    const receiver = method.childForFieldName('object');
    if (receiver) targets.push({ node: receiver, into: true });
  }
  const isLocal = (t: Node) => t.type === 'identifier' && !!scope?.locals.has(t.text) && !scope.globals.has(t.text);
  const locals = scope ? targets.filter((t) => !t.into && isLocal(t.node)).map((t) => ({ name: t.node.text, scope })) : [];
  const holders: Holder[] = [];
  for (const { node, into } of targets) {
    if (!into && isLocal(node)) {
      holders.push(...storesOfLocal(node.text, scope!, resolver, locals));
      continue;
    }
    const holder = holderOfTarget(node, into, scope, resolver, locals);
    if (holder) holders.push(holder);
  }
  return holders;
}

function holderOfTarget(target: Node, into: boolean, scope: FunctionScope | null, resolver: ContainmentResolver, locals: HeldLocal[]): Holder | null {
  let base = target;
  while (base.type === 'subscript') base = base.childForFieldName('value') ?? base;
  const line = target.startPosition.row + 1;
  if (base.type === 'attribute') {
    const object = base.childForFieldName('object');
    const field = base.childForFieldName('attribute')?.text;
    if (!scope?.receiver || object?.type !== 'identifier' || object.text !== scope.receiver || !field) return null;
    return { text: base.text, field, cls: resolver.classOfScope(scope), line, locals, container: into || base.id !== target.id };
  }
  if (base.type !== 'identifier' || (scope?.locals.has(base.text) && !scope.globals.has(base.text))) return null;
  if (resolver.moduleValue(base.text) === undefined) return null;
  // `NAME = Cls()` binds rather than stores: at module level it is a module-level instance (the class's own
  // evidence says so), in a function it rebinds the global only under `global NAME`.
  if (!into && base.id === target.id && !scope?.globals.has(base.text)) return null;
  return { text: base.text, field: null, cls: null, line, locals, container: into || base.id !== target.id };
}

/** `agg = Agg(…)` … `self._aggs[k] = agg` / `self._aggs.append(agg)` / `REGISTRY[k] = agg`, in the same function. */
function storesOfLocal(local: string, scope: FunctionScope, resolver: ContainmentResolver, locals: HeldLocal[]): Holder[] {
  const body = scope.node.childForFieldName('body');
  if (!body) return [];
  const holders: Holder[] = [];
  const assigned = new RegExp(`(?<![\\w.])([A-Za-z_]\\w*(?:\\.\\w+)?)(?:\\[[^\\]\\n]*\\])?\\s*=\\s*${local}\\s*(?:$|[\\n;#)])`, 'gm');
  const appended = new RegExp(`(?<![\\w.])([A-Za-z_]\\w*(?:\\.\\w+)?)\\.(?:append|appendleft|add|insert|setdefault|put|put_nowait)\\((?:[^()\\n]*,\\s*)?${local}\\s*[,)]`, 'g');
  const text = body.text;
  for (const re of [assigned, appended]) {
    for (const m of text.matchAll(re)) {
      const line = body.startPosition.row + 1 + countLines(text, m.index!);
      const [first, field] = m[1].split('.');
      if (field !== undefined) {
        if (first === scope.receiver) holders.push({ text: m[1], field, cls: resolver.classOfScope(scope), line, locals, container: re === appended || text[m.index! + m[1].length] === '[' });
        continue;
      }
      if (first === local || (scope.locals.has(first) && !scope.globals.has(first))) continue;
      const subscripted = re === appended || text[m.index! + m[1].length] === '[';
      // Stored into a module-level object (`REG[k] = agg`, `REG.append(agg)`), or rebinding one under `global`.
      if (resolver.moduleValue(first) === undefined || (!subscripted && !scope.globals.has(first))) continue;
      holders.push({ text: first, field: null, cls: null, line, locals, container: subscripted });
    }
  }
  return holders;
}

function countLines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Does the holder hand out what its field holds to code that is not excluded (see HolderReach)? */
function reachedBeyond(cls: HeldClass, field: string, reach: HolderReach, resolver: ContainmentResolver): boolean {
  const wanted = reach.lock?.replace(/\s+/g, '');
  const beyond = (node: Node, scope: FunctionScope): boolean => {
    if (wanted !== undefined) return !resolver.heldLocks(node).some((l) => l.replace(/\s+/g, '') === wanted) || inReturn(node);
    // Shared with its thread: a use that thread does not make, or one made where several threads run.
    return reach.thread ? !resolver.onThread(scope) || resolver.onSeveralThreads(scope) : true;
  };
  const uses = (scope: FunctionScope, pattern: RegExp, reaches: (value: Node) => boolean, asField: boolean): Node[] => {
    const body = scope.node.childForFieldName('body');
    const found: Node[] = [];
    for (const m of body?.text.matchAll(pattern) ?? []) {
      const node = resolver.nodeAt(body!.startIndex + m.index!);
      const value = asField ? node.parent : node;
      // A word in a comment or a string, or a nested function's own code.
      if (node.type === 'identifier' && resolver.scopeOf(node) === scope && value && reaches(value)) found.push(node);
    }
    return found;
  };
  let used = false;
  for (const scope of resolver.methodScopes(cls)) {
    for (const node of uses(scope, new RegExp(`(?<![\\w.])${scope.receiver}\\s*\\.\\s*${field}\\b`, 'g'), reach.container ? readsItem : usesObject, true)) {
      used = true;
      if (beyond(node, scope)) return true;
    }
  }
  if (!used || wanted === undefined) return false;
  return reach.locals.some(({ name, scope }) => uses(scope, new RegExp(`(?<![\\w.])${name}\\b`, 'g'), usesObject, false).some((n) => beyond(n, scope)));
}

/**
 * Does this expression (a local `x`, or `self.f`) reach the object it holds: its attributes or items,
 * handed to a call, bound to another name, iterated, returned? A truth test, an `is None`, a store into
 * the field or a `%r` does not.
 */
function usesObject(value: Node): boolean {
  const parent = value.parent;
  if (!parent) return false;
  switch (parent.type) {
    case 'attribute':
    case 'subscript':
      return namedChildren(parent)[0]?.id === value.id;
    case 'argument_list':
    case 'return_statement':
    case 'for_statement':
    case 'for_in_clause':
    case 'keyword_argument':
    // Packed into a value that is handed on (`return self.handler, self.count`).
    case 'expression_list':
    case 'tuple':
    case 'list':
    case 'pair':
      return true;
    case 'assignment':
      return parent.childForFieldName('right')?.id === value.id;
    default:
      return false;
  }
}

/**
 * Does this expression (a container field, `self._d`) hand out one of its items: subscripted for a read,
 * `.get(k)` / `.values()` / `.items()` / `.setdefault(…)`, iterated, passed on, bound to another name,
 * returned? `.add` / `.remove` / `in` / `len()` keep or count references without using them.
 */
function readsItem(value: Node): boolean {
  const parent = value.parent;
  if (!parent) return false;
  switch (parent.type) {
    case 'subscript': {
      if (parent.childForFieldName('value')?.id !== value.id) return false;
      const use = parent.parent;
      const stored = (use?.type === 'assignment' || use?.type === 'augmented_assignment') && use.childForFieldName('left')?.id === parent.id;
      return !stored && use?.type !== 'delete_statement';
    }
    case 'attribute':
      return parent.childForFieldName('object')?.id === value.id && ITEM_READERS.test(parent.childForFieldName('attribute')?.text ?? '') && parent.parent?.type === 'call';
    case 'argument_list':
      return !COUNTERS.test(parent.parent?.childForFieldName('function')?.text ?? '');
    case 'for_statement':
    case 'for_in_clause':
      return parent.childForFieldName('right')?.id === value.id;
    case 'return_statement':
      return true;
    case 'assignment':
      return parent.childForFieldName('right')?.id === value.id;
    default:
      return false;
  }
}

const ITEM_READERS = /^(?:get|values|items|setdefault|copy|__getitem__)$/;
const COUNTERS = /^(?:len|bool|isinstance|id|repr|str)$/;


/** Is this node part of a `return` statement's value (handed to the caller)? */
function inReturn(node: Node): boolean {
  for (let n: Node | null = node.parent; n && n.type !== 'block' && n.type !== 'module'; n = n.parent) if (n.type === 'return_statement') return true;
  return false;
}
