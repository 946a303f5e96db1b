// FT116 — fields a thread updates together under a lock, combined by another thread without it:
//
//     def measure_loop(self):                  # the object's thread
//         with self._lock:
//             self.total += sum(samples)
//             self.count += len(samples)
//     def average(self):                       # the object's holder
//         return self.total / self.count       # FT116: a total from one update, a count from another
//
// The lock makes each update whole for those who take it; a reader that does not sees the pair
// mid-update — a total that already has the new samples beside a count that has not (a wrong
// average, a ratio over 1, a division by a count still 0). Docs: docs/rules/FT116.md
import type { Node } from '../parser';
import type { ClassInfo, ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { Rule, RuleContext } from '../types';
import { snippet } from '../model/syntax';
import { withItems } from '../model/locks';
import { isConstructionMethod } from '../model/module';
import { isTestCode } from '../model/testCode';
import { sharedState } from '../model/sharing';
import { guardFix } from '../fixes/guard';
import { runsAlone } from './common';

const WRITES: ReadonlySet<string> = new Set(['assignment', 'augmented_assignment']);

/**
 * Expressions that combine their operands into one value: arithmetic, a comparison, a pair returned.
 * (`a or b` tests conditions one by one: each may be read at its own time.)
 */
const COMBINING = new Set(['binary_operator', 'comparison_operator', 'tuple', 'expression_list', 'list']);

/** Fields of one object written together in one locked block of a method a thread runs. */
interface UpdateGroup {
  fields: Set<string>;
  /** The lock of the block (named without the receiver), and every lock its writes hold. */
  lock: string;
  locks: Set<string>;
  block: Node;
  writer: FunctionScope;
  assumed: boolean;
}

/** `self._lock` → `_lock`: locks of the object are compared by field, whatever the method calls its receiver. */
function withoutReceiver(lock: string, receiver: string): string {
  return lock.startsWith(`${receiver}.`) ? lock.slice(receiver.length + 1) : lock;
}

/** The `self.<field>` a write's target names directly, or null. */
function ownField(target: Node | null, receiver: string): string | null {
  if (target?.type !== 'attribute' || target.childForFieldName('object')?.text !== receiver) return null;
  return target.childForFieldName('attribute')?.text ?? null;
}

function updateGroups(cls: ClassInfo, model: ModuleModel): UpdateGroup[] {
  const groups: UpdateGroup[] = [];
  const seen = new Set<string>();
  for (const method of cls.methods.values()) {
    const scope = model.scopeOf(method.childForFieldName('body') ?? method);
    if (!scope?.receiver || isConstructionMethod(scope.name, cls.node) || isTestCode(scope)) continue;
    const entry = model.threads.entryFor(scope);
    if (!entry) continue;
    for (const statement of model.ownNodes(scope)) {
      if (statement.type !== 'with_statement' || statement.firstChild?.type === 'async') continue;
      const lock = withItems(statement).find((item) => model.isLock(item));
      const body = statement.childForFieldName('body');
      if (!lock || !body || !lock.text.startsWith(`${scope.receiver}.`)) continue;
      // Fields written holding the same locks (an inner `with self._result_lock:` makes a group of its own).
      const byLocks = new Map<string, { fields: Set<string>; locks: string[]; first: Node }>();
      for (const write of model.nodesWithin(body, WRITES)) {
        const field = ownField(write.childForFieldName('left'), scope.receiver);
        if (!field || cls.lockAttributes.has(field)) continue;
        const locks = [...new Set(model.heldLocks(write).map((l) => withoutReceiver(model.canonicalLock(l, scope), scope.receiver!)))].sort();
        const key = locks.join(' ');
        const group = byLocks.get(key) ?? { fields: new Set<string>(), locks, first: write };
        group.fields.add(field);
        byLocks.set(key, group);
      }
      for (const [key, { fields, locks, first }] of byLocks) {
        const id = `${scope.node.id} ${key} ${[...fields].sort().join(' ')}`;
        if (fields.size < 2 || seen.has(id)) continue;
        seen.add(id);
        const inner = innermostLockBlock(first, model) ?? { block: statement, lock: lock.text };
        const canonical = withoutReceiver(model.canonicalLock(inner.lock, scope), scope.receiver);
        groups.push({ fields, lock: withoutReceiver(inner.lock, scope.receiver), locks: new Set([...locks, canonical]), block: inner.block, writer: scope, assumed: !!entry.assumed });
      }
    }
  }
  return groups;
}

/** The innermost `with <lock>:` around `node` in its function, and the lock. */
function innermostLockBlock(node: Node, model: ModuleModel): { block: Node; lock: string } | null {
  for (let n = node.parent; n && n.type !== 'function_definition'; n = n.parent) {
    const lock = n.type === 'with_statement' ? withItems(n).find((item) => model.isLock(item)) : undefined;
    if (lock) return { block: n, lock: lock.text };
  }
  return null;
}

/** The smallest combining expression around both `a` and `b`, within their statement. */
function combination(a: Node, b: Node): Node | null {
  for (let n: Node | null = a.parent; n; n = n.parent) {
    if (isStatement(n)) return null;
    if (COMBINING.has(n.type) && n.startIndex <= b.startIndex && b.endIndex <= n.endIndex) return n;
  }
  return null;
}

function isStatement(n: Node): boolean {
  return n.type.endsWith('statement') || n.type === 'block' || n.type === 'function_definition' || n.type === 'assignment' || n.type === 'augmented_assignment';
}

/** The statement `n` is part of (one report per statement). */
function statementOf(n: Node): Node {
  let s: Node = n;
  while (s.parent && !isStatement(s)) s = s.parent;
  return s;
}

/** Field reads `self.<field>` of a group in one method, by field, in source order. */
function readsOf(scope: FunctionScope, fields: Set<string>, model: ModuleModel): Array<{ field: string; node: Node }> {
  const out: Array<{ field: string; node: Node }> = [];
  const text = scope.node.text;
  const pattern = new RegExp(String.raw`(?<![\w.])${scope.receiver}\.(\w+)\b(?!\s*=[^=])`, 'g');
  for (const m of text.matchAll(pattern)) {
    if (!fields.has(m[1])) continue;
    const node = model.root.descendantForIndex(scope.node.startIndex + m.index!, scope.node.startIndex + m.index! + m[0].length);
    if (node.type === 'attribute' && node.parent?.type !== 'augmented_assignment' && model.scopeOf(node) === scope) out.push({ field: m[1], node });
  }
  return out;
}

export const FT116: Rule = {
  code: 'FT116',
  name: 'torn-read',
  summary: 'Fields a thread updates together under a lock, combined by other code without the lock: it can see one updated and the other not',
  precision: 'medium',
  visit: {
    module(_node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (model.index.all('with_statement').length === 0) return;
      for (const cls of model.classes.values()) {
        const groups = updateGroups(cls, model);
        if (groups.length === 0) continue;
        const reported = new Set<number>();
        for (const method of cls.methods.values()) {
          const scope = model.scopeOf(method.childForFieldName('body') ?? method);
          if (!scope?.receiver || isConstructionMethod(scope.name, cls.node) || isTestCode(scope)) continue;
          const entry = model.threads.entryFor(scope);
          for (const group of groups) {
            // The writer's own thread reading its own update sees it whole; so does code ordered before it.
            if (scope === group.writer) continue;
            const writerEntry = model.threads.entryFor(group.writer)!;
            if (entry && !entry.assumed && entry.site === writerEntry.site && entry.via === writerEntry.via) continue;
            if (group.assumed && !model.options.assumeConcurrent) continue;
            const reads = readsOf(scope, group.fields, model);
            for (let i = 0; i < reads.length; i++) {
              const other = reads.slice(i + 1).find((r) => r.field !== reads[i].field);
              const combined = other ? combination(reads[i].node, other.node) : null;
              if (!combined || reported.has(statementOf(combined).id)) continue;
              // Compared as the locks they are (a Condition is the lock it is built on).
              const held = model.heldLocks(combined).map((l) => withoutReceiver(model.canonicalLock(l, scope), scope.receiver!));
              if (held.some((l) => group.locks.has(l)) || runsAlone(combined, scope, ctx)) continue;
              reported.add(statementOf(combined).id);
              const shared = sharedState(reads[i].node, scope, model);
              const lock = `${scope.receiver}.${group.lock}`;
              const writer = `\`${group.writer.name}\` (line ${group.block.startPosition.row + 1})`;
              ctx.report(combined, {
                severity: 'warning',
                confidence: group.assumed ? 'low' : 'medium',
                fix: shared ? guardFix(ctx, combined, scope, shared, undefined, { sameLockOnly: true }) : undefined,
                message:
                  `\`${snippet(combined, 50)}\` combines \`${reads[i].field}\` and \`${other!.field}\` of \`${cls.name}\` without a lock, but ${writer} updates them together holding \`${lock}\`` +
                  `${group.assumed ? '' : ` on another thread (${writerEntry.via})`}. ` +
                  `On free-threaded Python this read can land in the middle of that update and see one field new and the other old — a value no update ever made. Read them holding \`${lock}\`.`,
              });
              break;
            }
          }
        }
      }
    },
  },
};
