// What made an object: the constructor call behind a local, a module global or a `self` field, for the
// rules that ask what kind of object a call's receiver is (a socket, a queue, a condition).
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import { dottedName } from '../model/syntax';
import { assignmentsTo, calleeName } from './hazards';

const attrCache = new WeakMap<ModuleModel, Map<string, string>>();

const attrCallCache = new WeakMap<ModuleModel, Map<string, Node | null>>();

/** `self.attr = X(...)` anywhere in a class → "ClassName.attr" → qualified X. */
function attributeConstructors(model: ModuleModel): Map<string, string> {
  let map = attrCache.get(model);
  if (map) return map;
  map = new Map();
  const calls = new Map<string, Node | null>();
  attrCallCache.set(model, calls);
  for (const { node } of model.index.all('assignment')) {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (left?.type !== 'attribute' || right?.type !== 'call') continue;
    const scope = model.scopeOf(node);
    if (!scope?.receiver || left.childForFieldName('object')?.text !== scope.receiver) continue;
    const cls = model.classInfo(scope.classNode);
    const q = calleeName(right, model);
    if (cls && q) {
      const key = `${cls.name}.${left.childForFieldName('attribute')!.text}`;
      // Two constructions of one attribute: which one a use sees is unknown.
      calls.set(key, calls.has(key) ? null : right);
      map.set(key, q);
    }
  }
  attrCache.set(model, map);
  return map;
}

/** The one call that made the object `expr` denotes (a local bound once, a module global, a `self` attribute). */
export function constructionCall(expr: Node, model: ModuleModel): Node | null {
  const scope = model.scopeOf(expr);
  if (expr.type === 'identifier') {
    const kind = model.resolve(expr.text, scope).kind;
    if (kind === 'local') {
      const a = assignmentsTo(expr.text, expr, model);
      const right = a.length === 1 ? a[0].childForFieldName('right') : null;
      return right?.type === 'call' ? right : null;
    }
    const b = kind === 'module' || kind === 'global' ? model.bindings.get(expr.text) : undefined;
    return b?.kind === 'value' && b.node?.type === 'call' ? b.node : null;
  }
  const parts = dottedName(expr);
  if (parts?.length !== 2 || scope?.receiver !== parts[0]) return null;
  const cls = model.classInfo(scope.classNode);
  if (!cls) return null;
  attributeConstructors(model);
  return attrCallCache.get(model)!.get(`${cls.name}.${parts[1]}`) ?? null;
}

/** What constructed the object `expr` denotes (a local, a module global or a `self` attribute), if known. */
export function constructedBy(expr: Node, model: ModuleModel): string | null {
  if (expr.type === 'identifier') {
    const call = constructionCall(expr, model);
    return call ? calleeName(call, model) : null;
  }
  // A field: the constructor's name even when several methods construct it (the same kind each time).
  const scope = model.scopeOf(expr);
  const parts = dottedName(expr);
  if (parts?.length === 2 && scope?.receiver === parts[0]) {
    const cls = model.classInfo(scope.classNode);
    return cls ? attributeConstructors(model).get(`${cls.name}.${parts[1]}`) ?? null : null;
  }
  return null;
}

