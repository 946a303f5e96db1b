// FT112 — a boolean field used as a lock: code waits until it is false, or leaves while it is true,
// then sets it and clears it when done:
//
//     def _add(self):                     # on one thread
//         while self._mapping:            # the check (here or in a helper it calls first)
//             time.sleep(0.1)
//         self._mapping = True            # the claim: another step
//         ...
//         self._mapping = False
//
// Two threads can both see the flag false and both go on: the check and the claim are two steps, and
// nothing makes them one. Docs: docs/rules/FT112.md
import type { Node } from '../parser';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import type { ThreadEntry } from '../model/threads';
import type { Rule, RuleContext } from '../types';
import { namedChildren } from '../model/syntax';
import { exits } from './FT103-check-then-act';
import { isTestCode, textHas } from './hazards';

const GATE = /\bTrue\b/;

/** `self.<field>` of the method's receiver: the field's name. */
function ownField(expr: Node | null | undefined, scope: FunctionScope): string | null {
  if (expr?.type !== 'attribute' || !scope.receiver || expr.childForFieldName('object')?.text !== scope.receiver) return null;
  return expr.childForFieldName('attribute')?.text ?? null;
}

/** Does `condition` hold exactly when the flag is set (`self.busy`, `self.busy is True`, `self.busy == True`)? */
function testsSet(condition: Node | null, field: string, scope: FunctionScope): boolean {
  if (!condition) return false;
  if (condition.type === 'parenthesized_expression') return testsSet(namedChildren(condition)[0] ?? null, field, scope);
  if (ownField(condition, scope) === field) return true;
  if (condition.type === 'comparison_operator') {
    const [left, right] = namedChildren(condition);
    const op = condition.children.find((c) => !c.isNamed)?.type;
    return (op === 'is' || op === '==') && ownField(left, scope) === field && right?.type === 'true';
  }
  return false;
}

/** `self.<field> = True` (or `= 1`) as a statement: the field; null for anything else. */
function claimedField(assignment: Node, scope: FunctionScope): string | null {
  const right = assignment.childForFieldName('right');
  if (right?.type !== 'true' && !(right?.type === 'integer' && right.text === '1')) return null;
  return ownField(assignment.childForFieldName('left'), scope);
}

/** The statement of `node` that is a direct child of `block`, if `node` is inside it. */
function statementIn(block: Node, node: Node): Node | null {
  for (let n: Node | null = node; n; n = n.parent) if (n.parent?.id === block.id) return n;
  return null;
}

/**
 * The check before a claim, in the claim's own function: a `while self.<field>:` wait or an `if
 * self.<field>: return` before it in its block (or an enclosing one), or a call of a method of the
 * object made just before whose body is such a wait (`self._wait_until_ready()`).
 */
function checkBefore(claim: Node, field: string, scope: FunctionScope, model: ModuleModel): Node | null {
  for (let n: Node | null = claim; n && n.id !== scope.node.id; n = n.parent) {
    const block = n.parent;
    if (block?.type !== 'block') continue;
    // `if not self.busy: self.busy = True …`: the claim inside the test's body.
    const test = block.parent?.type === 'if_statement' && block.parent.childForFieldName('consequence')?.id === block.id ? block.parent.childForFieldName('condition') : null;
    if (test?.type === 'not_operator' && testsSet(test.childForFieldName('argument'), field, scope)) return block.parent;
    const own = statementIn(block, n);
    for (const stmt of namedChildren(block)) {
      if (own && stmt.startIndex >= own.startIndex) break;
      if (stmt.type === 'while_statement' && testsSet(stmt.childForFieldName('condition'), field, scope)) return stmt;
      // Leaving while it is set (`return`, `continue`); a `raise` there is a misuse check (FT104's).
      if (stmt.type === 'if_statement' && exits(stmt) && !endsInRaise(stmt) && testsSet(stmt.childForFieldName('condition'), field, scope)) return stmt;
      const call = stmt.type === 'expression_statement' ? namedChildren(stmt)[0] : null;
      if (call?.type === 'call' && waitsInHelper(call, field, scope, model)) return stmt;
    }
  }
  return null;
}

function endsInRaise(ifNode: Node): boolean {
  const body = ifNode.childForFieldName('consequence');
  return (body ? namedChildren(body).pop() : null)?.type === 'raise_statement';
}

/** `self.helper()` where the helper's body waits while the same field is set. */
function waitsInHelper(call: Node, field: string, scope: FunctionScope, model: ModuleModel): boolean {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'attribute' || callee.childForFieldName('object')?.text !== scope.receiver) return false;
  for (const fn of model.functionsFor(callee, call)) {
    const helper = model.scopeOf(fn.childForFieldName('body') ?? fn);
    if (!helper?.receiver || helper.node.id === scope.node.id || helper.classNode?.id !== scope.classNode?.id) continue;
    const body = fn.childForFieldName('body');
    if (body && namedChildren(body).some((s) => s.type === 'while_statement' && testsSet(s.childForFieldName('condition'), field, helper))) return true;
  }
  return false;
}

/** Is the flag cleared again somewhere in the class (`self.<field> = False`): a busy flag, not a once-only one? */
function clearedInClass(field: string, classNode: Node, model: ModuleModel): boolean {
  const cls = model.classInfo(classNode);
  for (const method of cls?.methods.values() ?? []) {
    const scope = model.scopeOf(method.childForFieldName('body') ?? method);
    // `__init__`'s `self.busy = False` starts the flag; only a clear after the work makes it a lock.
    if (!scope?.receiver || model.isConstructionOnly(scope)) continue;
    for (const a of model.assignmentsOf(scope)) {
      const right = a.childForFieldName('right');
      if (ownField(a.childForFieldName('left'), scope) === field && (right?.type === 'false' || (right?.type === 'integer' && right.text === '0'))) return true;
    }
  }
  return false;
}

interface Claim {
  node: Node;
  scope: FunctionScope;
  check: Node;
  entry: ThreadEntry;
}

const claimsCache = new WeakMap<ModuleModel, Map<string, Claim[]>>();

/** Every checked claim of a flag in the module, by class and field, with the thread that runs it. */
function claimsOf(model: ModuleModel): Map<string, Claim[]> {
  let claims = claimsCache.get(model);
  if (claims) return claims;
  claims = new Map();
  for (const scope of model.allScopes()) {
    if (!scope.receiver || !scope.classNode || isTestCode(scope)) continue;
    for (const a of model.assignmentsOf(scope)) {
      const field = claimedField(a, scope);
      if (!field) continue;
      const check = checkBefore(a, field, scope, model);
      if (!check || !clearedInClass(field, scope.classNode, model)) continue;
      // A lock held over the check and the claim makes them one step.
      const held = model.heldLocks(a);
      if (held.length > 0 && model.heldLocks(check).some((l) => held.includes(l))) continue;
      // Real threads only: under --assume-concurrent every public `start()` guarded by a `running`
      // flag would be one, and most objects are started by one owner.
      const entry = model.threads.entryFor(scope);
      if (!entry || entry.external || entry.assumed) continue;
      const key = `${scope.classNode.id}.${field}`;
      const list = claims.get(key) ?? [];
      list.push({ node: a, scope, check, entry });
      claims.set(key, list);
    }
  }
  claimsCache.set(model, claims);
  return claims;
}

/** Another claim that can run at the same time as `claim`: on another thread, or the same code on a second one. */
function concurrentClaim(claim: Claim, all: readonly Claim[], model: ModuleModel): Claim | null {
  for (const other of all) {
    if (other === claim) {
      // The same code on two threads at once: a pool, or a thread started more than once.
      if (!claim.entry.assumed && model.dedicatedThreadOf(claim.scope)) continue;
      if (claim.entry.assumed || model.threads.spawns.some((s) => s.pool && s.entry.site === claim.entry.site) || !model.dedicatedThreadOf(claim.scope)) return claim;
      continue;
    }
    if (other.scope.node.id !== claim.scope.node.id && (other.entry.site !== claim.entry.site || other.entry.assumed || claim.entry.assumed)) return other;
  }
  return null;
}

/**
 * The other half of a hand-made lock: a method that claims the flag holding a condition's lock
 * (`with self._cond: self.writing = True`) without first waiting while it is set, where another method
 * waits on it under that lock (`while self.writing: self._cond.wait()`) and the class clears it again.
 * The waiters are kept out, but two claimers are not: both go on together, and the first to clear
 * the flag lets the waiters in while the second is still inside. → that wait loop, or null.
 */
function claimWithoutWait(claim: Node, field: string, scope: FunctionScope, model: ModuleModel): Node | null {
  const held = model.heldLocks(claim);
  if (held.length === 0 || model.isConstructionOnly(scope) || checkBefore(claim, field, scope, model) || !clearedInClass(field, scope.classNode!, model)) return null;
  // `def pause(self): with self._wake: self._paused = True`: a switch flipped and left, no work done
  // after it — two threads flipping it at once leave it set either way.
  if (!workAfter(claim, scope)) return null;
  const cls = model.classInfo(scope.classNode);
  const ours = (lock: string, s: FunctionScope) => (s.receiver && lock.startsWith(`${s.receiver}.`) ? lock.slice(s.receiver.length) : lock);
  const locks = new Set(held.map((l) => ours(l, scope)));
  for (const method of cls?.methods.values() ?? []) {
    const other = model.scopeOf(method.childForFieldName('body') ?? method);
    if (!other?.receiver || other.node.id === scope.node.id) continue;
    for (const loop of model.ownNodes(other)) {
      if (loop.type !== 'while_statement' || !testsSet(loop.childForFieldName('condition'), field, other)) continue;
      const waits = model.nodesWithin(loop, CALLS).some((c) => c.childForFieldName('function')?.childForFieldName('attribute')?.text === 'wait');
      if (waits && model.heldLocks(loop).some((l) => locks.has(ours(l, other)))) return loop;
    }
  }
  return null;
}

const CALLS: ReadonlySet<string> = new Set(['call']);

/** Calls that only wake waiters or report: no work done under the claim. */
const NO_WORK = /(?:^|\.)(?:notify|notify_all|notifyAll|set|debug|info|warning|log|print)$/;

/** Does the function go on to do something after the claim (in its block, or the blocks around it)? */
function workAfter(claim: Node, scope: FunctionScope): boolean {
  for (let s: Node | null = claim.parent; s && s.id !== scope.node.id; s = s.parent) {
    if (s.parent?.type !== 'block') continue;
    let after = false;
    for (const sibling of namedChildren(s.parent)) {
      if (sibling.id === s.id) {
        after = true;
        continue;
      }
      if (!after || sibling.type === 'pass_statement' || sibling.type === 'comment') continue;
      if (sibling.type === 'return_statement' && namedChildren(sibling).length === 0) continue;
      const call = sibling.type === 'expression_statement' ? namedChildren(sibling)[0] : null;
      if (call?.type === 'call' && NO_WORK.test(call.childForFieldName('function')?.text ?? '')) continue;
      return true;
    }
  }
  return false;
}

export const FT112: Rule = {
  code: 'FT112',
  name: 'flag-used-as-lock',
  summary: 'A boolean field used as a lock: checked (waited on, or left while set), then set and later cleared, in separate steps on threads',
  precision: 'medium',
  visit: {
    assignment(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE)) return;
      const scope = model.scopeOf(node);
      if (!scope?.classNode || !scope.receiver) return;
      const field = claimedField(node, scope);
      if (!field) return;
      const all = claimsOf(model).get(`${scope.classNode.id}.${field}`) ?? [];
      const claim = all.find((c) => c.node.id === node.id);
      if (!claim) {
        const wait = claimWithoutWait(node, field, scope, model);
        if (!wait) return;
        ctx.report(node, {
          severity: 'warning',
          confidence: 'medium',
          message:
            `\`${node.text}\` claims \`${scope.receiver}.${field}\` without waiting while it is set, but \`${wait.childForFieldName('condition')?.text}\` (line ${wait.startPosition.row + 1}) waits on it: the flag is a hand-made lock that keeps the waiters out but not a second claimer. ` +
            `Two threads calling \`${scope.name}\` both go on together, and the first to clear the flag lets the waiters in while the other is still inside. ` +
            `Wait while it is set before claiming it (\`while self.${field}: self._cond.wait()\`), or use a lock for the claimers.`,
        });
        return;
      }
      const other = concurrentClaim(claim, all, model);
      if (!other) return;
      const where = (c: Claim) => (c.entry.site === c.scope.node ? c.entry.via : `${c.entry.via}, line ${c.entry.site.startPosition.row + 1}`);
      const threads =
        other === claim
          ? `\`${claim.scope.name}\` runs on more than one thread at a time (${where(claim)})`
          : `\`${claim.scope.name}\` (${where(claim)}) and \`${other.scope.name}\` (line ${other.node.startPosition.row + 1}; ${where(other)}) claim it on different threads`;
      const how = claim.check.type === 'while_statement' ? 'waited until it was clear' : claim.check.type === 'if_statement' ? 'checked that it was clear' : `waited until it was clear in \`${claim.check.text.replace(/\(.*$/s, '')}()\``;
      ctx.report(node, {
        severity: 'warning',
        confidence: claim.entry.assumed || other.entry.assumed ? 'low' : 'medium',
        message:
          `\`${node.text}\` claims \`${scope.receiver}.${field}\` after the code ${how} (line ${claim.check.startPosition.row + 1}), without a lock: ${threads}. ` +
          `The check and the claim are two steps, so two threads can both see the flag clear and both go on — on free-threaded Python, whenever they really run together. ` +
          `Use a \`threading.Lock\` instead of the flag (\`with self._lock:\` around the work, or \`if not self._lock.acquire(blocking=False): return\` … \`finally: self._lock.release()\`).`,
      });
    },
  },
};
