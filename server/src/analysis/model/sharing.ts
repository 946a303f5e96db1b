// Which assignment targets name state that other threads can see, and how to describe it.
import type { Node } from '../parser';
import type { ModuleModel } from './module';
import type { FunctionScope } from './scopes';
import { accessRoot, namedChildren } from './syntax';

export type SharedKind = 'global' | 'closure' | 'class-attribute' | 'module-attribute' | 'lock-owning-instance';

export interface SharedState {
  kind: SharedKind;
  /** Human wording, e.g. "module global `counter`". */
  description: string;
  /** The name that identifies the state (`counter`, `self.n`, `Stats.hits`). */
  name: string;
}

/** Methods that run before an object is visible to other threads. */
const CONSTRUCTION_METHODS = new Set(['__init__', '__new__', '__post_init__', '__init_subclass__', 'setUp', 'setUpClass']);

/**
 * Describes the shared state written by an assignment target inside `scope`, or null when the
 * target is local to the call (locals, parameters, objects under construction, threading.local).
 */
export function sharedTarget(target: Node, scope: FunctionScope, model: ModuleModel): SharedState | null {
  if (target.type === 'identifier') {
    const { kind } = model.resolve(target.text, scope);
    if (kind === 'global') return { kind: 'global', description: `module global \`${target.text}\``, name: target.text };
    if (kind === 'nonlocal') return { kind: 'closure', description: `\`${target.text}\`, a variable of the enclosing function (nonlocal)`, name: target.text };
    return null;
  }
  if (target.type !== 'attribute' && target.type !== 'subscript') return null;

  const classOfType = typeOfReceiver(target, scope);
  if (classOfType) return { kind: 'class-attribute', description: `class attribute of \`${classOfType}\``, name: classOfType };

  const root = accessRoot(target);
  if (!root) return null;
  const name = root.text;
  if (name === scope.receiver) {
    const cls = model.classInfo(scope.classNode);
    if (!cls) return null;
    if (scope.isClassMethod) return { kind: 'class-attribute', description: `class attribute of \`${cls.name}\` (through \`${name}\`)`, name: `${cls.name}` };
    if (CONSTRUCTION_METHODS.has(scope.name)) return null;
    if (path(target).some((p) => p === '__class__')) return { kind: 'class-attribute', description: `class attribute of \`${cls.name}\``, name: cls.name };
    if (cls.lockAttributes.size === 0) return null;
    const lock = [...cls.lockAttributes][0];
    return {
      kind: 'lock-owning-instance',
      description: `\`${firstAttribute(target) ?? name}\` of \`${cls.name}\` (a class that owns a lock, \`${name}.${lock}\`, so its instances are shared)`,
      name: firstAttribute(target) ?? name,
    };
  }
  const resolved = model.resolve(name, scope);
  if (resolved.kind === 'global' || resolved.kind === 'module') {
    const binding = model.bindings.get(name);
    if (!binding) return null;
    if (binding.kind === 'class') return { kind: 'class-attribute', description: `class attribute \`${firstAttribute(target) ?? name}\``, name: firstAttribute(target) ?? name };
    if (binding.kind === 'import') return { kind: 'module-attribute', description: `module attribute \`${firstAttribute(target) ?? name}\``, name: firstAttribute(target) ?? name };
    if (binding.kind === 'function') return null;
    if (model.isThreadLocal(binding.node)) return null;
    return { kind: 'global', description: `module global \`${name}\``, name };
  }
  if (resolved.kind === 'closure' || resolved.kind === 'nonlocal') {
    const owner = resolved.owner?.name ?? 'the enclosing function';
    const local = resolved.owner?.locals.has(name) ? 'local' : 'parameter';
    return { kind: 'closure', description: `\`${name}\`, a ${local} of \`${owner}\` captured by this nested function`, name };
  }
  return null;
}

/** `type(self).x` / `self.__class__.x` → the class name; else null. */
function typeOfReceiver(target: Node, scope: FunctionScope): string | null {
  let n: Node | null = target;
  while (n && (n.type === 'attribute' || n.type === 'subscript')) {
    const inner: Node | null = n.type === 'attribute' ? n.childForFieldName('object') : n.childForFieldName('value');
    if (inner?.type === 'call' && inner.childForFieldName('function')?.text === 'type') {
      const arg = namedChildren(inner.childForFieldName('arguments')!)[0];
      if (arg?.text === scope.receiver && scope.classNode) return scope.classNode.childForFieldName('name')?.text ?? null;
    }
    n = inner;
  }
  return null;
}

/** The attribute path of an access: `self.a.b[k]` → ['self', 'a', 'b']. */
function path(target: Node): string[] {
  const parts: string[] = [];
  let n: Node | null = target;
  while (n) {
    if (n.type === 'attribute') {
      parts.unshift(n.childForFieldName('attribute')?.text ?? '');
      n = n.childForFieldName('object');
    } else if (n.type === 'subscript') n = n.childForFieldName('value');
    else {
      if (n.type === 'identifier') parts.unshift(n.text);
      break;
    }
  }
  return parts;
}

/** `self.a.b[k]` → `self.a`; `Cls.x[0]` → `Cls.x`. */
function firstAttribute(target: Node): string | null {
  const parts = path(target);
  return parts.length >= 2 ? `${parts[0]}.${parts[1]}` : null;
}
