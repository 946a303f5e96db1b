// Which expressions name state that other threads can see, and how to describe it in a message.
import type { Node } from '../parser';
import type { ClassInfo, ModuleModel, SharingEvidence } from './module';
import type { FunctionScope } from './scopes';
import type { Confidence } from '../options';
import { accessRoot, namedChildren } from './syntax';
import { elementAlias } from './elementAliases';

export type SharedKind = 'global' | 'closure' | 'class-attribute' | 'module-attribute' | 'shared-instance' | 'mutable-default' | 'argument';

export interface SharedState {
  kind: SharedKind;
  /** Human wording, e.g. "module global `counter`". */
  description: string;
  /**
   * True when the only evidence of sharing is indirect (a bound method handed to a thread, a
   * module-level instance): then only code that runs on threads is reported, not every method.
   */
  weak?: boolean;
  /** How strong the evidence that other threads reach it is (shared instances; others by kind). */
  confidence?: Confidence;
  /** A stable key for the state (`counter`, `Account.balance`, `Stats.hits`), for cross-referencing writes. */
  key: string;
  /** A closure's `self.x` through the enclosing method's captured receiver: the field `x` of its class. */
  receiverField?: string;
  /** Shared between one thread and the object's holder only (SharingEvidence.holderSide). */
  holderSide?: boolean;
  /** With `holderSide`: the thread side may write it. */
  threadWrites?: boolean;
  /** The evidence is a lock held at some access of the field: it is meant to be shared. */
  locked?: boolean;
  /** A local bound to one element of this container (`keys = QUEUE[k]`): the state is that element's. */
  elementOf?: Node;
}

/**
 * `rebind`: the expression is assigned to (`x = …`, `x += …`); a bare name is shared only through
 * `global`/`nonlocal`. `object`: the expression's object is used or mutated (`x.append(…)`, `k in x`);
 * a bare name is shared when it resolves to a module global or a closure variable.
 */
export type AccessMode = 'rebind' | 'object';


/**
 * Describes the shared state an expression denotes inside `scope`, or null when it is confined to the
 * call (locals, parameters, objects under construction, threading.local).
 */
export function sharedState(expr: Node, scope: FunctionScope, model: ModuleModel, mode: AccessMode = 'rebind'): SharedState | null {
  if (expr.type === 'parenthesized_expression') {
    const inner = namedChildren(expr)[0];
    return inner ? sharedState(inner, scope, model, mode) : null;
  }
  if (expr.type === 'identifier' && mode === 'rebind') {
    const { kind } = model.resolve(expr.text, scope);
    if (kind === 'global') return { kind: 'global', description: `module global \`${expr.text}\``, key: expr.text };
    if (kind === 'nonlocal' && scope.parent && calledInPlace(scope, declaringScope(expr.text, scope), model)) return null;
    if (kind === 'nonlocal') return { kind: 'closure', description: `\`${expr.text}\`, a variable of the enclosing function (nonlocal)`, key: `${scope.parent?.name ?? ''}.${expr.text}` };
    return null;
  }
  if (expr.type !== 'attribute' && expr.type !== 'subscript' && expr.type !== 'identifier') return null;

  const classOfType = typeOfReceiver(expr, scope);
  if (classOfType) return { kind: 'class-attribute', description: `class attribute of \`${classOfType}\``, key: `${classOfType}.${path(expr)[1] ?? ''}` };

  const root = accessRoot(expr);
  if (!root) return null;
  const name = root.text;
  const attribute = firstAttribute(expr);
  if (name === scope.receiver) {
    const cls = model.classInfo(scope.classNode);
    if (!cls) return null;
    const field = path(expr)[1];
    // A metaclass's `cls` is a class: what it keeps on `cls` is class-level state every caller shares.
    if (isMetaclass(cls.node) && field) return { kind: 'class-attribute', description: `class-level \`${name}.${field}\` of metaclass \`${cls.name}\``, key: `${cls.name}.${field}` };
    // `command_set = Dataset()` in the class body and no `self.command_set = …` anywhere: every
    // instance reaches the class's one object through `self` — a change of it is every instance's.
    if (mode === 'object' && expr.type === 'attribute' && path(expr).length === 2 && !scope.isClassMethod && !model.isConstructionOnly(scope) && sharedClassObject(cls, field)) {
      return { kind: 'class-attribute', description: `\`${cls.name}.${field}\`, a mutable class attribute every instance reaches through \`${name}.${field}\` (no method gives an instance its own)`, key: `${cls.name}.${field}` };
    }
    if (path(expr).length === 2 && expr.type === 'attribute') return receiverField(field, scope, model);
    if (field && cls.threadLocalAttributes.has(field)) return null; // `self._local.x`: per thread
    // `cls` itself (`cls.insert(…)` calls a classmethod) is the class, no attribute of it.
    if (scope.isClassMethod) return field ? { kind: 'class-attribute', description: `class attribute \`${cls.name}.${field}\` (through \`${name}\`)`, key: `${cls.name}.${field}` } : null;
    if (path(expr).includes('__class__')) return { kind: 'class-attribute', description: `class attribute of \`${cls.name}\``, key: `${cls.name}.${path(expr)[2]}` };
    if (!attribute || !field || model.isConstructionOnly(scope)) return null;
    if (cls.lockAttributes.has(field)) return null; // the lock itself
    // A request handler's `self.server.x`: one server object serves every request thread.
    if (field === 'server' && path(expr).length > 2 && model.requestHandlers.has(cls.node.id)) {
      const state = path(expr).join('.');
      return { kind: 'shared-instance', description: `\`${state}\` of the server every request thread shares`, key: `${cls.name}.${path(expr).slice(1).join('.')}`, weak: true, confidence: 'high' };
    }
    const evidence = model.fieldSharing(cls, field);
    if (!evidence) return null;
    // `self.a.b` is a field of the object `self.a` holds, not `a` itself: its own key, so a write of
    // `self._current.state` is not compared with writes of `self._current`.
    const through = path(expr);
    const state = through.length > 2 ? through.join('.') : attribute;
    return { kind: 'shared-instance', description: `\`${state}\` of \`${cls.name}\` (${evidence.why})`, key: `${cls.name}.${through.slice(1).join('.')}`, weak: evidence.weak, confidence: evidence.confidence, ...sides(evidence, through.length <= 2) };
  }
  const resolved = model.resolve(name, scope);
  if (resolved.kind === 'global' || resolved.kind === 'module') {
    const binding = model.bindings.get(name);
    if (!binding) return null;
    if (binding.kind === 'class') {
      return attribute ? { kind: 'class-attribute', description: `class attribute \`${attribute}\``, key: attribute } : null;
    }
    if (binding.kind === 'import') {
      return attribute ? { kind: 'module-attribute', description: `module attribute \`${attribute}\``, key: attribute } : null;
    }
    if (binding.kind === 'function') return null;
    if (model.isThreadLocal(binding.node)) return null;
    // `_STATE.context.depth`, where `_STATE = _State()` keeps a `threading.local()` in `context`: per thread.
    const through = path(expr);
    const instanceOf = through.length >= 2 ? model.classOfName(name, expr) : null;
    if (through.length > 2 && instanceOf?.threadLocalAttributes.has(through[1])) return null;
    // A module-level instance of a class of this module: each field is its own state, as `self.x` is.
    if (instanceOf) return { kind: 'global', description: `\`${name}.${through[1]}\` of module global \`${name}\``, key: `${name}.${through[1]}` };
    // `tts.playback.clear()`, `state.count = 0`: a field of the object the global holds is state of its
    // own, as `self.x` is — not a rebinding of the global (`tts = make()` under a lock guards that).
    const up = root.parent;
    if (through.length >= 2 && up?.type === 'attribute' && up.childForFieldName('object')?.id === root.id) {
      return { kind: 'global', description: `\`${name}.${through[1]}\` of module global \`${name}\``, key: `${name}.${through[1]}` };
    }
    return { kind: 'global', description: `module global \`${name}\``, key: name };
  }
  if (resolved.kind === 'closure' || resolved.kind === 'nonlocal') {
    // A helper nested in the function and only called by it, right there (`def check(n): …` then
    // `if not check(i):`), runs inside that call, on its thread: what it reaches through the captured
    // names is what the enclosing function reaches (its locals are the call's own).
    if (resolved.owner && calledInPlace(scope, resolved.owner, model)) return sharedState(expr, resolved.owner, model, mode);
    const owner = resolved.owner?.name ?? 'the enclosing function';
    const local = resolved.owner?.locals.has(name) ? 'local' : 'parameter';
    // `self.x` through a captured `self` is the field `x`, not the whole object: one key per field.
    const field = attribute ?? name;
    // The method's own receiver: the same field its methods reach as `self.x` (one key, so locked
    // accesses in the methods and unlocked ones in the closure are compared).
    const cls = resolved.owner?.receiver === name && !resolved.owner.isClassMethod && path(expr)[1] ? model.classInfo(resolved.owner.classNode) : null;
    if (cls) return { kind: 'closure', description: `\`${name}.${path(expr)[1]}\` of \`${cls.name}\`, through \`${name}\` captured from \`${owner}\` by this nested function`, key: `${cls.name}.${path(expr)[1]}`, receiverField: path(expr)[1] };
    return { kind: 'closure', description: `\`${field}\`, through \`${name}\`, a ${local} of \`${owner}\` captured by this nested function`, key: `${owner}.${field}` };
  }
  if (resolved.kind === 'local' && mode === 'rebind' && expr.type === 'attribute' && path(expr).length === 2) {
    const item = itemOfSharedContainer(name, scope, model);
    if (item) {
      const field = path(expr)[1];
      const byNature = item.kind !== 'shared-instance';
      return {
        kind: 'shared-instance',
        description: `\`${name}.${field}\`, on an item of ${item.description}`,
        key: `${item.key}[].${field}`,
        // Items of a module global or class attribute: shared by every caller, reported where threads run.
        weak: byNature || item.weak,
        confidence: byNature ? 'medium' : item.confidence,
      };
    }
  }
  // `conns = self.connections[address]`: the element is part of the container's state (elementAlias).
  if (resolved.kind === 'local' && mode === 'object' && expr.type === 'identifier') {
    const alias = elementAlias(name, scope, model);
    const state = alias && alias.binding.startIndex < expr.startIndex ? containerState(alias.container, scope, model) : null;
    if (state) return { ...state, description: `\`${name}\`, an element of ${state.description}`, elementOf: alias!.container };
  }
  // The one object a loop hands to every thread it starts (`args=(todo,)`): those threads share it.
  const handedBy = resolved.kind === 'parameter' ? model.threads.sharedArgument(scope.node, name) : null;
  if (handedBy) {
    return { kind: 'argument', description: `\`${name}\`, one object handed to every thread the loop at line ${handedBy.startPosition.row + 1} starts`, key: `${scope.name}.${name}` };
  }
  if (resolved.kind === 'parameter' && scope.mutableDefaults.has(name)) {
    return { kind: 'mutable-default', description: `\`${name}\`, a mutable default argument (one object shared by every call)`, key: `${scope.name}.${name}` };
  }
  return null;
}

/**
 * `self.<field>` (or `cls.<field>` in a classmethod) as shared state, for accesses written without an
 * attribute node (`hasattr(self, "x")`, `setattr(self, "x", v)`, `self.__dict__["x"]`).
 */
export function receiverField(field: string, scope: FunctionScope, model: ModuleModel, { lockItself = false } = {}): SharedState | null {
  const cls = model.classInfo(scope.classNode);
  const name = scope.receiver;
  if (!cls || !name) return null;
  if (scope.isClassMethod) return { kind: 'class-attribute', description: `class attribute \`${cls.name}.${field}\` (through \`${name}\`)`, key: `${cls.name}.${field}` };
  if (model.isConstructionOnly(scope) || (cls.lockAttributes.has(field) && !lockItself) || cls.threadLocalProperties.has(field)) return null;
  const evidence = model.fieldSharing(cls, field);
  if (!evidence) return null;
  return { kind: 'shared-instance', description: `\`${name}.${field}\` of \`${cls.name}\` (${evidence.why})`, key: `${cls.name}.${field}`, weak: evidence.weak, confidence: evidence.confidence, ...sides(evidence) };
}

/** What the rules need of field evidence beyond its strength: the sides it joins, a lock. */
function sides(evidence: SharingEvidence, ownField = true): Pick<SharedState, 'holderSide' | 'threadWrites' | 'locked'> {
  // `self.pctl.library` is the state of the object `self.pctl` holds, which other objects and their
  // threads may hold too: the two sides of `self` say nothing about it.
  return { ...(evidence.holderSide && ownField ? { holderSide: true, threadWrites: !!evidence.threadWrites } : {}), ...(evidence.lock ? { locked: true } : {}) };
}

/** `class Meta(type)`, `class Meta(ABCMeta)`: instances are classes. */
export function isMetaclass(classNode: Node): boolean {
  const bases = classNode.childForFieldName('superclasses');
  return !!bases && namedChildren(bases).some((b) => /^(type|abc\.ABCMeta|ABCMeta)$/.test(b.text));
}

/** The shared state an assignment target writes (a bare name counts only through global/nonlocal). */
export function sharedTarget(target: Node, scope: FunctionScope, model: ModuleModel): SharedState | null {
  return sharedState(target, scope, model, 'rebind');
}

/** `type(self).x` / `self.__class__.x` → the class name; else null. */
function typeOfReceiver(target: Node, scope: FunctionScope): string | null {
  let n: Node | null = target;
  while (n && (n.type === 'attribute' || n.type === 'subscript')) {
    const inner: Node | null = n.type === 'attribute' ? n.childForFieldName('object') : n.childForFieldName('value');
    if (inner?.type === 'call' && inner.childForFieldName('function')?.text === 'type') {
      const arg = namedChildren(inner.childForFieldName('arguments')!)[0];
      if (arg?.text === scope.receiver && scope.classNode) return scope.classNode.childForFieldName('name')?.text ?? null;
    }
    n = inner;
  }
  return null;
}

/** The attribute path of an access: `self.a.b[k]` → ['self', 'a', 'b']. */
export function path(target: Node): string[] {
  const parts: string[] = [];
  let n: Node | null = target;
  while (n) {
    if (n.type === 'attribute') {
      parts.unshift(n.childForFieldName('attribute')?.text ?? '');
      n = n.childForFieldName('object');
    } else if (n.type === 'subscript') n = n.childForFieldName('value');
    else {
      if (n.type === 'identifier') parts.unshift(n.text);
      break;
    }
  }
  return parts;
}

/** `self.a.b[k]` → `self.a`; `Cls.x[0]` → `Cls.x`. */
function firstAttribute(target: Node): string | null {
  const parts = path(target);
  return parts.length >= 2 ? `${parts[0]}.${parts[1]}` : null;
}

/**
 * A local first bound to an item read out of a shared container — `proxy = self._cache.get(key)`,
 * `conn = POOL[k]`, `for sink in SINKS:` — names an object every thread that reads the container can
 * reach: its fields are shared too. The container's shared state, or null. Items taken out (`pop`) are
 * the taker's, and items of a container that is not shared are whatever the rest of the code makes them.
 */
function itemOfSharedContainer(name: string, scope: FunctionScope, model: ModuleModel): SharedState | null {
  let source: Node | null = null;
  let at = Infinity;
  for (const n of model.assignmentsOf(scope)) {
    const left = n.childForFieldName('left');
    if (left?.type === 'identifier' && left.text === name) {
      source = n.childForFieldName('right');
      at = n.startIndex;
      break;
    }
  }
  for (const loop of model.ownNodes(scope)) {
    if (loop.startIndex > at) break;
    if (loop.type !== 'for_statement' || loop.childForFieldName('left')?.text !== name) continue;
    source = loop.childForFieldName('right');
    const over = source?.type === 'call' ? source.childForFieldName('function') : null;
    // `for x in d.values()`: the items; `for x in d` over a dict would be its keys, over a list its items.
    if (over?.type === 'attribute' && over.childForFieldName('attribute')?.text === 'values') source = over.childForFieldName('object');
    else if (source?.type === 'call') return null;
    return source && (source.type === 'attribute' || source.type === 'identifier') ? containerState(source, scope, model) : null;
  }
  if (!source) return null;
  if (source.type === 'subscript') return containerState(source.childForFieldName('value'), scope, model);
  const fn = source.type === 'call' ? source.childForFieldName('function') : null;
  if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'get') return containerState(fn.childForFieldName('object'), scope, model);
  return null;
}

function containerState(container: Node | null, scope: FunctionScope, model: ModuleModel): SharedState | null {
  if (!container || (container.type !== 'attribute' && container.type !== 'identifier')) return null;
  const state = sharedState(container, scope, model, 'object');
  return state && state.kind !== 'closure' && state.kind !== 'module-attribute' && state.kind !== 'mutable-default' ? state : null;
}

/** Values that make a new mutable object (a display, a comprehension, a constructor call). */
const MUTABLE_VALUES: ReadonlySet<string> = new Set(['list', 'dictionary', 'set', 'list_comprehension', 'dictionary_comprehension', 'set_comprehension', 'call']);

/**
 * A class-body assignment of a mutable object (`_handlers = {}`, `command_set = Dataset()`) that no
 * method of the class replaces on an instance (`self._handlers = …`): the one object all instances share.
 * A call counts when it makes an object (a CapWords callee, `dict()`, `list()`, `set()`, `deque()`…).
 */
function sharedClassObject(cls: ClassInfo, field: string): boolean {
  const body = cls.node.childForFieldName('body');
  if (!body) return false;
  const assigned = namedChildren(body).find((s) => {
    const a = s.type === 'expression_statement' ? namedChildren(s)[0] : null;
    return a?.type === 'assignment' && a.childForFieldName('left')?.text === field;
  });
  const value = assigned ? namedChildren(assigned)[0]?.childForFieldName('right') : null;
  if (!value || !MUTABLE_VALUES.has(value.type)) return false;
  if (value.type === 'call' && !/^(?:[\w.]*\.)?(?:[A-Z]\w*|dict|list|set|deque|defaultdict|OrderedDict|Counter|WeakValueDictionary|WeakKeyDictionary|WeakSet)$/.test(value.childForFieldName('function')?.text ?? '')) return false;
  // Replaced per instance anywhere in the class (`self.field =`, `setattr(self, "field", …)`): not the class's.
  return !new RegExp(`\\b\\w+\\.${field}\\s*(?::[^=\\n]*)?=(?!=)|setattr\\(\\s*\\w+\\s*,\\s*['"]${field}['"]`).test(cls.node.text);
}

const inPlaceHelpers = new WeakMap<ModuleModel, Map<number, boolean>>();

/**
 * Is every function from `scope` up to (not including) `owner` a plain nested `def` (no generator) that
 * its enclosing function only calls, itself (not from a lambda or another nested function), and names
 * nowhere else — so it runs synchronously inside the enclosing call?
 */
function calledInPlace(scope: FunctionScope, owner: FunctionScope, model: ModuleModel): boolean {
  let known = inPlaceHelpers.get(model);
  if (!known) inPlaceHelpers.set(model, (known = new Map()));
  for (let s: FunctionScope | null = scope; s && s !== owner; s = s.parent) {
    let answer = known.get(s.node.id);
    if (answer === undefined) known.set(s.node.id, (answer = onlyCalledByParent(s)));
    if (!answer) return false;
  }
  return true;
}

function onlyCalledByParent(scope: FunctionScope): boolean {
  const parent = scope.parent;
  if (!parent || scope.node.type !== 'function_definition' || scope.isAsync) return false;
  // A generator runs when its caller iterates it, maybe after the call returned.
  if (scope.node.descendantsOfType('yield').length > 0) return false;
  let calls = 0;
  for (const id of parent.node.descendantsOfType('identifier')) {
    if (!id || id.text !== scope.name) continue;
    const up = id.parent;
    if (up?.id === scope.node.id) continue; // its own `def` name
    if (up?.type !== 'call' || up.childForFieldName('function')?.id !== id.id) return false;
    // Called from the parent itself, not from a lambda or another nested function of it.
    let fn: Node | null = up.parent;
    while (fn && fn.type !== 'function_definition' && fn.type !== 'lambda') fn = fn.parent;
    if (fn?.id !== parent.node.id) return false;
    calls++;
  }
  return calls > 0;
}

/** The enclosing function that binds `name` for a `nonlocal name` in `scope` (its nearest enclosing function with it local). */
function declaringScope(name: string, scope: FunctionScope): FunctionScope {
  let s = scope.parent!;
  while (s.parent && !s.locals.has(name) && !s.parameters.has(name)) s = s.parent;
  return s;
}
