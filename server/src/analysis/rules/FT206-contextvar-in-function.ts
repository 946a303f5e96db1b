// FT206 — contextvars.ContextVar created inside a function instead of at module level. Docs: docs/rules/FT206.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { positionalArguments, snippet } from '../model/syntax';
import type { FunctionScope } from '../model/scopes';
import { calleeName, isTestCode, textHas } from './hazards';

const GATE = /ContextVar/;

/** Is the local `name` later stored on an object or in a container (`obj.x = name`, `d[k] = name`, `setattr(obj, "x", name)`)? */
function storedLater(name: string, after: Node, scope: FunctionScope, ctx: RuleContext): boolean {
  return ctx.model.ownNodes(scope).some((n) => {
    if (n.startIndex <= after.endIndex) return false;
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      return n.childForFieldName('right')?.text === name && (left?.type === 'attribute' || left?.type === 'subscript');
    }
    if (n.type !== 'call' || !/^(?:setattr|object\.__setattr__|\w+\.__setattr__)$/.test(n.childForFieldName('function')?.text ?? '')) return false;
    const args = positionalArguments(n);
    return args.length === 3 && args[2].text === name;
  });
}

export const FT206: Rule = {
  code: 'FT206',
  name: 'contextvar-in-function',
  summary: '`contextvars.ContextVar` created inside a function instead of once at module level',
  precision: 'medium',
  visit: {
    call(node: Node, ctx: RuleContext) {
      if (!textHas(ctx.model, ctx.text, GATE)) return;
      if (calleeName(node, ctx.model) !== 'contextvars.ContextVar') return;
      const scope = ctx.model.scopeOf(node);
      if (!scope) return;
      // A test runs once: a fresh variable per test is isolation, not a leak.
      if (isTestCode(scope)) return;
      // `global _var; _var = ContextVar(...)` (lazy, once) or `cls._var = ContextVar(...)`: stored for reuse.
      const parent = node.parent;
      if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === node.id) {
        const left = parent.childForFieldName('left');
        if (left?.type === 'identifier' && scope.globals.has(left.text)) return;
        if (left?.type === 'attribute' || left?.type === 'subscript') return;
        // `var = ContextVar(…)` … `self._storage = var` / `object.__setattr__(self, "_storage", var)`.
        if (left?.type === 'identifier' && storedLater(left.text, node, scope, ctx)) return;
      }
      ctx.report(node, {
        severity: 'warning',
        message:
          `\`${snippet(node, 50)}\` creates a new context variable every time \`${scope.name}\` runs. ` +
          `Each ContextVar is a distinct key: a value set through one call's variable is invisible through the next one's, and every contextvars.Context that saw a value keeps the variable alive (the contextvars documentation: create them at module top level, never in closures). ` +
          `As threads and asyncio tasks multiply on free-threaded Python, so do the leaked variables. Create it once at module level and reuse it.`,
      });
    },
  },
};
