// Plans a reproduction of a race finding: which callable the threads race on, how to build the
// object it belongs to, which arguments to pass, and what racing state to observe afterwards.
// Purely syntactic over one module's tree, so the CLI, the language server's worker and the tests
// share it; the plan is plain data that reproduce/harness.ts turns into a Python script.
// Every expression in a plan is Python source evaluated in the module's namespace, so it may only use
// module-level names and builtins; anything the code builds inside a function is out of reach and
// becomes a blocker that says exactly what is missing.
import type { Node } from '../parser';
import { dottedName, keywordArgument, namedChildren, positionalArguments } from '../model/syntax';
import type { ReproPlan, ReproTarget } from './types';

/** Codes whose race shows as a statement running more often than serially (a duplicate init/act). */
const ACT_COUNT_CODES = new Set(['FT103', 'FT104']);

export { REPRODUCIBLE_CODES, type ReproPlan, type ReproTarget } from './types';

const BUILTINS = new Set([
  'True', 'False', 'None', 'range', 'len', 'list', 'tuple', 'dict', 'set', 'frozenset', 'str', 'int', 'float',
  'bytes', 'bytearray', 'bool', 'object', 'zip', 'enumerate', 'map', 'filter', 'sorted', 'reversed', 'min', 'max',
  'sum', 'abs', 'repr', 'chr', 'ord', 'iter',
]);

const POOL_METHODS = new Set(['map', 'imap', 'imap_unordered', 'map_async']);
const STARMAP_METHODS = new Set(['starmap', 'starmap_async']);
const SUBMIT_METHODS = new Set(['submit', 'apply_async', 'apply', 'to_thread', 'start_new_thread', 'start_new', 'call_soon_threadsafe']);
const STATEMENT_TYPES = new Set([
  'expression_statement', 'if_statement', 'for_statement', 'while_statement', 'return_statement', 'with_statement',
  'try_statement', 'delete_statement', 'assert_statement', 'raise_statement', 'global_statement', 'nonlocal_statement',
]);

export interface PlanInput {
  file: string;
  /** 1-based */
  line: number;
  code?: string;
  message?: string;
}

export function planReproduction(root: Node, input: PlanInput): ReproPlan {
  const plan: ReproPlan = { file: input.file, line: input.line, code: input.code, message: input.message, blockers: [] };
  const statement = statementAt(root, input.line - 1);
  if (!statement) {
    plan.blockers.push(`line ${input.line} holds no statement`);
    return plan;
  }
  const fn = enclosingDef(statement);
  if (!fn) {
    plan.blockers.push(`line ${input.line} runs at import time, not in a function a harness can call from threads`);
    return plan;
  }
  if (fn.children.some((c) => c?.type === 'async')) {
    plan.blockers.push(`${nameOf(fn)}() is a coroutine: it runs on an event loop, not on threads a harness can start`);
    return plan;
  }
  const outer = enclosingDef(fn);
  if (outer) {
    plan.blockers.push(`${nameOf(fn)}() is defined inside ${nameOf(outer)}(): a harness cannot reach it from outside; call ${nameOf(outer)}() from the harness instead`);
    return plan;
  }
  const cls = classOf(fn);
  if (cls === 'nested') {
    plan.blockers.push(`${nameOf(fn)}() belongs to a class that is not defined at module level`);
    return plan;
  }
  const target = targetOf(fn, cls);
  plan.target = target;
  const module = new ModuleFacts(root);

  if (cls) planInstance(plan, module, cls, target);
  planArguments(plan, module, fn, target);
  planState(plan, module, statement, fn, target);
  planCompanion(plan, module, statement, fn, cls, target);
  return plan;
}

/** The innermost simple or compound statement that starts on `row` (0-based). */
function statementAt(root: Node, row: number): Node | null {
  const lines = root.text.split('\n');
  const text = lines[row];
  if (text === undefined) return null;
  const column = text.length - text.trimStart().length;
  if (!text.trim() || text.trim().startsWith('#')) return null;
  const start: Node | null = root.descendantForPosition({ row, column });
  const isStatement = (n: Node) => STATEMENT_TYPES.has(n.type) || n.type === 'function_definition' || n.type === 'class_definition';
  for (let node: Node | null = start; node; node = node.parent) {
    if (node.startPosition.row === row && isStatement(node)) return node;
  }
  // A continuation line of a statement that starts above (a call's arguments, a long condition).
  for (let node: Node | null = start; node; node = node.parent) if (isStatement(node)) return node;
  return null;
}

function enclosingDef(node: Node): Node | null {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition') return n;
    if (n.type === 'class_definition') continue;
  }
  return null;
}

function nameOf(fn: Node): string {
  return fn.childForFieldName('name')?.text ?? '?';
}

/** The module-level class whose body holds `fn`; null for a module-level function; 'nested' otherwise. */
function classOf(fn: Node): Node | null | 'nested' {
  let n = fn.parent;
  if (n?.type === 'decorated_definition') n = n.parent;
  if (n?.type === 'module') return null;
  if (n?.type !== 'block' || n.parent?.type !== 'class_definition') return 'nested';
  const cls = n.parent;
  let up = cls.parent;
  if (up?.type === 'decorated_definition') up = up.parent;
  return up?.type === 'module' ? cls : 'nested';
}

function decorators(fn: Node): string[] {
  const parent = fn.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return namedChildren(parent)
    .filter((c) => c.type === 'decorator')
    .map((d) => d.text.replace(/^@/, '').replace(/\(.*$/s, '').trim());
}

function targetOf(fn: Node, cls: Node | null): ReproTarget {
  const name = nameOf(fn);
  const decos = decorators(fn);
  const className = cls?.childForFieldName('name')?.text;
  const kind = !cls ? 'function' : decos.includes('staticmethod') ? 'staticmethod' : decos.includes('classmethod') ? 'classmethod' : 'method';
  return {
    qualname: className ? `${className}.${name}` : name,
    kind,
    name,
    className,
    defLine: fn.startPosition.row + 1,
    isGenerator: containsOwn(fn, (n) => n.type === 'yield'),
  };
}

/** Does `fn`'s own body (not nested functions or classes) contain a node matching `test`? */
function containsOwn(fn: Node, test: (n: Node) => boolean): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  const stack: Node[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (test(n)) return true;
    for (const c of n.namedChildren) {
      if (c && c.type !== 'function_definition' && c.type !== 'class_definition' && c.type !== 'lambda') stack.push(c);
    }
  }
  return false;
}

interface Param {
  name: string;
  required: boolean;
  kind: 'positional' | 'keyword' | 'star' | 'starstar';
}

function parametersOf(fn: Node): Param[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  const out: Param[] = [];
  let keywordOnly = false;
  for (const p of namedChildren(params)) {
    switch (p.type) {
      case 'identifier':
        out.push({ name: p.text, required: true, kind: keywordOnly ? 'keyword' : 'positional' });
        break;
      case 'typed_parameter': {
        const id = namedChildren(p)[0];
        if (id?.type === 'list_splat_pattern') {
          out.push({ name: id.text, required: false, kind: 'star' });
          keywordOnly = true;
        } else if (id?.type === 'dictionary_splat_pattern') out.push({ name: id.text, required: false, kind: 'starstar' });
        else if (id) out.push({ name: id.text, required: true, kind: keywordOnly ? 'keyword' : 'positional' });
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter':
        out.push({ name: p.childForFieldName('name')?.text ?? '?', required: false, kind: keywordOnly ? 'keyword' : 'positional' });
        break;
      case 'list_splat_pattern':
        out.push({ name: p.text, required: false, kind: 'star' });
        keywordOnly = true;
        break;
      case 'keyword_separator':
        keywordOnly = true;
        break;
      case 'dictionary_splat_pattern':
        out.push({ name: p.text, required: false, kind: 'starstar' });
        break;
      default:
        break; // positional_separator
    }
  }
  return out;
}

/** What the module defines at top level, and every call in it (for call sites of the target). */
class ModuleFacts {
  readonly names = new Set<string>();
  /** NAME = Cls(...) at module level: class name → the names holding an instance. */
  readonly instances = new Map<string, string[]>();
  readonly classes = new Map<string, Node>();
  readonly calls: Node[] = [];

  constructor(readonly root: Node) {
    for (const stmt of namedChildren(root)) this.topLevel(stmt);
    const stack: Node[] = [root];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'call') this.calls.push(n);
      for (const c of n.namedChildren) if (c) stack.push(c);
    }
    this.calls.sort((a, b) => a.startIndex - b.startIndex);
  }

  private topLevel(stmt: Node): void {
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (!def) return;
    if (def.type === 'function_definition' || def.type === 'class_definition') {
      const name = def.childForFieldName('name')?.text;
      if (name) this.names.add(name);
      if (name && def.type === 'class_definition') this.classes.set(name, def);
      return;
    }
    if (def.type === 'import_statement' || def.type === 'import_from_statement') {
      for (const c of namedChildren(def)) {
        if (def.type === 'import_from_statement' && c === def.childForFieldName('module_name')) continue;
        const alias = c.type === 'aliased_import' ? c.childForFieldName('alias') : c;
        const first = alias?.text.split('.')[0];
        if (first) this.names.add(first);
      }
      return;
    }
    // `if __name__ == "__main__":` does not run when the harness imports the module: its names do not exist.
    if (def.type === 'if_statement' && /__name__/.test(def.childForFieldName('condition')?.text ?? '')) return;
    if (def.type === 'if_statement' || def.type === 'try_statement' || def.type === 'with_statement') {
      // Names bound under a top-level `if`/`try` (optional imports, platform switches) are module names too.
      for (const block of def.namedChildren) {
        if (!block) continue;
        const body = block.type === 'block' ? block : block.namedChildren.find((c) => c?.type === 'block');
        if (body) for (const s of namedChildren(body)) this.topLevel(s);
      }
      return;
    }
    if (def.type !== 'expression_statement') return;
    const assign = namedChildren(def)[0];
    if (assign?.type !== 'assignment') return;
    const left = assign.childForFieldName('left');
    const right = assign.childForFieldName('right');
    for (const id of left ? identifiersOfTarget(left) : []) this.names.add(id);
    if (left?.type === 'identifier' && right?.type === 'call') {
      const callee = dottedName(right.childForFieldName('function'));
      if (callee?.length === 1) {
        const list = this.instances.get(callee[0]) ?? [];
        list.push(left.text);
        this.instances.set(callee[0], list);
      }
    }
  }

  /** Is `expr` evaluable in the module namespace (only literals, module names, builtins)? */
  evaluable(expr: Node): boolean {
    const stack: Node[] = [expr];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'lambda' || n.type.endsWith('comprehension') || n.type === 'generator_expression' || n.type === 'await') return false;
      if (n.type === 'identifier') {
        const parent = n.parent;
        // `x.attr` and `f(key=…)` name no variable with their second identifier
        if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === n.id) continue;
        if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === n.id) continue;
        if (!this.names.has(n.text) && !BUILTINS.has(n.text)) return false;
        continue;
      }
      for (const c of n.namedChildren) if (c) stack.push(c);
    }
    return true;
  }
}

function identifiersOfTarget(target: Node): string[] {
  if (target.type === 'identifier') return [target.text];
  if (target.type === 'pattern_list' || target.type === 'tuple_pattern' || target.type === 'list_pattern') {
    return namedChildren(target).flatMap(identifiersOfTarget);
  }
  return [];
}

/** Does this callable expression name the target (`work`, `self.feed`, `PARSER.feed`, `Parser.feed`)? */
function namesTarget(expr: Node | null, target: ReproTarget): boolean {
  const path = dottedName(expr);
  if (!path) return false;
  if (target.kind === 'function') return path.length === 1 && path[0] === target.name;
  return path.length >= 2 && path[path.length - 1] === target.name;
}

function planInstance(plan: ReproPlan, module: ModuleFacts, cls: Node, target: ReproTarget): void {
  const className = target.className!;
  if (target.kind === 'staticmethod' || target.kind === 'classmethod') {
    plan.instance = className;
    plan.instanceWhy = `the class ${className}`;
    return;
  }
  if (isMetaclass(cls)) {
    // A metaclass's instances are classes: one the module makes with it, else a fresh empty one.
    const user = [...module.classes].find(([, node]) => metaclassOf(node) === className)?.[0];
    plan.instance = user ?? `${className}("FtauditProbe", (), {})`;
    plan.instanceWhy = user ? `the class ${user}, made with the metaclass ${className}` : `a class made with the metaclass ${className}`;
    return;
  }
  const globals = module.instances.get(className);
  if (globals?.length) {
    plan.instance = globals[0];
    plan.instanceWhy = `the module-level ${globals[0]} = ${className}(…), as the code shares it`;
    return;
  }
  const init = constructorOf(cls, module);
  const required = init ? parametersOf(init).slice(1).filter((p) => p.required) : [];
  if (required.length === 0) {
    plan.instance = `${className}()`;
    plan.instanceWhy = `${className}() (its constructor needs no arguments), one object shared by every thread`;
    return;
  }
  for (const call of module.calls) {
    const callee = dottedName(call.childForFieldName('function'));
    if (!callee || callee[callee.length - 1] !== className || callee.length > 1) continue;
    const args = call.childForFieldName('arguments');
    if (args && module.evaluable(args)) {
      plan.instance = `${className}${args.text}`;
      plan.instanceWhy = `${className}${args.text} as line ${call.startPosition.row + 1} builds it, one object shared by every thread`;
      return;
    }
  }
  const factory = factoryOf(className, module);
  if (factory) {
    plan.instance = `${factory}()`;
    plan.instanceWhy = `${factory}(), the module's function that builds a ${className}, one object shared by every thread`;
    return;
  }
  plan.blockers.push(`${className}(…) needs ${required.map((p) => `\`${p.name}\``).join(', ')}, and no call in this module passes values ftaudit can build`);
}

function superclasses(cls: Node): Node[] {
  const list = cls.childForFieldName('superclasses');
  return list ? namedChildren(list) : [];
}

function isMetaclass(cls: Node): boolean {
  return superclasses(cls).some((b) => b.type !== 'keyword_argument' && /^(?:type|abc\.ABCMeta|ABCMeta|\w*Meta)$/.test(b.text));
}

function metaclassOf(cls: Node): string | undefined {
  const kw = superclasses(cls).find((b) => b.type === 'keyword_argument' && b.childForFieldName('name')?.text === 'metaclass');
  return kw?.childForFieldName('value')?.text;
}

/** A module-level function without required parameters that returns `Cls(…)`: a factory or accessor. */
function factoryOf(className: string, module: ModuleFacts): string | null {
  for (const stmt of namedChildren(module.root)) {
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (def?.type !== 'function_definition' || def.children.some((c) => c?.type === 'async')) continue;
    if (parametersOf(def).some((p) => p.required)) continue;
    // `return Cls(…)`, or a lazy accessor: `NAME = Cls(…)` … `return NAME`
    const isBuild = (value: Node | null | undefined) => {
      const callee = value?.type === 'call' ? dottedName(value.childForFieldName('function')) : null;
      return callee?.length === 1 && callee[0] === className;
    };
    const built = new Set<string>();
    containsOwn(def, (n) => {
      if (n.type === 'assignment' && n.childForFieldName('left')?.type === 'identifier' && isBuild(n.childForFieldName('right'))) built.add(n.childForFieldName('left')!.text);
      return false;
    });
    const builds = containsOwn(def, (n) => {
      if (n.type !== 'return_statement') return false;
      const value = namedChildren(n)[0];
      return isBuild(value) || (value?.type === 'identifier' && built.has(value.text));
    });
    if (builds) return nameOf(def);
  }
  return null;
}

/** The `__init__` a class runs: its own, or the first found up its bases defined in this module. */
function constructorOf(cls: Node, module: ModuleFacts, seen = new Set<number>()): Node | null {
  const own = methodOf(cls, '__init__');
  if (own || seen.has(cls.id)) return own;
  seen.add(cls.id);
  for (const base of superclasses(cls)) {
    const node = base.type === 'identifier' ? module.classes.get(base.text) : undefined;
    const inherited = node ? constructorOf(node, module, seen) : null;
    if (inherited) return inherited;
  }
  return null;
}

function methodOf(cls: Node, name: string): Node | null {
  const body = cls.childForFieldName('body');
  for (const stmt of body ? namedChildren(body) : []) {
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (def?.type === 'function_definition' && nameOf(def) === name) return def;
  }
  return null;
}

function planArguments(plan: ReproPlan, module: ModuleFacts, fn: Node, target: ReproTarget): void {
  const params = parametersOf(fn).slice(target.kind === 'method' || target.kind === 'classmethod' ? 1 : 0);
  const required = params.filter((p) => p.required);
  if (required.length === 0) {
    plan.argSets = '[()]';
    plan.argsWhy = `${target.qualname}() needs no arguments`;
    return;
  }
  const sets: string[] = [];
  const iterables: string[] = [];
  const seen: string[] = [];
  for (const call of module.calls) {
    const found = argumentsFromCall(call, target, module);
    if (!found) continue;
    if (found.seen) seen.push(found.seen);
    if (found.tuple) sets.push(found.tuple);
    if (found.iterable) iterables.push(found.iterable);
  }
  const tuples = [...new Set(sets)].slice(0, 16);
  if (tuples.length || iterables.length) {
    const parts = [...(tuples.length ? [`[${tuples.join(', ')}]`] : []), ...[...new Set(iterables)].slice(0, 2)];
    plan.argSets = parts.join(' + ');
    plan.argsWhy = `arguments from the calls this module makes (${parts.length === 1 ? parts[0] : `${parts.length} sources`})`;
    return;
  }
  const names = required.map((p) => `\`${p.name}\``).join(', ');
  const where = seen.length ? ` (seen: ${[...new Set(seen)].slice(0, 3).join('; ')})` : '';
  plan.blockers.push(`${target.qualname}() needs ${names}, and no call in this module passes values ftaudit can build from module-level names${where}`);
}

/** Arguments a call site passes to the target: a tuple (source) or an iterable of tuples (source). */
function argumentsFromCall(call: Node, target: ReproTarget, module: ModuleFacts): { tuple?: string; iterable?: string; seen?: string } | null {
  const fnExpr = call.childForFieldName('function');
  const callee = dottedName(fnExpr);
  const method = callee?.[callee.length - 1] ?? '';
  const positional = positionalArguments(call);
  const seen = call.text.length > 80 ? `${call.text.slice(0, 77)}…` : call.text;
  const tupleOf = (args: Node[]): string | undefined => {
    if (!args.every((a) => module.evaluable(a))) return undefined;
    return args.length === 1 ? `(${args[0].text},)` : `(${args.map((a) => a.text).join(', ')})`;
  };
  // Thread(target=f, args=(…)) / Timer(t, f, args=[…])
  const targetKw = keywordArgument(call, 'target');
  if (namesTarget(targetKw, target) || (/Timer$/.test(method) && namesTarget(positional[1] ?? null, target))) {
    const args = keywordArgument(call, 'args');
    if (!args) return { tuple: '()', seen };
    if (!module.evaluable(args)) return { seen };
    return { tuple: `tuple(${args.text})`, seen };
  }
  // pool.map(f, items) / executor.map(f, items)
  if (POOL_METHODS.has(method) && namesTarget(positional[0] ?? null, target)) {
    const items = positional.slice(1);
    if (items.length === 0 || !items.every((a) => module.evaluable(a))) return { seen };
    const zipped = items.length === 1 ? `[(x,) for x in ${items[0].text}]` : `list(zip(${items.map((a) => a.text).join(', ')}))`;
    return { iterable: `${zipped}[:64]`, seen };
  }
  if (STARMAP_METHODS.has(method) && namesTarget(positional[0] ?? null, target)) {
    const items = positional[1];
    if (!items || !module.evaluable(items)) return { seen };
    return { iterable: `[tuple(x) for x in ${items.text}][:64]`, seen };
  }
  // executor.submit(f, a, b) / asyncio.to_thread(f, a) / loop.run_in_executor(None, f, a)
  if (SUBMIT_METHODS.has(method) && namesTarget(positional[0] ?? null, target)) {
    if (method === 'apply_async' || method === 'apply') {
      const args = positional[1] ?? keywordArgument(call, 'args');
      if (!args) return { tuple: '()', seen };
      return module.evaluable(args) ? { tuple: `tuple(${args.text})`, seen } : { seen };
    }
    const t = tupleOf(positional.slice(1));
    return t ? { tuple: t, seen } : { seen };
  }
  if (method === 'run_in_executor' && namesTarget(positional[1] ?? null, target)) {
    const t = tupleOf(positional.slice(2));
    return t ? { tuple: t, seen } : { seen };
  }
  // A direct call: f(a, b) / self.feed(data) / PARSER.feed(data)
  if (namesTarget(fnExpr, target) && !hasKeywords(call)) {
    const t = tupleOf(positional);
    return t ? { tuple: t, seen } : { seen };
  }
  return null;
}

function hasKeywords(call: Node): boolean {
  const args = call.childForFieldName('arguments');
  return !!args && namedChildren(args).some((a) => a.type === 'keyword_argument' || a.type === 'dictionary_splat' || a.type === 'list_splat');
}

function planState(plan: ReproPlan, module: ModuleFacts, statement: Node, fn: Node, target: ReproTarget): void {
  // Scratch state is rewritten by every call: its final value says nothing, the calls' results do.
  if (plan.code === 'FT109') return;
  const globalsDeclared = globalNames(fn);
  const place = racingPlace(statement);
  if (place) {
    const expr = stateExpression(place, module, globalsDeclared, target);
    if (expr) {
      plan.state = expr;
      plan.stateLabel = place.text;
    }
  }
  const guard = checkThenActAround(statement);
  if ((plan.code && ACT_COUNT_CODES.has(plan.code)) || guard) plan.actLine = actLineOf(guard ?? statement);
  if (guard && !plan.state) {
    const checked = checkedContainer(guard.childForFieldName('condition')!);
    const expr = checked ? stateExpression(checked, module, globalNames(fn), target) : null;
    if (expr) {
      plan.state = expr;
      plan.stateLabel = checked!.text;
    }
  }
}

const MUTATORS = new Set(['append', 'appendleft', 'add', 'update', 'pop', 'popitem', 'popleft', 'remove', 'discard', 'clear', 'insert', 'extend', 'setdefault', '__setitem__', '__delitem__']);

/**
 * A reader racing with writers (an iteration, a copy, a read-then-act on a container another function
 * fills) shows nothing when only it runs: the plan adds a function of the module (or a method of the
 * class) that changes the same place, run by every other thread.
 */
function planCompanion(plan: ReproPlan, module: ModuleFacts, statement: Node, fn: Node, cls: Node | null, target: ReproTarget): void {
  if (!plan.stateLabel || plan.code === 'FT109' || plan.code === 'FT101') return;
  if (writesPlace(fn, plan.stateLabel) && statement.type !== 'for_statement') return;
  const candidates: Array<{ def: Node; owner: Node | null }> = [];
  const self = plan.stateLabel.startsWith('self.');
  if (self && cls) {
    const body = cls.childForFieldName('body');
    for (const stmt of body ? namedChildren(body) : []) {
      const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      if (def?.type === 'function_definition' && def.id !== fn.id && nameOf(def) !== '__init__') candidates.push({ def, owner: cls });
    }
  } else if (!self) {
    for (const stmt of namedChildren(module.root)) {
      const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
      if (def?.type === 'function_definition' && def.id !== fn.id) candidates.push({ def, owner: null });
    }
  }
  for (const { def, owner } of candidates) {
    if (def.children.some((c) => c?.type === 'async') || !writesPlace(def, plan.stateLabel)) continue;
    const companionTarget = targetOf(def, owner);
    const probe: ReproPlan = { file: plan.file, line: def.startPosition.row + 1, blockers: [] };
    planArguments(probe, module, def, companionTarget);
    if (!probe.argSets) {
      (plan.notes ??= []).push(`${companionTarget.qualname}() changes ${plan.stateLabel} but cannot be driven (${probe.blockers[0] ?? 'its arguments are unknown'}), so ${target.qualname}() runs without a writer; name one in make_companion() of the harness`);
      continue;
    }
    plan.notes = undefined;
    const callable = companionTarget.kind === 'function' ? `${companionTarget.name}` : `inst.${companionTarget.name}`;
    plan.companion = { qualname: companionTarget.qualname, callable, argSets: probe.argSets };
    return;
  }
}

/** Does `fn` (its own body) assign into, delete from or call a mutating method of `place`? */
function writesPlace(fn: Node, place: string): boolean {
  const hits = (n: Node | null) => !!n && (n.text === place || n.text.startsWith(`${place}[`));
  return containsOwn(fn, (n) => {
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      return !!left && left.type === 'subscript' && hits(left.childForFieldName('value'));
    }
    if (n.type === 'delete_statement') return namedChildren(n).some((t) => t.type === 'subscript' && hits(t.childForFieldName('value')));
    if (n.type === 'call') {
      const f = n.childForFieldName('function');
      return f?.type === 'attribute' && MUTATORS.has(f.childForFieldName('attribute')?.text ?? '') && hits(f.childForFieldName('object'));
    }
    return false;
  });
}

/** The place a statement races on: the target of `x += 1` / `x = f(x)`, the receiver of `d.update(…)`, the checked container. */
function racingPlace(statement: Node): Node | null {
  let node: Node | null = statement;
  if (statement.type === 'if_statement') {
    node = statement.childForFieldName('condition');
    const container = node ? checkedContainer(node) : null;
    if (container) return container;
    const first = firstStatement(statement.childForFieldName('consequence'));
    if (!first) return null;
    node = first;
  }
  if (statement.type === 'for_statement') return iteratedContainer(statement);
  if (node?.type === 'expression_statement') node = namedChildren(node)[0] ?? null;
  if (!node) return null;
  if (node.type === 'augmented_assignment') return node.childForFieldName('left');
  if (node.type === 'assignment') {
    const left = node.childForFieldName('left');
    // d[k] = d.get(k, 0) + 1: the dictionary, since the key varies per call
    if (left?.type === 'subscript') {
      const value = left.childForFieldName('value');
      const key = left.childForFieldName('subscript');
      if (key && (key.type === 'integer' || key.type === 'string')) return left;
      return value;
    }
    return left;
  }
  if (node.type === 'call') {
    const fnExpr = node.childForFieldName('function');
    if (fnExpr?.type === 'attribute') return fnExpr.childForFieldName('object');
  }
  return null;
}

/** `for x in D.values()` / `for x in self._d` / `for k, v in list(D.items())` → D, self._d. */
function iteratedContainer(loop: Node): Node | null {
  let it = loop.childForFieldName('right');
  for (let depth = 0; it && depth < 3; depth++) {
    if (it.type === 'call') {
      const fnExpr = it.childForFieldName('function');
      // list(x) / sorted(x) / D.items(): look inside
      if (fnExpr?.type === 'attribute') it = fnExpr.childForFieldName('object');
      else it = positionalArguments(it)[0] ?? null;
      continue;
    }
    break;
  }
  return it && (it.type === 'identifier' || it.type === 'attribute' || it.type === 'subscript') ? it : null;
}

/** `k not in CACHE` → CACHE; `self._x is None` → self._x. */
function checkedContainer(condition: Node): Node | null {
  let c: Node | null = condition;
  while (c?.type === 'parenthesized_expression' || c?.type === 'not_operator') c = c.type === 'not_operator' ? c.childForFieldName('argument') : namedChildren(c)[0] ?? null;
  if (c?.type === 'comparison_operator') {
    const ops = c.children.filter((x) => x && !x.isNamed).map((x) => x!.text).join(' ');
    const parts = namedChildren(c);
    if (/\bin\b/.test(ops)) return parts[1] ?? null;
    return parts[0] ?? null;
  }
  return null;
}

function firstStatement(block: Node | null): Node | null {
  return block ? namedChildren(block)[0] ?? null : null;
}

/** The `if` of a check-then-act on this line, or around this statement (the act): `if k not in D: D[k] = …`. */
function checkThenActAround(statement: Node): Node | null {
  const candidates = [statement, statement.parent?.type === 'block' ? statement.parent.parent : null];
  for (const c of candidates) {
    if (c?.type !== 'if_statement') continue;
    const condition = c.childForFieldName('condition');
    if (condition && checkedContainer(condition)) return c;
  }
  return null;
}

/** The act of a check-then-act: the statement of the `if` body that writes what the condition read. */
function actLineOf(statement: Node): number {
  if (statement.type === 'if_statement') {
    const condition = statement.childForFieldName('condition');
    const checked = condition ? checkedContainer(condition)?.text : undefined;
    const body = statement.childForFieldName('consequence');
    const statements = body ? namedChildren(body) : [];
    const act = statements.find((s) => checked !== undefined && writes(s, checked)) ?? statements[0];
    if (act) return act.startPosition.row + 1;
  }
  return statement.startPosition.row + 1;
}

/** Does a simple statement assign to or call a method of `place` (or something inside it)? */
function writes(statement: Node, place: string): boolean {
  const inner = statement.type === 'expression_statement' ? namedChildren(statement)[0] : null;
  if (!inner) return false;
  const starts = (n: Node | null) => !!n && (n.text === place || n.text.startsWith(`${place}[`) || n.text.startsWith(`${place}.`));
  if (inner.type === 'assignment' || inner.type === 'augmented_assignment') return starts(inner.childForFieldName('left'));
  if (inner.type === 'call') return starts(inner.childForFieldName('function'));
  return false;
}

function globalNames(fn: Node): Set<string> {
  const names = new Set<string>();
  const body = fn.childForFieldName('body');
  for (const stmt of body ? namedChildren(body) : []) {
    if (stmt.type === 'global_statement') for (const id of namedChildren(stmt)) names.add(id.text);
  }
  return names;
}

/** The place as an expression over module names (and `inst` for `self`); null for locals and closures. */
function stateExpression(place: Node, module: ModuleFacts, globalsDeclared: Set<string>, target: ReproTarget): string | null {
  let root: Node = place;
  while (root.type === 'attribute' || root.type === 'subscript') {
    const next = root.type === 'attribute' ? root.childForFieldName('object') : root.childForFieldName('value');
    if (!next) return null;
    root = next;
  }
  if (root.type !== 'identifier') return null;
  // only constant subscripts and attributes: `counter[0]`, `self.stats["hits"]`, not `d[k]`
  for (let n: Node | null = place; n && n.id !== root.id; n = n.type === 'attribute' ? n.childForFieldName('object') : n.childForFieldName('value')) {
    if (n.type === 'subscript') {
      const key = n.childForFieldName('subscript');
      if (!key || !['integer', 'string', 'identifier'].includes(key.type)) return null;
      if (key.type === 'identifier' && !module.names.has(key.text)) return null;
    }
  }
  const selfName = target.kind === 'method' || target.kind === 'classmethod' ? 'self' : null;
  if (root.text === selfName || (target.kind === 'classmethod' && root.text === 'cls')) {
    return `inst${place.text.slice(root.text.length)}`;
  }
  if (place.type === 'identifier' && !globalsDeclared.has(place.text) && place.parent?.type !== 'subscript' && isBoundLocally(place)) return null;
  return module.names.has(root.text) ? place.text : null;
}

/** A bare name assigned by `name += …`/`name = …` without `global` is a local of the function. */
function isBoundLocally(place: Node): boolean {
  const parent = place.parent;
  return !!parent && (parent.type === 'augmented_assignment' || parent.type === 'assignment') && parent.childForFieldName('left')?.id === place.id;
}
