// FT223 — `cond.notify()` / `notify_all()` without holding the Condition's lock:
//
//     def _on_closed(self, connection):       # a callback, no `with self._cond:`
//         self._cond.notify()                  # FT223: RuntimeError("cannot notify on un-acquired lock")
//
// A Condition may only be notified by a thread that holds its lock. Called without it, `notify()`
// raises RuntimeError — always, on every Python — on a path (a close callback, an error branch) that
// tests seldom take; a waiter that was to be woken then waits for good. Docs: docs/rules/FT223.md
import type { Node } from '../parser';
import type { Fix, Rule, RuleContext } from '../types';
import { keywordArgument, positionalArguments, snippet } from '../model/syntax';
import { isTestCode, methodName, methodReceiver, textHas } from './hazards';
import { constructedBy, constructionCall } from './constructions';
import { indentLines, indentUnit, lineEnding, ownLines } from '../fixes/text';
import { withItems } from '../model/locks';

const GATE = /Condition\b/;
const NOTIFY: ReadonlySet<string> = new Set(['notify', 'notify_all', 'notifyAll']);

/** `with <cond>:` around the call, in its function. */
function insideWith(node: Node, receiver: string): boolean {
  for (let n = node.parent; n && n.type !== 'function_definition' && n.type !== 'lambda'; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    if (withItems(n).some((item) => item.text === receiver)) return true;
  }
  return false;
}

/** Wrap the statement in `with <cond>:` (it is on lines of its own). */
function withFix(text: string, statement: Node, receiver: string): Fix | undefined {
  const lines = ownLines(text, statement);
  if (!lines) return undefined;
  const eol = lineEnding(text);
  const body = text.slice(lines.start + lines.indent.length, lines.end);
  return {
    message: `Hold \`${receiver}\` around the notify`,
    applicability: 'safe',
    edits: [{ start: lines.start, end: lines.end, newText: `${lines.indent}with ${receiver}:${eol}${lines.indent}${indentLines(body, indentUnit(text))}` }],
  };
}

export const FT223: Rule = {
  code: 'FT223',
  name: 'notify-without-lock',
  summary: '`Condition.notify()` without holding the condition\'s lock: it raises RuntimeError, and the waiter it was to wake waits on',
  precision: 'high',
  visit: {
    call(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!NOTIFY.has(methodName(node) ?? '') || !textHas(model, ctx.text, GATE)) return;
      const receiver = methodReceiver(node);
      if (!receiver || !/(?:^|\.)Condition$/.test(constructedBy(receiver, model) ?? '')) return;
      const scope = model.scopeOf(node);
      if (!scope || isTestCode(scope) || ctx.options.testModule || model.isDeadCode(node) || insideWith(node, receiver.text)) return;
      // Held here (a `with`, an `acquire()` before it) or by every caller, as the lock itself or one the
      // Condition is built on (`Condition(self._lock)` and `with self._lock:`).
      const cond = model.canonicalLock(receiver.text, scope);
      const made = constructionCall(receiver, model);
      const base = made ? (positionalArguments(made)[0] ?? keywordArgument(made, 'lock'))?.text : undefined;
      if (model.heldLocks(node).some((l) => l === receiver.text || l === base || model.canonicalLock(l, scope) === cond)) return;
      const statement = node.parent?.type === 'expression_statement' ? node.parent : null;
      ctx.report(node, {
        severity: 'error',
        confidence: 'high',
        fix: statement ? withFix(ctx.text, statement, receiver.text) : undefined,
        message:
          `\`${snippet(node, 50)}\` notifies \`${receiver.text}\` without holding it (no \`with ${receiver.text}:\` here, and not every caller holds it). ` +
          `A Condition can only be notified by the thread that holds its lock: this call raises RuntimeError ("cannot notify on un-acquired lock"), and the thread waiting on it is never woken. ` +
          `Hold it: \`with ${receiver.text}: ${snippet(node, 40)}\`.`,
      });
    },
  },
};
