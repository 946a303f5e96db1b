// FT117 — a flag another thread waits for, set before the state it announces:
//
//     def startprint(self, gcode):
//         self.printing = True            # FT117: the listener thread may act on it now…
//         self.mainqueue = gcode          # …and read the old queue and index
//         self.queueindex = 0
//     def _sendnext(self):                # the listener thread
//         if self.printing and self.queueindex < len(self.mainqueue):
//
// A reader that tests the flag and then reads the state trusts the flag to mean "the state is ready".
// Set first, it says so before it is true: on free-threaded Python the other thread runs at once and
// reads the previous state (or none). Docs: docs/rules/FT117.md
import type { Node } from '../parser';
import type { ClassInfo, ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { Rule, RuleContext } from '../types';
import { inExclusiveBranches, namedChildren, snippet } from '../model/syntax';
import { isConstructionMethod } from '../model/module';
import { isTestCode } from '../model/testCode';

const TESTS: ReadonlySet<string> = new Set(['if_statement', 'while_statement']);

/** A flag raised in a method: `self.ready = True` or `self.ready.set()`, and the state written after it there. */
interface Publication {
  flag: string;
  /** The write that raises it. */
  node: Node;
  writer: FunctionScope;
  /** Fields the method writes after raising the flag: field → its first such write. */
  later: Map<string, Node>;
  event: boolean;
}

/** The `self.<field>` a node names directly, or null. */
function ownField(node: Node | null | undefined, receiver: string): string | null {
  if (node?.type !== 'attribute' || node.childForFieldName('object')?.text !== receiver) return null;
  return node.childForFieldName('attribute')?.text ?? null;
}

/** Fields of the class that hold an Event (`self._ready = threading.Event()`). */
function eventFields(cls: ClassInfo): Set<string> {
  const out = new Set<string>();
  for (const m of cls.node.text.matchAll(/\b\w+\.(\w+)\s*=\s*(?:threading\.)?Event\(\)/g)) out.add(m[1]);
  return out;
}

function publications(cls: ClassInfo, model: ModuleModel, ctx: RuleContext): Publication[] {
  const events = eventFields(cls);
  const out: Publication[] = [];
  for (const method of cls.methods.values()) {
    const scope = model.scopeOf(method.childForFieldName('body') ?? method);
    if (!scope?.receiver || scope.isClassMethod || isConstructionMethod(scope.name, cls.node) || model.isConstructionOnly(scope) || isTestCode(scope)) continue;
    const receiver = scope.receiver;
    const raised: Array<{ flag: string; node: Node; event: boolean }> = [];
    for (const a of model.ownNodes(scope)) {
      if (a.type !== 'assignment') continue;
      const flag = ownField(a.childForFieldName('left'), receiver);
      if (flag && a.childForFieldName('right')?.text === 'True' ) raised.push({ flag, node: a, event: false });
    }
    for (const c of model.ownNodes(scope)) {
      if (c.type !== 'call') continue;
      const callee = c.childForFieldName('function');
      const flag = callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'set' ? ownField(callee.childForFieldName('object'), receiver) : null;
      if (flag && events.has(flag) && namedChildren(c.childForFieldName('arguments')!).length === 0) raised.push({ flag, node: c, event: true });
    }
    for (const { flag, node, event } of raised) {
      // Raised holding a lock, before the data in the same block: FT104 reports the unlocked reader.
      // (Threads the method starts later are no reason to skip it: which readers they order is asked below.)
      if (runsAloneWithAnyThread(node, scope, model) || model.heldLocks(node).length > 0) continue;
      const later = new Map<string, Node>();
      for (const a of model.ownNodes(scope)) {
        if (a.type !== 'assignment') continue;
        // (A handler's writes clean up after a failure: what the flag announced never came.)
        if (a.startIndex <= node.endIndex || inExclusiveBranches(node, a) || inHandlerWithout(a, node) || !reachedAfter(node, a)) continue;
        const field = ownField(a.childForFieldName('left'), receiver);
        // A later write of the flag itself, or of a lock, announces nothing new.
        if (!field || field === flag || cls.lockAttributes.has(field) || later.has(field)) continue;
        later.set(field, a);
      }
      if (later.size > 0) out.push({ flag, node, writer: scope, later, event });
    }
  }
  return out;
}

const EXITS: ReadonlySet<string> = new Set(['return_statement', 'raise_statement', 'continue_statement', 'break_statement']);

/**
 * Does control reach `write` after `flag` in their function — no `return`, `raise`, `continue` or
 * `break` after the flag's statement in a block the write lies beyond (`self.bad = True` / `return`)?
 */
function reachedAfter(flag: Node, write: Node): boolean {
  let n: Node | null = flag;
  while (n && n.parent && n.parent.type !== 'block') n = n.parent;
  while (n && n.parent?.type === 'block') {
    const block: Node = n.parent;
    for (let sibling = n.nextNamedSibling; sibling; sibling = sibling.nextNamedSibling) {
      if (write.startIndex >= sibling.startIndex && write.endIndex <= sibling.endIndex) return true;
      if (EXITS.has(sibling.type)) return false;
    }
    // Past the block's end: up to the statement that holds it.
    n = block.parent;
    while (n && n.parent && n.parent.type !== 'block' && n.type !== 'function_definition') n = n.parent;
    if (!n || n.type === 'function_definition') return false;
  }
  return false;
}

/** Code no thread runs beside: in an after-fork child, at exit, after the threads are joined, at import. */
function runsAloneWithAnyThread(node: Node, scope: FunctionScope, model: ModuleModel): boolean {
  return !!model.ordering.whySequential(scope) || model.afterThreadsJoined(node, scope) || !!model.importPriming.onlyInInitialisation(scope);
}

/** Is `write` in an `except` clause (of its function) that does not also hold `flag`? */
function inHandlerWithout(write: Node, flag: Node): boolean {
  for (let up = write.parent; up && up.type !== 'function_definition'; up = up.parent) {
    if (up.type === 'except_clause') return !(flag.startIndex >= up.startIndex && flag.endIndex <= up.endIndex);
  }
  return false;
}

/** Does the writer start its own object's thread (`self.start()`) after `at`? */
function startsOwnThreadAfter(writer: FunctionScope, at: Node, model: ModuleModel): boolean {
  return model.ownNodes(writer).some((n) => n.type === 'call' && n.startIndex > at.endIndex && n.childForFieldName('function')?.text === `${writer.receiver}.start` && namedChildren(n.childForFieldName('arguments')!).length === 0);
}

/** The methods the writer calls on its own object after `at` (`self.start_threads()`): threads they start come after it. */
function calledAfter(writer: FunctionScope, at: Node, model: ModuleModel): Set<string> {
  const names = new Set<string>();
  for (const n of model.ownNodes(writer)) {
    const callee = n.type === 'call' && n.startIndex > at.endIndex ? n.childForFieldName('function') : null;
    if (callee?.type === 'attribute' && callee.childForFieldName('object')?.text === writer.receiver) names.add(callee.childForFieldName('attribute')?.text ?? '');
  }
  return names;
}

/** Is `test` the flag itself (`self.ready`, `self.ready.is_set()`), alone or as an operand of an `and`? */
function testsFlag(test: Node, receiver: string, flag: string, event: boolean): boolean {
  if (event) {
    if (test.type !== 'call') return false;
    const callee = test.childForFieldName('function');
    return callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'is_set' && ownField(callee.childForFieldName('object'), receiver) === flag;
  }
  return ownField(test, receiver) === flag;
}

/**
 * Where a method reads what the flag guards, once it has seen it raised: the body of `if <flag>:` /
 * `while <flag>:` (or of an `and` with it), the operands after it in that `and`, and — for an Event —
 * what follows `self.ready.wait()` in its block.
 */
function guardedRegions(scope: FunctionScope, flag: string, event: boolean, model: ModuleModel): Node[][] {
  const receiver = scope.receiver!;
  const out: Node[][] = [];
  for (const statement of model.ownNodes(scope)) {
    if (!TESTS.has(statement.type)) continue;
    const condition = statement.childForFieldName('condition');
    if (!condition) continue;
    const operands = condition.type === 'boolean_operator' && condition.children.some((c) => c?.type === 'and') ? andOperands(condition) : [condition];
    const at = operands.findIndex((o) => testsFlag(o, receiver, flag, event));
    if (at < 0) continue;
    const body = statement.childForFieldName('body') ?? statement.childForFieldName('consequence');
    out.push([...operands.slice(at + 1), ...(body ? [body] : [])]);
  }
  if (event) {
    for (const c of model.ownNodes(scope)) {
      if (c.type !== 'call') continue;
      const callee = c.childForFieldName('function');
      if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'wait' || ownField(callee.childForFieldName('object'), receiver) !== flag) continue;
      const statement = c.parent?.type === 'expression_statement' ? c.parent : null;
      const after: Node[] = [];
      for (let s = statement?.nextNamedSibling ?? null; s; s = s.nextNamedSibling) after.push(s);
      if (after.length > 0) out.push(after);
    }
  }
  return out;
}

/** The operands of a chain of `and`s, left to right. */
function andOperands(n: Node): Node[] {
  if (n.type === 'boolean_operator' && n.children.some((c) => c?.type === 'and')) {
    return [n.childForFieldName('left'), n.childForFieldName('right')].flatMap((c) => (c ? andOperands(c) : []));
  }
  if (n.type === 'parenthesized_expression' && namedChildren(n).length === 1) return andOperands(namedChildren(n)[0]);
  return [n];
}

/** The first read of one of `fields` (`self.<field>`, not a write of it) in the region. */
function firstRead(region: Node[], receiver: string, fields: ReadonlyMap<string, Node>): { field: string; node: Node } | null {
  const pattern = new RegExp(String.raw`(?<![\w.])${receiver}\.(\w+)\b(?!\s*=[^=])`, 'g');
  for (const part of region) {
    for (const m of part.text.matchAll(pattern)) {
      if (!fields.has(m[1])) continue;
      const node = part.descendantForIndex(part.startIndex + m.index!, part.startIndex + m.index! + m[0].length);
      if (node.type === 'attribute' && node.parent?.type !== 'augmented_assignment') return { field: m[1], node };
    }
  }
  return null;
}

export const FT117: Rule = {
  code: 'FT117',
  name: 'published-before-ready',
  summary: 'A flag another thread tests is set before the state it announces: that thread can act on the flag and read the old state',
  precision: 'medium',
  visit: {
    module(_node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!model.threads.hasEntries && !ctx.options.assumeConcurrent) return;
      for (const cls of model.classes.values()) {
        const raised = publications(cls, model, ctx);
        if (raised.length === 0) continue;
        for (const publication of raised) {
          const writerEntry = model.threads.entryFor(publication.writer);
          let reported = false;
          for (const method of cls.methods.values()) {
            if (reported) break;
            const scope = model.scopeOf(method.childForFieldName('body') ?? method);
            if (!scope?.receiver || scope === publication.writer || isConstructionMethod(scope.name, cls.node) || isTestCode(scope)) continue;
            const entry = model.threads.entryFor(scope);
            // One side at least on a thread of the run (or, auditing, either assumed), and not one
            // thread's code on both sides: then the flag and the state are read in the order written.
            if (!entry && !writerEntry) continue;
            if ((entry?.assumed || !entry) && (writerEntry?.assumed || !writerEntry) && !ctx.options.assumeConcurrent) continue;
            if (entry && writerEntry && !entry.assumed && entry.site === writerEntry.site && entry.via === writerEntry.via) continue;
            const sameThread = model.dedicatedThreadOf(scope);
            if (sameThread && sameThread === model.dedicatedThreadOf(publication.writer)) continue;
            // The reader's thread started by the writer after the state is written: the start orders them.
            // Coroutines of one event loop take turns on its thread.
            if (scope.isAsync && publication.writer.isAsync) continue;
            const ownSpawns = model.threads.spawns.filter((s) => model.scopeOf(s.fn.childForFieldName('body') ?? s.fn)?.classNode === cls.node);
            for (const region of guardedRegions(scope, publication.flag, publication.event, model)) {
              const read = firstRead(region, scope.receiver, publication.later);
              if (!read) continue;
              // Every thread of the class's own methods started by the writer after it writes what is read
              // (`Thread(target=self._run).start()`, a Thread subclass's `self.start()`): the start orders them.
              const stateWrite = publication.later.get(read.field)!;
              const startedAfter = (spawn: { target: Node | null; site: Node }) =>
                spawn.target === null
                  ? startsOwnThreadAfter(publication.writer, stateWrite, model)
                  : (spawn.site.startIndex > stateWrite.endIndex && spawn.site.endIndex <= publication.writer.node.endIndex) ||
                    calledAfter(publication.writer, stateWrite, model).has(model.scopeOf(spawn.site)?.name ?? '');
              if (entry && !entry.assumed && ownSpawns.length > 0 && ownSpawns.every(startedAfter)) continue;
              const fields = [...publication.later.keys()];
              const named = fields.slice(0, 3).map((f) => `\`${f}\``).join(', ') + (fields.length > 3 ? ` and ${fields.length - 3} more` : '');
              const where = entry && !entry.assumed ? ` on another thread (${entry.via})` : writerEntry && !writerEntry.assumed ? ` while \`${publication.writer.name}\` runs on a thread (${writerEntry.via})` : '';
              const raisedText = publication.event ? `\`${snippet(publication.node, 40)}\` sets the Event` : `\`${snippet(publication.node, 40)}\` raises the flag`;
              ctx.report(publication.node, {
                severity: 'warning',
                confidence: (entry && !entry.assumed) || (writerEntry && !writerEntry.assumed) ? 'medium' : 'low',
                message:
                  `${raisedText} before \`${publication.writer.name}\` writes the state it announces (${named}; \`${read.field}\` at line ${stateWrite.startPosition.row + 1}), ` +
                  `and \`${scope.name}\` reads \`${read.field}\` once it sees the flag (line ${read.node.startPosition.row + 1})${where}. ` +
                  `On free-threaded Python that thread can act on the flag at once and read the old state. Set the flag last, after the state, or hold one lock over the writes and over the test and the reads.`,
              });
              reported = true;
              break;
            }
          }
        }
      }
    },
  },
};
