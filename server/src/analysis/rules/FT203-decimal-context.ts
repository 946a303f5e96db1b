// FT203 — decimal contexts and threads: the current context changed at import time, a Context object
// shared between threads, and (targeting 3.14+) the inherited context mutated in thread code.
// Docs: docs/rules/FT203.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import { accessRoot, positionalArguments, snippet } from '../model/syntax';
import { calleeLastName, calleeName, methodName, methodReceiver, rootCall, runsOnThreads, targetMinor, textHas, threadCode } from './hazards';

const GATE = /decimal/;

const DECIMAL = /^_?(?:py)?decimal$/;

function isDecimal(q: string | null, name: string): boolean {
  if (!q) return false;
  const parts = q.split('.');
  return parts.length === 2 && DECIMAL.test(parts[0]) && parts[1] === name;
}

/** Module-level names bound to `decimal.getcontext()` (`ctx = getcontext()`). */
const namesCache = new WeakMap<ModuleModel, Set<string>>();
const objectsCache = new WeakMap<ModuleModel, Map<string, Node>>();

function moduleContextNames(model: ModuleModel): Set<string> {
  const cached = namesCache.get(model);
  if (cached) return cached;
  const names = new Set<string>();
  namesCache.set(model, names);
  for (const [name, b] of model.bindings) {
    if (b.kind === 'value' && b.node?.type === 'call' && isDecimal(calleeName(b.node, model), 'getcontext')) names.add(name);
  }
  return names;
}

/** Module-level names bound to `decimal.Context(...)` → the construction. */
function moduleContextObjects(model: ModuleModel): Map<string, Node> {
  const cached = objectsCache.get(model);
  if (cached) return cached;
  const out = new Map<string, Node>();
  objectsCache.set(model, out);
  for (const [name, b] of model.bindings) {
    if (b.kind === 'value' && b.node?.type === 'call' && isDecimal(calleeName(b.node, model), 'Context')) out.set(name, b.node);
  }
  return out;
}

/** Does this assignment target change the current context (`getcontext().prec`, `ctx.traps[X]` with ctx = getcontext())? */
function currentContextTarget(target: Node, model: ModuleModel, atModuleLevel: boolean): boolean {
  if (target.type !== 'attribute' && target.type !== 'subscript') return false;
  const call = rootCall(target);
  if (call) return isDecimal(calleeName(call, model), 'getcontext');
  const root = accessRoot(target);
  return atModuleLevel && !!root && root !== target && moduleContextNames(model).has(root.text);
}

const IMPORT_TIME_WHY =
  'The current decimal context belongs to the thread (a context variable): this changes it for the importing thread only. ' +
  'Threads that start with a fresh context compute with `DefaultContext` (28 digits, no extra traps), and on free-threaded 3.14, ' +
  'where new threads inherit the starting thread\'s context (`sys.flags.thread_inherit_context`), they share this very Context object, whose fields and flags are then changed from several threads at once (CPython gh-141148).';

export const FT203: Rule = {
  code: 'FT203',
  name: 'decimal-context',
  summary: 'The decimal context is set at import time, a decimal.Context is shared between threads, or (3.14+) an inherited context is mutated in thread code',
  precision: 'medium',
  visit: {
    assignment(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE)) return;
      const target = node.childForFieldName('left');
      if (!target) return;
      const scope = model.scopeOf(node);
      if (!scope) {
        if (!currentContextTarget(target, model, true)) return;
        ctx.report(node, {
          severity: model.hasConcurrencyEvidence ? 'warning' : 'info',
          message: `\`${snippet(node, 50)}\` sets the decimal context at import time. ${IMPORT_TIME_WHY} Set the field on \`decimal.DefaultContext\` before any thread starts, or compute inside \`with decimal.localcontext(...) as ctx:\`.`,
        });
        return;
      }
      const where = threadCode(node, model);
      if (!where || model.heldLocks(node).length > 0) return;
      // A module-level Context object written from thread code.
      const root = accessRoot(target);
      const shared = root && root !== target && model.resolve(root.text, scope).kind === 'module' ? moduleContextObjects(model).get(root.text) : undefined;
      if (shared) {
        ctx.report(node, {
          severity: 'warning',
          message:
            `\`${snippet(node, 50)}\` changes \`${root!.text}\`, one decimal.Context created at module level (line ${shared.startPosition.row + 1}), from thread code (${runsOnThreads(where.scope, where.entry)}). ` +
            `Every thread using it sees the change mid-calculation; a Context is not safe to share. Give each thread its own copy (\`${root!.text}.copy()\`) or use \`with decimal.localcontext(${root!.text}) as ctx:\`.`,
        });
        return;
      }
      const minor = targetMinor(ctx.options.targetVersion);
      if (minor !== null && minor >= 14 && currentContextTarget(target, model, false)) {
        ctx.report(node, {
          severity: 'warning',
          message:
            `\`${snippet(node, 50)}\` changes the current decimal context in thread code (${runsOnThreads(where.scope, where.entry)}). ` +
            `Targeting Python ${ctx.options.targetVersion}: on free-threaded 3.14 new threads inherit the starting thread's context, so \`getcontext()\` here can return the same Context object other threads use, and this change races with their arithmetic (CPython gh-141148). ` +
            `Change a private copy instead: \`with decimal.localcontext() as ctx: ctx.prec = …\`.`,
        });
      }
    },
    call(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      if (!textHas(model, ctx.text, GATE)) return;
      const isSet = calleeLastName(node) === 'setcontext';
      // Otherwise only methods of a module-level Context matter: most modules have none.
      if (!isSet && moduleContextObjects(model).size === 0) return;
      const q = isSet ? calleeName(node, model) : null;
      const scope = model.scopeOf(node);
      if (isDecimal(q, 'setcontext')) {
        if (!scope) {
          ctx.report(node, {
            severity: model.hasConcurrencyEvidence ? 'warning' : 'info',
            message: `\`${snippet(node, 50)}\` sets the decimal context at import time. ${IMPORT_TIME_WHY} Set fields on \`decimal.DefaultContext\` before any thread starts, or compute inside \`with decimal.localcontext(...) as ctx:\`.`,
          });
          return;
        }
        const arg = positionalArguments(node)[0];
        const shared = arg?.type === 'identifier' && model.resolve(arg.text, scope).kind === 'module' ? moduleContextObjects(model).get(arg.text) : undefined;
        const where = threadCode(node, model);
        if (shared && where) {
          ctx.report(node, {
            severity: 'warning',
            message:
              `\`${snippet(node, 50)}\` makes \`${arg!.text}\`, one decimal.Context created at module level (line ${shared.startPosition.row + 1}), the current context of every thread that runs this (${runsOnThreads(where.scope, where.entry)}). ` +
              `All their arithmetic then updates the same Context's flags, and any field change is seen by all of them: on free-threaded Python that is a data race (CPython gh-149142). ` +
              `Pass a copy: \`decimal.setcontext(${arg!.text}.copy())\`, or use \`with decimal.localcontext(${arg!.text}):\`.`,
          });
        }
        return;
      }
      // Methods of a shared module-level Context called from thread code (they update its flags).
      const receiver = methodReceiver(node);
      const method = methodName(node);
      if (!scope || receiver?.type !== 'identifier' || !method || method === 'copy' || model.resolve(receiver.text, scope).kind !== 'module') return;
      const shared = moduleContextObjects(model).get(receiver.text);
      const where = shared ? threadCode(node, model) : null;
      if (!shared || !where || model.heldLocks(node).length > 0) return;
      ctx.report(node, {
        severity: 'warning',
        message:
          `\`${snippet(node, 50)}\` uses \`${receiver.text}\`, one decimal.Context created at module level (line ${shared.startPosition.row + 1}), from thread code (${runsOnThreads(where.scope, where.entry)}). ` +
          `Context methods record their signals in the shared object's flags, so threads calling them at once race on it on free-threaded Python (CPython gh-149142), and a trap raised in one thread can come from another's calculation. ` +
          `Give each thread its own copy (\`${receiver.text}.copy()\`, e.g. in a threading.local), or use \`with decimal.localcontext(${receiver.text}) as ctx:\`.`,
      });
    },
  },
};
