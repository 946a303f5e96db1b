// FT109 — per-call scratch values stored on a shared object (`self.start = time.time()` … read back
// later in the same call). Docs: docs/rules/FT109.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { snippet } from '../model/syntax';
import { readsTarget } from './FT102-read-modify-write';
import { runsAlone } from './common';
import { CONSTRUCTION_METHODS } from '../model/module';
import { localVariableFix, threadLocalFix } from '../fixes/scratchState';


/** Offset in `text` of the first read of `access` (`self.start`) at or after `from`, or -1. */
function findRead(text: string, access: string, from: number): number {
  const re = new RegExp(`\\b${access.replace('.', '\\.')}\\b(?!\\s*=[^=])`, 'g');
  re.lastIndex = from;
  return re.exec(text)?.index ?? -1;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The method whose reads close a use that `name` opens: `__exit__` for `__enter__` (`__aexit__` for
 * `__aenter__`), and one call deep, the helper `__exit__` calls for the helper `__enter__` calls
 * (`__enter__: return self.start()` … `__exit__: self.stop()`).
 */
function exitOf(methods: ReadonlyMap<string, Node>, name: string): Node | undefined {
  if (name === '__enter__' || name === '__aenter__') return methods.get(name === '__enter__' ? '__exit__' : '__aexit__');
  for (const [enter, leave] of [['__enter__', '__exit__'], ['__aenter__', '__aexit__']]) {
    const opener = methods.get(enter);
    const closer = methods.get(leave);
    if (!opener || !closer || !new RegExp(`\\bself\\.${name}\\(`).test(opener.text)) continue;
    const helper = /\bself\.(\w+)\(/.exec(closer.text)?.[1];
    return (helper && methods.get(helper)) || closer;
  }
  return undefined;
}

/** The first parameter of `__exit__` (its `self`). */
function exitReceiver(exit: Node): string | null {
  const params = exit.childForFieldName('parameters');
  const first = params?.namedChildren[0];
  return first?.type === 'identifier' ? first.text : null;
}

/**
 * Is `self.attr` the object's state rather than one call's scratch value? It is when another method —
 * not construction, not a helper only this method calls — reads it before writing it: a connection's
 * socket set in `connect()` and used by `send()` outlives the call that set it.
 */
function readsAsState(methods: ReadonlyMap<string, Node>, attr: string, method: Node, ctx: RuleContext): boolean {
  const { model } = ctx;
  const scope = model.scopeOf(method.childForFieldName('body') ?? method);
  for (const [name, other] of methods) {
    if (other.id === method.id || CONSTRUCTION_METHODS.has(name)) continue;
    const otherScope = model.scopeOf(other.childForFieldName('body') ?? other);
    const access = otherScope?.receiver ? new RegExp(`\\b${otherScope.receiver}\\.${attr}\\b(\\s*=(?!=))?`).exec(other.text) : null;
    // Not read there, or written before it is read (that method's own scratch value).
    if (!access || access[1]) continue;
    const callers = model.callersOf(other);
    if (callers.length === 0 || callers.some((call) => model.scopeOf(call) !== scope)) return true;
  }
  return false;
}

export const FT109: Rule = {
  code: 'FT109',
  name: 'scratch-state-on-shared-object',
  summary: 'A method keeps per-call values on `self` of an object that several threads use',
  precision: 'medium',
  visit: {
    function_definition(node: Node, ctx: RuleContext) {
      const { model } = ctx;
      const body = node.childForFieldName('body');
      const scope = body ? model.scopeOf(body) : null;
      if (!scope?.receiver || scope.isClassMethod || CONSTRUCTION_METHODS.has(scope.name) || !body) return;
      const cls = model.classInfo(scope.classNode);
      // Unconditional writes directly in the method body: a write under `if` is state (lazy init, a
      // flag), not a per-call scratch value. Looked for before the module-wide questions: most methods have none.
      const writes = model.ownNodes(scope).filter((n) => {
        if (n.type !== 'assignment' || n.parent?.parent?.id !== body.id) return false;
        const left = n.childForFieldName('left');
        return left?.type === 'attribute' && left.childForFieldName('object')?.text === scope.receiver;
      });
      if (writes.length === 0) return;
      const evidence = cls ? model.instanceSharing(cls) : null;
      const entry = model.threads.entryFor(scope);
      // A coroutine runs on its event loop's thread: only a real thread entry puts it beside another.
      if (!cls || !evidence || !entry || model.ordering.whySequential(scope) || (entry.assumed && scope.isAsync)) return;
      // The object's own thread runs it and nothing else calls it, or it runs while the object is being
      // made (a helper only construction or a factory calls): never two threads at once.
      if (model.dedicatedThreadOf(scope) || model.isConstructionOnly(scope)) return;
      const why = evidence.why;
      // `__enter__` and `__exit__` are two halves of one use: a value kept between them is per-call
      // state too — but a context manager made per `with` is confined, so only shared ones count.
      const exit = exitOf(cls.methods, scope.name);
      if ((scope.name === '__enter__' || scope.name === '__aenter__') && !exit) return;
      if (exit && evidence.confidence === 'low') return;
      const confidence = entry.assumed ? (evidence.confidence === 'high' ? 'medium' : evidence.confidence) : 'high';
      // A read-modify-write is FT102's.
      const bodyText = body.text;
      const reported = new Set<string>();
      for (const n of writes) {
        const left = n.childForFieldName('left')!;
        const attr = left.childForFieldName('attribute')!.text;
        const value = n.childForFieldName('right');
        if (cls.lockAttributes.has(attr) || reported.has(attr) || (value && readsTarget(value, left)) || model.heldLocks(n).length > 0 || runsAlone(n, scope, ctx)) continue;
        let read = findRead(bodyText, `${scope.receiver}.${attr}`, n.endIndex - body.startIndex);
        let line = n.startPosition.row + 1 + countLines(bodyText, n.endIndex - body.startIndex, read);
        if (exit) {
          const exitText = exit.text;
          read = findRead(exitText, `${exitReceiver(exit) ?? scope.receiver}.${attr}`, 0);
          line = exit.startPosition.row + 1 + countLines(exitText, 0, read);
        }
        // Under assume-concurrent alone, a method setting the object's state (a connection's socket in
        // `connect()`) is not assumed to run beside itself: only per-call scratch is reported.
        if (read < 0 || (!exit && entry.assumed && readsAsState(cls.methods, attr, node, ctx))) continue;
        reported.add(attr);
        // A local when this method alone uses the value; else (or as the alternative) a thread-local.
        const local = exit ? undefined : localVariableFix(ctx, cls.node, node, scope.receiver, attr);
        const perThread = threadLocalFix(ctx, cls.node, scope.receiver, attr, exit ? [exit] : []);
        ctx.report(n, {
          severity: 'warning',
          confidence,
          fix: local ?? perThread,
          alternatives: local && perThread ? [perThread] : undefined,
          message:
            `\`${snippet(n, 50)}\` keeps a per-call value on \`${scope.receiver}\`, and \`${exit ? exit.childForFieldName('name')?.text : scope.name}\` reads it back at line ${line}; ` +
            `but \`${cls.name}\` objects are shared (${why}). When two threads run \`${scope.name}\` on the same object, the second overwrites the first's value ` +
            `before it is read back. Keep it in a local variable (or in \`threading.local()\`).`,
        });
      }
    },
  },
};
