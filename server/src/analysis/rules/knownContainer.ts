// Which in-place changes are a built-in container's, not some object's method of the same name.
import type { FunctionScope } from '../model/scopes';
import type { ModuleModel } from '../model/module';
import type { Mutation } from '../model/mutations';

/**
 * Is this change really a container's? A method call on `self.<field>` counts only when the class sets
 * that field to a built-in container: `self.session.add(x)` calls some object's `add`, not a set's.
 */
export function changesKnownContainer(m: Mutation, scope: FunctionScope, model: ModuleModel): boolean {
  if (m.kind !== 'method' || m.container.type !== 'attribute') return true;
  const object = m.container.childForFieldName('object');
  const cls = model.classInfo(scope.classNode);
  if (!cls || object?.type !== 'identifier' || object.text !== scope.receiver) return true;
  return model.containerFields(cls).has(m.container.childForFieldName('attribute')?.text ?? '');
}
