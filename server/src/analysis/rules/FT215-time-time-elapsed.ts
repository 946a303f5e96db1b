// FT215 — elapsed time measured as a difference of time.time() readings. Docs: docs/rules/FT215.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { namedChildren, snippet } from '../model/syntax';
import { calleeName, textHas } from './hazards';
import { perfCounterFix } from '../fixes/perfCounter';

const GATE = /\btime\(\)/;

const cache = new WeakMap<ModuleModel, Map<number, Map<string, Node>>>();

function isTimeTime(node: Node | null, model: ModuleModel): boolean {
  return node?.type === 'call' && calleeName(node, model) === 'time.time' && namedChildren(node.childForFieldName('arguments')!).length === 0;
}

/** Names (locals, or `self.x`) assigned `time.time()` in a scope → the assignment. */
function timeNames(scope: FunctionScope, model: ModuleModel): Map<string, Node> {
  let perModel = cache.get(model);
  if (!perModel) cache.set(model, (perModel = new Map()));
  let names = perModel.get(scope.node.id);
  if (names) return names;
  names = new Map();
  for (const n of model.ownNodes(scope)) {
    if (n.type !== 'assignment' || !isTimeTime(n.childForFieldName('right'), model)) continue;
    const left = n.childForFieldName('left')!;
    if (left.type === 'identifier' || left.type === 'attribute') names.set(left.text, n);
  }
  perModel.set(scope.node.id, names);
  return names;
}

function report(op: Node, start: Node, ctx: RuleContext, endCall: Node, body: Node | null) {
  const startCall = start.childForFieldName('right')!;
  const startName = start.childForFieldName('left')!.text;
  // Timing advice, not a race: a hint, outside the race catalogue's warnings and errors.
  ctx.report(op, {
    severity: 'hint',
    fix: body ? perfCounterFix(startCall, endCall, startName, body) : undefined,
    message:
      `\`${snippet(op, 50)}\` measures elapsed time with \`time.time()\` (start at line ${start.startPosition.row + 1}): the wall clock has coarse resolution on some systems and jumps when it is adjusted (NTP, daylight saving, manual changes), so short or concurrent timings are wrong and can even be negative. ` +
      `Comparing GIL and free-threaded runs needs a steady, high-resolution clock: use \`time.perf_counter()\` to measure durations (\`time.monotonic()\` for timeouts).`,
  });
}

export const FT215: Rule = {
  code: 'FT215',
  name: 'time-time-elapsed',
  summary: 'Timing advice (not a race): elapsed time measured with `time.time()` differences instead of `time.perf_counter()`',
  precision: 'medium',
  // Benchmark hygiene, not a free-threading hazard: in a library it mostly meets timeouts and heuristics.
  optIn: true,
  visit: {
    call(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE)) return;
      if (!isTimeTime(node, model) || !model.hasConcurrencyEvidence) return;
      const scope = model.scopeOf(node);
      if (!scope) return;
      const names = timeNames(scope, model);
      // `time.time() - start`
      const op = node.parent;
      if (op?.type === 'binary_operator' && op.childForFieldName('left')?.id === node.id && op.children.some((c) => c?.type === '-')) {
        const right = op.childForFieldName('right');
        const start = right ? names.get(right.text) : undefined;
        if (start) report(op, start, ctx, node, scope.node.childForFieldName('body'));
        return;
      }
      // `end = time.time()` … `end - start`
      const assignment = op?.type === 'assignment' ? op : null;
      const end = assignment?.childForFieldName('left');
      if (!assignment || !end || !names.has(end.text)) return;
      const body = scope.node.childForFieldName('body');
      if (!body) return;
      const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      for (const [name, start] of names) {
        if (name === end.text || start.startIndex > assignment.startIndex) continue;
        const re = new RegExp(`(?<![\\w.])${esc(end.text)}\\s*-\\s*${esc(name)}(?![\\w.(])`, 'g');
        for (const m of body.text.slice(assignment.endIndex - body.startIndex).matchAll(re)) {
          const at = assignment.endIndex + m.index!;
          const found = ctx.tree.rootNode.descendantForIndex(at, at + m[0].length);
          let bin: Node | null = found;
          while (bin && bin.type !== 'binary_operator' && bin.endIndex - bin.startIndex <= m[0].length + 2) bin = bin.parent;
          if (bin?.type === 'binary_operator' && model.scopeOf(bin)?.node.id === scope.node.id) {
            report(bin, start, ctx, node, body);
            return;
          }
        }
      }
    },
  },
};
