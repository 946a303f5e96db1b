// Branches no thread takes. A function threads reach only through calls that pass a constant for a
// parameter (or leave its default) runs on those threads only the branches the constant selects:
// `def read(self, size=-1): if size <= 0: <drain the queue> else: <self.current …>`, called on the
// reader thread as `self.read()`, runs its `else` only on its callers' threads. What that branch touches
// is not thread code.
import type { Node } from '../parser';
import type { FunctionScope } from './scopes';
import { keywordArgument, namedChildren, positionalArguments } from './syntax';

export interface BranchResolver {
  callersOf(fn: Node): Node[];
  /**
   * The calls other modules' thread code makes of the function, each encoded by encodeArguments
   * (ProjectFacts.threadCallArguments); empty when none is known.
   */
  externalThreadCalls?(fn: Node): readonly string[];
  scopeOf(node: Node): FunctionScope | null;
  /** A thread the code starts reaches the function (assume-concurrent alone does not count). */
  onThread(scope: FunctionScope): boolean;
  /** The function is handed to a thread API itself: its arguments come from that API. */
  isDirectEntry(fn: Node): boolean;
  /** The function is a thread entry the module's own code makes (not only another module's reach). */
  isOwnEntry?(fn: Node): boolean;
}

type Value = number | string | boolean | null;
const UNKNOWN = Symbol('unknown');

export class ThreadBranches {
  private readonly ranges = new Map<number, ReadonlyArray<readonly [number, number]>>();

  constructor(private readonly resolver: BranchResolver) {}

  /** Is `node`, in `scope`'s own body, in a branch no thread-side call of the function takes? */
  offThreads(node: Node, scope: FunctionScope): boolean {
    return this.prunedRanges(scope).some(([start, end]) => node.startIndex >= start && node.endIndex <= end);
  }

  /** The offsets of the branches no thread-side call takes (empty when every branch may run on threads). */
  prunedRanges(scope: FunctionScope): ReadonlyArray<readonly [number, number]> {
    let known = this.ranges.get(scope.node.id);
    if (!known) this.ranges.set(scope.node.id, (known = this.compute(scope)));
    return known;
  }

  private compute(scope: FunctionScope): Array<readonly [number, number]> {
    const fn = scope.node;
    const body = fn.type === 'function_definition' ? fn.childForFieldName('body') : null;
    if (!body || !this.resolver.onThread(scope)) return [];
    const tests = namedChildren(body).filter((s) => s.type === 'if_statement' && testedParameter(s.childForFieldName('condition')));
    if (tests.length === 0) return [];
    // Calls from other modules' threads: a plain function's, as `mod.f(…)` passes every parameter.
    const external = scope.receiver === null && !scope.isClassMethod ? (this.resolver.externalThreadCalls?.(fn) ?? []).map(decodeArguments) : [];
    // Handed to a thread API, the API calls it, with arguments no call here shows — unless only another
    // module's thread code reaches it and its calls there are known.
    if (external.length > 0 ? this.resolver.isOwnEntry?.(fn) !== false : this.resolver.isDirectEntry(fn)) return [];
    const params = parameterList(fn);
    const sites = this.resolver.callersOf(fn).filter((call) => {
      const caller = this.resolver.scopeOf(call);
      return !!caller && caller.node !== fn && this.resolver.onThread(caller);
    });
    // Reached on threads some other way (a callback, a name this model did not resolve): every branch may run.
    if (sites.length === 0 && external.length === 0) return [];
    const out: Array<readonly [number, number]> = [];
    for (const test of tests) {
      const condition = test.childForFieldName('condition')!;
      const name = testedParameter(condition)!;
      const param = params.find((p) => p.name === name);
      if (!param || reassigned(body, name)) continue;
      const outcomes = new Set<boolean | typeof UNKNOWN>();
      const values = [...sites.map((site) => () => argumentValue(site, param, scope.receiver !== null || scope.isClassMethod ? 1 : 0)), ...external.map((call) => () => encodedValue(call, param))];
      for (const valueOf of values) {
        const value = valueOf();
        outcomes.add(value === UNKNOWN ? UNKNOWN : evaluate(condition, name, value));
        if (outcomes.has(UNKNOWN) || outcomes.size > 1) break;
      }
      if (outcomes.size !== 1 || outcomes.has(UNKNOWN)) continue;
      const taken = outcomes.has(true);
      const consequence = test.childForFieldName('consequence');
      const alternatives = namedChildren(test).filter((c) => c.type === 'else_clause' || c.type === 'elif_clause');
      if (!taken && consequence) out.push([consequence.startIndex, consequence.endIndex]);
      if (taken) for (const alt of alternatives) out.push([alt.startIndex, alt.endIndex]);
    }
    return out;
  }
}

interface Parameter {
  name: string;
  /** Position among the parameters, the receiver included. */
  index: number;
  fallback: Node | null;
  keywordOnly: boolean;
}

function parameterList(fn: Node): Parameter[] {
  const params = fn.childForFieldName('parameters');
  const out: Parameter[] = [];
  let keywordOnly = false;
  let index = 0;
  for (const p of params ? namedChildren(params) : []) {
    if (p.type === 'keyword_separator' || p.type === 'list_splat_pattern') keywordOnly = true;
    if (p.type === 'identifier') out.push({ name: p.text, index: index++, fallback: null, keywordOnly });
    else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const name = p.childForFieldName('name');
      if (name) out.push({ name: name.text, index: index++, fallback: p.childForFieldName('value'), keywordOnly });
    } else if (p.type === 'typed_parameter') {
      const name = namedChildren(p).find((c) => c.type === 'identifier');
      if (name) out.push({ name: name.text, index: index++, fallback: null, keywordOnly });
    } else index++;
  }
  return out;
}

/** A call's arguments as literals, encoded for a module summary: JSON of [positional, keywords], `{}` for a value not a literal; `*` with a splat (nothing known). */
export function encodeArguments(call: Node): string {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return '*';
  const positional: Array<{ v?: Value }> = [];
  const keywords: Record<string, { v?: Value }> = {};
  const encode = (node: Node | null) => {
    const value = node ? literal(node) : UNKNOWN;
    return value === UNKNOWN ? {} : { v: value };
  };
  for (const a of namedChildren(args)) {
    if (a.type === 'list_splat' || a.type === 'dictionary_splat') return '*';
    if (a.type === 'comment') continue;
    if (a.type === 'keyword_argument') keywords[a.childForFieldName('name')?.text ?? ''] = encode(a.childForFieldName('value'));
    else positional.push(encode(a));
  }
  return JSON.stringify([positional, keywords]);
}

type Encoded = [Array<{ v?: Value }>, Record<string, { v?: Value }>] | null;

function decodeArguments(encoded: string): Encoded {
  try {
    return JSON.parse(encoded) as Encoded;
  } catch {
    return null;
  }
}

/** The constant an encoded call (of a plain function) passes for `param`, its default when it passes none, or UNKNOWN. */
function encodedValue(call: Encoded, param: Parameter): Value | typeof UNKNOWN {
  if (!call) return UNKNOWN;
  const [positional, keywords] = call;
  const given = Object.hasOwn(keywords, param.name) ? keywords[param.name] : !param.keywordOnly && param.index < positional.length ? positional[param.index] : undefined;
  if (given) return 'v' in given ? given.v! : UNKNOWN;
  return param.fallback ? literal(param.fallback) : UNKNOWN;
}

/** The constant a call passes for `param` (its default when it passes none), or UNKNOWN. */
function argumentValue(site: Node, param: Parameter, skipped: number): Value | typeof UNKNOWN {
  // A property read (`self.bytes`) passes nothing: every parameter takes its default.
  if (site.type !== 'call') return param.fallback ? literal(param.fallback) : UNKNOWN;
  const args = site.childForFieldName('arguments');
  if (!args || namedChildren(args).some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return UNKNOWN;
  // `self.m(x)` binds the receiver itself; `Cls.m(obj, x)` or a plain function passes every parameter.
  const bound = site.childForFieldName('function')?.type === 'attribute' ? skipped : 0;
  const keyword = keywordArgument(site, param.name);
  if (keyword) return literal(keyword);
  const positional = positionalArguments(site);
  const at = param.index - bound;
  if (!param.keywordOnly && at >= 0 && at < positional.length) return literal(positional[at]);
  return param.fallback ? literal(param.fallback) : UNKNOWN;
}

function literal(node: Node): Value | typeof UNKNOWN {
  switch (node.type) {
    case 'integer':
    case 'float': {
      const n = Number(node.text.replace(/_/g, ''));
      return Number.isFinite(n) ? n : UNKNOWN;
    }
    case 'unary_operator': {
      const inner = namedChildren(node)[0];
      const value = inner ? literal(inner) : UNKNOWN;
      return typeof value === 'number' && node.text.trimStart().startsWith('-') ? -value : UNKNOWN;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'string':
      return namedChildren(node).some((c) => c.type === 'interpolation') ? UNKNOWN : node.text.replace(/^[a-zA-Z]*(['"]{1,3})([\s\S]*)\1$/, '$2');
    default:
      return UNKNOWN;
  }
}

/** The one parameter a condition tests: `p`, `not p`, `p is None`, `p <= 0`, `p == "x"` (a literal on the other side). */
function testedParameter(condition: Node | null): string | null {
  if (!condition) return null;
  if (condition.type === 'identifier') return condition.text;
  if (condition.type === 'not_operator') return testedParameter(condition.childForFieldName('argument'));
  if (condition.type === 'parenthesized_expression') return testedParameter(namedChildren(condition)[0] ?? null);
  if (condition.type !== 'comparison_operator') return null;
  const operands = namedChildren(condition);
  if (operands.length !== 2) return null;
  const [a, b] = operands;
  if (a.type === 'identifier' && literal(b) !== UNKNOWN) return a.text;
  return null;
}

function truthy(value: Value): boolean {
  return value !== null && value !== false && value !== 0 && value !== '';
}

function evaluate(condition: Node, name: string, value: Value): boolean | typeof UNKNOWN {
  if (condition.type === 'identifier') return truthy(value);
  if (condition.type === 'parenthesized_expression') return evaluate(namedChildren(condition)[0]!, name, value);
  if (condition.type === 'not_operator') {
    const inner = evaluate(condition.childForFieldName('argument')!, name, value);
    return inner === UNKNOWN ? UNKNOWN : !inner;
  }
  const [, b] = namedChildren(condition);
  const other = literal(b);
  if (other === UNKNOWN) return UNKNOWN;
  const op = condition.children.filter((c) => !c.isNamed).map((c) => c.text).join(' ');
  switch (op) {
    case 'is':
    case '==':
      return value === other;
    case 'is not':
    case '!=':
      return value !== other;
  }
  if (typeof value !== 'number' || typeof other !== 'number') return UNKNOWN;
  switch (op) {
    case '<':
      return value < other;
    case '<=':
      return value <= other;
    case '>':
      return value > other;
    case '>=':
      return value >= other;
  }
  return UNKNOWN;
}

/** Is `name` bound again anywhere in the body (`size = size or default`, `for size in …`, `nonlocal`)? */
function reassigned(body: Node, name: string): boolean {
  const re = new RegExp(`(?<![\\w.])${name}\\s*(?:[-+*/%&|^]|//|\\*\\*|<<|>>)?=(?!=)|\\bfor\\s+(?:[\\w\\s,]*,\\s*)?${name}\\b[\\w\\s,]*\\bin\\b|\\bas\\s+${name}\\b|\\b(?:global|nonlocal)\\b[^\\n]*\\b${name}\\b|(?<![\\w.])${name}\\s*:=`);
  return re.test(body.text);
}
