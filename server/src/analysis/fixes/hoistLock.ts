// FT207's fix, "create the lock once": a lock made per call (`with threading.Lock():`, or
// `lock = Lock()` … `with lock:`) becomes one object made once — in `__init__` (`self._<method>_lock`)
// when it guards only the instance's own fields, else at module level (`_<function>_lock`, defined
// just before the function) — and the original site uses it. When another lock already guards the same
// state elsewhere, that one is used instead, as the guard fix does.
import type { Node } from '../parser';
import type { Fix, RuleContext, TextEdit } from '../types';
import type { FunctionScope } from '../model/scopes';
import { CONSTRUCTION_METHODS } from '../model/module';
import { namedChildren } from '../model/syntax';
import { sharedWrites, type SharedWrite } from '../rules/writes';
import { addToInit } from './guard';
import { lineEnding, lineStart, ownLines } from './text';

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const LITERALS = new Set(['integer', 'float', 'true', 'false', 'none', 'string']);

/** The constructor can be evaluated at module level: a module-level import, literal arguments only. */
function movable(call: Node, scope: FunctionScope, ctx: RuleContext): boolean {
  let root = call.childForFieldName('function');
  while (root?.type === 'attribute') root = root.childForFieldName('object');
  if (root?.type !== 'identifier' || ctx.model.bindings.get(root.text)?.kind !== 'import') return false;
  for (let s: FunctionScope | null = scope; s; s = s.parent) if (s.locals.has(root.text) || s.parameters.has(root.text)) return false;
  const args = call.childForFieldName('arguments');
  return !!args && namedChildren(args).every((a) => LITERALS.has(a.type) || (a.type === 'keyword_argument' && LITERALS.has(a.childForFieldName('value')?.type ?? '')));
}

/** Builtins that call no user code given plain values (a shadowing definition is checked separately). */
const PLAIN_BUILTINS = new Set(['len', 'print', 'isinstance', 'issubclass', 'range', 'enumerate', 'zip', 'abs', 'min', 'max', 'sum', 'round', 'id', 'type', 'callable']);

/** Calls in `region` that could run this function again on the same thread (a function, `self.method()`). */
function mayReenter(region: Node, receiver: string | null, construction: Node, scope: FunctionScope, ctx: RuleContext): boolean {
  for (const call of region.descendantsOfType('call')) {
    if (!call || call.id === construction.id) continue;
    const fn = call.childForFieldName('function');
    if (fn?.type === 'identifier' && PLAIN_BUILTINS.has(fn.text) && ctx.model.resolve(fn.text, scope).kind === 'unknown') continue;
    if (fn?.type === 'identifier') return true;
    if (fn?.type === 'attribute' && receiver && fn.childForFieldName('object')?.text === receiver) return true;
  }
  return false;
}

/**
 * `call`: the lock construction; `region`: what the lock guards (the `with` statement, or the function
 * body for a local lock); `guarded`: the shared writes made under it; `localName`: the local the lock
 * is assigned to.
 *
 * The site's edit covers the whole region, so that no other fix inside it (a guard computed while the
 * per-call lock was taken to exclude nobody) is applied in the same fix-all pass: the next pass sees
 * the real lock held. A local lock's assignment is removed and each use names the shared lock, so the
 * analysis sees which lock is held (an alias `lock = self._lock` it would not follow).
 */
export function hoistLockFix(ctx: RuleContext, call: Node, scope: FunctionScope, region: Node, guarded: SharedWrite[], localName?: string): Fix | undefined {
  const { model, text } = ctx;
  const edits: TextEdit[] = [];
  const replace = (expression: string): TextEdit | undefined => {
    if (!localName) return { start: call.startIndex, end: region.endIndex, newText: expression + text.slice(call.endIndex, region.endIndex) };
    const statement = call.parent?.parent;
    const lines = statement?.type === 'expression_statement' ? ownLines(text, statement) : null;
    if (!lines || lines.end > region.endIndex) return undefined;
    const use = new RegExp(`(?<![\\w.])${escape(localName)}(?!\\w)`, 'g');
    return { start: lines.start, end: region.endIndex, newText: text.slice(lines.end, region.endIndex).replace(use, expression) };
  };

  // A lock that already guards the same state elsewhere, usable from here: `self.x` or a module global.
  const keys = new Set(guarded.map((w) => w.shared.key));
  for (const w of sharedWrites(model)) {
    if (!keys.has(w.shared.key)) continue;
    const lock = w.held.find((l) => l !== localName && !l.includes('(') && (l.split('.')[0] === scope.receiver ? w.scope.receiver === scope.receiver : model.bindings.has(l.split('.')[0]) && !scope.locals.has(l.split('.')[0])));
    if (!lock) continue;
    const site = replace(lock);
    return site && {
      message: `Use \`${lock}\`, the lock that guards ${w.shared.description.replace(/ \(.*$/, '')} elsewhere`,
      // A caller may already hold that lock (a non-reentrant Lock would deadlock).
      applicability: 'unsafe',
      edits: [site],
    };
  }

  if (!movable(call, scope, ctx)) return undefined;
  const name = scope.name.replace(/^_+/, '') || 'call';
  const cls = scope.classNode ? model.classInfo(scope.classNode) : null;
  const perInstance = !!cls && !!scope.receiver && !scope.isClassMethod && guarded.length > 0 && guarded.every((w) => w.shared.kind === 'shared-instance');
  let expression: string;
  let where: string;
  if (perInstance) {
    if (CONSTRUCTION_METHODS.has(scope.name)) return undefined;
    const attr = uniqueName(`_${name}_lock`, (n) => new RegExp(`\\b${escape(n)}\\b`).test(cls!.node.text));
    const create = addToInit(cls!.node, model, text, (self) => `${self}.${attr} = ${call.text}`);
    if (!create) return undefined;
    edits.push(create);
    expression = `${scope.receiver}.${attr}`;
    where = 'in `__init__`';
  } else {
    let top: Node | null = scope.node;
    while (top && top.parent?.type !== 'module') top = top.parent;
    if (!top) return undefined;
    const base = cls ? `_${cls.name.replace(/^_+/, '').toLowerCase()}_${name}_lock` : `_${name}_lock`;
    expression = uniqueName(base, (n) => model.bindings.has(n) || new RegExp(`\\b${escape(n)}\\b`).test(text));
    const eol = lineEnding(text);
    const at = lineStart(text, top.startIndex);
    edits.push({ start: at, end: at, newText: `${expression} = ${call.text}${eol}${eol}${eol}` });
    where = 'at module level';
  }
  const site = replace(expression);
  if (!site) return undefined;
  edits.push(site);
  const reentrant = /RLock$/.test(call.childForFieldName('function')?.text ?? '');
  return {
    message: `Create the lock once: \`${expression}\` ${where}`,
    // Now the lock really excludes: if the guarded code can run this function again on the same thread
    // (a call back into it), a non-reentrant lock would deadlock where the per-call one did not.
    applicability: reentrant || !mayReenter(region, scope.receiver, call, scope, ctx) ? 'safe' : 'unsafe',
    edits,
  };
}

function uniqueName(base: string, taken: (name: string) => boolean): string {
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base}_${i}`;
  return name;
}
