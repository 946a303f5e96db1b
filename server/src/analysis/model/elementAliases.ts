// A local bound to one element of a shared container whose elements are containers themselves —
// `conns = self.connections[address]`, `dmap = self._dumpers[fmt]`, `q = REG.setdefault(k, [])` — is a
// second name for part of that container's state: `conns.remove(c)` changes what
// `self.connections[address].remove(c)` changes, and the same lock has to guard both.
import type { Node } from '../parser';
import type { ModuleModel } from './module';
import type { FunctionScope } from './scopes';
import { isMutableContainer } from './scopes';
import { boundNames, namedChildren, positionalArguments } from './syntax';
import { namesRunningThread } from './perThreadKeys';

export interface ElementAlias {
  /** The container expression the local was read out of (`self.connections`). */
  container: Node;
  /** The statement that binds the local. */
  binding: Node;
}

/** Binding forms of a local other than a plain assignment: any of them makes the alias uncertain. */
const OTHER_BINDINGS: ReadonlySet<string> = new Set(['augmented_assignment', 'for_statement', 'as_pattern_target', 'named_expression']);

const perScope = new WeakMap<ModuleModel, Map<number, Map<string, ElementAlias>>>();
const containersOfContainers = new WeakMap<ModuleModel, Set<string>>();

/** The element alias `name` is in `scope`, or null. */
export function elementAlias(name: string, scope: FunctionScope, model: ModuleModel): ElementAlias | null {
  let byScope = perScope.get(model);
  if (!byScope) perScope.set(model, (byScope = new Map()));
  let aliases = byScope.get(scope.node.id);
  if (!aliases) byScope.set(scope.node.id, (aliases = aliasesIn(scope, model)));
  return aliases.get(name) ?? null;
}

/** Locals bound exactly once, by `x = C[k]`, `x = C.get(k…)` or `x = C.setdefault(k, …)`, with C's elements containers. */
function aliasesIn(scope: FunctionScope, model: ModuleModel): Map<string, ElementAlias> {
  const out = new Map<string, ElementAlias>();
  const bindings = new Map<string, number>();
  const count = (names: string[]) => names.forEach((n) => bindings.set(n, (bindings.get(n) ?? 0) + 1));
  for (const n of model.ownNodes(scope)) {
    if (n.type === 'assignment') count(boundNames(n.childForFieldName('left')));
    else if (OTHER_BINDINGS.has(n.type)) count(boundNames(n.type === 'named_expression' ? n.childForFieldName('name') : n.type === 'as_pattern_target' ? n : n.childForFieldName('left')));
  }
  for (const n of model.assignmentsOf(scope)) {
    const left = n.childForFieldName('left');
    if (left?.type !== 'identifier' || bindings.get(left.text) !== 1 || !scope.locals.has(left.text)) continue;
    const container = elementSource(n.childForFieldName('right'), scope, model);
    if (container && elementsAreContainers(container, scope, model, n.childForFieldName('right')!)) out.set(left.text, { container, binding: n });
  }
  return out;
}

/** `C[k]`, `C.get(k, …)`, `C.setdefault(k, …)` → C (an attribute or a name), unless k names the running thread. */
function elementSource(value: Node | null, scope: FunctionScope, model: ModuleModel): Node | null {
  let container: Node | null = null;
  let key: Node | undefined;
  if (value?.type === 'subscript') {
    container = value.childForFieldName('value');
    key = value.childForFieldName('subscript') ?? undefined;
  } else if (value?.type === 'call') {
    const fn = value.childForFieldName('function');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    if (method === 'get' || method === 'setdefault') {
      container = fn!.childForFieldName('object');
      key = positionalArguments(value)[0];
    }
  }
  if (!container || (container.type !== 'attribute' && container.type !== 'identifier')) return null;
  // `d[threading.get_ident()]`: each thread's own entry, no one else's.
  if (key && namesRunningThread(key, scope, model)) return null;
  return container;
}

/**
 * Are the container's elements containers? Said by the code somewhere in the module: the binding's own
 * default (`.setdefault(k, [])`, `.get(k, {})`), `C = defaultdict(list)`, `C = {a: {}, b: {}}`, `C = {f: {} for f in F}`,
 * `C[k] = []`, `C.setdefault(k, set())`.
 */
function elementsAreContainers(container: Node, scope: FunctionScope, model: ModuleModel, value: Node): boolean {
  if (value.type === 'call' && isMutableContainer(positionalArguments(value)[1] ?? null)) return true;
  const key = stateKey(container, scope);
  return !!key && containerKeys(model).has(key);
}

/** `self.f` in a method of `Cls` → `Cls.f`; a module name → itself; else null. */
function stateKey(expr: Node, scope: FunctionScope | null): string | null {
  if (expr.type === 'identifier') return expr.text;
  const object = expr.type === 'attribute' ? expr.childForFieldName('object') : null;
  const field = expr.childForFieldName('attribute')?.text;
  if (!object || !field || object.type !== 'identifier') return null;
  if (scope?.receiver && object.text === scope.receiver && scope.classNode) return `${scope.classNode.childForFieldName('name')?.text ?? ''}.${field}`;
  return `${object.text}.${field}`;
}

/** The state keys the module fills with containers (see elementsAreContainers): one pass, kept per model. */
function containerKeys(model: ModuleModel): Set<string> {
  let keys = containersOfContainers.get(model);
  if (keys) return keys;
  keys = new Set();
  for (const { node } of model.index.all('assignment')) {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) continue;
    const scope = model.scopeOf(node);
    if (left.type === 'subscript' && isMutableContainer(right)) {
      const target = left.childForFieldName('value');
      const key = target ? stateKey(target, scope) : null;
      if (key) keys.add(key);
    } else if ((left.type === 'attribute' || left.type === 'identifier') && makesContainerOfContainers(right)) {
      const key = stateKey(left, scope);
      if (key) keys.add(key);
    }
  }
  for (const { node } of model.index.all('call')) {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'setdefault') continue;
    const target = fn.childForFieldName('object');
    const key = target && isMutableContainer(positionalArguments(node)[1] ?? null) ? stateKey(target, model.scopeOf(node)) : null;
    if (key) keys.add(key);
  }
  containersOfContainers.set(model, keys);
  return keys;
}

const ELEMENT_FACTORIES = /^(?:collections\.)?(?:list|dict|set|deque|OrderedDict|defaultdict|Counter)$|^(?:weakref\.)?(?:WeakSet|WeakValueDictionary|WeakKeyDictionary)$/;

/** `defaultdict(list)`, `defaultdict(lambda: [])`, `{a: {}, b: []}`. */
function makesContainerOfContainers(value: Node): boolean {
  if (value.type === 'dictionary') {
    return namedChildren(value).some((pair) => pair.type === 'pair' && isMutableContainer(pair.childForFieldName('value')));
  }
  if (value.type === 'dictionary_comprehension') {
    const pair = value.childForFieldName('body');
    return pair?.type === 'pair' && isMutableContainer(pair.childForFieldName('value'));
  }
  if (value.type !== 'call' || !/^(?:collections\.)?defaultdict$/.test(value.childForFieldName('function')?.text ?? '')) return false;
  const factory = positionalArguments(value)[0];
  if (!factory) return false;
  if (factory.type === 'lambda') return isMutableContainer(factory.childForFieldName('body'));
  return ELEMENT_FACTORIES.test(factory.text);
}
