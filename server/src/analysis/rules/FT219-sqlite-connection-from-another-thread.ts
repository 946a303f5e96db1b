// FT219 — a `sqlite3` connection made on one thread (the default `check_same_thread=True`) used from
// code another thread runs: sqlite3 raises `ProgrammingError` there. Docs: docs/rules/FT219.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { ModuleModel } from '../model/module';
import type { FunctionScope } from '../model/scopes';
import { keywordArgument, namedChildren, snippet } from '../model/syntax';
import { calleeName, textHas } from './hazards';
import { keptPlace, type KeptPlace } from './keptObjects';

const GATE = /sqlite3/;
/** A connection is made by a call whose callee ends in `connect`: a module without the word makes none. */
const CONNECT_GATE = /connect\b/;

/** Callables that return a connection bound to the thread that made it. */
const CONNECT = new Set(['sqlite3.connect', 'sqlite3.dbapi2.connect']);

/** A connection kept where several functions reach it: a field of `self`, or a module global. */
interface KeptConnection extends KeptPlace {
  /** The assignment that makes it; null when it is also made elsewhere, on a thread or shareable. */
  made: Node | null;
}

const keptCache = new WeakMap<ModuleModel, Map<string, KeptConnection>>();

/**
 * The module's connections made on the caller's thread (module level, or a function no thread of the
 * module reaches), by key. A key made anywhere else too — on a thread, or with `check_same_thread`
 * switched off — has no `made`: who owns it is not one thread.
 */
function keptConnections(model: ModuleModel): Map<string, KeptConnection> {
  let kept = keptCache.get(model);
  if (kept) return kept;
  kept = new Map();
  for (const { node } of model.index.all('assignment')) {
    const right = node.childForFieldName('right');
    const left = node.childForFieldName('left');
    // The callee's text first: qualifying every call on the right of an assignment is not cheap.
    if (right?.type !== 'call' || !left || !/connect$/.test(right.childForFieldName('function')?.text ?? '') || !CONNECT.has(calleeName(right, model) ?? '')) continue;
    const scope = model.scopeOf(node);
    const target = keptPlace(left, scope, model);
    if (!target) continue;
    const sameThreadOnly = (keywordArgument(right, 'check_same_thread')?.text ?? 'True') === 'True';
    const entry = scope ? model.threads.entryFor(scope) : null;
    const onCaller = sameThreadOnly && (!entry || entry.assumed);
    const known = kept.get(target.key);
    if (!onCaller) kept.set(target.key, { ...target, made: null });
    else if (!known) kept.set(target.key, { ...target, made: node });
  }
  keptCache.set(model, kept);
  return kept;
}

/** The kept connection `expr` names in `scope`: a global, or `self.<field>` of the owner class or a class related to it. */
function connectionAt(expr: Node, scope: FunctionScope, kept: Map<string, KeptConnection>, model: ModuleModel): KeptConnection | null {
  const target = keptPlace(expr, scope, model);
  if (!target) return null;
  const related = target.owner
    ? [...kept.values()].filter((k) => k.owner && k.name === target.name && model.relatedClasses(target.owner!, k.owner))
    : [kept.get(target.key)].filter((k): k is KeptConnection => !!k && !k.owner);
  // Made on a thread or shareable somewhere in the family: not one thread's.
  return related.length > 0 && related.every((k) => k.made) ? related[0] : null;
}

export const FT219: Rule = {
  code: 'FT219',
  name: 'sqlite-connection-from-another-thread',
  summary: 'a `sqlite3` connection made on one thread (default `check_same_thread=True`) used from code another thread runs: sqlite3 raises `ProgrammingError`',
  precision: 'medium',
  visit: {
    call(node: Node, ctx: RuleContext) {
      if (!textHas(ctx.model, ctx.text, GATE) || !textHas(ctx.model, ctx.text, CONNECT_GATE) || keptConnections(ctx.model).size === 0) return;
      const fn = node.childForFieldName('function');
      const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
      if (!receiver || (receiver.type !== 'attribute' && receiver.type !== 'identifier')) return;
      reportUse(node, receiver, `\`${snippet(node, 50)}\``, ctx);
    },
    with_statement(node: Node, ctx: RuleContext) {
      if (!textHas(ctx.model, ctx.text, GATE) || !textHas(ctx.model, ctx.text, CONNECT_GATE) || keptConnections(ctx.model).size === 0) return;
      const clause = namedChildren(node).find((c) => c.type === 'with_clause');
      for (const item of clause ? namedChildren(clause) : []) {
        const value = item.childForFieldName('value') ?? namedChildren(item)[0];
        if (value && (value.type === 'attribute' || value.type === 'identifier')) reportUse(value, value, `\`with ${value.text}:\``, ctx);
      }
    },
  },
};

function reportUse(at: Node, connection: Node, what: string, ctx: RuleContext): void {
  const kept = keptConnections(ctx.model);
  if (kept.size === 0) return;
  const scope = ctx.model.scopeOf(at);
  if (!scope) return;
  const found = connectionAt(connection, scope, kept, ctx.model);
  if (!found) return;
  const made = found.made!;
  const entry = ctx.model.threads.entryFor(scope);
  if (!entry || entry.assumed || scope.node === ctx.model.scopeOf(made)?.node) return;
  const via = entry.site === scope.node ? entry.via : `${entry.via}, line ${entry.site.startPosition.row + 1}`;
  const madeIn = ctx.model.scopeOf(made);
  const where = madeIn ? `in \`${madeIn.name}\`` : 'at module level';
  ctx.report(at, {
    severity: 'error',
    message:
      `${what} uses the SQLite connection \`${found.text}\`, made ${where} (line ${made.startPosition.row + 1}) on the thread that runs it, from \`${scope.name}\`, which runs on threads (${via}). ` +
      `A connection opened with the default \`check_same_thread=True\` may only be used by the thread that opened it: here sqlite3 raises \`ProgrammingError: SQLite objects created in a thread can only be used in that same thread\`. ` +
      `Open a connection in the thread that uses it (or one per thread, in a \`threading.local\`), or pass \`check_same_thread=False\` and serialise every use of the shared connection with a lock.`,
  });
}
