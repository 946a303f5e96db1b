// FT113 — a thread started before the fields it reads are set:
//
//     def __init__(self):
//         self._thread = threading.Thread(target=self._run)
//         self._thread.start()
//         self._queue = []            # FT113: `_run` may read `self._queue` before this line runs
//
// `start()` publishes the object to the new thread, and the thread can run before the starting
// function's next statement: a field first set after the start is missing (AttributeError) or stale
// when the thread reads it. Docs: docs/rules/FT113.md
import type { Node } from '../parser';
import type { ClassInfo, ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { Fix, Rule, RuleContext } from '../types';
import { namedChildren, snippet } from '../model/syntax';
import { lineEnding, ownLines } from '../fixes/text';
import { textHas } from './hazards';
import { publications, WAITS } from './threadStarts';

const GATE = /\.start\(|\.submit\(|start_new_thread\(/;

/**
 * The methods of `cls` a thread running `entry` reaches by calling them on its receiver (a few levels
 * deep) before it waits: a call made after a wait in its caller (`self._awake.wait(…)` then
 * `self._export()`) runs once the starter has gone on.
 */
function threadMethods(entry: Node, cls: ClassInfo, model: ModuleModel): Node[] {
  const seen: Node[] = [entry];
  for (let i = 0; i < seen.length && seen.length < 24; i++) {
    const fn = seen[i];
    const receiver = model.scopeOf(fn.childForFieldName('body') ?? fn)?.receiver;
    const body = fn.childForFieldName('body');
    if (!receiver || !body) continue;
    for (const call of model.callsIn(fn)) {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'attribute' || callee.childForFieldName('object')?.text !== receiver) continue;
      if (WAITS.test(body.text.slice(0, call.startIndex - body.startIndex))) break;
      const method = cls.methods.get(callee.childForFieldName('attribute')?.text ?? '');
      if (method && !seen.includes(method)) seen.push(method);
    }
  }
  return seen;
}

/** Fields the starter leaves off before the start — `self._session = None`, `self._running = False` — and does not set again after it. */
function leftOff(starter: FunctionScope, start: Node, model: ModuleModel): Set<string> {
  const off = new Set<string>();
  const assignments = model.assignmentsOf(starter);
  for (const a of assignments) {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== starter.receiver || a.endIndex > start.startIndex) continue;
    if (right && (right.type === 'none' || right.type === 'false' || (right.type === 'integer' && right.text === '0'))) off.add(left.childForFieldName('attribute')!.text);
  }
  for (const a of assignments) if (a.startIndex > start.endIndex) off.delete(a.childForFieldName('left')?.childForFieldName('attribute')?.text ?? '');
  return off;
}

/** Is `read` inside `if self.<g>:` / `if self.<g> is not None:` for a field the starter left off (the thread waits for someone to turn it on)? */
function gatedOnOffField(read: Node, receiver: string, off: Set<string>): boolean {
  for (let n = read.parent, child: Node = read; n && n.type !== 'function_definition'; child = n, n = n.parent) {
    if ((n.type !== 'if_statement' && n.type !== 'elif_clause' && n.type !== 'while_statement') || n.childForFieldName('condition')?.id === child.id) continue;
    const condition = n.childForFieldName('condition');
    const tested = condition?.type === 'comparison_operator' && /\bis\s+not\s+None$/.test(condition.text) ? namedChildren(condition)[0] : condition;
    if (tested?.type === 'attribute' && tested.childForFieldName('object')?.text === receiver && off.has(tested.childForFieldName('attribute')?.text ?? '')) return true;
  }
  return false;
}

/** The first read of `receiver.field` in `fn`'s own body that no wait before it orders (null: none). */
function unorderedRead(fn: Node, field: string, model: ModuleModel, off: Set<string>): Node | null {
  const scope = model.scopeOf(fn.childForFieldName('body') ?? fn);
  const body = fn.childForFieldName('body');
  if (!scope?.receiver || !body) return null;
  const text = body.text;
  if (text.includes(`hasattr(${scope.receiver}, '${field}'`) || text.includes(`hasattr(${scope.receiver}, "${field}"`)) return null;
  const pattern = new RegExp(`(?<![\\w.])${scope.receiver}\\s*\\.\\s*${field}\\b`, 'g');
  for (const m of text.matchAll(pattern)) {
    if (WAITS.test(text.slice(0, m.index))) return null;
    const node = model.root.descendantForIndex(body.startIndex + m.index! + m[0].length - 1).parent;
    if (node?.type !== 'attribute' || model.scopeOf(node) !== scope) continue;
    const up = node.parent;
    if ((up?.type === 'assignment' || up?.type === 'augmented_assignment') && up.childForFieldName('left')?.id === node.id && up.type === 'assignment') continue;
    if (gatedOnOffField(node, scope.receiver, off)) continue;
    return node;
  }
  return null;
}

/** `self.<field>` assigned anywhere in the class but at `except` (a later assignment in the starter). */
function assignedElsewhere(cls: ClassInfo, field: string, except: Node, start: Node, model: ModuleModel): boolean {
  const body = cls.node.childForFieldName('body');
  for (const stmt of body ? namedChildren(body) : []) {
    const e = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
    if (e?.type === 'assignment' && e.childForFieldName('left')?.text === field) return true;
  }
  for (const method of cls.methods.values()) {
    const scope = model.scopeOf(method.childForFieldName('body') ?? method);
    if (!scope?.receiver) continue;
    for (const a of model.assignmentsOf(scope)) {
      if (a.id === except.id || a.childForFieldName('left')?.text !== `${scope.receiver}.${field}`) continue;
      // Set again after the start in the starter itself: the first one after the start is reported.
      if (a.startIndex > start.endIndex && a.startIndex >= except.startIndex && model.scopeOf(a) === model.scopeOf(except)) continue;
      return true;
    }
  }
  return false;
}

/** Move the assignment to just before the statement that starts the thread, when they are siblings and nothing between binds what it reads. */
function moveBeforeStart(text: string, assignment: Node, start: Node): Fix | undefined {
  const statement = assignment.parent;
  let starter: Node | null = start;
  while (starter && starter.parent?.id !== statement?.parent?.id) starter = starter.parent;
  if (!statement || statement.type !== 'expression_statement' || !starter || starter.type !== 'expression_statement') return undefined;
  const between = text.slice(starter.endIndex, statement.startIndex);
  // Nothing between may bind what the value reads: a name, or a dotted field (`self.port = …`).
  const reads = new Set([...(assignment.childForFieldName('right')?.text ?? '').matchAll(/[A-Za-z_][\w.]*/g)].flatMap((m) => m[0].split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))));
  for (const m of between.matchAll(/^\s*([A-Za-z_][\w.]*)\s*(?::[^=\n]*)?[-+*/|&]?=(?!=)/gm)) if (reads.has(m[1])) return undefined;
  const moved = ownLines(text, statement);
  const above = ownLines(text, starter);
  if (!moved || !above) return undefined;
  const from = moved.start;
  const to = moved.end;
  const at = above.start;
  // The moved line needs its own line break where it lands (a last line without one gets the file's).
  const line = /[\r\n]$/.test(text.slice(from, to)) ? text.slice(from, to) : text.slice(from, to) + lineEnding(text);
  return {
    message: `Set \`${assignment.childForFieldName('left')!.text}\` before the thread starts`,
    applicability: 'unsafe',
    edits: [
      { start: at, end: at, newText: line },
      { start: from, end: to, newText: '' },
    ],
  };
}

export const FT113: Rule = {
  code: 'FT113',
  name: 'started-before-initialised',
  summary: 'A thread started before a field it reads is set: the starter sets the field after start(), so the thread can read it first',
  precision: 'high',
  visit: {
    module(_node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE)) return;
      const done = new Set<number>();
      for (const { starter, start, entry, cls } of publications(model)) {
        const methods = threadMethods(entry, cls, model);
        const entryName = model.scopeOf(entry.childForFieldName('body') ?? entry)?.name;
        const off = leftOff(starter, start, model);
        for (const assignment of model.assignmentsOf(starter)) {
          if (assignment.startIndex <= start.endIndex || done.has(assignment.id)) continue;
          const left = assignment.childForFieldName('left');
          if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== starter.receiver) continue;
          const field = left.childForFieldName('attribute')!.text;
          if (assignedElsewhere(cls, field, assignment, start, model)) continue;
          let read: Node | null = null;
          for (const fn of methods) if ((read = unorderedRead(fn, field, model, off))) break;
          if (!read) continue;
          // A lock held by the starter from the start to the assignment, and by the reader, orders them.
          const held = model.heldLocks(assignment);
          if (held.length > 0 && model.heldLocks(read).some((l) => held.includes(l)) && model.heldLocks(start).some((l) => held.includes(l))) continue;
          done.add(assignment.id);
          const reader = model.scopeOf(read);
          ctx.report(assignment, {
            severity: 'warning',
            confidence: 'high',
            fix: moveBeforeStart(ctx.text, assignment, start),
            message:
              `\`${snippet(assignment, 50)}\` sets \`${left.text}\` only after \`${snippet(start, 40)}\` (line ${start.startPosition.row + 1}) has started the thread that runs \`${entryName}\`, ` +
              `and ${reader?.name === entryName ? 'it' : `\`${reader?.name}\` on that thread`} reads \`${read.text}\` (line ${read.startPosition.row + 1}): the new thread can run first and find the field missing (AttributeError) or stale. ` +
              `Set the field before starting the thread.`,
          });
        }
      }
    },
  },
};
