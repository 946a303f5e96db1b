// "Convert to thread-local": module-level state that is logically per-thread becomes a
// `threading.local` subclass whose __init__ sets the initial value (so every thread sees it, not only
// the importing one), and every use in the file becomes `<instance>.value`. Offered only when every use
// can be rewritten.
import type { Node } from '../parser';
import type { Fix, RuleContext, TextEdit } from '../types';
import { namedChildren } from '../model/syntax';
import { lockConstructor } from './threadingImport';
import { indentUnit, lineEnding, ownLines } from './text';

export function threadLocalFix(ctx: RuleContext, name: string): Fix | undefined {
  const { model, text } = ctx;
  const binding = model.bindings.get(name);
  const value = binding?.kind === 'value' ? binding.node : null;
  const definition = value?.parent;
  const statement = definition?.parent;
  if (!value || definition?.type !== 'assignment' || definition.childForFieldName('left')?.text !== name) return undefined;
  if (statement?.type !== 'expression_statement' || statement.parent?.type !== 'module') return undefined;
  const lines = ownLines(text, statement);
  if (!lines || /\b__all__\b/.test(text) && new RegExp(`['"]${name}['"]`).test(text)) return undefined;

  const edits: TextEdit[] = [];
  const instance = `_${name.replace(/^_+/, '').toLowerCase()}_local`;
  const className = `_${name.replace(/^_+/, '').split('_').filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1).toLowerCase()).join('')}Local`;
  if (model.bindings.has(instance) || model.bindings.has(className)) return undefined;

  for (const id of model.root.descendantsOfType('identifier')) {
    if (!id || id.text !== name || id.id === definition.childForFieldName('left')!.id) continue;
    const parent = id.parent!;
    if (parent.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id) continue; // x.name
    if (parent.type === 'keyword_argument' && parent.childForFieldName('name')?.id === id.id) continue; // f(name=…)
    const scope = model.scopeOf(id);
    if (!scope) return undefined; // used at module level: the importing thread's value would differ
    if (parent.type === 'global_statement') {
      edits.push(removeFromGlobal(parent, id, text));
      continue;
    }
    const kind = model.resolve(name, scope).kind;
    if (kind === 'local' || kind === 'parameter') continue; // a different variable with the same name
    if (kind !== 'global' && kind !== 'module') return undefined;
    if (parent.type === 'delete_statement' || parent.type === 'nonlocal_statement') return undefined;
    edits.push({ start: id.startIndex, end: id.endIndex, newText: `${instance}.value` });
  }
  const ctor = lockConstructor(model, text); // only for its import edit and the module alias
  const threadingName = ctor.expression.endsWith('.Lock()') ? ctor.expression.slice(0, -'.Lock()'.length) : null;
  if (!threadingName) return undefined; // `from threading import Lock` only: keep it simple, no fix
  const eol = lineEnding(text);
  const unit = indentUnit(text);
  const replacement = [
    `class ${className}(${threadingName}.local):`,
    `${unit}def __init__(self):`,
    `${unit}${unit}self.value = ${value.text}`,
    '',
    '',
    `${instance} = ${className}()`,
  ].map((l) => (l ? `${lines.indent}${l}` : l)).join(eol) + eol;
  edits.push(...ctor.edits, { start: lines.start, end: lines.end, newText: replacement });
  return {
    message: `Make \`${name}\` thread-local (each thread gets its own, starting from \`${value.text.length > 30 ? '…' : value.text}\`)`,
    // Every thread now sees its own value: right for per-thread scratch state, wrong for a real total.
    applicability: 'unsafe',
    edits,
  };
}

/** `global a, name, b` → `global a, b`; `global name` → the whole line removed. */
function removeFromGlobal(statement: Node, id: Node, text: string): TextEdit {
  const names = namedChildren(statement);
  if (names.length === 1) {
    const lines = ownLines(text, statement);
    return lines ? { start: lines.start, end: lines.end, newText: '' } : { start: statement.startIndex, end: statement.endIndex, newText: 'pass' };
  }
  const i = names.findIndex((n) => n.id === id.id);
  return i < names.length - 1
    ? { start: id.startIndex, end: names[i + 1].startIndex, newText: '' }
    : { start: names[i - 1].endIndex, end: id.endIndex, newText: '' };
}
