// FT214 — functools.cached_property / lru_cache / cache around a computation with side effects, on code
// that runs on several threads: concurrent first calls run it more than once. Docs: docs/rules/FT214.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import type { FunctionScope } from '../model/scopes';
import { accessRoot, namedChildren, positionalArguments, snippet } from '../model/syntax';
import { mutationOf, runsAlone } from './common';
import { calleeName, isTestCode, runsOnThreads, textHas } from './hazards';

const GATE = /cached_property|lru_cache|\bcache\b/;

const SIDE_EFFECT_CALLS = /^(?:os\.(?:remove|unlink|rename|replace|mkdir|makedirs|rmdir|removedirs|system|kill|symlink|link|truncate)|shutil\.\w+|subprocess\.\w+|requests\.(?:post|put|patch|delete)|socket\.create_connection|smtplib\.SMTP\w*)$/;

/** The cache decorator on a function_definition: "cached_property", "lru_cache", "cache", or null. */
function cacheDecorator(fn: Node, ctx: RuleContext): string | null {
  const parent = fn.parent;
  if (parent?.type !== 'decorated_definition') return null;
  for (const d of namedChildren(parent)) {
    if (d.type !== 'decorator') continue;
    let expr: Node | null = namedChildren(d)[0] ?? null;
    if (expr?.type === 'call') expr = expr.childForFieldName('function');
    const q = ctx.model.imports.qualify(expr) ?? '';
    if (q === 'functools.cached_property' || q === 'functools.lru_cache' || q === 'functools.cache') return q.split('.')[1];
  }
  return null;
}

/** The first side effect in the function's own body, described, or null. */
function sideEffect(scope: FunctionScope, ctx: RuleContext, propertyName: string | null): { node: Node; what: string } | null {
  const { model } = ctx;
  for (const n of model.ownNodes(scope)) {
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      if (!left) continue;
      if (left.type === 'identifier' && (scope.globals.has(left.text) || scope.nonlocals.has(left.text))) return { node: n, what: `rebinds \`${left.text}\`` };
      if (left.type === 'attribute' && scope.receiver && accessRoot(left)?.text === scope.receiver) {
        const attr = left.childForFieldName('attribute')?.text;
        if (attr !== propertyName) return { node: n, what: `changes \`${snippet(left, 30)}\`` };
      }
    }
    const m = mutationOf(n);
    if (m) {
      const root = accessRoot(m.container);
      if (root && (root.text === scope.receiver || ['module', 'global'].includes(model.resolve(root.text, scope).kind)) && model.bindings.get(root.text)?.kind !== 'import') {
        return { node: n, what: `changes \`${snippet(m.container, 30)}\`` };
      }
    }
    if (n.type === 'call') {
      const q = calleeName(n, model) ?? '';
      if (SIDE_EFFECT_CALLS.test(q)) return { node: n, what: `calls \`${q}\`` };
      if (q === 'open') {
        const mode = positionalArguments(n)[1]?.text ?? n.childForFieldName('arguments')?.text.match(/mode\s*=\s*(['"][^'"]*['"])/)?.[1] ?? '';
        if (/[wax+]/.test(mode)) return { node: n, what: 'writes a file' };
      }
    }
  }
  return null;
}

export const FT214: Rule = {
  code: 'FT214',
  name: 'cached-property-side-effects',
  summary: '`cached_property` / `lru_cache` / `cache` around a computation with side effects, on code that runs on several threads',
  precision: 'medium',
  visit: {
    function_definition(node: Node, ctx: RuleContext) {
      if (!textHas(ctx.model, ctx.text, GATE)) return;
      const decorator = cacheDecorator(node, ctx);
      if (!decorator) return;
      const { model } = ctx;
      const scope = model.scopeOf(node.childForFieldName('body') ?? node);
      if (!scope || scope.node.id !== node.id || isTestCode(scope)) return;
      const effect = sideEffect(scope, ctx, decorator === 'cached_property' ? scope.name : null);
      if (!effect) return;
      // Every caller holds one lock: two misses never run the body at once.
      if (model.heldLocks(effect.node).length > 0) return;
      // Only ever run alone (while its object is built, the module imported, before threads start):
      // no second thread can miss at the same time.
      if (runsAlone(node, scope, ctx) || model.isConstructionOnly(scope)) return;
      const entry = model.threads.entryFor(scope);
      const cls = model.classInfo(scope.classNode);
      const shared = cls ? model.whyInstancesShared(cls) : null;
      let why: string;
      if (entry) why = runsOnThreads(scope, entry);
      else if (shared) why = `instances of \`${cls!.name}\` are shared between threads (${shared})`;
      else return;
      const runsTwice =
        decorator === 'cached_property'
          ? 'Since Python 3.12 `cached_property` takes no lock: two threads reading the attribute before it is cached both run the getter'
          : `\`${decorator}\` keeps its cache consistent but does not stop two threads that miss on the same arguments from both calling the function (the functools documentation says so)`;
      ctx.report(node.childForFieldName('name') ?? node, {
        severity: 'warning',
        message:
          `\`${scope.name}\` is cached with \`${decorator}\` but ${effect.what} (line ${effect.node.startPosition.row + 1}), and ${why}. ` +
          `${runsTwice}, so the side effect can happen twice — on free-threaded Python, whenever threads really start together. ` +
          `Keep the cached computation pure and do the side effect elsewhere, or compute under a lock (check, compute and store inside \`with self._lock:\`).`,
      });
    },
  },
};
