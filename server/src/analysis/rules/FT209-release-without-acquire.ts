// FT209 — `release()` of a lock that is not held on that path: after a non-blocking or timed acquire
// that failed, twice (in the try body and in its finally), or inside `with lock:`. Docs: docs/rules/FT209.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { withItems } from '../model/locks';
import { keywordArgument, namedChildren, positionalArguments, snippet } from '../model/syntax';
import { methodName, methodReceiver } from './hazards';

const FALSY = new Set(['False', '0']);

/** The standard library's locks, whose timed `acquire` returns False when it times out. */
const RETURNING_FALSE = /^(?:threading|_thread|multiprocessing|multiprocessing\.synchronize)\./;

/**
 * A lock made here by another library's constructor (`lock = FileLock(path)` from filelock) keeps that
 * library's contract: filelock's and portalocker's timed acquires raise instead of returning False.
 */
function raisesOnTimeout(receiver: Node, scope: FunctionScope | null, model: ModuleModel): boolean {
  const value = scope ? model.containerValue(receiver, scope) : null;
  const callee = value?.type === 'call' ? value.childForFieldName('function') : null;
  const qualified = callee ? model.imports.qualifyImported(callee) : null;
  return !!qualified && !RETURNING_FALSE.test(qualified);
}

/** Can this acquire() return without the lock (non-blocking or with a timeout)? */
function mayFail(call: Node): boolean {
  const [blocking, timeout] = positionalArguments(call);
  const blockingKw = keywordArgument(call, 'blocking');
  const timeoutKw = keywordArgument(call, 'timeout') ?? timeout;
  if ((blocking && FALSY.has(blocking.text)) || (blockingKw && FALSY.has(blockingKw.text))) return true;
  return !!timeoutKw && timeoutKw.text !== '-1' && timeoutKw.type !== 'none' && !timeoutKw.text.endsWith('TIMEOUT_MAX');
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function enclosing(node: Node, type: string, stop: Node): Node | null {
  for (let n = node.parent; n && n !== stop; n = n.parent) if (n.type === type) return n;
  return null;
}

export const FT209: Rule = {
  code: 'FT209',
  name: 'release-without-acquire',
  summary: '`release()` of a lock that is not held on that path (failed timed acquire, double release, release inside `with lock:`)',
  precision: 'high',
  visit: {
    call(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      const method = methodName(node);
      if (method !== 'release' && method !== 'acquire') return;
      const receiver = methodReceiver(node);
      if (!receiver || !model.isLock(receiver)) return;
      // A semaphore counts: releasing one nobody acquired raises nothing (`acquire(False)` then
      // `release()` sets a semaphore used as a flag to one, whatever it was).
      // A BoundedSemaphore raises on that release, like a lock.
      const last = receiver.text.split('.').pop()!;
      if (model.isSemaphore(receiver) && !new RegExp(`\\b${last}\\s*=\\s*[\\w.]*BoundedSemaphore\\(`).test(ctx.text)) return;
      const scope = model.scopeOf(node);
      const fnBody = scope?.node.childForFieldName('body');
      if (!scope || !fnBody) return;
      const name = receiver.text;
      const own = model.ownNodes(scope);
      const later = (m: string, from: number, to = Infinity) =>
        own.filter((n) => n.type === 'call' && n.startIndex > from && n.startIndex < to && methodName(n) === m && methodReceiver(n)?.text === name);

      if (method === 'acquire') {
        if (!mayFail(node) || raisesOnTimeout(receiver, scope, model)) return;
        const parent = node.parent;
        const assigned = parent?.type === 'assignment' && parent.childForFieldName('left')?.type === 'identifier' ? parent.childForFieldName('left')!.text : null;
        if (parent?.type !== 'expression_statement' && !assigned) return;
        const release = later('release', node.endIndex)[0];
        if (!release) return;
        // `if lock.locked(): lock.release()`: released only while held (a lock used as a signal).
        for (let n = release.parent; n && n !== fnBody; n = n.parent) {
          const cond = n.type === 'if_statement' ? n.childForFieldName('condition') : null;
          if (cond && cond.text.replace(/\s+/g, '') === `${name}.locked()`) return;
        }
        if (assigned) {
          // Guarded when the result is tested on the way: `if ok:` around it, or `if not ok: return` before it.
          const test = new RegExp(`\\b(if|elif|while|assert|and|or)\\b[^\\n]*\\b${escape(assigned)}\\b`);
          if (test.test(ctx.text.slice(node.endIndex, release.startIndex))) return;
          for (let n = release.parent; n && n !== fnBody; n = n.parent) {
            const cond = n.type === 'if_statement' || n.type === 'while_statement' ? n.childForFieldName('condition') : null;
            if (cond && new RegExp(`\\b${escape(assigned)}\\b`).test(cond.text)) return;
          }
        }
        ctx.report(node, {
          severity: 'warning',
          message:
            `\`${snippet(node, 50)}\` can return without the lock (non-blocking or timed out), ${assigned ? `but \`${assigned}\` is not checked before` : 'its result is ignored, and'} line ${release.startPosition.row + 1} releases it unconditionally: ` +
            `when the acquire fails, \`release()\` raises RuntimeError ("release unlocked lock"), or for an RLock/Semaphore releases a hold that belongs to another thread. ` +
            `Release only when the acquire succeeded: \`if ${name}.acquire(timeout=…): try: … finally: ${name}.release()\`.`,
        });
        return;
      }

      // release(): double release through the try's finally.
      const tryStmt = enclosing(node, 'try_statement', fnBody);
      const body = tryStmt?.childForFieldName('body');
      if (tryStmt && body && node.startIndex >= body.startIndex && node.endIndex <= body.endIndex) {
        const fin = namedChildren(tryStmt).find((c) => c.type === 'finally_clause');
        const finRelease = fin ? later('release', fin.startIndex, fin.endIndex)[0] : undefined;
        // The finally's release must be unconditional (not under `if not released:`), with no re-acquire after ours.
        if (finRelease && !enclosing(finRelease, 'if_statement', fin!) && later('acquire', node.endIndex, body.endIndex).length === 0 && !/\b(return|break|continue|raise)\b/.test(ctx.text.slice(node.endIndex, body.endIndex)) && node.parent?.type === 'expression_statement' && node.parent.parent?.id === body.id) {
          ctx.report(node, {
            severity: 'error',
            message:
              `\`${snippet(node, 40)}\` releases \`${name}\` inside the \`try\`, and the \`finally\` at line ${finRelease.startPosition.row + 1} releases it again: on the normal path the second \`release()\` raises RuntimeError ("release unlocked lock"), or releases a hold another thread just took. ` +
              `Release in one place only — the \`finally\` — or track it with a flag (\`if held: ${name}.release()\`).`,
          });
          return;
        }
      }
      // release() inside `with lock:` with no re-acquire before the block ends.
      for (let n = node.parent; n && n !== fnBody; n = n.parent) {
        if (n.type !== 'with_statement' || !withItems(n).some((i) => i.text === name)) continue;
        const block = n.childForFieldName('body');
        if (!block || later('acquire', node.endIndex, block.endIndex).length > 0) return;
        if (/\b(return|break|continue|raise)\b/.test(ctx.text.slice(node.endIndex, block.endIndex)) && enclosing(node, 'if_statement', block)) return;
        ctx.report(node, {
          severity: 'error',
          message:
            `\`${snippet(node, 40)}\` releases \`${name}\` inside \`with ${name}:\`, which releases it again when the block ends: the second release raises RuntimeError ("release unlocked lock"), or releases a hold another thread took in between. ` +
            `To drop the lock temporarily, re-acquire before the block ends (\`${name}.release()\` … \`finally: ${name}.acquire()\`), or end the \`with\` block instead.`,
        });
        return;
      }
    },
  },
};
