// FT217 — a method of an event loop that must run on the loop's own thread (`call_soon`, `create_task`,
// `stop`, tornado's `add_timeout`…) called from another thread, where the module runs that loop on a
// thread of its own. Docs: docs/rules/FT217.md
import type { Node } from '../parser';
import type { Fix, Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { asyncioObjectCall, LOOP_AFFINE, loopKey, loopThreads, type LoopThread } from '../model/eventLoops';
import { caughtAround, insideLambda, namedChildren, positionalArguments, snippet } from '../model/syntax';
import { calleeName, methodName, methodReceiver, textHas } from './hazards';

const GATE = /run_forever|run_until_complete|loop\.start\b/i;

/** A condition that asks which thread is running (`get_ident() == self._loop_thread.ident`). */
// Not `is_running()`: a loop running on its own thread is running — that is when the call is unsafe.
const THREAD_TEST = /get_ident|current_thread|main_thread|thread_id|\.ident\b|in_(?:io_?)?loop/;

export const FT217: Rule = {
  code: 'FT217',
  name: 'loop-call-from-another-thread',
  summary: "an event loop's thread-affine method (`call_soon`, `create_task`, `stop`, `add_timeout`…) called from a thread other than the one this module runs the loop on",
  precision: 'medium',
  visit: {
    call(node: Node, ctx: RuleContext) {
      const method = methodName(node);
      if (!method) return;
      if (LOOP_FUNCTIONS.has(method) && textHas(ctx.model, ctx.text, ASYNCIO)) reportLoopFunction(node, ctx);
      if (ASYNCIO_METHODS.has(method) && textHas(ctx.model, ctx.text, ASYNCIO)) reportAsyncioObject(node, method, ctx);
      if (!LOOP_AFFINE.has(method) || !textHas(ctx.model, ctx.text, GATE)) return;
      const loops = loopThreads(ctx.model);
      if (loops.length === 0) return;
      const scope = ctx.model.scopeOf(node);
      const receiver = methodReceiver(node);
      const key = loopKey(receiver, scope, ctx.model);
      const loop = key ? loops.find((l) => l.key === key) : undefined;
      if (!loop || !scope || !receiver) return;
      const caller = offLoopCaller(scope, loop, ctx.model);
      if (!caller || orderedAgainstLoop(node, scope, receiver.text) || underThreadTest(node) || insideLambda(node)) return;
      const runnerLine = loop.runner.startPosition.row + 1;
      const onLoop = loop.thread
        ? `the loop runs on \`${threadName(loop)}\`'s thread (line ${runnerLine})`
        : loop.onCaller
          ? `the loop runs on the thread that calls \`${ctx.model.scopeOf(loop.runner)?.name ?? 'the module'}\` (line ${runnerLine})`
          : `the loop runs on the thread started at line ${runnerLine}`;
      const safe = loop.kind === 'tornado' ? '`add_callback`' : '`call_soon_threadsafe` (or `asyncio.run_coroutine_threadsafe` for a coroutine)';
      ctx.report(node, {
        severity: 'warning',
        message:
          `\`${snippet(node, 50)}\` is called from ${caller}, but ${onLoop}. An event loop is not thread-safe: \`${method}\` from another thread ` +
          `can corrupt its queues or go unnoticed until something else wakes it. Only ${safe} may be called from another thread — hand the call to the loop with it.`,
        fix: handOverFix(node, receiver, method, loop, ctx),
      });
    },
  },
};

const ASYNCIO = /asyncio|create_future/;

/** asyncio functions that act on the calling thread's running loop (`get_running_loop()` raises without one). */
const LOOP_FUNCTIONS: ReadonlySet<string> = new Set(['ensure_future', 'create_task', 'get_running_loop', 'current_task']);

/** The module gives threads loops of their own (or runs one): a thread's asyncio calls may be on its own loop. */
const OWN_LOOPS = /new_event_loop|set_event_loop|asyncio\.run\(|run_until_complete|run_forever|run_sync|Runner\(/;

/** Inside a `try:` whose handlers catch `RuntimeError` (`except RuntimeError: return None`): the author expects no loop. */
function catchesRuntimeError(node: Node): boolean {
  return caughtAround(node, /\b(?:RuntimeError|Exception|BaseException)\b/, { bare: true });
}

/**
 * `asyncio.ensure_future(coro)` / `asyncio.create_task(coro)` in code a thread runs (a `Thread` target, an
 * executor job or done-callback), in a module that never gives a thread a loop of its own: that thread has
 * no running loop, so the call raises (or, through `ensure_future`'s deprecated fallback, schedules the
 * coroutine on a loop nobody runs).
 */
function reportLoopFunction(node: Node, ctx: RuleContext): void {
  const callee = calleeName(node, ctx.model);
  if (!callee?.startsWith('asyncio.') || !LOOP_FUNCTIONS.has(callee.slice('asyncio.'.length)) || textHas(ctx.model, ctx.text, OWN_LOOPS)) return;
  const scope = ctx.model.scopeOf(node);
  if (!scope || scope.isAsync || insideLambda(node) || underThreadTest(node) || catchesRuntimeError(node)) return;
  // A nested function the thread hands on as a value (`io_loop.run_sync(start)`) runs where it is handed.
  if (scope.parent && !ctx.model.threads.isSpawnTarget(scope.node)) return;
  const entry = ctx.model.threads.entryFor(scope);
  if (!entry || entry.assumed) return;
  const via = entry.site === scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
  const name = callee.slice('asyncio.'.length);
  ctx.report(node, {
    severity: 'warning',
    message:
      `\`${snippet(node, 50)}\` is called from \`${scope.name}\`, which runs on threads (${via}), and no event loop runs on those threads: ` +
      `\`${name}\` needs the calling thread's running loop, so it raises \`RuntimeError\`${name === 'ensure_future' ? ' (or, through a deprecated fallback, schedules the coroutine on a loop nobody runs)' : ''}. ` +
      `Hand the coroutine to the loop that runs it: \`asyncio.run_coroutine_threadsafe(coro, loop)\`, or \`loop.call_soon_threadsafe(…)\` for a callback.`,
  });
}

/** Methods of asyncio objects that must run on their loop's thread (see eventLoops.ts). */
const ASYNCIO_METHODS: ReadonlySet<string> = new Set(['put_nowait', 'get_nowait', 'task_done', 'set', 'clear', 'set_result', 'set_exception', 'cancel', 'add_done_callback', 'remove_done_callback', 'notify', 'notify_all', 'release']);

/**
 * An asyncio object (`asyncio.Queue`, `Event`, a future) changed from code a thread runs (a
 * `Thread` target, an executor job, `run_in_executor`'s function): it belongs to its loop's thread.
 */
function reportAsyncioObject(node: Node, method: string, ctx: RuleContext): void {
  const scope = ctx.model.scopeOf(node);
  const receiver = methodReceiver(node);
  if (!scope || !receiver || scope.isAsync || insideLambda(node) || underThreadTest(node)) return;
  const type = asyncioObjectCall(receiver, method, scope, ctx.model);
  if (!type) return;
  const entry = ctx.model.threads.entryFor(scope);
  if (!entry || entry.assumed) return;
  const via = entry.site === scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
  ctx.report(node, {
    severity: 'warning',
    message:
      `\`${snippet(node, 50)}\` changes an \`${type}\` from \`${scope.name}\`, which runs on threads (${via}). asyncio objects belong to their event loop's thread and are not thread-safe: ` +
      `\`${method}\` from another thread changes the object under the loop, and a task waiting on it is not woken until something else wakes the loop. ` +
      `Hand the call to the loop: \`loop.call_soon_threadsafe(${receiver.text}.${method}, …)\` with the loop the object belongs to.`,
  });
}

/**
 * How `scope` gets called off the loop's thread, for the message, or null when it may run on it: a
 * public method or function (its callers' threads), another thread's code, or a private helper only
 * such code calls.
 */
function offLoopCaller(scope: FunctionScope, loop: LoopThread, model: ModuleModel, seen = new Set<number>()): string | null {
  if (loop.loopSide.has(scope.node.id) || scope.isAsync || scope.parent !== null || seen.has(scope.node.id)) return null;
  if (scope.node.startIndex < loop.region.startIndex || scope.node.endIndex > loop.region.endIndex) return null;
  if (model.isConstructionOnly(scope)) return null;
  // A loop on the caller's thread: only code a thread of the module runs is known to be elsewhere.
  if (loop.onCaller) {
    const entry = model.threads.entryFor(scope);
    return entry && !entry.assumed ? `\`${scope.name}\`, which runs on threads (${entry.via})` : null;
  }
  // The function whose local the loop is started it on a thread: it runs on another.
  if (scope.node === loop.region) return `\`${scope.name}\`, which started the loop's thread`;
  seen.add(scope.node.id);
  const other = model.dedicatedThreadOf(scope);
  if (other && other !== loop.thread) return `\`${scope.name}\`'s own thread`;
  const entry = model.threads.entryFor(scope);
  if (entry && !entry.assumed && !other) return `\`${scope.name}\`, which runs on threads (${entry.via})`;
  if (!scope.name.startsWith('_') || (scope.name.startsWith('__') && scope.name.endsWith('__'))) {
    return `\`${scope.name}\`, which ${loop.region.type === 'class_definition' ? "the object's users call" : "the module's callers call"} on their own threads`;
  }
  const callers = model.callersOf(scope.node);
  if (callers.length === 0) return null;
  let via: string | null = null;
  for (const call of callers) {
    const callerScope = model.scopeOf(call);
    const how = callerScope ? offLoopCaller(callerScope, loop, model, seen) : null;
    if (!how) return null;
    via ??= `\`${scope.name}\` (called by ${how.startsWith('`') ? how : `\`${callerScope!.name}\``})`;
  }
  return via;
}

/** Before the function starts the thread (`self._thread.start()` below), or after it joins it: no loop runs. */
function orderedAgainstLoop(call: Node, scope: FunctionScope, loopText: string): boolean {
  const body = scope.node.childForFieldName('body');
  if (!body) return false;
  const calls = body.descendantsOfType('call');
  for (const other of calls) {
    const name = methodName(other);
    // Any thread start after it (`Thread(target=loop.run_forever).start()`), but not the loop's own `start()`.
    if (name === 'start' && other.startIndex > call.endIndex && methodReceiver(other)?.text !== loopText) return true;
    if (name === 'join' && other.endIndex < call.startIndex) return true;
  }
  return false;
}

function underThreadTest(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda') return false;
    if ((n.type === 'if_statement' || n.type === 'elif_clause' || n.type === 'conditional_expression') && THREAD_TEST.test(n.childForFieldName('condition')?.text ?? (n.type === 'conditional_expression' ? n.text : ''))) return true;
  }
  return false;
}

/**
 * `loop.stop()` → `loop.call_soon_threadsafe(loop.stop)`; `loop.create_task(c)` →
 * `asyncio.run_coroutine_threadsafe(c, loop)`; tornado: `io_loop.add_callback(io_loop.add_timeout, …)`.
 * Only for a statement of its own (a handle it returned would be lost). Unsafe: the call now happens
 * later, on the loop's thread.
 */
function handOverFix(node: Node, receiver: Node, method: string, loop: LoopThread, ctx: RuleContext): Fix | undefined {
  if (node.parent?.type !== 'expression_statement') return undefined;
  const args = node.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return undefined;
  const positional = positionalArguments(node);
  const hasKeywords = args.children.some((c) => c.type === 'keyword_argument' || c.type === 'dictionary_splat');
  const inner = ctx.text.slice(args.startIndex + 1, args.endIndex - 1).trim();
  const loopText = receiver.text;
  let replacement: string | undefined;
  if (loop.kind === 'tornado') {
    replacement = `${loopText}.add_callback(${loopText}.${method}${inner ? `, ${inner}` : ''})`;
  } else if (hasKeywords) {
    return undefined;
  } else if (method === 'create_task') {
    if (positional.length !== 1 || !ctx.model.imports.isImported('asyncio')) return undefined;
    replacement = `asyncio.run_coroutine_threadsafe(${positional[0].text}, ${loopText})`;
  } else if (method === 'call_soon') {
    replacement = `${loopText}.call_soon_threadsafe(${inner})`;
  } else {
    replacement = `${loopText}.call_soon_threadsafe(${loopText}.${method}${inner ? `, ${inner}` : ''})`;
  }
  return {
    message: loop.kind === 'tornado' ? `Hand the call to the loop with \`add_callback\`` : method === 'create_task' ? 'Schedule the coroutine with `asyncio.run_coroutine_threadsafe`' : 'Hand the call to the loop with `call_soon_threadsafe`',
    applicability: 'unsafe',
    edits: [{ start: node.startIndex, end: node.endIndex, newText: replacement }],
  };
}

function threadName(loop: LoopThread): string {
  const target = loop.thread!.target;
  const name = target.childForFieldName('name')?.text ?? '';
  const cls = loop.region.type === 'class_definition' ? loop.region.childForFieldName('name')?.text : undefined;
  return cls ? `${cls}.${name}` : name;
}
