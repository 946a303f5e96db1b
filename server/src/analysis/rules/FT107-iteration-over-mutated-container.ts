// FT107 — iterating a shared container (module global, class attribute, field of a shared object)
// while other code changes it in place. Docs: docs/rules/FT107.md
import type { Node } from '../parser';
import type { Finding, Fix, Rule, RuleContext } from '../types';
import type { ContainerAccess } from '../options';
import type { ClassInfo, ModuleModel } from '../model/module';
import { sharedState, type SharedState } from '../model/sharing';
import { CONSTRUCTION_METHODS, push } from '../model/module';
import { builtContainerKind, type FunctionScope } from '../model/scopes';
import { boundNames, caughtAround, namedChildren, positionalArguments, snippet, namedAfter } from '../model/syntax';
import { changesKnownContainer, changesOfImportedGlobals, mutationOf, raceVerdict, runsAlone } from './common';
import { isBuiltin, textHas } from './hazards';
import { sharedWritesOf } from './writes';
import { claimExcludes } from '../model/claims';
import { guardWithNamedLock } from '../fixes/guard';
import { reportQueueStorageWalk } from './queueStorage';
import { CONSUMERS, isView, iteratedContainer, SNAPSHOTS, VIEW_ITERATING_COPIES, VIEWS } from '../model/iteration';

interface ChangeSite {
  node: Node;
  /** Runs on a thread (not only under assume-concurrent). */
  onThread: boolean;
  locked: boolean;
}

const cache = new WeakMap<ModuleModel, Map<string, ChangeSite[] | undefined>>();

/** Where a shared container is changed in place (not rebound), by key; undefined when nowhere. */
function containerChanges(model: ModuleModel, key: string): ChangeSite[] | undefined {
  let byKey = cache.get(model);
  if (!byKey) cache.set(model, (byKey = new Map()));
  if (byKey.has(key)) return byKey.get(key);
  const sites: ChangeSite[] = [];
  for (const w of sharedWritesOf(model, key)) {
    if (!mutationOf(w.node)) continue;
    const entry = model.threads.entryFor(w.scope);
    sites.push({ node: w.node, onThread: !!entry && !entry.assumed, locked: w.held.length > 0 });
  }
  const found = sites.length > 0 ? sites : undefined;
  byKey.set(key, found);
  return found;
}

const siteCache = new WeakMap<ModuleModel, Map<string, ChangeSite[]>>();

/**
 * Changes of fields by key (`Cls.field`), whatever the class's sharing evidence: for fields read through
 * objects the model does not track. Where each runs is worked out only when asked.
 */
interface FieldChanges {
  get(key: string): ChangeSite[] | undefined;
  keysOf(field: string): string[];
}

function fieldChanges(model: ModuleModel): FieldChanges {
  let sites = siteCache.get(model);
  if (!sites) siteCache.set(model, (sites = new Map()));
  const cache = sites;
  return {
    get(key: string): ChangeSite[] | undefined {
      let list = cache.get(key);
      if (list) return list;
      const nodes = fieldChangeNodes(model).get(key);
      if (!nodes) return undefined;
      list = nodes.map(({ node, scope }) => {
        const entry = model.threads.entryFor(scope);
        return { node, onThread: !!entry && !entry.assumed, locked: model.heldLocks(node).length > 0 };
      });
      cache.set(key, list);
      return list;
    },
    keysOf: (field) => fieldChangeNodes(model).keysOf(field),
  };
}

type FieldChangeNode = { node: Node; scope: FunctionScope };

/**
 * In-place changes of `self.<field>` in every class's methods (construction aside), keyed `Cls.field`.
 * Whether a method runs only during construction is a question about its callers, so it is asked per key
 * when the key is: the first answer after an edit asks about a few fields, not every class's.
 */
interface FieldChangeNodes {
  get(key: string): FieldChangeNode[] | undefined;
  /** The keys of `field` (`Cls.field` for every class that changes it outside construction). */
  keysOf(field: string): string[];
}

const fieldCache = new WeakMap<ModuleModel, FieldChangeNodes>();

function fieldChangeNodes(model: ModuleModel): FieldChangeNodes {
  let found = fieldCache.get(model);
  if (found) return found;
  // Every change of a known container through `self`, in class and method order, construction included.
  const candidates = new Map<string, FieldChangeNode[]>();
  for (const cls of model.classes.values()) {
    for (const method of cls.methods.values()) {
      const scope = model.scopeOf(method.childForFieldName('body') ?? method);
      if (!scope?.receiver || CONSTRUCTION_METHODS.has(scope.name)) continue;
      for (const n of model.ownNodes(scope)) {
        const m = mutationOf(n);
        const parts = m?.container.text.split('.');
        if (!m || parts?.length !== 2 || parts[0] !== scope.receiver || !changesKnownContainer(m, scope, model)) continue;
        push(candidates, `${cls.name}.${parts[1]}`, { node: n, scope });
      }
    }
  }
  const filtered = new Map<string, FieldChangeNode[] | undefined>();
  const get = (key: string): FieldChangeNode[] | undefined => {
    if (filtered.has(key)) return filtered.get(key);
    const kept = candidates.get(key)?.filter(({ scope }) => !model.isConstructionOnly(scope));
    const list = kept && kept.length > 0 ? kept : undefined;
    filtered.set(key, list);
    return list;
  };
  found = { get, keysOf: (field) => [...candidates.keys()].filter((k) => k.endsWith(`.${field}`) && get(k)) };
  fieldCache.set(model, found);
  return found;
}

/**
 * `self.pending`, a field that holds another class's container (`Feeder(self._pending)` is how every
 * feeder is made): the loop meets that class's changes of it (`Executor._pending`).
 */
function heldContainer(container: Node, scope: FunctionScope, model: ModuleModel): SharedState | null {
  const cls = ownField(container, scope, model);
  const alias = cls ? model.fieldAlias(cls, container.childForFieldName('attribute')!.text) : null;
  if (!alias) return null;
  const line = alias.site.startPosition.row + 1;
  return {
    kind: 'shared-instance',
    // Named by the owner's field, so the loop's and the writers' messages read alike.
    description: `\`${alias.cls.name}.${alias.field}\` (held by \`${cls!.name}\` as \`${container.text}\`, handed over at line ${line})`,
    key: `${alias.cls.name}.${alias.field}`,
    confidence: 'medium',
  };
}

/** The owner's side: `self._pending`, which objects of other classes were handed (`_Sender.pending`). */
function handedContainer(container: Node, scope: FunctionScope, model: ModuleModel): SharedState | null {
  const cls = ownField(container, scope, model);
  const field = container.childForFieldName('attribute')?.text;
  const holders = cls && field ? model.fieldsAliasing(`${cls.name}.${field}`) : [];
  if (holders.length === 0) return null;
  return {
    kind: 'shared-instance',
    description: `\`${cls!.name}.${field}\` (also held as ${holders.map((h) => `\`${h}\``).join(', ')})`,
    key: `${cls!.name}.${field}`,
    confidence: 'medium',
  };
}

/** `self.field` → the class of the method it is read in; anything else → null. */
function ownField(container: Node, scope: FunctionScope, model: ModuleModel): ClassInfo | null {
  const object = container.type === 'attribute' ? container.childForFieldName('object') : null;
  return object?.type === 'identifier' && object.text === scope.receiver ? model.classInfo(scope.classNode) : null;
}

/** In-place changes of `Cls.field`, a field that holds another object's container (no container literal of its own to check). */
function changesThrough(key: string, model: ModuleModel): ChangeSite[] {
  const dot = key.indexOf('.');
  const cls = [...model.classes.values()].find((c) => c.name === key.slice(0, dot));
  const sites: ChangeSite[] = [];
  for (const method of cls?.methods.values() ?? []) {
    const scope = model.scopeOf(method.childForFieldName('body') ?? method);
    if (!scope?.receiver || CONSTRUCTION_METHODS.has(scope.name)) continue;
    for (const n of model.ownNodes(scope)) {
      if (mutationOf(n)?.container.text !== `${scope.receiver}.${key.slice(dot + 1)}`) continue;
      const entry = model.threads.entryFor(scope);
      sites.push({ node: n, onThread: !!entry && !entry.assumed, locked: model.heldLocks(n).length > 0 });
    }
  }
  return sites;
}

/**
 * `obj.field` where `obj` is a parameter or local the model has no type for: the field of the one class
 * whose methods change a field of that name (as calls resolve `obj.method` when one class has it).
 */
function fieldOfUntrackedObject(container: Node, scope: FunctionScope, model: ModuleModel): SharedState | null {
  const object = container.type === 'attribute' ? container.childForFieldName('object') : null;
  const field = container.childForFieldName('attribute')?.text;
  if (object?.type !== 'identifier' || object.text === scope.receiver || !field) return null;
  if (!scope.parameters.has(object.text) && !scope.locals.has(object.text)) return null;
  const owners = fieldChanges(model).keysOf(field);
  if (owners.length !== 1) return null;
  const cls = owners[0].slice(0, -field.length - 1);
  // A common field name says little (`req.headers` is not `Response.headers`, whose class lives in
  // another module): the variable must be annotated with the class or named after it (`scanner` for
  // `Scanner`, `resp` for `Response`), or the field's name compound enough to be the class's own
  // (`start_time_by_pid`).
  const compound = /[a-z0-9]_[a-z0-9]/i.test(field.replace(/^_+/, ''));
  // In a method of the class itself, another object used with its fields is one of its kind (`merge(self, other)`).
  const ownKind = model.classInfo(scope.classNode)?.name === cls;
  if (!compound && !ownKind && !namedAfter(object.text, cls) && !annotatedWith(object.text, cls, scope)) return null;
  // Changed on a thread (a Thread subclass's run, a thread target): the object is shared with it.
  const onThread = fieldChanges(model).get(owners[0])!.some((c) => c.onThread);
  return { kind: 'shared-instance', description: `\`${container.text}\` (field \`${field}\` of \`${cls}\`)`, key: owners[0], weak: !onThread, confidence: onThread ? 'medium' : 'low' };
}

/** `def ready(scanner: Scanner)` / `scanner: "Scanner"` / `Optional[Scanner]`. */
function annotatedWith(variable: string, cls: string, scope: FunctionScope): boolean {
  const params = scope.node.childForFieldName('parameters');
  for (const p of params ? params.namedChildren : []) {
    if (p.type !== 'typed_parameter' && p.type !== 'typed_default_parameter') continue;
    const name = p.type === 'typed_parameter' ? p.namedChildren.find((c) => c.type === 'identifier') : p.childForFieldName('name');
    if (name?.text === variable) return new RegExp(`\\b${cls}\\b`).test(p.childForFieldName('type')?.text ?? '');
  }
  return false;
}

/**
 * Stores to a key the container's own literal already has (`messages["CURRENT"] = lang` with
 * `messages = {"CURRENT": None, …}`) when nothing ever removes a key: they replace a value and never
 * resize what a loop iterates.
 */
function existingKeyStores(changes: ChangeSite[], container: Node, scope: FunctionScope, model: ModuleModel): Set<Node> {
  const out = new Set<Node>();
  const stores = changes.filter((s) => mutationOf(s.node)?.kind === 'item-assignment');
  if (stores.length === 0 || changes.some((s) => mutationOf(s.node)?.kind !== 'item-assignment')) return out;
  const kind = container.type === 'identifier' ? model.resolve(container.text, scope).kind : null;
  const binding = kind === 'global' || kind === 'module' ? model.bindings.get(container.text) : undefined;
  const literal = binding?.kind === 'value' ? binding.node : model.containerValue(container, scope);
  if (literal?.type !== 'dictionary') return out;
  const keys = new Set(namedChildren(literal).flatMap((pair) => (pair.type === 'pair' ? [pair.childForFieldName('key')?.text] : [])));
  for (const s of stores) {
    const key = s.node.childForFieldName('left')?.childForFieldName('subscript');
    if (key && (key.type === 'string' || key.type === 'integer') && keys.has(key.text)) out.add(s.node);
  }
  return out;
}

/**
 * Where the state is changed — for a field of `self`, also by the methods of the module's classes one
 * object of the loop's class may also be (its bases, the classes derived from it): `Base.stop` iterating
 * `self._groups` meets `Cached.watch` discarding from it on a `Cached` object.
 */
function changesOfField(shared: SharedState, model: ModuleModel): ChangeSite[] {
  const own = containerChanges(model, shared.key) ?? fieldChanges(model).get(shared.key) ?? [];
  if (shared.kind !== 'shared-instance') return own;
  const related = model.relatedFieldKeys(shared.key).flatMap((k) => containerChanges(model, k) ?? []);
  return related.length > 0 ? [...own, ...related.filter((r) => !own.some((o) => o.node === r.node))] : own;
}

/** The iterable of a `for` or a comprehension clause (checked there already). */
function isIterated(call: Node): boolean {
  const parent = call.parent;
  return (parent?.type === 'for_statement' || parent?.type === 'for_in_clause') && parent.childForFieldName('right') === call;
}

/** What iterating a dict or set that another thread resizes raises (a handler for any Exception is there for the loop body's failures). */
const CHANGED_DURING_ITERATION = /\bRuntimeError\b/;

function check(node: Node, iterable: Node | null, ctx: RuleContext) {
  const container = iterable ? iteratedContainer(iterable) : null;
  if (!container || !iterable) return;
  const scope = ctx.model.scopeOf(node);
  if (!scope) return;
  if (reportQueueStorageWalk(node, iterable, container, scope, ctx)) return;
  reportChangesOneCallDeep(node, iterable, container, scope, ctx);
  reportResizesInLoop(node, iterable, container, scope, ctx);
  const held = heldContainer(container, scope, ctx.model);
  const ownerSide = !held ? handedContainer(container, scope, ctx.model) : null;
  const shared = held ?? sharedState(container, scope, ctx.model, 'object') ?? fieldOfUntrackedObject(container, scope, ctx.model) ?? ownerSide;
  if (!shared || shared.kind === 'module-attribute') return;
  // The loop is reported for changes made elsewhere; its own changes are reported as writers below.
  // Changes made through other objects the container was handed to (`self.pending.pop(k)` in a feeder)
  // count too — and alone, when only that hand-over shares the owner's container.
  const handed = shared.kind === 'shared-instance' ? ctx.model.fieldsAliasing(shared.key).flatMap((k) => changesThrough(k, ctx.model)) : [];
  const own = shared === ownerSide ? [] : changesOfField(shared, ctx.model);
  const all = handed.length > 0 ? [...own, ...handed] : own;
  // Changing one element changes the container only when reading the element can add it (a defaultdict
  // or a mapping with `__missing__`), which a test that the key is there rules out.
  const plain = plainContainer(container, scope, ctx.model);
  const kept = all.filter((s) => !changesAnElement(s.node, container) || (!plain && !elementKnownPresent(s.node)));
  // Walking one element (`for k in keys` with `keys = QUEUE[k]`): storing, popping or deleting the outer
  // container's entries replaces no element in place — the loop keeps the object it was handed.
  const outer = shared.elementOf;
  const changes = outer ? kept.filter((s) => !changesContainerItself(s.node, outer)) : kept;
  const cls = ctx.model.classInfo(scope.classNode);
  const existing = existingKeyStores(changes, container, scope, ctx.model);
  // A change made while no other thread can run (at import, in a forked child, at exit) meets no loop.
  const alone = (n: Node) => !!ctx.model.ordering.whyAlone(ctx.model.scopeOf(n));
  const sites = changes.filter((s) => !within(s.node, node) && !claimExcludes(node, s.node, cls, ctx.model) && !existing.has(s.node) && !alone(s.node));
  if (sites.length === 0) {
    const external = shared.kind === 'global' ? ctx.options.project?.containerChanges?.get(shared.key) : undefined;
    if (external) reportLoopBesideOtherModule(node, iterable, container, scope, shared, external, ctx);
    return;
  }
  // (One logging handler's lock, held by its `emit`, guards no state every handler shares: raceVerdict.)
  const loopLocks = ctx.model.heldLocks(node);
  const processWide = shared.kind === 'global' || shared.kind === 'class-attribute';
  if (loopLocks.length > 0 && !(processWide && ctx.model.onlyHandlerLock(node, scope))) {
    if (sharedWritesOf(ctx.model, shared.key).every((w) => w.held.length === 0)) reportChangesBesideLockedLoop(node, iterable, container, scope, shared, sites, loopLocks[0], ctx);
    return;
  }
  // `try: for k in d: …` / `except RuntimeError:`: the author expects "changed size during iteration"
  // (a dict's or set's; a list raises nothing, it skips) and handles it.
  if (containerKindOf(container, scope, ctx.model) !== 'list' && caughtAround(node, CHANGED_DURING_ITERATION)) return;
  const verdict = raceVerdict(node, scope, shared, ctx);
  if (!verdict) return;
  // Cite a change that breaks the walk (a sort, a removal) before one that only appends.
  const breaking = containerKindOf(container, scope, ctx.model) === 'list' ? sites.filter((s) => !growsAtEnd(s.node)) : [];
  const site = (breaking.length > 0 ? concurrentSite(breaking, scope, container, ctx.model) : null) ?? concurrentSite(sites, scope, container, ctx.model);
  if (!site) return;
  const sameCall = ctx.model.scopeOf(site.node) === scope;
  // Without a thread in sight, report only containers whose other uses take a lock (the discipline this
  // read breaks) or when auditing a library; an object shared with one thread only when that thread is
  // one of the two sides (off it, the loop and the change are both the holder's).
  if (!verdict.where && !site.onThread && !site.locked && !ctx.options.assumeConcurrent && (shared.kind !== 'shared-instance' || shared.holderSide)) return;
  const kind = containerKindOf(container, scope, ctx.model);
  const growing = onlyGrowsList(kind, sites);
  const missable = growing && !finishesEachItem(node);
  const raised = site.onThread || site.locked ? (verdict.confidence === 'low' ? 'medium' : verdict.confidence) : verdict.confidence;
  // A list that only grows at its end under the loop breaks nothing: the loop may miss the new items.
  const confidence = missable ? lowered(raised) : raised;
  ctx.report(iterable, {
    severity: verdict.severity === 'error' ? 'warning' : verdict.severity,
    confidence,
    fix: snapshotFix(iterable),
    message:
      `Iterating \`${snippet(iterable, 40)}\` while ${sameCall ? `another call of \`${scope.name}\`` : 'other code'} changes ${shared.description} (\`${snippet(site.node, 40)}\`, line ${site.node.startPosition.row + 1}${site.locked ? ', under a lock this loop does not hold' : ''}): ` +
      `${midIterationEffect(kind, growing)}, and on free-threaded Python the change really runs at the same time.${verdict.where} ` +
      `Take a snapshot under the lock that guards the changes (\`with lock: items = list(${snippet(container, 30)})\`), or hand data over through a queue.Queue.`,
  });
  reportWriters(node, iterable, container, scope, shared, changes.filter((s) => !s.locked), ctx, !!verdict.where, { severity: verdict.severity === 'error' ? 'warning' : verdict.severity, confidence });
}

/** The container's kind by construction — a local's or module global's value, a field of the method's object — or null. */
function containerKindOf(container: Node, scope: FunctionScope, model: ModuleModel): 'list' | 'dict' | 'set' | null {
  if (container.type === 'identifier') return builtContainerKind(model.containerValue(container, scope));
  const object = container.type === 'attribute' ? container.childForFieldName('object') : null;
  const cls = object?.text === scope.receiver ? model.classInfo(scope.classNode) : null;
  return cls ? model.fieldContainerKind(cls, container.childForFieldName('attribute')!.text) : null;
}

/** A list every change of which (`append`, `extend`) adds at its end: a loop over it skips and repeats nothing. */
function onlyGrowsList(kind: string | null, sites: readonly ChangeSite[]): boolean {
  return kind === 'list' && sites.length > 0 && sites.every((s) => growsAtEnd(s.node));
}

function growsAtEnd(change: Node): boolean {
  const callee = change.type === 'call' ? change.childForFieldName('function') : null;
  const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
  return method === 'append' || method === 'extend';
}

/**
 * A loop that finishes each item it visits (`for t in self.tracers: t.stop()`, `e.wait()`, `c.close()`):
 * an item appended while it runs is never finished — missing it is the bug, not a benign miss.
 */
function finishesEachItem(loop: Node): boolean {
  if (loop.type !== 'for_statement') return false;
  const names = boundNames(loop.childForFieldName('left'));
  const body = loop.childForFieldName('body')?.text ?? '';
  return names.some((name) => new RegExp(`(?<![\\w.])${name}\\s*\\.\\s*(?:close|stop|cancel|join|shutdown|flush|terminate|kill|release|disconnect|pause|wait|finish|unregister|detach)\\s*\\(`).test(body));
}

/** What a change made mid-iteration does to the loop, by what is known of the container and its changes. */
function midIterationEffect(kind: 'list' | 'dict' | 'set' | null, growing: boolean): string {
  if (growing) return 'a list grown at its end while a loop walks it skips and repeats nothing, but the loop may or may not reach the new items — one that must see every item (closing or flushing them all) can miss some';
  if (kind === 'list') return 'a list skips or repeats items';
  if (kind === 'dict' || kind === 'set') return `a ${kind} raises "changed size during iteration"`;
  return 'a dict or set raises "changed size during iteration", a list skips or repeats items';
}

function lowered(confidence: Finding['confidence']): Finding['confidence'] {
  return confidence === 'high' ? 'medium' : 'low';
}

/**
 * `self._events[name]["event"].clear()`, `self._events[name]["callbacks"].append(cb)`: a change of a
 * value the container holds, not of the container — its size and keys stay as they are.
 */
function changesAnElement(change: Node, container: Node): boolean {
  const changed = mutationOf(change)?.container;
  return !!changed && changed.text.replace(/\s+/g, '').startsWith(`${container.text.replace(/\s+/g, '')}[`);
}

/**
 * `if ns in self._handlers and h in self._handlers[ns]: self._handlers[ns].remove(h)`: the element the
 * change reads is one the enclosing `if` found there, so reading it adds no key.
 */
function elementKnownPresent(change: Node): boolean {
  const element = mutationOf(change)?.container;
  const key = element?.type === 'subscript' ? element.childForFieldName('subscript')?.text.replace(/\s+/g, '') : undefined;
  const outer = element?.type === 'subscript' ? element.childForFieldName('value')?.text.replace(/\s+/g, '') : undefined;
  if (!key || !outer) return false;
  for (let n: Node | null = change; n && n.type !== 'function_definition'; n = n.parent) {
    const branch = n.parent;
    if (branch?.type !== 'if_statement' || branch.childForFieldName('consequence')?.id !== n.id) continue;
    if (testsMembership(branch.childForFieldName('condition'), key, outer)) return true;
  }
  return false;
}

/** Is `key in outer` one of the condition's `and`-ed terms? */
function testsMembership(condition: Node | null, key: string, outer: string): boolean {
  if (!condition) return false;
  if (condition.type === 'parenthesized_expression') return testsMembership(condition.namedChildren[0] ?? null, key, outer);
  if (condition.type === 'boolean_operator') {
    return condition.childForFieldName('operator')?.text === 'and' && (testsMembership(condition.childForFieldName('left'), key, outer) || testsMembership(condition.childForFieldName('right'), key, outer));
  }
  if (condition.type !== 'comparison_operator' || condition.namedChildren.length !== 2 || !/^\S+\s+in\s+\S/.test(condition.text) || /\bnot\s+in\b/.test(condition.text)) return false;
  const [left, right] = condition.namedChildren;
  return left.text.replace(/\s+/g, '') === key && right.text.replace(/\s+/g, '') === outer;
}

/** `QUEUE[k] = v`, `QUEUE.pop(k)`, `del QUEUE[k]`: a change of the container's own entries, not of an element. */
function changesContainerItself(change: Node, container: Node): boolean {
  const changed = mutationOf(change)?.container;
  if (!changed || changed.text.replace(/\s+/g, '') !== container.text.replace(/\s+/g, '')) return false;
  // `QUEUE.setdefault(k, {})[arg] = v`, `QUEUE.setdefault(k, []).append(x)`: the element it returns is changed.
  const call = changed.parent?.type === 'attribute' ? changed.parent.parent : null;
  const used = call?.type === 'call' ? call.parent : null;
  return !(used && ((used.type === 'subscript' && used.childForFieldName('value')?.id === call!.id) || (used.type === 'attribute' && used.childForFieldName('object')?.id === call!.id)));
}

/**
 * A container every binding of which is a built-in list, dict or set (`self._events = {…}`, `_hooks =
 * []`): reading an element never adds one, as it would in a `defaultdict` or a mapping with `__missing__`.
 */
function plainContainer(container: Node, scope: FunctionScope, model: ModuleModel): boolean {
  if (container.type === 'identifier') return builtContainerKind(model.containerValue(container, scope)) !== null;
  const object = container.type === 'attribute' ? container.childForFieldName('object') : null;
  const cls = object?.text === scope.receiver ? model.classInfo(scope.classNode) : null;
  return !!cls && model.fieldContainerKind(cls, container.childForFieldName('attribute')!.text) !== null;
}

/**
 * The change to cite against a loop, one that can run while it iterates: a change in another function
 * (on a thread first, then a locked one) unless that function runs on the loop's own dedicated thread;
 * a change in the loop's own function, before or after the loop, only meets it from another call of
 * that function, which a function run by one dedicated thread and nothing else never has.
 */
function concurrentSite(sites: ChangeSite[], scope: FunctionScope, container: Node, model: ModuleModel): ChangeSite | null {
  const concurrent = sites.filter((s) => !sameDedicatedThread(scope, model.scopeOf(s.node), container, model));
  const elsewhere = concurrent.filter((s) => model.scopeOf(s.node) !== scope);
  const pick = (list: ChangeSite[]) => list.find((s) => s.onThread) ?? list.find((s) => s.locked) ?? list[0] ?? null;
  return pick(elsewhere.length > 0 ? elsewhere : concurrent);
}

/**
 * Do the loop's function and the writer run on one dedicated thread (dedicatedThreads.ts), so that one
 * never runs while the other does? A thread per object is one thread for the object's own fields only.
 */
function sameDedicatedThread(scope: FunctionScope, writer: FunctionScope | null, container: Node, model: ModuleModel): boolean {
  const thread = model.dedicatedThreadOf(scope);
  if (!thread || !writer) return false;
  // A thread per call of its spawner runs a closure: the spawner's locals it captured are new each call,
  // that thread's own (`clients = []` in `spawn`, appended to and iterated by the `_run` it starts).
  if (thread.spawner) {
    const spawner = model.scopeOf(thread.spawner.childForFieldName('body') ?? thread.spawner);
    const own = container.type === 'identifier' && !!spawner && model.resolve(container.text, scope).owner === spawner;
    return own && (writer === scope || model.dedicatedThreadOf(writer) === thread);
  }
  if (thread.perObject && !container.text.startsWith(`${scope.receiver}.`)) return false;
  return writer === scope || model.dedicatedThreadOf(writer) === thread;
}

/**
 * A loop over a module global that another module of the project changes in place (`for k in _handlers`
 * here, `registry._handlers[name] = h` on a worker thread there): the project graph brings the change.
 * Both sides holding a lock may be one lock (`with registry._lock:` there): left alone.
 */
function reportLoopBesideOtherModule(node: Node, iterable: Node, container: Node, scope: FunctionScope, shared: SharedState, change: ContainerAccess, ctx: RuleContext): void {
  if (change.locked && ctx.model.heldLocks(node).length > 0) return;
  const verdict = raceVerdict(node, scope, shared, ctx);
  if (!verdict || (!verdict.where && !change.onThread && !ctx.options.assumeConcurrent)) return;
  const confidence = change.onThread ? (verdict.confidence === 'low' ? 'medium' : verdict.confidence) : verdict.confidence;
  ctx.report(iterable, {
    severity: verdict.severity === 'error' ? 'warning' : verdict.severity,
    confidence,
    fix: snapshotFix(iterable),
    message:
      `Iterating \`${snippet(iterable, 40)}\` while ${change.where} (line ${change.line}${change.onThread ? ', on a thread' : ''}${change.locked ? ', under a lock this loop does not hold' : ''}) changes ${shared.description}: ` +
      `a dict or set raises "changed size during iteration", a list skips or repeats items, and on free-threaded Python the change really runs at the same time.${verdict.where} ` +
      `Guard both with one lock (a snapshot here, \`with lock: items = list(${snippet(container, 30)})\`), or hand data over through a queue.Queue.`,
  });
}

/**
 * The other module's side: a change here of another module's global that its own code iterates
 * (`registry._handlers[name] = h` here, `for k in _handlers` there), when one of the two runs on a
 * thread (or assume-concurrent says every function may). Changes made holding a lock are left alone:
 * it may be the loop's.
 */
function reportChangesOfOtherModules(loops: ReadonlyMap<string, ContainerAccess>, ctx: RuleContext): void {
  const { model } = ctx;
  for (const { node: n, scope, qualified } of changesOfImportedGlobals(model)) {
    const loop = loops.get(qualified);
    if (!loop || model.heldLocks(n).length > 0) continue;
    const entry = model.threads.entryFor(scope);
    const onThread = !!entry && !entry.assumed;
    if (!onThread && !loop.onThread && !ctx.options.assumeConcurrent) continue;
    const dot = qualified.lastIndexOf('.');
    ctx.report(n, {
      severity: 'warning',
      confidence: onThread || loop.onThread ? 'medium' : 'low',
      message:
        `\`${snippet(n, 40)}\` changes \`${qualified.slice(dot + 1)}\`, a module global of \`${qualified.slice(0, dot)}\`, while ${loop.where} (line ${loop.line}${loop.onThread ? ', on a thread' : ''}) iterates it${loop.locked ? ' under a lock this change does not take' : ' without a lock'}: ` +
        `on free-threaded Python the loop sees the change mid-iteration — a dict or set raises "changed size during iteration", a list skips or repeats items. ` +
        `Take one lock here and around the loop's snapshot, or hand the data over through a queue.Queue.`,
    });
  }
}

function snapshotFix(iterable: Node): Fix {
  return {
    message: `Iterate over a snapshot: \`list(${snippet(iterable, 30)})\``,
    // The loop no longer sees changes made while it runs, and the copy is taken without the writers' lock.
    applicability: 'unsafe',
    edits: [{ start: iterable.startIndex, end: iterable.endIndex, newText: `list(${iterable.text})` }],
  };
}

/**
 * A plain list changed by its own loop on one thread, on purpose: grown while iterated (`for job in work:
 * … work.append(next_job)`), the worklist idiom — the loop visits what was added and skips nothing; or
 * shrunk inside a re-scan (`while changed: changed = False; for i, x in enumerate(items): … items.pop(i);
 * changed = True`), a fixpoint whose next pass visits what this one skipped. A dict or set raises either way.
 */
function intendedListChange(change: Node, container: Node, loop: Node, scope: FunctionScope, model: ModuleModel): boolean {
  if (loop.type !== 'for_statement') return false;
  const method = change.type === 'call' ? change.childForFieldName('function')?.childForFieldName('attribute')?.text : undefined;
  // `for x in reversed(items): … items.remove(x)`: a reversed walk goes down the indices, and removing
  // the item it stands on moves only those it has passed. (A list: a set has no order to reverse and a
  // dict no `remove`; a deque, which raises, is told by its kind.)
  const iterable = loop.childForFieldName('right');
  const variable = loop.childForFieldName('left');
  if (method === 'remove' && iterable?.type === 'call' && iterable.childForFieldName('function')?.text === 'reversed' && variable?.type === 'identifier' && positionalArguments(change)[0]?.text === variable.text) {
    const kind = containerKindOf(container, scope, model);
    if (kind === 'list' || (kind === null && !/\bdeque\b/.test(model.text))) return true;
  }
  if (builtContainerKind(model.containerValue(container, scope)) !== 'list') return false;
  if (method === 'append' || method === 'extend') return true;
  const rescan = loop.parent?.type === 'block' && loop.parent.parent?.type === 'while_statement' ? loop.parent.parent : null;
  const flag = rescan?.childForFieldName('condition');
  const body = loop.childForFieldName('body');
  if (flag?.type !== 'identifier' || !body) return false;
  return body.descendantsOfType('assignment').some((a) => a.childForFieldName('left')?.text === flag.text && a.childForFieldName('right')?.type === 'true');
}

/**
 * `files[i] = None` on a list: an index assignment replaces an item (or raises IndexError), it never
 * changes the list's length, so the loop neither skips nor repeats. A slice assignment can resize it.
 */
function replacesListItem(change: Node, container: Node, scope: FunctionScope, model: ModuleModel): boolean {
  const m = mutationOf(change);
  if (m?.kind !== 'item-assignment' && m?.kind !== 'item-augmented') return false;
  const index = change.childForFieldName('left')?.childForFieldName('subscript');
  return !!index && index.type !== 'slice' && builtContainerKind(model.containerValue(container, scope)) === 'list';
}

/** `tuple(d.keys())`, `list(d)`: the loop's body runs over a copy taken before its first pass. */
function iteratesCopy(iterable: Node): boolean {
  const fn = iterable.type === 'call' ? iterable.childForFieldName('function') : null;
  return fn?.type === 'identifier' && SNAPSHOTS.has(fn.text);
}

/**
 * `for k, v in d.items(): … del d[k]`: the loop resizes what it iterates in its own body — "changed size
 * during iteration" on the next pass (a list skips the next item), on one thread as on many, whatever the
 * sharing and whatever lock is held. Not when `break`/`return`/`raise` follows the change in its block.
 */
function reportResizesInLoop(loop: Node, iterable: Node, container: Node, scope: FunctionScope, ctx: RuleContext): void {
  const body = loop.type === 'for_statement' ? loop.childForFieldName('body') : null;
  // `for k in tuple(d.keys()):` runs its body over a copy made before the first pass.
  if (!body || iteratesCopy(iterable) || !ctx.model.isKnownContainer(container, scope)) return;
  let done = reportedWriters.get(ctx);
  const inBody = ctx.model.ownNodes(scope).filter((n) => n.startIndex >= body.startIndex && n.endIndex <= body.endIndex);
  for (const n of inBody) {
    if (mutationOf(n)?.container.text !== container.text || !changesSizeOf(n, container, loop) || leavesLoopAfter(n, loop)) continue;
    if (intendedListChange(n, container, loop, scope, ctx.model) || replacesListItem(n, container, scope, ctx.model)) continue;
    // `items = []` earlier in the body: the change is to another object than the one iterated.
    if (inBody.some((a) => a.type === 'assignment' && a.startIndex < n.startIndex && a.childForFieldName('left')?.text === container.text)) continue;
    if (!done) reportedWriters.set(ctx, (done = new Set()));
    if (done.has(n)) continue;
    done.add(n);
    ctx.report(n, {
      severity: 'warning',
      confidence: 'high',
      message:
        `\`${snippet(n, 40)}\` changes \`${snippet(container, 30)}\` inside the loop that iterates it (line ${iterable.startPosition.row + 1}): a dict or set raises "changed size during iteration" and a list skips the next item, even on one thread. ` +
        `Collect what to change and apply it after the loop, or iterate over a snapshot (\`list(${snippet(iterable, 30)})\`).`,
    });
  }
}

/**
 * `for tag in self._receivers.keys(): self.cancel(tag)` where `cancel` pops from `self._receivers`: the
 * loop changes what it iterates one call deep — "changed size during iteration" on the first pass, on one
 * thread as on many. Reported at the call, whatever the sharing.
 */
function reportChangesOneCallDeep(loop: Node, iterable: Node, container: Node, scope: FunctionScope, ctx: RuleContext): void {
  if (loop.type !== 'for_statement' || !scope.receiver || !scope.classNode || iteratesCopy(iterable)) return;
  const parts = container.text.split('.');
  if (parts.length !== 2 || parts[0] !== scope.receiver) return;
  const cls = ctx.model.classInfo(scope.classNode);
  const changes = cls ? fieldChangeNodes(ctx.model).get(`${cls.name}.${parts[1]}`) : undefined;
  if (!changes) return;
  const byMethod = new Map<string, Node>();
  for (const c of changes) if (!byMethod.has(c.scope.name) && c.scope.classNode === scope.classNode) byMethod.set(c.scope.name, c.node);
  const body = loop.childForFieldName('body');
  if (!body) return;
  for (const call of ctx.model.ownNodes(scope)) {
    if (call.type !== 'call' || call.startIndex < body.startIndex || call.endIndex > body.endIndex) continue;
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('object')?.text !== scope.receiver) continue;
    const name = fn.childForFieldName('attribute')?.text ?? '';
    const change = byMethod.get(name);
    if (!change || within(change, loop) || leavesLoopAfter(call, loop)) continue;
    // The call may not be the method's: an attribute stored on the object first shadows it.
    const method = cls?.methods.get(name);
    if (method && !ctx.model.functionsFor(fn, call).includes(method)) continue;
    if (method && storesVisitedKey(call, change, method, loop)) continue;
    ctx.report(call, {
      severity: 'warning',
      confidence: 'high',
      message:
        `\`${snippet(call, 40)}\` changes \`${container.text}\` (\`${snippet(change, 40)}\`, line ${change.startPosition.row + 1}) inside the loop that iterates it (line ${iterable.startPosition.row + 1}): ` +
        `a dict or set raises "changed size during iteration" on the next pass and a list skips items, on one thread as on many. Iterate over a snapshot (\`list(${snippet(iterable, 30)})\`).`,
      fix: {
        message: `Iterate over a snapshot: \`list(${snippet(iterable, 30)})\``,
        applicability: 'safe',
        edits: [{ start: iterable.startIndex, end: iterable.endIndex, newText: `list(${iterable.text})` }],
      },
    });
  }
}

function within(node: Node, outer: Node): boolean {
  return node.startIndex >= outer.startIndex && node.startIndex < outer.endIndex;
}

/**
 * Does the change resize the very container the loop iterates (same expression, not another object's
 * field of the same name)? `d[k] = v` (or `+=`) with `k` the loop's own variable only replaces a value.
 */
/**
 * `for pkt in self.log: self.write(pkt, …)` where `write(self, offset, data)` stores `self.log[offset] =
 * data`: the helper replaces the value of the key the loop is visiting, handed to it as that argument —
 * no resize.
 */
function storesVisitedKey(call: Node, change: Node, method: Node, loop: Node): boolean {
  const m = mutationOf(change);
  if (!m || m.kind !== 'item-assignment') return false;
  const key = change.childForFieldName('left')?.childForFieldName('subscript');
  const params = namedChildren(method.childForFieldName('parameters') ?? method).map((p) => (p.type === 'identifier' ? p.text : p.childForFieldName('name')?.text ?? p.namedChildren[0]?.text ?? ''));
  const index = key?.type === 'identifier' ? params.indexOf(key.text) - 1 : -1;
  // The key must be the parameter as given: not bound again in the helper before the store.
  if (index < 0 || method.descendantsOfType('assignment').some((a) => a?.childForFieldName('left')?.text === key!.text && a.startIndex < change.startIndex)) return false;
  const arg = positionalArguments(call)[index];
  const loopVars = loop.type === 'for_statement' ? boundNames(loop.childForFieldName('left')) : [];
  return arg?.type === 'identifier' && loopVars.includes(arg.text) && replacesVisitedKeyOf(loop, arg.text);
}

/** Is `name` the key the loop visits (`for k in d`, `for k in d.keys()`, `for k, v in d.items()`)? */
function replacesVisitedKeyOf(loop: Node, name: string): boolean {
  const left = loop.childForFieldName('left');
  const right = loop.childForFieldName('right');
  const method = right?.type === 'call' ? right.childForFieldName('function')?.childForFieldName('attribute')?.text : undefined;
  if (left?.type === 'identifier') return left.text === name && (right?.type !== 'call' || method === 'keys');
  const first = left ? namedChildren(left)[0] : undefined;
  return method === 'items' && first?.text === name;
}

function changesSizeOf(change: Node, container: Node, loop: Node): boolean {
  const m = mutationOf(change);
  if (!m || m.container.text !== container.text) return false;
  if (m.kind !== 'item-assignment' && m.kind !== 'item-augmented') return true;
  const key = change.childForFieldName('left')?.childForFieldName('subscript')?.text;
  const loopVars = loop.type === 'for_statement' ? boundNames(loop.childForFieldName('left')) : [];
  return !key || !loopVars.includes(key);
}

/** The container whose keys a loop visits, through snapshots too (`list(d)`, `sorted(d.items())`). */
function visitedContainer(iterable: Node | null): Node | null {
  if (!iterable) return null;
  const direct = iteratedContainer(iterable);
  if (direct) return direct;
  const fn = iterable.type === 'call' ? iterable.childForFieldName('function') : null;
  const arg = fn?.type === 'identifier' && SNAPSHOTS.has(fn.text) ? namedChildren(iterable.childForFieldName('arguments')!)[0] : undefined;
  return arg ? iteratedContainer(arg) : null;
}

/** `for k in d: d[k] = v`: the change only replaces the value of a key its own loop is visiting. */
function replacesVisitedValue(change: Node): boolean {
  const m = mutationOf(change);
  if (!m || (m.kind !== 'item-assignment' && m.kind !== 'item-augmented')) return false;
  for (let n = change.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.type !== 'for_statement') continue;
    const iterated = visitedContainer(n.childForFieldName('right'));
    if (iterated?.text === m.container.text && !changesSizeOf(change, m.container, n)) return true;
  }
  return false;
}

const EXITS = new Set(['break_statement', 'return_statement', 'raise_statement']);

/** Is `node` followed, in its own block inside `loop`, by a statement that leaves the loop? */
function leavesLoopAfter(node: Node, loop: Node): boolean {
  let statement: Node = node;
  while (statement.parent && statement.parent.type !== 'block' && statement.parent !== loop) statement = statement.parent;
  if (EXITS.has(statement.type) && !(statement.type === 'break_statement' && loopBetween(statement, loop))) return true;
  // Out through the blocks that hold it (`try:`, `if …:`) up to the loop's body: an exit after any of
  // them runs before the next iteration (`try: items.remove(x) except …: pass` then `break`). A `break`
  // inside a nested loop leaves only that one.
  for (let block = statement.parent; block && block !== loop; ) {
    const nested = loopBetween(statement, loop);
    for (let next = statement.nextNamedSibling; next; next = next.nextNamedSibling) {
      if (EXITS.has(next.type) && !(nested && next.type === 'break_statement')) return true;
    }
    if (block.parent === loop || !block.parent) return false;
    statement = block.parent;
    while (statement.parent && statement.parent.type !== 'block' && statement.parent !== loop) statement = statement.parent;
    if (statement === loop || !statement.parent) return false;
    block = statement.parent;
  }
  return false;
}

/** Is there a `for`/`while` loop strictly between `node` and `loop`? */
function loopBetween(node: Node, loop: Node): boolean {
  for (let n = node.parent; n && n !== loop; n = n.parent) if (n.type === 'for_statement' || n.type === 'while_statement') return true;
  return false;
}

// Per run (not per model): an editor's quick first pass and its full pass share one model.
const reportedWriters = new WeakMap<RuleContext, Set<Node>>();

/**
 * The other side of the race: each unlocked change of the container, where a fix has to take the same
 * lock as the loop (or hand the data over). A change inside the loop itself breaks the iteration even
 * on one thread. Otherwise a change is reported when something puts it beside the loop: one of the two
 * runs on a thread the module starts (or assume-concurrent says every function may); where neither
 * side is on a thread, or the change is the loop's own function's, it may well run on the loop's thread.
 * Once per change, however many loops iterate the container.
 */
function reportWriters(loop: Node, iterable: Node, container: Node, scope: FunctionScope, shared: SharedState, sites: ChangeSite[], ctx: RuleContext, loopOnThread: boolean, level: { severity: Finding['severity']; confidence: Finding['confidence'] }): void {
  let done = reportedWriters.get(ctx);
  if (!done) reportedWriters.set(ctx, (done = new Set()));
  const line = iterable.startPosition.row + 1;
  const kind = containerKindOf(container, scope, ctx.model);
  for (const site of sites) {
    if (done.has(site.node)) continue;
    // A change followed by `break`/`return`/`raise` ends the iteration first: no bug on one thread, but
    // still the writer beside another thread's pass through the same loop.
    const body = loop.type === 'for_statement' ? loop.childForFieldName('body') : loop;
    // A loop over a copy (`tuple(d.keys())`) meets a change in its body only through another pass's copying.
    const inBody = !!body && within(site.node, body) && !iteratesCopy(iterable);
    // In the body, a change that does not resize what the loop iterates (the visited key's value,
    // another object's field of the same name) is no hazard to this loop; the visited key's value
    // replaced in any loop over the container resizes nothing, for any loop.
    if ((inBody && !changesSizeOf(site.node, container, loop)) || replacesVisitedValue(site.node)) continue;
    const inLoop = inBody && !leavesLoopAfter(site.node, loop);
    const writer = ctx.model.scopeOf(site.node);
    if (!writer) continue;
    if (!inLoop && (runsAlone(site.node, writer, ctx) || !(site.onThread || loopOnThread || ctx.options.assumeConcurrent))) continue;
    // The loop's own function, after or before the loop: it races with the loop only when that function runs on
    // several threads at once — which real sharing evidence says, assume-concurrent alone does not.
    if (!inBody && writer === scope && level.confidence === 'low') continue;
    if (!inLoop && (sameDedicatedThread(scope, writer, container, ctx.model) || claimExcludes(loop, site.node, ctx.model.classInfo(scope.classNode), ctx.model))) continue;
    done.add(site.node);
    const growing = !inLoop && kind === 'list' && growsAtEnd(site.node);
    ctx.report(site.node, {
      ...level,
      confidence: growing && !onlyGrowsList(kind, sites) && !finishesEachItem(loop) ? lowered(level.confidence) : level.confidence,
      message: inLoop
        ? `\`${snippet(site.node, 40)}\` changes ${shared.description} inside the loop that iterates it (line ${line}): a dict or set raises "changed size during iteration" and a list skips the next item, even on one thread. ` +
          `Collect what to change and apply it after the loop, or iterate over a snapshot (\`list(${snippet(iterable, 30)})\`).`
        : `\`${snippet(site.node, 40)}\` changes ${shared.description} while \`${scope.name}\` iterates it (line ${line}) without a lock: on free-threaded Python the loop sees the change mid-iteration — ${midIterationEffect(kind, growsAtEnd(site.node) && kind === 'list')}. ` +
          `Take one lock here and around the loop's snapshot (\`with lock: items = list(…)\`), or hand the data over through a queue.Queue.`,
    });
  }
}

/**
 * A loop that holds a lock over a container no change of which takes it (`with self._lock: for e in
 * self._extensions` beside an unlocked `self._extensions.add(e)`): the lock says the container is
 * shared, and guards nothing unless every change takes it too. Reported at the changes (FT105 reports
 * them instead when some write of the state holds a lock); the loop itself needs no other fix.
 */
function reportChangesBesideLockedLoop(loop: Node, iterable: Node, container: Node, scope: FunctionScope, shared: SharedState, sites: ChangeSite[], lock: string, ctx: RuleContext): void {
  if (ctx.model.isDeadCode(loop) || runsAlone(loop, scope, ctx)) return;
  const line = iterable.startPosition.row + 1;
  const kind = containerKindOf(container, scope, ctx.model);
  for (const site of sites) {
    const writer = ctx.model.scopeOf(site.node);
    if (!writer || writer === scope || sameDedicatedThread(scope, writer, container, ctx.model)) continue;
    const growing = kind === 'list' && growsAtEnd(site.node);
    const verdict = raceVerdict(site.node, writer, shared, ctx);
    if (!verdict) continue;
    // The loop's own lock, when the change's function can name the same object's lock (`self._lock` in
    // another method of the loop's class, or a module global).
    const sameObject = scope.receiver !== undefined && writer.receiver === scope.receiver && writer.classNode === scope.classNode && lock.startsWith(`${scope.receiver}.`);
    const global = !lock.includes('.') && ctx.model.bindings.has(lock) && !writer.locals.has(lock) && !writer.parameters.has(lock);
    ctx.report(site.node, {
      severity: verdict.severity === 'error' ? 'warning' : verdict.severity,
      confidence: growing && !finishesEachItem(loop) ? lowered(verdict.confidence) : verdict.confidence,
      fix: sameObject || global ? guardWithNamedLock(ctx.text, site.node, lock) : undefined,
      message:
        `\`${snippet(site.node, 40)}\` changes ${shared.description} without a lock, while \`${scope.name}\` iterates it holding \`${lock}\` (line ${line}): ` +
        `the lock guards the loop only if every change takes it too — on free-threaded Python this change can run mid-iteration, and ${midIterationEffect(kind, growing)}.${verdict.where} ` +
        `Take \`${lock}\` here too.`,
    });
  }
}

const NEXT_ITER = /\bnext\(\s*iter\(/;

/**
 * `with lock: return self._d.keys()`: a view (or an iterator) of a container the lock guards leaves the
 * lock with the return; the caller iterates the live container after the release, while the changes the
 * lock orders run beside it.
 */
function checkEscapingView(node: Node, ctx: RuleContext): void {
  const value = namedChildren(node)[0];
  if (value?.type !== 'call') return;
  const fn = value.childForFieldName('function');
  const args = namedChildren(value.childForFieldName('arguments')!);
  const isView = fn?.type === 'attribute' && VIEWS.has(fn.childForFieldName('attribute')?.text ?? '') && args.length === 0;
  const isIter = fn?.type === 'identifier' && fn.text === 'iter' && args.length === 1;
  if (!isView && !isIter) return;
  const container = iteratedContainer(value);
  const scope = container ? ctx.model.scopeOf(node) : null;
  if (!container || !scope) return;
  const held = ctx.model.heldLocks(node);
  if (held.length === 0) return;
  const shared = sharedState(container, scope, ctx.model, 'object');
  if (!shared || shared.kind === 'module-attribute') return;
  const changes = containerChanges(ctx.model, shared.key) ?? fieldChanges(ctx.model).get(shared.key) ?? [];
  const site = changes.find((c) => c.locked && !within(c.node, node));
  if (!site) return;
  ctx.report(value, {
    severity: 'warning',
    confidence: 'medium',
    message:
      `\`${snippet(value, 40)}\` returns a live ${isView ? 'view' : 'iterator'} of ${shared.description} from under \`${held[0]}\`: the caller iterates it after the lock is released, ` +
      `while \`${snippet(site.node, 40)}\` (line ${site.node.startPosition.row + 1}) changes it under that lock — "changed size during iteration", or items skipped. Return a snapshot taken under the lock.`,
    fix: {
      message: `Return a snapshot: \`list(${snippet(value, 30)})\``,
      // A list is not a set-like keys view: callers using view operations need changing too.
      applicability: 'unsafe',
      edits: [{ start: value.startIndex, end: value.endIndex, newText: `list(${isIter ? args[0].text : value.text})` }],
    },
  });
}

/**
 * `with self.lock: callbacks = self.subscriptions.values()`, then `for cb in callbacks:` after the block:
 * the local holds a live view of the container the lock guards, and the loop walks it after the release,
 * while the changes the lock orders run beside it. Reported at the view, as checkEscapingView.
 */
function checkViewKeptPastLock(loop: Node, ctx: RuleContext): void {
  const iterable = loop.childForFieldName('right');
  if (iterable?.type !== 'identifier') return;
  const scope = ctx.model.scopeOf(loop);
  if (!scope || (!scope.locals.has(iterable.text) && !scope.parameters.has(iterable.text))) return;
  const bindings = ctx.model.assignmentsOf(scope).filter((a) => a.childForFieldName('left')?.text === iterable.text && a.startIndex < loop.startIndex);
  const binding = bindings[bindings.length - 1];
  const value = binding?.childForFieldName('right');
  const fn = value?.type === 'call' ? value.childForFieldName('function') : null;
  if (fn?.type !== 'attribute' || !VIEWS.has(fn.childForFieldName('attribute')?.text ?? '') || namedChildren(value!.childForFieldName('arguments')!).length > 0) return;
  // The lock the view was taken under, released before the loop (and not held again around it).
  let block: Node | null = null;
  for (let n = binding!.parent; n && n !== scope.node; n = n.parent) if (n.type === 'with_statement') block = n;
  if (!block || block.endIndex > loop.startIndex) return;
  const held = ctx.model.locallyHeldLocks(binding!);
  if (held.length === 0 || ctx.model.locallyHeldLocks(loop).some((l) => held.includes(l))) return;
  const container = iteratedContainer(value!);
  if (!container) return;
  const shared = sharedState(container, scope, ctx.model, 'object');
  if (!shared || shared.kind === 'module-attribute') return;
  const changes = containerChanges(ctx.model, shared.key) ?? fieldChanges(ctx.model).get(shared.key) ?? [];
  const site = changes.find((c) => c.locked && !within(c.node, loop) && c.node !== binding);
  if (!site || runsAlone(loop, scope, ctx)) return;
  ctx.report(value!, {
    severity: 'warning',
    confidence: 'medium',
    message:
      `\`${snippet(value!, 40)}\` keeps a live view of ${shared.description} past \`${held[0]}\`: the loop at line ${loop.startPosition.row + 1} walks it after the lock is released, ` +
      `while \`${snippet(site.node, 40)}\` (line ${site.node.startPosition.row + 1}) changes it under that lock — "changed size during iteration", or items skipped. Take a snapshot under the lock.`,
    fix: {
      message: `Take a snapshot: \`list(${snippet(value!, 30)})\``,
      // A list is not a set-like keys view: later view operations on the local need changing too.
      applicability: 'unsafe',
      edits: [{ start: value!.startIndex, end: value!.endIndex, newText: `list(${value!.text})` }],
    },
  });
}

function isAsyncLoop(loop: Node): boolean {
  return loop.children.some((c) => c?.type === 'async');
}

export const FT107: Rule = {
  code: 'FT107',
  name: 'iteration-over-mutated-container',
  summary: 'A shared container is iterated while other code changes it',
  precision: 'medium',
  visit: {
    module(_node, ctx) {
      const loops = ctx.options.project?.containerIterations;
      if (loops && loops.size > 0) reportChangesOfOtherModules(loops, ctx);
    },
    // `async for` walks an asynchronous iterator (a dict, list or set is none): not a container's items.
    for_statement: (node, ctx) => {
      if (isAsyncLoop(node)) return;
      check(node, node.childForFieldName('right'), ctx);
      checkViewKeptPastLock(node, ctx);
    },
    for_in_clause: (node, ctx) => (isAsyncLoop(node) ? undefined : check(node, node.childForFieldName('right'), ctx)),
    return_statement: (node, ctx) => checkEscapingView(node, ctx),
    call(node, ctx) {
      const fn = node.childForFieldName('function');
      // `sum(d.values())`, `max(d)`: the call iterates the container (a generator argument is a
      // comprehension, checked as such).
      if (fn?.type === 'identifier' && CONSUMERS.has(fn.text)) {
        const arg = namedChildren(node.childForFieldName('arguments')!)[0];
        if (arg && arg.type !== 'generator_expression' && isBuiltin(fn.text, ctx.model.scopeOf(node), ctx.model)) check(node, arg, ctx);
        return;
      }
      // `tuple(d.items())`: the copy iterates the view item by item.
      if (fn?.type === 'identifier' && VIEW_ITERATING_COPIES.has(fn.text)) {
        const args = namedChildren(node.childForFieldName('arguments')!);
        if (args.length === 1 && isView(args[0]) && isBuiltin(fn.text, ctx.model.scopeOf(node), ctx.model) && !isIterated(node)) check(node, args[0], ctx);
        return;
      }
      // `next(iter(d))`: reading the "first" key while another thread changes the dict.
      if (!textHas(ctx.model, ctx.text, NEXT_ITER)) return;
      if (fn?.type !== 'identifier' || fn.text !== 'next') return;
      const arg = namedChildren(node.childForFieldName('arguments')!)[0];
      if (arg?.type === 'call' && arg.childForFieldName('function')?.text === 'iter') check(node, arg, ctx);
    },
  },
};
