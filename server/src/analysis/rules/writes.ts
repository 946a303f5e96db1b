// Writes to shared state across a module, with the locks held at each: shared by the rules that
// compare locked and unlocked writes (FT105) and those that step aside when a lock is in use (FT106).
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import { sharedState, type SharedState } from '../model/sharing';
import type { FunctionScope } from '../model/scopes';
import { boundNames } from '../model/syntax';
import { changesKnownContainer } from './knownContainer';
import { mutationOf } from '../model/mutations';

export interface SharedWrite {
  node: Node;
  scope: FunctionScope;
  shared: SharedState;
  held: string[];
}

const cache = new WeakMap<ModuleModel, SharedWrite[]>();

export function sharedWrites(model: ModuleModel): SharedWrite[] {
  const cached = cache.get(model);
  if (cached) return cached;
  const writes: SharedWrite[] = [];
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
    }
  }
  cache.set(model, writes);
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

/** Keys of shared state that some function writes while holding a lock. */
export function lockedKeys(model: ModuleModel): Set<string> {
  let keys = lockedKeysCache.get(model);
  if (!keys) lockedKeysCache.set(model, (keys = new Set(sharedWrites(model).filter((w) => w.held.length > 0).map((w) => w.shared.key))));
  return keys;
}
