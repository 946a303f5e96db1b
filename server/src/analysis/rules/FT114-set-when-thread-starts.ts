// FT114 — a field the thread sets when it starts, that methods other threads call change or use:
//
//     class Poller(threading.Thread):
//         def run(self):
//             self._running = True        # FT114: a stop() between start() and this line is lost
//             while self._running: ...
//         def stop(self):
//             self._running = False
//
// `start()` returns before the new thread has run its first line. A caller that goes on at once —
// `p.start(); p.stop()`, a failure right after the start, a test — gets there first: its write is
// overwritten (the loop runs on, a join hangs) or the field it uses does not exist yet
// (AttributeError). Docs: docs/rules/FT114.md
import type { Node } from '../parser';
import type { ClassInfo, ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { Fix, Rule, RuleContext } from '../types';
import { namedChildren, snippet } from '../model/syntax';
import { lineEnding, ownLines } from '../fixes/text';
import { textHas } from './hazards';
import { isTestCode } from '../model/testCode';
import { BLOCKING_WAITS, publications, RUNS_AT_ONCE } from './threadStarts';

const GATE = /\bThread\b|\.submit\(|start_new_thread\(/;

/** Methods no caller reaches after the start: construction and finalisation. */
const BEFORE_OR_AFTER = new Set(['__init__', '__new__', '__del__', '__init_subclass__', '__post_init__', '__set_name__']);

/** Calls that tell a waiting thread the entry has got somewhere: an event set, a queue put, a condition notified. */
const SIGNALS = /\.(?:set|put|put_nowait|notify|notify_all|release)\(/;

/** Values a fix can move without changing what they compute. */
const CONSTANT = new Set(['true', 'false', 'none', 'integer', 'float', 'string']);

interface ThreadEntryMethod {
  fn: Node;
  scope: FunctionScope;
  cls: ClassInfo;
}

/** The object's own methods that run on a thread as soon as it starts: a thread class's `run`, a target started at once. */
function entryMethods(model: ModuleModel): ThreadEntryMethod[] {
  const out = new Map<number, ThreadEntryMethod>();
  for (const spawn of model.threads.spawns) {
    if (spawn.entry.assumed || spawn.entry.external || spawn.fn.type !== 'function_definition') continue;
    if (!spawn.entry.threadClass && !RUNS_AT_ONCE.test(spawn.entry.via)) continue;
    const scope = model.scopeOf(spawn.fn.childForFieldName('body') ?? spawn.fn);
    const cls = scope?.classNode ? model.classInfo(scope.classNode) : null;
    if (!scope?.receiver || !cls || scope.isAsync || isTestCode(scope)) continue;
    // A target of another object's method runs that object's method: the class is that object's.
    if (spawn.target && spawn.target.type !== 'attribute') continue;
    out.set(spawn.fn.id, { fn: spawn.fn, scope, cls });
  }
  return [...out.values()];
}

/**
 * The statements the entry runs first, in order, until its first loop or wait: those of its body,
 * and of `try`/`with` blocks among them.
 */
function openingStatements(body: Node): Node[] {
  const out: Node[] = [];
  const visit = (block: Node): boolean => {
    for (const stmt of namedChildren(block)) {
      if (stmt.type === 'while_statement' || stmt.type === 'for_statement' || stmt.type === 'comment') {
        if (stmt.type !== 'comment') return false;
        continue;
      }
      if (stmt.type === 'try_statement' || stmt.type === 'with_statement') {
        const inner = stmt.childForFieldName('body');
        if (inner && !visit(inner)) return false;
        if (stmt.type === 'with_statement') continue;
        return false; // what follows a try's body may run after its handlers: stop here
      }
      if (BLOCKING_WAITS.test(stmt.text)) return false;
      out.push(stmt);
    }
    return true;
  };
  visit(body);
  return out;
}

/** `receiver.<field> = value` as a statement: the assignment. */
function fieldAssignment(stmt: Node, receiver: string): Node | null {
  const e = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
  const left = e?.type === 'assignment' ? e.childForFieldName('left') : null;
  return left?.type === 'attribute' && left.childForFieldName('object')?.text === receiver && e!.childForFieldName('right') ? e! : null;
}

/** The class's methods a call chain on the receiver from `entry` reaches (the entry's own thread). */
function reachedFrom(entry: Node, cls: ClassInfo, model: ModuleModel): Set<Node> {
  const seen = new Set<Node>([entry]);
  const queue = [entry];
  while (queue.length > 0 && seen.size < 64) {
    const fn = queue.shift()!;
    const receiver = model.scopeOf(fn.childForFieldName('body') ?? fn)?.receiver;
    if (!receiver) continue;
    for (const call of model.callsIn(fn)) {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'attribute' || callee.childForFieldName('object')?.text !== receiver) continue;
      const method = cls.methods.get(callee.childForFieldName('attribute')?.text ?? '');
      if (method && !seen.has(method)) {
        seen.add(method);
        queue.push(method);
      }
    }
  }
  return seen;
}

/**
 * Methods another thread may call once the thread has started: public ones and dunders Python calls
 * (`__exit__`), and private ones some method outside the entry's thread calls (construction aside).
 */
function callableFromOtherThreads(cls: ClassInfo, onEntryThread: Set<Node>, model: ModuleModel): Node[] {
  const calledFromOutside = new Set<string>();
  for (const [name, method] of cls.methods) {
    if (onEntryThread.has(method) || BEFORE_OR_AFTER.has(name)) continue;
    const receiver = model.scopeOf(method.childForFieldName('body') ?? method)?.receiver;
    for (const call of model.callsIn(method)) {
      const callee = call.childForFieldName('function');
      if (callee?.type === 'attribute' && callee.childForFieldName('object')?.text === receiver) calledFromOutside.add(callee.childForFieldName('attribute')?.text ?? '');
    }
  }
  const out: Node[] = [];
  for (const [name, method] of cls.methods) {
    if (BEFORE_OR_AFTER.has(name)) continue;
    const isPublic = !name.startsWith('_') || (name.startsWith('__') && name.endsWith('__'));
    // A public method the thread calls too (`stop()` on an error) is still its users' to call.
    if (isPublic || calledFromOutside.has(name)) out.push(method);
  }
  return out;
}

/** Occurrences of `receiver.<field>` in a method's own body, in order, as attribute nodes. */
function fieldUses(fn: Node, field: string, model: ModuleModel): Node[] {
  const scope = model.scopeOf(fn.childForFieldName('body') ?? fn);
  const body = fn.childForFieldName('body');
  if (!scope?.receiver || !body) return [];
  const out: Node[] = [];
  const pattern = new RegExp(`(?<![\\w.])${scope.receiver}\\s*\\.\\s*${field}\\b`, 'g');
  for (const m of body.text.matchAll(pattern)) {
    const node = model.root.descendantForIndex(body.startIndex + m.index! + m[0].length - 1).parent;
    if (node?.type === 'attribute' && model.scopeOf(node) === scope) out.push(node);
  }
  return out;
}

/** Is `use` the target of a plain assignment (`self.x = …`)? */
function isAssigned(use: Node): Node | null {
  const up = use.parent;
  return up?.type === 'assignment' && up.childForFieldName('left')?.id === use.id ? up : null;
}

/** Is there a start of a thread (`….start()`) in `fn` before `node`? Without one in `fn`, callers start it first. */
function beforeItsOwnStart(fn: Node, node: Node, model: ModuleModel): boolean {
  const starts = model.callsIn(fn).filter((c) => /(?:^|\.)start$/.test(c.childForFieldName('function')?.text ?? ''));
  return starts.length > 0 && starts.every((c) => c.startIndex > node.startIndex);
}

/** Does `fn` wait (an event, a queue, a join) before `node`? Such a wait orders it after what the thread signals. */
function waitsBefore(fn: Node, node: Node): boolean {
  const body = fn.childForFieldName('body');
  return !!body && BLOCKING_WAITS.test(body.text.slice(0, Math.max(0, node.startIndex - body.startIndex)));
}

/** Fields that hold a value before the thread starts: class attributes, and fields methods off the entry's thread set. */
function setBeforeStart(cls: ClassInfo, field: string, onEntryThread: Set<Node>, model: ModuleModel): boolean {
  const body = cls.node.childForFieldName('body');
  for (const stmt of body ? namedChildren(body) : []) {
    const e = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
    if (e?.type === 'assignment' && (e.childForFieldName('left')?.text === field || e.childForFieldName('left')?.text.split(':')[0].trim() === field)) return true;
  }
  for (const method of cls.methods.values()) {
    if (onEntryThread.has(method)) continue;
    if (fieldUses(method, field, model).some((u) => isAssigned(u) || u.parent?.type === 'augmented_assignment')) return true;
    // `setattr(self, name, …)` and `self.__dict__.update(…)` may set any field.
    if (/\bsetattr\(|__dict__/.test(method.text)) return true;
  }
  return false;
}

/** Does the entry tell a waiter it has got past `after` (`self._started.set()`), and does some other method wait on that? */
function signalsReadiness(entry: ThreadEntryMethod, after: Node, opening: Node[], cls: ClassInfo, model: ModuleModel): boolean {
  for (const stmt of opening) {
    if (stmt.startIndex < after.endIndex || !SIGNALS.test(stmt.text)) continue;
    const signalled = /(\w+)\s*\.\s*(?:set|put|put_nowait|notify|notify_all|release)\(/.exec(stmt.text)?.[1];
    if (!signalled) continue;
    for (const method of cls.methods.values()) {
      if (method === entry.fn) continue;
      if (new RegExp(`\\b${signalled}\\s*\\.\\s*(?:wait|get|acquire)\\(`).test(method.text)) return true;
    }
  }
  return false;
}

/** Classes whose bases may set fields this module cannot see. */
function basesUnseen(cls: ClassInfo): boolean {
  const bases = cls.node.childForFieldName('superclasses');
  return !!bases && namedChildren(bases).some((b) => b.type !== 'keyword_argument' && !/^(?:threading\.)?Thread$|^object$/.test(b.text));
}

/**
 * The fix for a lost write of a constant: set the field in the method that starts the thread, just
 * before the start, and no longer in the entry.
 */
function moveToStarter(text: string, assignment: Node, entry: ThreadEntryMethod, model: ModuleModel): Fix | undefined {
  const right = assignment.childForFieldName('right');
  const field = assignment.childForFieldName('left')?.childForFieldName('attribute')?.text;
  const statement = assignment.parent;
  if (!right || !field || !CONSTANT.has(right.type) || statement?.type !== 'expression_statement') return undefined;
  const starts = publications(model).filter((p) => p.entry === entry.fn);
  if (starts.length !== 1) return undefined;
  const { starter, start } = starts[0];
  let startStatement: Node | null = start;
  while (startStatement && startStatement.type !== 'expression_statement') startStatement = startStatement.parent;
  if (!startStatement || model.scopeOf(startStatement) !== starter) return undefined;
  const removed = ownLines(text, statement);
  const above = ownLines(text, startStatement);
  if (!removed || !above) return undefined;
  // The starter may set it already (`self._stopped = False` just before the start): then the entry's copy only goes.
  const already = model.assignmentsOf(starter).some((a) => a.endIndex < start.startIndex && a.childForFieldName('left')?.text === `${starter.receiver}.${field}` && a.childForFieldName('right')?.text === right.text);
  const line = `${above.indent}${starter.receiver}.${field} = ${right.text}${lineEnding(text)}`;
  return {
    message: already ? `Leave \`${starter.receiver}.${field}\` to the starter, which sets it before the thread starts` : `Set \`${starter.receiver}.${field}\` before the thread starts`,
    applicability: 'unsafe',
    edits: [...(already ? [] : [{ start: above.start, end: above.start, newText: line }]), { start: removed.start, end: removed.end, newText: '' }],
  };
}

export const FT114: Rule = {
  code: 'FT114',
  name: 'set-when-thread-starts',
  summary: 'A field the thread sets when it starts, while methods other threads call change or use it: a call right after start() gets there first',
  precision: 'medium',
  visit: {
    module(_node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE)) return;
      for (const entry of entryMethods(model)) {
        const body = entry.fn.childForFieldName('body');
        const receiver = entry.scope.receiver!;
        if (!body) continue;
        const opening = openingStatements(body);
        const onEntryThread = reachedFrom(entry.fn, entry.cls, model);
        const others = callableFromOtherThreads(entry.cls, onEntryThread, model).filter((m) => m !== entry.fn && !isTestCode(model.scopeOf(m.childForFieldName('body') ?? m)));
        if (others.length === 0) continue;
        const reported = new Set<string>();
        for (const stmt of opening) {
          const assignment = fieldAssignment(stmt, receiver);
          if (!assignment) continue;
          const field = assignment.childForFieldName('left')!.childForFieldName('attribute')!.text;
          const value = assignment.childForFieldName('right')!;
          if (reported.has(field) || signalsReadiness(entry, assignment, opening, entry.cls, model)) continue;
          // The thread goes on to read what it set: the write it overwrote was meant for it.
          const readsAfter = fieldUses(entry.fn, field, model).some((u) => u.startIndex > assignment.endIndex && !isAssigned(u));
          const unset = !basesUnseen(entry.cls) && !setBeforeStart(entry.cls, field, onEntryThread, model);
          for (const method of others) {
            const uses = fieldUses(method, field, model).filter((u) => !beforeItsOwnStart(method, u, model) && !waitsBefore(method, u));
            const name = model.scopeOf(method.childForFieldName('body') ?? method)?.name ?? 'a method';
            const write = readsAfter ? uses.map(isAssigned).find((a) => a && a.childForFieldName('right')?.text !== value.text) : undefined;
            if (write) {
              reported.add(field);
              ctx.report(assignment, {
                severity: 'warning',
                confidence: 'medium',
                fix: moveToStarter(ctx.text, assignment, entry, model),
                message:
                  `\`${entry.scope.name}\` sets \`${snippet(assignment, 50)}\` only once its thread has started, and \`${name}()\` sets \`${snippet(write, 50)}\` (line ${write.startPosition.row + 1}): ` +
                  `called after \`start()\` but before the thread gets here, \`${name}()\`'s write is lost and the thread goes on as if it never came. Set the field before starting the thread.`,
              });
              break;
            }
            const guarded = new RegExp(`(?:has|get)attr\\(\\s*${method === entry.fn ? receiver : '\\w+'}\\s*,\\s*['"]${field}['"]`).test(method.text);
            const read = unset && !guarded ? uses.find((u) => !isAssigned(u)) : undefined;
            if (read) {
              reported.add(field);
              ctx.report(assignment, {
                severity: 'warning',
                confidence: 'high',
                message:
                  `\`${left(assignment)}\` is first set here, once the thread running \`${entry.scope.name}\` has started, and \`${name}()\` uses \`${read.text}\` (line ${read.startPosition.row + 1}): ` +
                  `called right after \`start()\`, before the thread gets here, it finds no such field (AttributeError). Set it before starting the thread, or have \`${name}()\` wait until the thread says it is ready.`,
              });
              break;
            }
          }
        }
      }
    },
  },
};

function left(assignment: Node): string {
  return assignment.childForFieldName('left')!.text;
}
