// Writes to shared state across a module, with the locks held at each: shared by the rules that
// compare locked and unlocked writes (FT105) and those that step aside when a lock is in use (FT106).
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import { sharedState, type SharedState } from '../model/sharing';
import type { FunctionScope } from '../model/scopes';
import { boundNames, keywordArgument, lastNameOf, positionalArguments } from '../model/syntax';
import { changesKnownContainer } from './knownContainer';
import { mutationOf, type Mutation } from '../model/mutations';
import { parameterNames } from '../model/scopes';

export interface SharedWrite {
  node: Node;
  scope: FunctionScope;
  shared: SharedState;
  held: string[];
  /** A call that changes the state in place through a helper's parameter (`self._add(k, self._pending)`). */
  via?: { helper: string; parameter: string };
}

/** One version's shared writes: per function as asked, the whole list once something asks for it. */
interface ModuleWrites {
  changers?: ParameterChangers;
  /** function node id → its writes, in source order. */
  readonly byScope: Map<number, SharedWrite[]>;
  all?: SharedWrite[];
  byKey?: Map<string, SharedWrite[]>;
  /** One key's writes, found before the whole list was built (ModuleModel.answeringOneDefinition). */
  readonly ofKey: Map<string, SharedWrite[]>;
}

const states = new WeakMap<ModuleModel, ModuleWrites>();
const NONE: readonly SharedWrite[] = Object.freeze([]);

function writesState(model: ModuleModel): ModuleWrites {
  let state = states.get(model);
  if (!state) states.set(model, (state = { byScope: new Map(), ofKey: new Map() }));
  return state;
}

/** Every write of shared state in the module, function by function in the model's order. */
export function sharedWrites(model: ModuleModel): SharedWrite[] {
  const state = writesState(model);
  return (state.all ??= model.allScopes().flatMap((scope) => writesIn(scope, model, state)));
}

/** The shared writes one function makes itself (not those of functions nested in it). */
export function sharedWritesIn(scope: FunctionScope, model: ModuleModel): readonly SharedWrite[] {
  return writesIn(scope, model, writesState(model));
}

function writesIn(scope: FunctionScope, model: ModuleModel, state: ModuleWrites): SharedWrite[] {
  let writes = state.byScope.get(scope.node.id);
  if (writes) return writes;
  writes = [];
  const changers = (state.changers ??= parameterChangers(model));
  for (const n of model.ownNodes(scope)) {
    let shared: SharedState | null = null;
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      // `d[k].attr = v` writes the element's attribute, not the container.
      if (left && boundNames(left).length <= 1 && !writesThroughElement(left)) shared = sharedState(left, scope, model, 'rebind');
    } else {
      const m = mutationOf(n);
      if (m && changesKnownContainer(m, scope, model)) shared = sharedState(m.container, scope, model, 'object');
    }
    // A write in a branch that never runs is no write (`if USE_ASYNC:` with `USE_ASYNC = False`).
    if (shared && !model.isDeadCode(n)) writes.push({ node: n, scope, shared, held: model.heldLocks(n) });
    else if (n.type === 'call' && changers.names.size > 0) writes.push(...changesThroughHelper(n, scope, changers, model));
  }
  state.byScope.set(scope.node.id, writes);
  return writes;
}

/**
 * The shared writes of one state key, in the whole list's order. While a first answer visits one
 * definition, only the functions whose text holds the key's last name are asked: every key ends with a
 * name written in the access (`Cls.field`, `owner.field`, `name`, `items[].field`).
 */
export function sharedWritesOf(model: ModuleModel, key: string): readonly SharedWrite[] {
  const state = writesState(model);
  if (state.all || !model.answeringOneDefinition) return sharedWritesByKey(model).get(key) ?? NONE;
  let writes = state.ofKey.get(key);
  if (writes) return writes;
  writes = [];
  const name = key.slice(key.lastIndexOf('.') + 1);
  // A key made from a missing part (`Cls.` of `type(self)[k]`, `Cls.undefined`) names nothing to look for.
  const anyFunction = !/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name) || name === 'undefined';
  for (const scope of model.allScopes()) {
    if (!anyFunction && !scope.node.text.includes(name)) continue;
    for (const w of writesIn(scope, model, state)) if (w.shared.key === key) writes.push(w);
  }
  state.ofKey.set(key, writes);
  return writes;
}

/** The one of `writes` that comes first in the whole list (the first function, then source order). */
export function firstInModuleOrder(model: ModuleModel, writes: readonly SharedWrite[]): SharedWrite | undefined {
  if (writes.length <= 1) return writes[0];
  const state = writesState(model);
  if (state.all) return state.all.find((w) => writes.includes(w));
  const scopes = model.allScopes();
  const rank = (w: SharedWrite) => scopes.indexOf(w.scope) * 2 ** 20 + writesIn(w.scope, model, state).indexOf(w);
  return writes.reduce((best, w) => (rank(w) < rank(best) ? w : best));
}

/** The functions of the module that change a parameter in place (parameterChangers). */
interface ParameterChangers {
  /** function node id → parameter → the kind of its first in-place change */
  byFunction: Map<number, Map<string, Mutation['kind']>>;
  /** Their names: a call by another name is not resolved. */
  names: Set<string>;
}

/**
 * Functions of the module that change a container they were handed in place (`def _add(self, k, queue):
 * queue[k] = …`). A parameter the function binds again is another object by then.
 */
function parameterChangers(model: ModuleModel): ParameterChangers {
  const changers = new Map<number, Map<string, Mutation['kind']>>();
  const names = new Set<string>();
  for (const scope of model.allScopes()) {
    if (scope.parameters.size === 0) continue;
    const changes = parametersChanged(scope, model);
    if (changes) {
      changers.set(scope.node.id, changes);
      names.add(scope.name);
    }
  }
  return { byFunction: changers, names };
}

/** A function's own answer, kept on its node: it reads nothing outside the function but its receiver. */
const changedByFunction = new WeakMap<Node, { receiver: string | null; changes: Map<string, Mutation['kind']> | undefined; locks: Map<string, string[]> }>();

/** The parameters `scope` changes in place, each with the kind of its first change. */
function parametersChanged(scope: FunctionScope, model: ModuleModel): Map<string, Mutation['kind']> | undefined {
  return parameterChanges(scope, model).changes;
}

/**
 * The parameters `scope` changes in place (each with the kind of its first change), and for each the
 * locks the function itself holds around every one of those changes (`with _lock: hooks.append(h)`).
 */
function parameterChanges(scope: FunctionScope, model: ModuleModel): { changes: Map<string, Mutation['kind']> | undefined; locks: Map<string, string[]> } {
  // The receiver comes from outside the node (a `@staticmethod` line above it), so it is part of the key.
  const kept = changedByFunction.get(scope.node);
  if (kept && kept.receiver === scope.receiver) return kept;
  let changes: Map<string, Mutation['kind']> | undefined;
  const locks = new Map<string, string[]>();
  const rebound = new Set(model.assignmentsOf(scope).flatMap((a) => boundNames(a.childForFieldName('left'))));
  for (const n of model.ownNodes(scope)) {
    const m = mutationOf(n);
    const name = m?.container.type === 'identifier' ? m.container.text : undefined;
    if (!m || !name || !scope.parameters.has(name) || name === scope.receiver || rebound.has(name)) continue;
    const held = model.locallyHeldLocks(n);
    const known = locks.get(name);
    locks.set(name, known ? known.filter((l) => held.includes(l)) : held);
    (changes ??= new Map()).set(name, changes.get(name) ?? m.kind);
  }
  const answer = { receiver: scope.receiver, changes, locks };
  changedByFunction.set(scope.node, answer);
  return answer;
}

/**
 * The helper's own locks around its changes of `parameter`, as the caller names them: a module-level
 * lock by its name, the helper's `self._lock` as the caller's when the call is made on the caller's own
 * object (`self._add(k, self._items)`); others are the helper's business only.
 */
function helperLocks(helper: FunctionScope, parameter: string, call: Node, scope: FunctionScope, model: ModuleModel): string[] {
  const held = parameterChanges(helper, model).locks.get(parameter) ?? [];
  const callee = call.childForFieldName('function');
  const onOwnObject = callee?.type === 'attribute' && !!scope.receiver && callee.childForFieldName('object')?.text === scope.receiver;
  return held.flatMap((lock) => {
    if (/^\w+$/.test(lock)) {
      const { kind } = model.resolve(lock, helper);
      return kind === 'global' || kind === 'module' ? [lock] : [];
    }
    if (onOwnObject && helper.receiver && lock.startsWith(`${helper.receiver}.`)) return [`${scope.receiver}${lock.slice(helper.receiver.length)}`];
    return [];
  });
}

/**
 * `self._enqueue(mid, item, self._events)` where `_enqueue` changes its `queue` parameter in place: the
 * call changes `self._events` — one call deep, the lock this call holds (or not) is the change's.
 */
function changesThroughHelper(call: Node, scope: FunctionScope, changers: ParameterChangers, model: ModuleModel): SharedWrite[] {
  const callee = call.childForFieldName('function');
  const name = lastNameOf(callee);
  if (!name || !changers.names.has(name)) return [];
  const targets = model.functionsFor(callee!, call);
  const helper = targets.length === 1 ? targets[0] : null;
  const changes = helper ? changers.byFunction.get(helper.id) : undefined;
  if (!helper || !changes) return [];
  const params = parameterNames(helper);
  // A method called on an object binds its receiver to the first parameter; called on its class
  // (`Cls._add(self, …)`) it does not.
  const helperScope = model.scopeOf(helper.childForFieldName('body') ?? helper);
  const object = callee!.type === 'attribute' ? callee!.childForFieldName('object')?.text : undefined;
  const onClass = object !== undefined && [...model.classes.values()].some((c) => c.name === object);
  const offset = object !== undefined && helperScope?.receiver && !onClass ? 1 : 0;
  const positional = positionalArguments(call);
  const writes: SharedWrite[] = [];
  for (const [parameter, kind] of changes) {
    const at = params.indexOf(parameter);
    const argument = keywordArgument(call, parameter) ?? (at >= offset ? positional[at - offset] : undefined);
    if (!argument || (argument.type !== 'attribute' && argument.type !== 'identifier')) continue;
    if (!changesKnownContainer({ container: argument, node: call, kind }, scope, model)) continue;
    const shared = sharedState(argument, scope, model, 'object');
    // Held by the call, or taken by the helper itself around the change (`with _lock: hooks.append(h)`).
    const held = helperScope ? [...new Set([...model.heldLocks(call), ...helperLocks(helperScope, parameter, call, scope, model)])] : model.heldLocks(call);
    if (shared && !model.isDeadCode(call)) writes.push({ node: call, scope, shared, held, via: { helper: helperScope?.name ?? '', parameter } });
  }
  return writes;
}

/** `a.b[k].c = v`: an attribute of an element (a subscript below the outermost attribute). */
function writesThroughElement(target: Node): boolean {
  if (target.type !== 'attribute') return false;
  for (let n = target.childForFieldName('object'); n; n = n.type === 'attribute' ? n.childForFieldName('object') : n.type === 'subscript' ? n.childForFieldName('value') : null) {
    if (n.type === 'subscript') return true;
  }
  return false;
}

/** The shared writes of each state key, in source order: asked per finding, so looked up, not scanned. */
export function sharedWritesByKey(model: ModuleModel): Map<string, SharedWrite[]> {
  const state = writesState(model);
  if (state.byKey) return state.byKey;
  const byKey = (state.byKey = new Map());
  for (const w of sharedWrites(model)) {
    const list = byKey.get(w.shared.key);
    if (list) list.push(w);
    else byKey.set(w.shared.key, [w]);
  }
  return byKey;
}

/** Does code a thread of the run reaches (not merely assumed to) write the state? */
export function writtenOnThreads(model: ModuleModel, key: string): boolean {
  return sharedWritesOf(model, key).some((w) => {
    const entry = model.threads.entryFor(w.scope);
    return !!entry && !entry.assumed;
  });
}

/** Does some function write the state while holding a lock (itself: not through a helper it calls)? */
export function writtenUnderLock(model: ModuleModel, key: string): boolean {
  return sharedWritesOf(model, key).some((w) => w.held.length > 0 && !w.via);
}
