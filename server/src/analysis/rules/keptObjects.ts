// Where a rule's object of interest is kept so that several functions reach it: a field of `self`
// (keyed by its class) or a module global. Shared by the rules about one object used from several
// threads (FT219's SQLite connections, FT224's clients that are not thread-safe).
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';

export interface KeptPlace {
  /** `Store.db`, or the global's name. */
  key: string;
  /** The field of `self` (`db`), or the global's name. */
  name: string;
  /** How the code names it (`self.db`, `db`). */
  text: string;
  /** The class whose `self.<field>` holds it; null for a module global. */
  owner: Node | null;
}

/** `self.f` in a method (its class keeps it), or a module global (at module level, or under `global`). */
export function keptPlace(expr: Node, scope: FunctionScope | null, model: ModuleModel): KeptPlace | null {
  if (expr.type === 'attribute') {
    const object = expr.childForFieldName('object');
    const field = expr.childForFieldName('attribute')?.text;
    const cls = scope?.receiver && object?.text === scope.receiver && !scope.isClassMethod ? model.classInfo(scope.classNode) : null;
    return cls && field ? { key: `${cls.name}.${field}`, name: field, text: expr.text, owner: cls.node } : null;
  }
  if (expr.type !== 'identifier') return null;
  if (!scope) return { key: expr.text, name: expr.text, text: expr.text, owner: null };
  const { kind } = model.resolve(expr.text, scope);
  return kind === 'global' || kind === 'module' ? { key: expr.text, name: expr.text, text: expr.text, owner: null } : null;
}
