// FT204 — warnings.catch_warnings() / filter changes in thread code (process-wide filter list).
// Version-aware: free-threaded 3.14 builds make catch_warnings context-local by default.
// Docs: docs/rules/FT204.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { withItems } from '../model/locks';
import { snippet } from '../model/syntax';
import { calleeName, isTestCode, onlyAssumed, runsOnThreads, targetMinor, textHas, threadCode } from './hazards';

const GATE = /catch_warnings|simplefilter|filterwarnings|resetwarnings/;

const FILTER_CHANGES = new Set(['warnings.simplefilter', 'warnings.filterwarnings', 'warnings.resetwarnings']);

function contextAware(ctx: RuleContext): boolean {
  const minor = targetMinor(ctx.options.targetVersion);
  return minor !== null && minor >= 14;
}

/** Inside the body of a `with warnings.catch_warnings():` in the same function? */
function insideCatchWarnings(node: Node, ctx: RuleContext): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return false;
    if (n.type === 'with_statement' && withItems(n).some((item) => item.type === 'call' && calleeName(item, ctx.model) === 'warnings.catch_warnings')) return true;
  }
  return false;
}

export const FT204: Rule = {
  code: 'FT204',
  name: 'warnings-in-threads',
  summary: '`warnings.catch_warnings()` or a warning-filter change in thread code (process-wide filters before free-threaded 3.14)',
  precision: 'medium',
  visit: {
    with_statement(node: Node, ctx: RuleContext) {
      if (!textHas(ctx.model, ctx.text, GATE)) return;
      const item = withItems(node).find((i) => i.type === 'call' && calleeName(i, ctx.model) === 'warnings.catch_warnings');
      if (!item || contextAware(ctx)) return;
      const where = threadCode(node, ctx.model);
      if (!where || (onlyAssumed(where.entry, where.scope) && isTestCode(where.scope))) return;
      ctx.report(item, {
        severity: 'warning',
        message:
          `\`${snippet(item, 50)}\` in thread code (${runsOnThreads(where.scope, where.entry)}): before Python 3.14's context-aware warnings it saves and restores the process-wide filter list and \`showwarning\`, ` +
          `so threads running it at once restore each other's filters, a filter set inside it applies to every thread, and \`record=True\` also collects other threads' warnings. ` +
          `Set filters once at startup, or target free-threaded 3.14+, where \`sys.flags.context_aware_warnings\` is on by default and this is thread-local (set \`target-version\` to say so).`,
      });
    },
    call(node: Node, ctx: RuleContext) {
      if (!textHas(ctx.model, ctx.text, GATE)) return;
      const q = calleeName(node, ctx.model);
      if (!q || !FILTER_CHANGES.has(q)) return;
      // Inside catch_warnings the with statement is reported (before 3.14) or the change is context-local (3.14+).
      if (insideCatchWarnings(node, ctx)) return;
      const where = threadCode(node, ctx.model);
      if (!where || (onlyAssumed(where.entry, where.scope) && isTestCode(where.scope))) return;
      ctx.report(node, {
        severity: 'warning',
        message:
          `\`${snippet(node, 50)}\` changes the process-wide warning filters from thread code (${runsOnThreads(where.scope, where.entry)}): every thread's warnings are affected, on every Python version. ` +
          `Configure filters once at startup, or change them inside \`with warnings.catch_warnings():\` on a build with context-aware warnings (free-threaded 3.14+).`,
      });
    },
  },
};
