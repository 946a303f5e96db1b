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

const cache = new WeakMap<ModuleModel, SharedWrite[]>();

export function sharedWrites(model: ModuleModel): SharedWrite[] {
  const cached = cache.get(model);
  if (cached) return cached;
  const writes: SharedWrite[] = [];
  const changers = parameterChangers(model);
  for (const scope of model.allScopes()) {
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
  }
  cache.set(model, writes);
  return writes;
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
    let changes: Map<string, Mutation['kind']> | undefined;
    const rebound = new Set(model.assignmentsOf(scope).flatMap((a) => boundNames(a.childForFieldName('left'))));
    for (const n of model.ownNodes(scope)) {
      const m = mutationOf(n);
      const name = m?.container.type === 'identifier' ? m.container.text : undefined;
      if (!m || !name || !scope.parameters.has(name) || name === scope.receiver || rebound.has(name)) continue;
      (changes ??= new Map()).set(name, changes.get(name) ?? m.kind);
    }
    if (changes) {
      changers.set(scope.node.id, changes);
      names.add(scope.name);
    }
  }
  return { byFunction: changers, names };
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
    if (shared && !model.isDeadCode(call)) writes.push({ node: call, scope, shared, held: model.heldLocks(call), via: { helper: helperScope?.name ?? '', parameter } });
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

const byKeyCache = new WeakMap<ModuleModel, Map<string, SharedWrite[]>>();

/** The shared writes of each state key, in source order: asked per finding, so looked up, not scanned. */
export function sharedWritesByKey(model: ModuleModel): Map<string, SharedWrite[]> {
  let byKey = byKeyCache.get(model);
  if (byKey) return byKey;
  byKey = new Map();
  for (const w of sharedWrites(model)) {
    const list = byKey.get(w.shared.key);
    if (list) list.push(w);
    else byKey.set(w.shared.key, [w]);
  }
  byKeyCache.set(model, byKey);
  return byKey;
}

const lockedKeysCache = new WeakMap<ModuleModel, Set<string>>();

/** Keys of shared state that some function writes while holding a lock (itself: not through a helper it calls). */
export function lockedKeys(model: ModuleModel): Set<string> {
  let keys = lockedKeysCache.get(model);
  if (!keys) lockedKeysCache.set(model, (keys = new Set(sharedWrites(model).filter((w) => w.held.length > 0 && !w.via).map((w) => w.shared.key))));
  return keys;
}
