// FT205 — attributes set on a threading.local() by code that runs in one thread only (import time,
// __init__), then read directly elsewhere: every other thread gets AttributeError. Docs: docs/rules/FT205.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import { CONSTRUCTION_METHODS } from '../model/module';
import { namedChildren, snippet } from '../model/syntax';
import { calleeName, textHas } from './hazards';

const GATE = /\blocal\s*\(/;

function isPlainLocal(value: Node | null, model: ModuleModel): boolean {
  if (value?.type !== 'call') return false;
  const q = calleeName(value, model);
  return q === 'threading.local' || q === '_threading_local.local';
}

/** Class-level or `self.NAME = threading.local()` attributes of the class owning `cls`. */
function localAttributes(cls: Node, model: ModuleModel): Set<string> {
  const names = new Set<string>();
  const body = cls.childForFieldName('body');
  for (const stmt of body ? namedChildren(body) : []) {
    const e = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
    if (e?.type === 'assignment' && e.childForFieldName('left')?.type === 'identifier' && isPlainLocal(e.childForFieldName('right'), model)) names.add(e.childForFieldName('left')!.text);
  }
  const info = model.classInfo(cls);
  for (const method of info?.methods.values() ?? []) {
    const scope = model.scopeOf(method.childForFieldName('body') ?? method);
    if (!scope?.receiver) continue;
    for (const n of model.ownNodes(scope)) {
      const left = n.type === 'assignment' ? n.childForFieldName('left') : null;
      if (left?.type === 'attribute' && left.childForFieldName('object')?.text === scope.receiver && isPlainLocal(n.childForFieldName('right'), model)) {
        names.add(left.childForFieldName('attribute')!.text);
      }
    }
  }
  return names;
}

/**
 * Direct reads of `holder.attr` (not assignments, not inside a try with an except clause) in functions
 * other than the construction methods; getattr/hasattr calls do not match the pattern.
 */
function directReads(holder: string, attr: string, ctx: RuleContext): Node[] {
  const re = new RegExp(`(?<![\\w.])${holder.replace(/\./g, '\\.')}\\.${attr}\\b(?!\\s*=[^=])`, 'g');
  const out: Node[] = [];
  for (const m of ctx.text.matchAll(re)) {
    const node = ctx.tree.rootNode.descendantForIndex(m.index!, m.index! + m[0].length);
    if (!node || node.type === 'comment' || node.type === 'string' || node.type === 'string_content') continue;
    let guarded = false;
    let fn: Node | null = null;
    for (let n: Node | null = node; n; n = n.parent) {
      if (n.type === 'try_statement' && namedChildren(n).some((c) => c.type === 'except_clause')) guarded = true;
      if (n.type === 'function_definition') {
        fn = n;
        break;
      }
    }
    const name = fn?.childForFieldName('name')?.text ?? '';
    // `if not (hasattr(self.local, "storage") and self.local.storage): self.local.storage = …`: the function
    // makes the thread's own when it is missing. (A bare `if hasattr(…):` still leaves other threads without it.)
    const tested = !!fn && new RegExp(`\\bnot\\s*\\(?\\s*hasattr\\(\\s*${holder.replace(/\./g, '\\.')}\\s*,\\s*['"]${attr}['"]`).test(fn.text);
    if (!fn || guarded || tested || CONSTRUCTION_METHODS.has(name)) continue;
    out.push(node);
  }
  return out;
}

/**
 * The read's thread set the attribute first: its function assigns it before the read (outside
 * construction), or every caller of the function does, up the call graph — each thread's entry
 * (`handle_job`: `self.thread_data.num_hits = 0`, then `run_rule` reads it) makes its own.
 */
function initialisedFirst(read: Node, holder: string, attr: string, model: ModuleModel): boolean {
  const assigns = new RegExp(`(?<![\\w.])${holder.replace(/\./g, '\\.')}\\.${attr}\\s*=[^=]`);
  const seen = new Map<number, boolean>();
  const covered = (fn: Node, before: number): boolean => {
    const scope = model.scopeOf(fn.childForFieldName('body') ?? fn);
    if (!scope || CONSTRUCTION_METHODS.has(scope.name)) return false;
    const body = fn.childForFieldName('body');
    if (body && assigns.test(model.text.slice(body.startIndex, Math.min(before, body.endIndex)))) return true;
    const known = seen.get(fn.id);
    if (known !== undefined) return known;
    // A cycle of calls is judged by its other callers.
    seen.set(fn.id, true);
    const callers = model.callersOf(fn);
    const result = callers.length > 0 && callers.every((call) => {
      const caller = model.scopeOf(call);
      return !!caller && caller.node.type === 'function_definition' && covered(caller.node, call.startIndex);
    });
    seen.set(fn.id, result);
    return result;
  };
  const scope = model.scopeOf(read);
  return !!scope && scope.node.type === 'function_definition' && covered(scope.node, read.startIndex);
}

export const FT205: Rule = {
  code: 'FT205',
  name: 'thread-local-misuse',
  summary: 'Attributes set on a threading.local() at import time or in __init__ are read directly by other threads',
  precision: 'high',
  visit: {
    assignment(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE)) return;
      const left = node.childForFieldName('left');
      if (left?.type !== 'attribute') return;
      const object = left.childForFieldName('object')!;
      const attr = left.childForFieldName('attribute')!.text;
      const scope = model.scopeOf(node);
      let when: string;
      if (!scope) {
        // import time: `tls.x = …` on a module-level threading.local()
        if (object.type !== 'identifier' || !isPlainLocal(model.bindings.get(object.text)?.node ?? null, model)) return;
        if (model.bindings.get(object.text)?.kind !== 'value') return;
        when = 'at import time, so only the importing thread has it';
      } else {
        // construction: `self._local.x = …` in __init__
        if (!CONSTRUCTION_METHODS.has(scope.name) || !scope.receiver || !scope.classNode || object.type !== 'attribute') return;
        if (object.childForFieldName('object')?.text !== scope.receiver) return;
        if (!localAttributes(scope.classNode, model).has(object.childForFieldName('attribute')!.text)) return;
        when = `in \`${scope.name}\`, so only the thread that created the object has it`;
      }
      const reads = directReads(object.text, attr, ctx).filter((read) => !initialisedFirst(read, object.text, attr, model));
      if (reads.length === 0) return;
      const read = reads[0];
      ctx.report(node, {
        severity: 'warning',
        message:
          `\`${snippet(node, 50)}\` sets \`${attr}\` on a threading.local() ${when}; every other thread starts with no attributes, ` +
          `so \`${snippet(read, 40)}\` (line ${read.startPosition.row + 1}) raises AttributeError there. ` +
          `Subclass threading.local and set defaults in its \`__init__\` (it runs once per thread), or read with \`getattr(${object.text}, "${attr}", default)\`.`,
      });
    },
  },
};
