// FT102 — `x = x + 1`, `d[k] = d.get(k, 0) + 1` on shared state without a lock. Docs: docs/rules/FT102.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { textHas } from './hazards';
import { receiverField, sharedTarget } from '../model/sharing';
import { assignedOnEveryPathBefore, inExclusiveBranches, namedChildren, positionalArguments, snippet, walkScope } from '../model/syntax';
import { mutationOf } from '../model/mutations';
import { sharedWritesOf } from './writes';
import { raceVerdict, sameExpression } from './common';
import { guardFix } from '../fixes/guard';
import { threadLocalFix } from '../fixes/threadLocal';
import { optional } from './common';
import { isLazyInitialisation } from './FT104-lazy-initialization';
import { withItems } from '../model/locks';
import type { SharedState } from '../model/sharing';

/** Does `value` read what `target` names (`target` itself, or `d.get(k)` / `d.setdefault(k)` for `d[k]`)? */
export function readsTarget(value: Node, target: Node): boolean {
  const container = target.type === 'subscript' ? target.childForFieldName('value') : null;
  const key = target.type === 'subscript' ? target.childForFieldName('subscript') : null;
  const matches = (n: Node): boolean => {
    if (n.type === target.type && sameExpression(n, target)) return !isMemberName(n);
    if (container && n.type === 'call') {
      const fn = n.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : null;
      if ((method === 'get' || method === 'setdefault') && sameExpression(fn!.childForFieldName('object'), container)) {
        return sameExpression(positionalArguments(n)[0] ?? null, key);
      }
    }
    return false;
  };
  if (matches(value)) return true;
  let found = false;
  walkScope(value, (n) => {
    // `a = b = None` is one assignment of two targets: the inner target is written, not read.
    if (!found && matches(n) && !isAssignedTarget(n)) found = true;
  });
  return found;
}

/** The right side of `target = value` computes the new value from the old one (and is not the old one restated). */
export function updatesFrom(value: Node, target: Node): boolean {
  return !restatesTarget(value, target) && readsTarget(value, target);
}

/**
 * `self.sock = cast(socket, self.sock)`, `x = x`: the value written back is the one read, unchanged (a
 * type checker's cast returns its argument) — whatever another thread stored in between, this write
 * computes nothing from the old value, so no update is lost.
 */
export function restatesTarget(value: Node, target: Node): boolean {
  if (sameExpression(value, target)) return true;
  if (value.type !== 'call' || !/^(?:typing\.|t\.)?cast$/.test(value.childForFieldName('function')?.text ?? '')) return false;
  const args = positionalArguments(value);
  return args.length === 2 && sameExpression(args[1], target);
}

/** `x.cluster`'s `cluster`, `f(cluster=…)`'s `cluster`: a name there is no read of the variable `cluster`. */
function isMemberName(n: Node): boolean {
  return n.type === 'identifier' && ((n.field === 'attribute' && n.parent?.type === 'attribute') || (n.field === 'name' && n.parent?.type === 'keyword_argument'));
}

function isAssignedTarget(n: Node): boolean {
  for (let up: Node | null = n; up?.parent; up = up.parent) {
    if (up.field === 'left' && up.parent.type === 'assignment') return true;
    if (up.parent.type === 'assignment') return false;
  }
  return false;
}

/** Values that reset state rather than compute from it: `0`, `None`, `[]`, `{}`, `set()`, `""`. */
function isResetValue(value: Node): boolean {
  return ['integer', 'float', 'none', 'true', 'false', 'string'].includes(value.type) || (['list', 'dictionary', 'tuple'].includes(value.type) && value.namedChildCount === 0) || /^(set|list|dict|deque|defaultdict\(\w*)\(\)\)?$/.test(value.text);
}

const rightCache = new WeakMap<ModuleModel, Map<number, Array<{ node: Node; right: Node | null; text: string }>>>();

/** A function's assignments with their right-hand sides and its text, read from the tree once. */
function rightSides(scope: FunctionScope, model: ModuleModel): Array<{ node: Node; right: Node | null; text: string }> {
  let perScope = rightCache.get(model);
  if (!perScope) rightCache.set(model, (perScope = new Map()));
  let list = perScope.get(scope.node.id);
  if (!list) {
    list = model.assignmentsOf(scope).map((node) => {
      const right = node.childForFieldName('right');
      return { node, right, text: right?.text ?? '' };
    });
    perScope.set(scope.node.id, list);
  }
  return list;
}

/** For a plain assignment, the earlier statement of the same function whose read it completes (see below). */
export function splitRead(node: Node, model: ModuleModel): Node | null {
  const target = node.childForFieldName('left');
  const value = node.childForFieldName('right');
  const scope = model.scopeOf(node);
  if (!scope || !value || (target?.type !== 'attribute' && target?.type !== 'identifier')) return null;
  const reset = isResetValue(value);
  // Only writes of shared state can lose updates: `self.x`, or a name declared global/nonlocal.
  const candidate =
    target.type === 'identifier' ? scope.globals.has(target.text) || scope.nonlocals.has(target.text) : target.childForFieldName('object')?.text === scope.receiver;
  if (!candidate) return null;
  const name = target.type === 'identifier' ? target.text : target.childForFieldName('attribute')?.text ?? '';
  return rightSides(scope, model).find(({ node: n, right, text }) => {
    if (n.startIndex >= node.startIndex) return false;
    // A text test first: most earlier assignments do not mention the name at all.
    if (!right || !text.includes(name)) return false;
    const left = n.childForFieldName('left');
    if (!left || sameExpression(left, target) || !readsTarget(right, target)) return false;
    if (reset) return true;
    return left.type === 'identifier' && new RegExp(`(?<![\\w.])${left.text}\\b`).test(value.text);
  })?.node ?? null;
}

/**
 * The read-modify-write split over statements: `v = self.n` … `self.n = v + 1` (the value flows
 * through a local), or `out = self.total` … `self.total = 0` (read, then reset). Updates other threads
 * make between the two statements are lost, as with `+=`.
 */
function splitReadModifyWrite(node: Node, target: Node, value: Node, ctx: RuleContext): void {
  const scope = ctx.model.scopeOf(node);
  const assigned = scope ? splitRead(node, ctx.model) : null;
  const handedOn = scope && !assigned ? contentsHandedOn(node, target, value, scope, ctx.model) : null;
  const read = assigned ?? handedOn;
  // An initialisation after a lazy-init test is FT104's.
  if (!scope || !read || isLazyInitialisation(node, target.text.replace(/\s+/g, '')) || assignedOnEveryPathBefore(read, target, (v) => readsTarget(v, target))) return;
  const reset = isResetValue(value);
  const shared = sharedTarget(target, scope, ctx.model);
  if (!shared) return;
  if (ctx.model.heldLocks(read).length > 0) {
    if (assigned) writeAfterRelease(node, read, scope, shared, reset, ctx);
    return;
  }
  // Handed on, then emptied: only what other code adds to the container in place meanwhile is lost.
  const adder = handedOn ? sharedWritesOf(ctx.model, shared.key).find((w) => w.scope !== scope && mutationOf(w.node)) : undefined;
  if (handedOn && !adder) return;
  const verdict = raceVerdict(node, scope, shared, ctx);
  if (!verdict) return;
  const line = read.startPosition.row + 1;
  const lost = adder
    ? `what \`${snippet(adder.node, 40)}\` (line ${adder.node.startPosition.row + 1}) adds between the read and the reset is lost with the old container`
    : reset
      ? 'updates other threads make between the read and the reset are lost'
      : "threads running this at the same time read the same old value and overwrite each other's updates";
  ctx.report(node, {
    severity: verdict.severity,
    confidence: verdict.confidence,
    // Guarding the read and the reset alone leaves the in-place change unguarded: no one-place fix.
    fix: adder ? undefined : guardFix(ctx, read, scope, shared, node),
    message:
      `\`${snippet(node)}\` writes ${shared.description}, which line ${line} read (\`${snippet(read, 40)}\`), ${verdict.unlocked}${verdict.unlocked.startsWith('without') ? ' over both' : ''}: ${lost}.` +
      `${verdict.where} Guard the read and the write with one lock${adder ? ', and take it where the container is changed too' : ''}.`,
  });
}

/**
 * The read and the write each under the lock, in two acquisitions — `with lock: v = self.n` … `with
 * lock: self.n = v + 1` (or `batch = self.q` … `self.q = []`): between the blocks the lock is free, so an
 * update another thread makes holding it is overwritten by a value computed before it. Each step is
 * locked and the whole is not: an atomicity violation no lockset sees.
 */
function writeAfterRelease(node: Node, read: Node, scope: FunctionScope, shared: SharedState, reset: boolean, ctx: RuleContext): void {
  const { model } = ctx;
  const section = lockedSection(read, scope, model);
  // Still inside the read's block: one critical section.
  if (!section || section.node.endIndex >= node.endIndex) return;
  const again = model.heldLocks(node).map((l) => model.canonicalLock(l, scope));
  const lock = section.locks.find((l) => again.includes(l));
  // Written without the lock, the write is FT105's (a locked write elsewhere) or nobody's; re-entered, nothing was released.
  if (!lock || model.heldLocks(section.node).some((l) => section.locks.includes(model.canonicalLock(l, scope)))) return;
  // `with lock: if self.n == v: self.n = v + 1`: the second block checks the value again (compare and set).
  const second = lockedSection(node, scope, model);
  const target = node.childForFieldName('left')!;
  if (second && mentionedBefore(node, second.node, target.text)) return;
  const verdict = raceVerdict(section.node, scope, shared, ctx);
  if (!verdict) return;
  ctx.report(node, {
    severity: verdict.severity,
    confidence: verdict.confidence,
    message:
      `\`${snippet(node)}\` writes ${shared.description} from ${reset ? 'what' : 'a value'} line ${read.startPosition.row + 1} read (\`${snippet(read, 40)}\`) holding \`${lock}\`, ` +
      `but the \`with\` block at line ${section.node.startPosition.row + 1} releases it before the write takes it again: ${reset ? 'what another thread adds in between is lost' : "an update another thread makes in between is overwritten with a value computed before it"}.` +
      `${verdict.where} Keep the read and the write under one \`with ${lock}:\`.`,
  });
}

/** Does `text` appear in what runs inside `section` before `node` (earlier statements, enclosing tests)? */
function mentionedBefore(node: Node, section: Node, text: string): boolean {
  for (let n: Node | null = node; n && n.id !== section.id; n = n.parent) {
    const parent: Node | null = n.parent;
    for (const c of parent?.children ?? []) if (c && c.endIndex <= n.startIndex && c.text.includes(text)) return true;
  }
  return false;
}

/** The innermost `with` block of the function that holds `node` and takes a lock, with its locks. */
function lockedSection(node: Node, scope: FunctionScope, model: ModuleModel): { node: Node; locks: string[] } | null {
  for (let up = node.parent; up && up.id !== scope.node.id; up = up.parent) {
    if (up.type !== 'with_statement' || up.firstChild?.type === 'async') continue;
    const locks = withItems(up).filter((item) => model.isLock(item)).map((item) => model.canonicalLock(item.text, scope));
    if (locks.length > 0) return { node: up, locks };
  }
  return null;
}

/**
 * `self.redis.rpush(key, *self.queue)` … `self.queue = []`: the container's contents handed to a call (as
 * an argument, unpacked, or a keyword's value) earlier in the function, then the field given a new
 * empty container — a read and a reset, as `batch = self.queue` … `self.queue = []` is.
 */
function contentsHandedOn(node: Node, target: Node, value: Node, scope: FunctionScope, model: ModuleModel): Node | null {
  if (target.type !== 'attribute' || !isEmptyContainer(value)) return null;
  const field = target.childForFieldName('attribute')?.text ?? '';
  for (const n of model.ownNodes(scope)) {
    if (n.startIndex >= node.startIndex) break;
    if (n.type !== 'call' || n.parent?.type !== 'expression_statement') continue;
    const args = n.childForFieldName('arguments');
    if (!args || !args.text.includes(field) || inExclusiveBranches(n, node)) continue;
    const passed = namedChildren(args).some((a) => {
      const given = a.type === 'list_splat' || a.type === 'dictionary_splat' ? namedChildren(a)[0] : a.type === 'keyword_argument' ? a.childForFieldName('value') : a;
      return !!given && given.type === 'attribute' && sameExpression(given, target);
    });
    if (passed) return n;
  }
  return null;
}

/** `[]`, `{}`, `set()`, `deque()`: a fresh empty container. */
function isEmptyContainer(value: Node): boolean {
  return (['list', 'dictionary'].includes(value.type) && value.namedChildCount === 0) || /^(?:set|list|dict|(?:collections\.)?deque|(?:collections\.)?OrderedDict)\(\)$/.test(value.text);
}

/** Does `text` read `obj.field`, directly or as `getattr(obj, "field"…)`? */
function readsField(text: string, object: string, field: string): boolean {
  const o = object.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.])${o}\\.${field}\\b|getattr\\(\\s*${o}\\s*,\\s*['"]${field}['"]`).test(text);
}

/**
 * `setattr(self, "n", getattr(self, "n", 0) + 1)`, or the value read into a local first
 * (`n = getattr(self, "n", 0)` … `setattr(self, "n", n + 1)`): the read-modify-write of FT102 spelled
 * with the attribute's name as a string.
 */
const SETATTR = /\bsetattr\(/;

function setattrReadModifyWrite(call: Node, ctx: RuleContext): void {
  if (!textHas(ctx.model, ctx.text, SETATTR) || call.childForFieldName('function')?.text !== 'setattr') return;
  const [object, name, value] = positionalArguments(call);
  const field = name?.type === 'string' ? /^[rRuU]?(['"])(\w+)\1$/.exec(name.text)?.[2] : undefined;
  const scope = ctx.model.scopeOf(call);
  if (!object || !field || !value || !scope || object.text !== scope.receiver) return;
  let read: Node | null = readsField(value.text, object.text, field) ? call : null;
  if (!read) {
    read =
      ctx.model.ownNodes(scope).find((n) => {
        if (n.type !== 'assignment' || n.startIndex >= call.startIndex) return false;
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        return left?.type === 'identifier' && !!right && readsField(right.text, object.text, field) && new RegExp(`(?<![\\w.])${left.text}\\b`).test(value.text);
      }) ?? null;
  }
  if (!read || ctx.model.heldLocks(read).length > 0) return;
  const shared = receiverField(field, scope, ctx.model);
  const verdict = shared ? raceVerdict(call, scope, shared, ctx) : null;
  if (!shared || !verdict) return;
  ctx.report(call, {
    severity: verdict.severity,
    confidence: verdict.confidence,
    fix: guardFix(ctx, read, scope, shared, call),
    message:
      `\`${snippet(call)}\` writes ${shared.description} from a value read ${read === call ? 'in the same call' : `at line ${read.startPosition.row + 1}`} ${verdict.unlocked}: ` +
      `threads running this at the same time read the same old value and overwrite each other's updates.${verdict.where} Guard the read and the write with one lock.`,
  });
}

/**
 * `old, self.pool = self.pool, None` (or `self.a, self.b = self.b, self.a`): one statement, but the
 * right side is read in full before the targets are written, so the read and the write of the field are
 * separate steps — two threads swapping at once both take the same old value (a pool closed twice, a
 * batch sent twice) and one replacement is lost.
 */
function swapWithoutLock(node: Node, target: Node, value: Node, scope: FunctionScope, ctx: RuleContext): void {
  const targets = namedChildren(target);
  const values = value.type === 'expression_list' || value.type === 'tuple' ? namedChildren(value) : [value];
  for (const t of targets) {
    if (t.type !== 'attribute' && t.type !== 'subscript' && !(t.type === 'identifier' && (scope.globals.has(t.text) || scope.nonlocals.has(t.text)))) continue;
    if (!values.some((v) => readsTarget(v, t)) || ctx.model.heldLocks(node).length > 0) continue;
    const shared = sharedTarget(t, scope, ctx.model);
    const verdict = shared ? raceVerdict(node, scope, shared, ctx) : null;
    if (!shared || !verdict) continue;
    // `self.index, data = fetch(index=self.index)`: one value computed from the field, an update.
    const message =
      values.length > 1
        ? `\`${snippet(node)}\` takes ${shared.description} and replaces it in separate steps (the right side is read in full before \`${snippet(t, 30)}\` is written), ${verdict.unlocked}. ` +
          `Two threads doing this at the same time on free-threaded Python both take the same old value — the same object handed to both, one replacement lost.${verdict.where} Guard the swap with a lock.`
        : `\`${snippet(node)}\` reads ${shared.description} and writes it back in separate steps, ${verdict.unlocked}. ` +
          `Threads running this at the same time on free-threaded Python read the same old value and overwrite each other's updates.${verdict.where} Guard the read and the write with one lock.`;
    ctx.report(node, { severity: verdict.severity, confidence: verdict.confidence, fix: guardFix(ctx, node, scope, shared), message });
    return;
  }
}

export const FT102: Rule = {
  code: 'FT102',
  name: 'read-modify-write',
  summary: 'A shared value is read and written back in separate steps (`x = x + 1`, `d[k] = d.get(k, 0) + 1`) without a lock',
  precision: 'high',
  visit: {
    call: setattrReadModifyWrite,
    assignment(node: Node, ctx: RuleContext) {
      const scope = ctx.model.scopeOf(node);
      const target = node.childForFieldName('left');
      const value = node.childForFieldName('right');
      if (scope && target && value && (target.type === 'pattern_list' || target.type === 'tuple_pattern')) {
        swapWithoutLock(node, target, value, scope, ctx);
        return;
      }
      if (!scope || !target || !value || (target.type !== 'identifier' && target.type !== 'attribute' && target.type !== 'subscript')) return;
      // A name assigned in a function is its local unless declared `global`/`nonlocal`: never shared.
      if (target.type === 'identifier' && !scope.globals.has(target.text) && !scope.nonlocals.has(target.text)) return;
      // The value must mention the target's root name before a structural look is worth it.
      const root = target.type === 'subscript' ? target.childForFieldName('value') : target;
      const valueText = value.text;
      if (!root) return;
      if (!valueText.includes(root.type === 'attribute' ? root.childForFieldName('attribute')?.text ?? root.text : root.text) || !updatesFrom(value, target)) {
        splitReadModifyWrite(node, target, value, ctx);
        return;
      }
      // `self.sock = connect()` … `self.sock = wrap(self.sock)`: the value read is this call's own, so no other
      // thread's update is in it to lose; two calls interleaving is one call's scratch state on a shared object (FT109).
      if (assignedOnEveryPathBefore(node, target, (v) => readsTarget(v, target))) return;
      const shared = sharedTarget(target, scope, ctx.model);
      if (!shared) return;
      const verdict = raceVerdict(node, scope, shared, ctx);
      if (!verdict) return;
      ctx.report(node, {
        severity: verdict.severity,
        confidence: verdict.confidence,
        fix: guardFix(ctx, node, scope, shared),
        alternatives: shared.kind === 'global' ? optional(threadLocalFix(ctx, shared.key)) : undefined,
        message:
          `\`${snippet(node)}\` reads ${shared.description} and writes it back in separate steps, ${verdict.unlocked}. ` +
          `Threads running this at the same time on free-threaded Python read the same old value and overwrite each other's updates.` +
          `${verdict.where} Guard the read and the write with one lock.`,
      });
    },
  },
};
