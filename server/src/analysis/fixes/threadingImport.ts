// How to write `threading.Lock()` in this module, adding `import threading` when it is missing.
import type { ModuleModel } from '../model/module';
import type { TextEdit } from '../types';
import { namedChildren } from '../model/syntax';
import { lineEnding, nextLineStart } from './text';

export interface LockConstructor {
  /** Source text that makes a new lock, e.g. `threading.Lock()`, `th.Lock()`, `Lock()`. */
  expression: string;
  /** The import to add, if any. */
  edits: TextEdit[];
}

export function lockConstructor(model: ModuleModel, text: string): LockConstructor {
  for (const [name, binding] of model.bindings) {
    if (binding.kind !== 'import') continue;
    const q = model.imports.qualifyName(name);
    if (q === 'threading') return { expression: `${name}.Lock()`, edits: [] };
    if (q === 'threading.Lock') return { expression: `${name}()`, edits: [] };
  }
  return { expression: 'threading.Lock()', edits: [{ start: importInsertionPoint(model, text), end: importInsertionPoint(model, text), newText: `import threading${lineEnding(text)}` }] };
}

/** The name this module imports `threading` as, adding `import threading` when it does not. */
export function threadingModule(model: ModuleModel, text: string): { name: string; edits: TextEdit[] } | null {
  for (const [name, binding] of model.bindings) {
    if (binding.kind === 'import' && model.imports.qualifyName(name) === 'threading') return { name, edits: [] };
  }
  if (model.bindings.has('threading')) return null; // something else is called `threading` here
  const at = importInsertionPoint(model, text);
  return { name: 'threading', edits: [{ start: at, end: at, newText: `import threading${lineEnding(text)}` }] };
}

const insertionPoints = new WeakMap<ModuleModel, number>();

/** After the last top-level import, else after the module docstring and `from __future__` imports, else at the top. */
function importInsertionPoint(model: ModuleModel, text: string): number {
  // Once per model: reading the module's top-level statements costs a wasm crossing each, per finding.
  let point = insertionPoints.get(model);
  if (point === undefined) insertionPoints.set(model, (point = findImportInsertionPoint(model, text)));
  return point;
}

function findImportInsertionPoint(model: ModuleModel, text: string): number {
  let point = 0;
  for (const stmt of namedChildren(model.root)) {
    const isDocstring = point === 0 && stmt.type === 'expression_statement' && namedChildren(stmt)[0]?.type === 'string';
    if (stmt.type === 'import_statement' || stmt.type === 'import_from_statement' || stmt.type === 'future_import_statement' || isDocstring) {
      point = nextLineStart(text, stmt.endIndex);
    } else if (stmt.type !== 'comment') break;
  }
  if (point === 0 && text.startsWith('#!')) point = nextLineStart(text, 0);
  return point;
}
