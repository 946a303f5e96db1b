// FT202 — process-wide state (environment, working directory, umask, stdout, locale, signal handlers…)
// changed from thread code. Docs: docs/rules/FT202.md
import type { Node } from '../parser';
import type { Rule, RuleContext, Severity } from '../types';
import type { FunctionScope } from '../model/scopes';
import { keywordArgument, namedChildren, positionalArguments, snippet } from '../model/syntax';
import { calleeLastName, calleeName, isTestCode, methodName, methodReceiver, onlyAssumed, runsOnThreads, textHas, threadCode } from './hazards';

const GATE = /environ|putenv|unsetenv|chdir|umask|redirect_std|std(?:out|err|in)\s*=|setlocale|setrecursionlimit|setswitchinterval|setdefaulttimeout|signal|set_wakeup_fd/;

interface Hazard {
  what: string;
  why: string;
  remedy: string;
  severity?: Severity;
  /**
   * Only the main thread may call it (CPython raises `ValueError` elsewhere, with or without the GIL):
   * code that does is main-thread code by construction, so assume-concurrent alone is no evidence.
   */
  mainThreadOnly?: boolean;
}

const ENVIRON: Hazard = {
  what: 'the process environment',
  why:
    'There is one environment per process, so every thread sees the change at once, and the C library\'s setenv()/unsetenv() are not thread-safe: ' +
    'a getenv() running at the same time in another thread (time zones, locale, DNS and many C extensions call it) can read freed memory. ' +
    'On free-threaded Python that other thread really is running at the same moment.',
  remedy: 'Set the environment once at startup, before threads start, or pass `env=` to subprocess calls instead.',
};

const CALLS: ReadonlyMap<string, Hazard> = new Map([
  ['os.putenv', ENVIRON],
  ['os.unsetenv', ENVIRON],
  ['os.chdir', {
    what: 'the working directory',
    why: 'The working directory belongs to the process: every relative path opened by every other thread changes meaning in the middle of its work.',
    remedy: 'Use absolute paths, `cwd=` for subprocess calls, or `dir_fd=` arguments instead of changing directory.',
  }],
  ['os.fchdir', {
    what: 'the working directory',
    why: 'The working directory belongs to the process: every relative path opened by every other thread changes meaning in the middle of its work.',
    remedy: 'Use absolute paths, `cwd=` for subprocess calls, or `dir_fd=` arguments instead of changing directory.',
  }],
  ['os.umask', {
    what: 'the file-creation mask',
    why: 'The umask belongs to the process: files other threads create while it is changed get the wrong permissions (even `old = os.umask(0); os.umask(old)` to read it opens that window).',
    remedy: 'Read or set the umask once at startup, or pass an explicit `mode` and `os.chmod` the file.',
  }],
  ['contextlib.redirect_stdout', {
    what: '`sys.stdout`',
    why: '`redirect_stdout` replaces `sys.stdout` for the whole process, not for this thread: output printed by other threads meanwhile lands in this buffer, and two threads redirecting at once restore each other\'s streams.',
    remedy: 'Pass the stream explicitly (`print(..., file=buf)`), or use logging with a per-thread handler.',
  }],
  ['contextlib.redirect_stderr', {
    what: '`sys.stderr`',
    why: '`redirect_stderr` replaces `sys.stderr` for the whole process, not for this thread: output written by other threads meanwhile lands in this buffer, and two threads redirecting at once restore each other\'s streams.',
    remedy: 'Pass the stream explicitly (`print(..., file=buf)`), or use logging with a per-thread handler.',
  }],
  ['locale.setlocale', {
    what: 'the process locale',
    why: 'The locale is process-wide and, as the `locale` documentation says, `setlocale()` is not thread-safe: other threads formatting numbers or dates see the change mid-operation.',
    remedy: 'Set the locale once at startup, before threads start, or format with explicit, locale-independent code.',
  }],
  ['sys.setrecursionlimit', {
    what: 'the interpreter\'s recursion limit',
    why: 'The limit is interpreter-wide: changing it here changes it for every thread, and two threads raising and restoring it interleave.',
    remedy: 'Set it once at startup.',
  }],
  ['sys.setswitchinterval', {
    what: 'the interpreter\'s thread switch interval',
    why: 'The interval is interpreter-wide (and on a free-threaded build, with no GIL to hand over, it has little effect at all).',
    remedy: 'Set it once at startup, if at all.',
  }],
  ['socket.setdefaulttimeout', {
    what: 'the default socket timeout',
    why: 'The default is process-wide: sockets created by every other thread pick up this value.',
    remedy: 'Pass `timeout=` to the socket or connection you create, or call `settimeout()` on it.',
  }],
  ['signal.signal', {
    what: 'a signal handler',
    why: 'Only the main thread may install signal handlers: called from any other thread, `signal.signal` raises `ValueError`.',
    remedy: 'Install handlers in the main thread at startup.',
    severity: 'error',
    mainThreadOnly: true,
  }],
  ['signal.set_wakeup_fd', {
    what: 'the signal wake-up fd',
    why: 'Only the main thread may call `signal.set_wakeup_fd`: from any other thread it raises `ValueError`.',
    remedy: 'Call it in the main thread at startup.',
    severity: 'error',
    mainThreadOnly: true,
  }],
]);

const ENVIRON_NAMES = new Set(['os.environ', 'os.environb']);
const ENVIRON_METHODS = new Set(['update', 'pop', 'popitem', 'setdefault', 'clear', '__setitem__', '__delitem__']);
const STREAMS = new Set(['sys.stdout', 'sys.stderr', 'sys.stdin']);
/** Last names of the calls this rule looks at (a cheap filter before qualifying the callee). */
const LAST_NAMES = new Set([...[...CALLS.keys()].map((q) => q.slice(q.lastIndexOf('.') + 1)), ...ENVIRON_METHODS]);

/** Inside `if threading.current_thread() is threading.main_thread():` (or any test naming the main thread)? */
function mainThreadChecked(node: Node): boolean {
  for (let n = node.parent; n && n.type !== 'function_definition'; n = n.parent) {
    if ((n.type === 'if_statement' || n.type === 'conditional_expression') && /main_thread|MainThread/.test(n.childForFieldName('condition')?.text ?? '')) return true;
  }
  return false;
}

function report(node: Node, hazard: Hazard, ctx: RuleContext, temporary = false) {
  const where = threadCode(node, ctx.model);
  if (!where) return;
  const assumed = onlyAssumed(where.entry, where.scope);
  // Tests are not run concurrently just because a library audit assumes its functions are.
  if (assumed && isTestCode(where.scope)) return;
  if (hazard.mainThreadOnly && (assumed || mainThreadChecked(node))) return;
  // A lasting change made by code no thread is known to run is the process's configuration (start-up,
  // a child's set-up, shutdown): what races is a temporary change — saved, changed and put back.
  if (assumed && !temporary && !changedForAWhile(node, hazard, where.scope, ctx)) return;
  ctx.report(node, {
    severity: assumed ? 'warning' : hazard.severity ?? 'warning',
    message: `\`${snippet(node, 50)}\` changes ${hazard.what} from thread code (${runsOnThreads(where.scope, where.entry)}). ${hazard.why} ${hazard.remedy}`,
  });
}

/** What process-wide state a statement or call changes, or null. */
function hazardAt(node: Node, ctx: RuleContext): Hazard | null {
  switch (node.type) {
    case 'call': {
      if (!LAST_NAMES.has(calleeLastName(node))) return null;
      const q = calleeName(node, ctx.model);
      const hazard = q ? CALLS.get(q) : undefined;
      if (hazard) {
        // `locale.setlocale(category)` only reads the setting.
        if (q === 'locale.setlocale') {
          const value = positionalArguments(node)[1] ?? keywordArgument(node, 'locale');
          if (!value || value.type === 'none') return null;
        }
        return hazard;
      }
      const method = methodName(node);
      return method && ENVIRON_METHODS.has(method) && isEnviron(methodReceiver(node), ctx) ? ENVIRON : null;
    }
    case 'assignment': {
      const left = node.childForFieldName('left');
      if (left?.type === 'subscript' && isEnviron(left.childForFieldName('value'), ctx)) return ENVIRON;
      const stream = left?.type === 'attribute' ? ctx.model.imports.qualify(left) ?? '' : '';
      return STREAMS.has(stream) ? streamHazard(stream) : null;
    }
    case 'augmented_assignment': {
      const left = node.childForFieldName('left');
      return left?.type === 'subscript' && isEnviron(left.childForFieldName('value'), ctx) ? ENVIRON : null;
    }
    case 'delete_statement': {
      const targets = namedChildren(node).flatMap((c) => (c.type === 'expression_list' ? namedChildren(c) : [c]));
      return targets.some((t) => t.type === 'subscript' && isEnviron(t.childForFieldName('value'), ctx)) ? ENVIRON : null;
    }
  }
  return null;
}

const streamHazards = new Map<string, Hazard>();

function streamHazard(stream: string): Hazard {
  let hazard = streamHazards.get(stream);
  if (!hazard) {
    streamHazards.set(stream, (hazard = {
      what: `\`${stream}\``,
      why: `\`${stream}\` is one object for the whole process, not per thread: every other thread's output goes to the replacement until it is put back, and two threads swapping it restore each other's streams.`,
      remedy: 'Pass the stream explicitly (`print(..., file=buf)`), or use logging with a per-thread handler.',
    }));
  }
  return hazard;
}

/**
 * A temporary change: `redirect_stdout`, a change in `__enter__`/`__exit__` (undone by the other), or
 * one of two changes of the same state in one function (set, then put back in `finally`).
 */
function changedForAWhile(node: Node, hazard: Hazard, scope: FunctionScope, ctx: RuleContext): boolean {
  if (hazard.what === '`sys.stdout`' && calleeLastName(node).startsWith('redirect_')) return true;
  if (hazard.what === '`sys.stderr`' && calleeLastName(node).startsWith('redirect_')) return true;
  if (scope.name === '__enter__' || scope.name === '__exit__') return true;
  // The environment is many states: `os.environ["A"] = …` and `os.environ["B"] = …` set two.
  const key = hazard === ENVIRON ? environKey(node) : '';
  let changes = 0;
  for (const n of ctx.model.ownNodes(scope)) {
    if (hazardAt(n, ctx)?.what !== hazard.what) continue;
    const other = hazard === ENVIRON ? environKey(n) : '';
    if ((key === '*' || other === '*' || key === other) && ++changes >= 2) return true;
  }
  return false;
}

/** The variable an environment change names (`os.environ[KEY]`, `os.environ.pop(KEY)`, `putenv(KEY, …)`); `*` for several. */
function environKey(node: Node): string {
  const subscript =
    node.type === 'assignment' || node.type === 'augmented_assignment' ? node.childForFieldName('left') :
    node.type === 'delete_statement' ? namedChildren(node).find((c) => c.type === 'subscript') ?? null : null;
  if (subscript?.type === 'subscript') return subscript.childForFieldName('subscript')?.text.replace(/\s+/g, '') ?? '*';
  if (node.type !== 'call') return '*';
  const method = methodName(node);
  if (method === 'update' || method === 'clear' || method === 'popitem') return '*';
  return positionalArguments(node)[0]?.text.replace(/\s+/g, '') ?? '*';
}

function isEnviron(node: Node | null, ctx: RuleContext): boolean {
  return !!node && ENVIRON_NAMES.has(ctx.model.imports.qualify(node) ?? '');
}

export const FT202: Rule = {
  code: 'FT202',
  name: 'process-wide-state',
  summary: 'Process-wide state (environment, working directory, umask, stdout, locale, signal handlers) changed from thread code',
  precision: 'medium',
  visit: {
    call: visitChange,
    assignment: visitChange,
    augmented_assignment: visitChange,
    delete_statement: visitChange,
  },
};

function visitChange(node: Node, ctx: RuleContext): void {
  const hazard = textHas(ctx.model, ctx.text, GATE) ? hazardAt(node, ctx) : null;
  if (hazard) return report(node, hazard, ctx);
  const override = node.type === 'assignment' ? temporaryOverride(node, ctx) : null;
  if (override) report(node, override, ctx, true);
}

/**
 * A library's setting overridden for a while: `backup = Config.network.quiet` … `Config.network.quiet =
 * False` … `Config.network.quiet = backup`, on an attribute reached from an imported module or class.
 * The setting is one for the whole process: other threads see the temporary value, and two threads
 * doing this at once put back each other's values — the last to finish may leave the override on.
 */
function temporaryOverride(node: Node, ctx: RuleContext): Hazard | null {
  const left = node.childForFieldName('left');
  if (left?.type !== 'attribute') return null;
  let root: Node | null = left;
  while (root?.type === 'attribute') root = root.childForFieldName('object');
  if (root?.type !== 'identifier' || ctx.model.bindings.get(root.text)?.kind !== 'import') return null;
  const scope = ctx.model.scopeOf(node);
  if (!scope) return null;
  const target = left.text.replace(/\s+/g, '');
  const assignments = ctx.model.assignmentsOf(scope);
  const same = (n: Node | null) => !!n && n.text.replace(/\s+/g, '') === target;
  // Saved into a local before this change, then that local stored back after it.
  const local = (name: Node | null) => name?.type === 'identifier' && ctx.model.resolve(name.text, scope).kind === 'local';
  const saved = assignments.filter((a) => a.endIndex <= node.startIndex && local(a.childForFieldName('left')) && same(a.childForFieldName('right')));
  if (saved.length === 0 || saved.some((a) => a === node)) return null;
  const names = new Set(saved.map((a) => a.childForFieldName('left')!.text));
  const restore = assignments.find((a) => a.startIndex > node.endIndex && same(a.childForFieldName('left')) && names.has(a.childForFieldName('right')?.text ?? ''));
  if (!restore) return null;
  return {
    what: `\`${target}\`, a setting of the imported \`${root.text}\` (saved, changed, and put back at line ${restore.startPosition.row + 1})`,
    why: 'The setting is one for the whole process, not per thread: other threads see the temporary value while it is in force, and two threads overriding it at once put back each other\'s values — the last to finish can leave the override on for good.',
    remedy: 'Pass the value to the call that needs it instead of changing the shared setting, or keep the override per thread (`threading.local`, a `ContextVar`).',
  };
}
