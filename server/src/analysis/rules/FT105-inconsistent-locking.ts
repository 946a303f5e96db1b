// FT105 — state written under a lock in one place and without it in another. Docs: docs/rules/FT105.md
import type { Node } from '../parser';
import { changesOwnEntry } from '../model/perThreadKeys';
import type { Rule, RuleContext } from '../types';
import { snippet } from '../model/syntax';
import { changedOnLoopOnly, mutationOf, noLockBranch, onRealThread, raceVerdict, runsAlone } from './common';
import { guardFix } from '../fixes/guard';
import { readsTarget, splitRead, updatesFrom } from './FT102-read-modify-write';
import { isLazyInitialisation } from './FT104-lazy-initialization';
import { sharedWrites, type SharedWrite } from './writes';
import { insideCheckThenAct } from './FT103-check-then-act';
import { claimExcludes } from '../model/claims';
import type { ModuleModel } from '../model/module';
import { isPerCallLock } from './perCallLock';

/** Writes that FT101/FT102/FT103 already report with their own, more specific message. */
function reportedElsewhere(node: Node, ctx: RuleContext): boolean {
  if (node.type === 'augmented_assignment') return true;
  const m = mutationOf(node);
  if (m && insideCheckThenAct(node, m.container, ctx.model)) return true;
  const left = node.type === 'assignment' ? node.childForFieldName('left') : null;
  const right = node.type === 'assignment' ? node.childForFieldName('right') : null;
  if (left && right && (updatesFrom(right, left) || splitRead(node, ctx.model))) return true;
  return !!left && isLazyInitialisation(node, left.text.replace(/\s+/g, ''));
}

/**
 * `self.f = v` (or one atomic change of a container, `self.f.append(x)`) without the lock, where every
 * locked access of `f` is such a blind write too: they land in some order with the lock or without
 * it, and nothing under the lock reads what the unlocked write could change.
 */
function blindOverBlind(w: SharedWrite, ctx: RuleContext): boolean {
  if (w.shared.kind !== 'shared-instance') return false;
  // `self.f = v`, or one atomic change of the container in `self.f` (`self.f.add(x)`, `self.f[k] = v`).
  const m = mutationOf(w.node);
  const target = m && m.kind !== 'item-augmented' ? m.container : w.node.type === 'assignment' ? w.node.childForFieldName('left') : null;
  // `self.f`, or a field of a component (`self.phone._status`): the path after the receiver.
  const path = target?.type === 'attribute' && w.scope.receiver ? target.text.replace(/\s+/g, '') : '';
  const field = path.startsWith(`${w.scope.receiver}.`) && /^\w+(?:\.\w+)?$/.test(path.slice(w.scope.receiver!.length + 1)) ? path.slice(w.scope.receiver!.length + 1).replace('.', '\\.') : undefined;
  const cls = ctx.model.classInfo(w.scope.classNode);
  return !!field && !!cls && !ctx.model.readsUnderLock(cls, field);
}

/**
 * `counter.value = 0` where every locked write holds `counter.get_lock()`: `get_lock()` is the API of
 * multiprocessing's synchronized wrappers (`Value`, `Array`), whose `.value` and item stores take that
 * very lock themselves. A plain store is therefore locked; `counter.value += 1` is not (the read and
 * the write each take it, separately) and is FT101's.
 */
function synchronizedStore(w: SharedWrite, locked: SharedWrite[]): boolean {
  const left = w.node.type === 'assignment' ? w.node.childForFieldName('left') : null;
  const right = w.node.type === 'assignment' ? w.node.childForFieldName('right') : null;
  if (!left || !right || readsTarget(right, left)) return false;
  const wrapper = left.type === 'attribute' && left.childForFieldName('attribute')?.text === 'value' ? left.childForFieldName('object') : left.type === 'subscript' ? left.childForFieldName('value') : null;
  const own = wrapper ? `${wrapper.text.replace(/\s+/g, '')}.get_lock()` : null;
  return !!own && locked.every((x) => x.held.some((l) => l.replace(/\s+/g, '') === own));
}

/**
 * `self._slots = Array(…)` where every locked write holds a lock of the object in the field itself
 * (`with self._slots.get_lock(): self._slots[i] += 1`, `with self.queue.mutex:`): that lock guards the
 * object's contents, and a new object comes with a new lock — it cannot guard which object the field
 * holds, so the rebinding skips no lock the other writes take.
 */
function onlyContentsLocked(w: SharedWrite, locked: SharedWrite[]): boolean {
  const left = w.node.type === 'assignment' ? w.node.childForFieldName('left') : null;
  if (!left || (left.type !== 'attribute' && left.type !== 'identifier')) return false;
  const own = `${left.text.replace(/\s+/g, '')}.`;
  return locked.length > 0 && locked.every((x) => x.held.every((l) => l.replace(/\s+/g, '').startsWith(own)));
}

/**
 * `self._streams = {}` in the method that also makes the lock its locked writes hold
 * (`self._streams_lock = threading.Lock()`, an initialiser other than `__init__`: a plug-in's
 * `plugin_init`, a `setup()`): the field and its lock are made together, so no locked write can
 * be running yet — it would need the lock this very method is making. Until the method starts a thread.
 */
function madeWithItsLock(w: SharedWrite, writes: SharedWrite[], ctx: RuleContext): boolean {
  const receiver = w.scope.receiver;
  if (w.shared.kind !== 'shared-instance' || !receiver || w.scope.parent || !ctx.model.beforeFirstThreadStart(w.node, w.scope)) return false;
  const cls = ctx.model.classInfo(w.scope.classNode);
  if (!cls) return false;
  const made = new Set<string>();
  for (const a of ctx.model.assignmentsOf(w.scope)) {
    const left = a.childForFieldName('left');
    const field = left?.type === 'attribute' && left.childForFieldName('object')?.text === receiver ? left.childForFieldName('attribute')!.text : null;
    if (field && cls.lockAttributes.has(field) && a.childForFieldName('right')?.type === 'call') made.add(field);
  }
  if (made.size === 0) return false;
  const fieldOf = (lock: string, x: SharedWrite) => (x.scope.receiver && lock.startsWith(`${x.scope.receiver}.`) ? lock.slice(x.scope.receiver.length + 1) : null);
  return writes.some((x) => x.held.some((l) => made.has(fieldOf(l, x) ?? '')));
}

/**
 * One object's lock (`self._lock`) is no guard of process-wide state (a module global, a class
 * attribute): each instance holds its own, so two instances write the state at once. Such a write is
 * no evidence that the state is meant to be locked.
 */
function canGuard(lock: string, w: SharedWrite, model: ModuleModel): boolean {
  // A lock the function makes on every call excludes no one (FT207's finding): no evidence of a guard.
  if (isPerCallLock(lock, w.scope, model)) return false;
  if (w.shared.kind !== 'global' && w.shared.kind !== 'class-attribute' && w.shared.kind !== 'module-attribute') return true;
  const head = lock.split('.')[0];
  return head !== 'self' && head !== w.scope.receiver;
}

/** Does the write change the object the state holds (`G[k] = v`, `G.append(x)`, a helper's change), not rebind it? */
function changesContents(w: SharedWrite): boolean {
  if (w.via) return true;
  if (w.node.type !== 'assignment' && w.node.type !== 'augmented_assignment') return w.node.type !== 'delete_statement' || w.node.namedChildren.some((c) => c?.type === 'subscript');
  return w.node.childForFieldName('left')?.type === 'subscript';
}

/**
 * `if _server is None:` … `_server = make()` (checked again under the lock): a lazy initialisation.
 * A lock held only there makes one object, once; it says nothing of how that object's contents are
 * changed — its own methods (`__setitem__`) may well lock them.
 */
function initialisedOnce(w: SharedWrite): boolean {
  if (w.node.type !== 'assignment') return false;
  const left = w.node.childForFieldName('left');
  if (!left || left.type === 'subscript' || left.type === 'pattern_list' || left.type === 'tuple_pattern') return false;
  const name = left.text.replace(/\s+/g, '').replace(/[.[\]]/g, '\\$&');
  const test = new RegExp(`^(?:not\\s*\\(?${name}\\)?|${name}\\s+is\\s+None|${name}\\s*==\\s*None)$`);
  for (let up = w.node.parent; up && up.type !== 'function_definition'; up = up.parent) {
    if (up.type !== 'if_statement') continue;
    const body = up.childForFieldName('consequence');
    if (body && w.node.startIndex >= body.startIndex && w.node.endIndex <= body.endIndex && test.test(up.childForFieldName('condition')?.text.trim() ?? '')) return true;
  }
  return false;
}

/**
 * A variable of a function its nested functions share (`memory`, `statistics` of a builder whose
 * closures a state machine runs) is shared only when one of those functions runs on a thread; a lock
 * held around one of its writes is the evidence only when the lock is the call's own too (a local
 * `lock = threading.Lock()` the closures capture). Another object's lock (`self._storage.lock`)
 * guards that object's state, which the locked block also touches.
 */
function closureStateOffThreads(writes: SharedWrite[], locked: SharedWrite, ctx: RuleContext): boolean {
  // A field of the method's `self` reached through the closure is the object's state: its locks count as ever.
  if (locked.shared.kind !== 'closure' || locked.shared.receiverField) return false;
  if (writes.some((w) => onRealThread(w.scope, ctx.model))) return false;
  const head = locked.held[0].split(/[.(]/)[0];
  const binding = ctx.model.resolve(head, locked.scope);
  const callsOwn = (binding.kind === 'closure' || binding.kind === 'local' || binding.kind === 'nonlocal') && !!binding.owner && binding.owner.receiver !== head;
  return !callsOwn;
}

/** `x += 1`, `x = x + 1`, `x = f(x)`: a write that reads what it replaces. */
function readsBeforeWriting(node: Node): boolean {
  if (node.type === 'augmented_assignment') return true;
  const left = node.type === 'assignment' ? node.childForFieldName('left') : null;
  const right = node.type === 'assignment' ? node.childForFieldName('right') : null;
  return !!left && !!right && readsTarget(right, left);
}

/**
 * Eraser's lockset, the other way it fails: every write holds a lock, but not the same one — a
 * read-modify-write under one lock and another change under a lock it does not share (`self._count +=
 * n` under `_a_lock` here, under `_b_lock` there). Two different locks exclude nothing, so the
 * updates interleave and one is lost. Reported once per state, at the read-modify-write.
 */
function reportDisjointLocks(writes: SharedWrite[], ctx: RuleContext): void {
  const { model } = ctx;
  // The locks each write really takes (a Condition is the lock it is built on). A lock a caller in
  // another module holds is only described (`x (held by the caller in …)`), and a local one may be made
  // per call (FT207's) or be an alias: which object it is cannot be compared, so such writes prove
  // nothing either way.
  const locksOf = new Map<SharedWrite, string[]>();
  const comparable = (lock: string, w: SharedWrite) => !lock.includes(' (held by the caller in ') && !w.scope.locals.has(lock) && !w.scope.parameters.has(lock);
  for (const w of writes) {
    if (w.via || w.held.length === 0 || !w.held.every((l) => comparable(l, w)) || runsAlone(w.node, w.scope, ctx) || model.isConstructionOnly(w.scope)) continue;
    locksOf.set(w, w.held.map((l) => model.canonicalLock(l, w.scope)));
  }
  for (const [w, locks] of locksOf) {
    if (!readsBeforeWriting(w.node)) continue;
    const other = [...locksOf].find(([o, theirs]) => o !== w && !theirs.some((l) => locks.includes(l)))?.[0];
    if (!other) continue;
    // Both hold a lock, so the usual verdict (which steps aside under a lock) does not apply; the
    // sharing evidence is the locks themselves.
    const onThread = [w, other].some((x) => onRealThread(x.scope, ctx.model));
    ctx.report(w.node, {
      severity: onThread ? 'error' : 'warning',
      confidence: w.shared.confidence === 'low' ? 'low' : 'medium',
      message:
        `\`${snippet(w.node)}\` updates ${w.shared.description} holding \`${w.held[0]}\`, but line ${other.node.startPosition.row + 1} changes it holding \`${other.held[0]}\`: ` +
        `two different locks do not exclude each other, so on free-threaded Python the updates interleave and one is lost. Guard every change of it with one lock.`,
    });
    return;
  }
}

export const FT105: Rule = {
  code: 'FT105',
  name: 'inconsistent-locking',
  summary: 'Shared state written under a lock in one place and without it (or under another lock) elsewhere',
  precision: 'medium',
  visit: {
    module(_node: Node, ctx: RuleContext) {
      // No `with` block and no acquire(): nothing is ever written under a lock.
      if (ctx.model.index.all('with_statement').length === 0 && !ctx.text.includes('.acquire(')) return;
      const byKey = new Map<string, SharedWrite[]>();
      for (const w of sharedWrites(ctx.model)) {
        if (ctx.model.guardedBy.has(w.shared.key)) continue; // FT110 owns declared state
        // The running thread's own entry of a table (`d[get_ident()] = …`): no other thread's write meets it.
        if (w.held.length === 0 && changesOwnEntry(w.node, w.scope, ctx.model)) continue;
        const list = byKey.get(w.shared.key) ?? [];
        list.push(w);
        byKey.set(w.shared.key, list);
      }
      for (const writes of byKey.values()) {
        // The lock evidence is the state's own writes: a call handing it to a generic helper under some
        // lock (a traversal run under the import lock) says nothing of how its other writes are guarded.
        const locked = writes.find((w) => !w.via && w.held.some((l) => canGuard(l, w, ctx.model)));
        if (!locked) continue;
        // Written only by coroutines no thread runs: one event loop's thread makes every write.
        if (changedOnLoopOnly(writes[0].shared.key, ctx.model)) continue;
        reportDisjointLocks(writes, ctx);
        // Eraser's reading: a field locked almost everywhere is racy at the few places that skip the lock;
        // an object's field written unlocked far more often than locked is not guarded by that lock at
        // all (the lock covers some other hand-off; the field belongs to one thread or to the caller).
        if (closureStateOffThreads(writes, locked, ctx)) continue;
        const unlocked = writes.filter((w) => w.held.length === 0 && !runsAlone(w.node, w.scope, ctx));
        if (locked.shared.kind === 'shared-instance' && unlocked.length > 2 * (writes.length - unlocked.length)) continue;
        // Cite a locked write that is more than a lazy initialisation when there is one.
        const cited = writes.find((w) => !w.via && w.held.some((l) => canGuard(l, w, ctx.model)) && !initialisedOnce(w)) ?? locked;
        for (const w of writes) {
          if (w.held.length > 0 || reportedElsewhere(w.node, ctx) || runsAlone(w.node, w.scope, ctx) || blindOverBlind(w, ctx) || synchronizedStore(w, writes.filter((x) => x.held.length > 0))) continue;
          if (onlyContentsLocked(w, writes.filter((x) => x.held.length > 0))) continue;
          if (madeWithItsLock(w, writes, ctx)) continue;
          if (noLockBranch(w.node, ctx)) continue;
          if (changesContents(w) && writes.every((x) => x.held.length === 0 || initialisedOnce(x))) continue;
          // A claimant's write after its claim never meets the locked paths the claimed state shuts.
          const cls = ctx.model.classInfo(w.scope.classNode);
          if (writes.every((x) => x === w || x.held.length === 0 || claimExcludes(w.node, x.node, cls, ctx.model))) continue;
          const verdict = raceVerdict(w.node, w.scope, w.shared, ctx);
          ctx.report(w.node, {
            severity: verdict?.severity ?? 'warning',
            confidence: verdict?.confidence ?? 'medium',
            fix: guardFix(ctx, w.node, w.scope, w.shared, undefined, { sameLockOnly: true }),
            message:
              `\`${snippet(w.node)}\` ${w.via ? `passes ${w.shared.description} to \`${w.via.helper}\`, which changes it in place (its parameter \`${w.via.parameter}\`),` : `writes ${w.shared.description}`} without a lock, but line ${cited.node.startPosition.row + 1} writes it holding \`${cited.held[0]}\`. ` +
              `The lock only protects the state if every write takes it: on free-threaded Python this write can interleave with the locked ones.` +
              `${verdict?.where ?? ''} Take \`${cited.held[0]}\` here too.`,
          });
        }
      }
    },
  },
};

