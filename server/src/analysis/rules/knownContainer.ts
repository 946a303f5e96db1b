// Which in-place changes are a built-in container's, not some object's method of the same name.
import type { FunctionScope } from '../model/scopes';
import type { ModuleModel } from '../model/module';
import type { Mutation } from '../model/mutations';
import { namedChildren } from '../model/syntax';

/**
 * Is this change really a container's? A method call on `self.<field>` counts only when the class sets
 * that field to a built-in container: `self.session.add(x)` calls some object's `add`, not a set's.
 */
export function changesKnownContainer(m: Mutation, scope: FunctionScope, model: ModuleModel): boolean {
  if (m.kind === 'method' && m.container.type === 'identifier') return !globalObjectOfClass(m.container.text, scope, model);
  if (m.kind !== 'method' || m.container.type !== 'attribute') return true;
  const object = m.container.childForFieldName('object');
  // `app.Meter.update()`, `pkg.Scheduler.clear()`: a name spelt as a class's is a class or its one
  // object, whose methods are its own — a container's name is not spelt so (`_registry`, `CACHE`).
  if (object?.text !== scope.receiver && CLASS_LIKE.test(m.container.childForFieldName('attribute')?.text ?? '')) return false;
  const cls = model.classInfo(scope.classNode);
  if (!cls || object?.type !== 'identifier' || object.text !== scope.receiver) return true;
  return model.containerFields(cls).has(m.container.childForFieldName('attribute')?.text ?? '');
}

/** `Meter`, `BPSMeter`, `_Registry`: capitalised with a lower-case letter (not a constant's `CACHE`). */
const CLASS_LIKE = /^_*[A-Z]\w*[a-z]/;

/** Built-in and standard containers: a call of one of them makes a container, whatever its name's case. */
const CONTAINER_CLASSES = /^(?:collections\.|weakref\.)?(?:dict|list|set|deque|OrderedDict|defaultdict|Counter|ChainMap|UserDict|UserList|WeakValueDictionary|WeakKeyDictionary|WeakSet)$/;

/**
 * `CACHE.update(…)` where the module binds `CACHE = SFDictCache(…)`: an object of a class that is no
 * container (not a standard one, nor a class of the module built on one) — its `update` is its own
 * method, which may well take its own lock, not a dict's.
 */
function globalObjectOfClass(name: string, scope: FunctionScope, model: ModuleModel): boolean {
  const { kind } = model.resolve(name, scope);
  if (kind !== 'global' && kind !== 'module') return false;
  const value = model.bindings.get(name);
  const made = value?.kind === 'value' ? value.node : null;
  const callee = made?.type === 'call' ? made.childForFieldName('function') : null;
  if (!callee || (callee.type !== 'identifier' && callee.type !== 'attribute')) return false;
  const last = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text ?? '' : callee.text;
  if (!/^_*[A-Z]/.test(last) || CONTAINER_CLASSES.test(callee.text) || CONTAINER_CLASSES.test(last)) return false;
  // A class of the module built on a container is one.
  const cls = [...model.classes.values()].find((c) => c.name === last);
  const bases = cls ? model.classLineage(cls).flatMap((c) => { const list = c.node.childForFieldName('superclasses'); return list ? namedChildren(list) : []; }) : [];
  return !bases.some((b) => CONTAINER_CLASSES.test(b.type === 'subscript' ? b.childForFieldName('value')?.text ?? '' : b.text));
}
