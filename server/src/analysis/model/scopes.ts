// Function scopes and name resolution (Python's LEGB rules, minus the parts rules never ask about).
import type { Node } from '../parser';
import { boundNames, decoratorNames, namedChildren, owningClass } from './syntax';
import { detached } from '../syntaxTree';

/** Methods Python hands the class as their first argument, decorated or not. */
const IMPLICIT_CLASS_METHODS: ReadonlySet<string> = new Set(['__new__', '__init_subclass__', '__class_getitem__']);

export type BindingKind =
  | 'local' // assigned in this function (and not declared global/nonlocal)
  | 'parameter'
  | 'global' // declared `global` in this function
  | 'nonlocal' // declared `nonlocal` in this function
  | 'closure' // read from an enclosing function's local (a cell)
  | 'module' // a module-level name read (not assigned) in this function
  | 'unknown'; // builtin or undefined

export interface FunctionScope {
  node: Node;
  name: string;
  parent: FunctionScope | null;
  /** The class whose method this is, if it is one. */
  classNode: Node | null;
  /** `self`/`cls`: the first parameter of a method, unless it is a staticmethod. */
  receiver: string | null;
  isClassMethod: boolean;
  /** `async def`: runs on its event loop's thread, interleaving only at `await`. */
  isAsync: boolean;
  parameters: Set<string>;
  /** Parameters whose default is a mutable container: one object shared by every call. */
  mutableDefaults: Set<string>;
  locals: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
}

export function parameterNames(fn: Node): string[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  const names: string[] = [];
  for (const p of namedChildren(params)) {
    if (p.type === 'identifier') names.push(p.text);
    else if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') {
      const id = namedChildren(p).find((c) => c.type === 'identifier');
      if (id) names.push(id.text);
    } else {
      const name = p.childForFieldName('name') ?? namedChildren(p).find((c) => c.type === 'identifier');
      if (name) names.push(name.text);
    }
  }
  return names;
}

const MUTABLE_LITERALS = new Set(['list', 'dictionary', 'set', 'list_comprehension', 'dictionary_comprehension', 'set_comprehension']);
const MUTABLE_CONSTRUCTORS = /^(?:collections\.)?(?:list|dict|set|bytearray|defaultdict|OrderedDict|Counter|deque)$/;

const BUILT_KINDS: Record<string, 'list' | 'dict' | 'set'> = {
  list: 'list', list_comprehension: 'list', dictionary: 'dict', dictionary_comprehension: 'dict', set: 'set', set_comprehension: 'set',
};

/** The plain built-in a value makes: `[…]`, `list(…)` and comprehensions → list; likewise dict and set; else null. */
export function builtContainerKind(value: Node | null): 'list' | 'dict' | 'set' | null {
  if (!value) return null;
  if (value.type !== 'call') return BUILT_KINDS[value.type] ?? null;
  const fn = value.childForFieldName('function');
  return fn?.type === 'identifier' && (fn.text === 'list' || fn.text === 'dict' || fn.text === 'set') ? fn.text : null;
}

/** Is this expression a freshly made mutable container (`[]`, `{}`, `set()`, `defaultdict(int)`)? */
export function isMutableContainer(value: Node | null): boolean {
  if (!value) return false;
  if (MUTABLE_LITERALS.has(value.type)) return true;
  return value.type === 'call' && MUTABLE_CONSTRUCTORS.test(value.childForFieldName('function')?.text ?? '');
}

function mutableDefaultParameters(fn: Node): Set<string> {
  const out = new Set<string>();
  const params = fn.childForFieldName('parameters');
  if (!params) return out;
  for (const p of namedChildren(params)) {
    if ((p.type === 'default_parameter' || p.type === 'typed_default_parameter') && isMutableContainer(p.childForFieldName('value'))) {
      const name = p.childForFieldName('name');
      if (name) out.add(name.text);
    }
  }
  return out;
}

/** What a function's scope holds that depends on its own subtree only (cached per definition node). */
type OwnFacts = Pick<FunctionScope, 'name' | 'isAsync' | 'parameters' | 'mutableDefaults' | 'locals' | 'globals' | 'nonlocals'> & {
  firstParam: string | null;
};

/**
 * A definition node is taken over by the next export only when its text and structure did not change
 * (syntaxTree.ts), so what its subtree says is still true after an edit elsewhere: an edit rebuilds only
 * the scopes of the functions it touched. Read-only: nothing mutates a scope's sets.
 */
const ownFactsCache = new WeakMap<Node, OwnFacts>();

/**
 * Builds a function's scope from the nodes in its own body (`own`: from the SyntaxIndex, not including
 * nested functions or classes, whose names are bindings here all the same).
 */
export function buildScope(fn: Node, parent: FunctionScope | null, own: Iterable<Node>): FunctionScope {
  let facts = ownFactsCache.get(fn);
  if (!facts) ownFactsCache.set(fn, (facts = detachedFacts(ownFacts(fn, own))));
  // Where the definition sits (its class, its enclosing function) and its decorators (on the
  // `decorated_definition` around it) can change while its own subtree does not.
  const classNode = fn.type === 'function_definition' ? owningClass(fn) : null;
  const decorators = decoratorNames(fn);
  // One object literal in one property order: every scope has the same shape (a spread would not).
  return {
    node: fn,
    name: facts.name,
    parent,
    classNode,
    receiver: classNode && !decorators.includes('staticmethod') ? facts.firstParam : null,
    // `__new__` is handed the class, and `__init_subclass__`/`__class_getitem__` are classmethods without
    // saying so: what they keep on their first parameter is class-level state.
    isClassMethod: decorators.includes('classmethod') || (!!classNode && IMPLICIT_CLASS_METHODS.has(facts.name)),
    isAsync: facts.isAsync,
    parameters: facts.parameters,
    mutableDefaults: facts.mutableDefaults,
    locals: facts.locals,
    globals: facts.globals,
    nonlocals: facts.nonlocals,
  };
}

/** The facts with every name copied out of the document (they outlive its version: `detached`). */
function detachedFacts(facts: OwnFacts): OwnFacts {
  const names = (set: Set<string>) => new Set([...set].map(detached));
  return {
    ...facts,
    name: detached(facts.name),
    firstParam: facts.firstParam === null ? null : detached(facts.firstParam),
    parameters: names(facts.parameters),
    mutableDefaults: names(facts.mutableDefaults),
    locals: names(facts.locals),
    globals: names(facts.globals),
    nonlocals: names(facts.nonlocals),
  };
}

function ownFacts(fn: Node, own: Iterable<Node>): OwnFacts {
  const parameters = new Set(parameterNames(fn));
  const globals = new Set<string>();
  const nonlocals = new Set<string>();
  const assigned = new Set<string>();
  for (const n of own) {
    switch (n.type) {
      case 'global_statement':
        for (const id of namedChildren(n)) globals.add(id.text);
        break;
      case 'nonlocal_statement':
        for (const id of namedChildren(n)) nonlocals.add(id.text);
        break;
      case 'assignment':
      case 'augmented_assignment':
        boundNames(n.childForFieldName('left'), []).forEach((x) => assigned.add(x));
        break;
      case 'for_statement':
        boundNames(n.childForFieldName('left'), []).forEach((x) => assigned.add(x));
        break;
      case 'as_pattern_target':
      case 'named_expression': {
        const target = n.type === 'named_expression' ? n.childForFieldName('name') : n;
        boundNames(target, []).forEach((x) => assigned.add(x));
        break;
      }
      case 'function_definition':
      case 'class_definition': {
        const name = n.childForFieldName('name');
        if (name) assigned.add(name.text);
        break;
      }
      case 'import_statement':
      case 'import_from_statement':
        for (const item of namedChildren(n)) {
          if (item.type === 'aliased_import') assigned.add(item.childForFieldName('alias')?.text ?? '');
          else if (item.type === 'dotted_name' && item.startIndex !== n.childForFieldName('module_name')?.startIndex) {
            assigned.add(item.text.split('.')[0]);
          }
        }
        break;
      case 'except_clause': {
        // `except E as name:` — the alias is the identifier after `as`
        const kids = n.children;
        const asIndex = kids.findIndex((k) => k?.type === 'as');
        const alias = asIndex >= 0 ? kids[asIndex + 1] : null;
        if (alias?.type === 'identifier') assigned.add(alias.text);
        break;
      }
    }
  }
  const locals = new Set([...assigned].filter((x) => !globals.has(x) && !nonlocals.has(x) && !parameters.has(x)));
  return {
    name: fn.childForFieldName('name')?.text ?? '<lambda>',
    firstParam: parameterNames(fn)[0] ?? null,
    isAsync: fn.type === 'function_definition' && fn.firstChild?.type === 'async',
    parameters,
    mutableDefaults: mutableDefaultParameters(fn),
    locals,
    globals,
    nonlocals,
  };
}

/** Resolves a name read or written inside `scope`, given the module's own bindings. */
export function resolveName(name: string, scope: FunctionScope | null, moduleNames: { has(name: string): boolean }): { kind: BindingKind; owner: FunctionScope | null } {
  if (scope) {
    if (scope.globals.has(name)) return { kind: 'global', owner: null };
    if (scope.nonlocals.has(name)) return { kind: 'nonlocal', owner: findClosureOwner(name, scope.parent) };
    if (scope.parameters.has(name)) return { kind: 'parameter', owner: scope };
    if (scope.locals.has(name)) return { kind: 'local', owner: scope };
    const owner = findClosureOwner(name, scope.parent);
    if (owner) return { kind: 'closure', owner };
  }
  if (moduleNames.has(name)) return { kind: 'module', owner: null };
  return { kind: 'unknown', owner: null };
}

function findClosureOwner(name: string, scope: FunctionScope | null): FunctionScope | null {
  for (let s = scope; s; s = s.parent) {
    if (s.globals.has(name)) return null;
    if (s.locals.has(name) || s.parameters.has(name)) return s;
  }
  return null;
}
