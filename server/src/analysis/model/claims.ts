// Claims: a state field moved, under a lock, into a state no other locked path accepts. The method that
// makes the move (the claimant) then owns what those paths guard:
//
//     def _drain(self):                           def put(self, item):
//         with self._lock:                            with self._lock:
//             if self._state in OPEN_STATES:              if self._state != OPEN: return None
//                 self._state = DRAINING                  self._items.append(item)
//             else:
//                 return
//         for item in self._items: …          # cannot meet put(): the state never goes back
//         self._state = DRAINED               # nor meet the other locked writers of the state
//
// A claim holds when every write of the field, other than the constructor's, the claimant's own
// after the claim and those of code that runs alone (hooks, test-only helpers, a private method nothing
// names), is made holding the lock on a path whose state test excludes every state the
// claimant leaves the field in — so after the claim no other path runs, and no second claim succeeds.
import type { Node } from '../parser';
import type { ClassInfo, ModuleModel } from './module';
import { decoratorNames, namedChildren } from './syntax';

/** The states a path allows: `in` the values, or anything `not in` them. Values by their last name. */
interface States {
  kind: 'in' | 'notin';
  values: Set<string>;
}

interface Claim {
  field: string;
  lock: string;
  /** The claimant's statements after the claim, and helpers only they call. */
  region: Node[];
  /** The states the claimant leaves the field in. */
  after: Set<string>;
}

const cache = new WeakMap<ModuleModel, Map<number, Claim[]>>();

/**
 * Can `a` and `b`, accesses in methods of one class, never run at once because one is in a claimant's
 * code after its claim and the other holds the claim's lock on a path the claimed state excludes (or is
 * in the same claimant's code)?
 */
export function claimExcludes(a: Node, b: Node, cls: ClassInfo | null, model: ModuleModel): boolean {
  if (!cls) return false;
  for (const claim of claimsOf(cls, model)) {
    const inA = inRegion(a, claim);
    const inB = inRegion(b, claim);
    const shut = (n: Node) => guardedOut(n, claim, cls, model) || outOfPlay(n, cls, model);
    if ((inA && (inB || shut(b))) || (inB && shut(a))) return true;
  }
  return false;
}

function claimsOf(cls: ClassInfo, model: ModuleModel): Claim[] {
  let byClass = cache.get(model);
  if (!byClass) cache.set(model, (byClass = new Map()));
  let claims = byClass.get(cls.node.id);
  if (!claims) byClass.set(cls.node.id, (claims = findClaims(cls, model)));
  return claims;
}

function inRegion(n: Node, claim: Claim): boolean {
  return claim.region.some((r) => r.startIndex <= n.startIndex && n.endIndex <= r.endIndex);
}

function findClaims(cls: ClassInfo, model: ModuleModel): Claim[] {
  const claims: Claim[] = [];
  if (cls.lockAttributes.size === 0) return claims;
  for (const [name, fn] of cls.methods) {
    if (name === '__init__') continue;
    const body = fn.childForFieldName('body');
    for (const statement of body ? namedChildren(body) : []) {
      if (statement.type !== 'with_statement') continue;
      const claim = claimIn(statement, fn, cls, model);
      if (claim) claims.push(claim);
    }
  }
  return claims;
}

/** The claim a top-level `with <lock>:` of `fn` makes, if it makes one that holds. */
function claimIn(statement: Node, fn: Node, cls: ClassInfo, model: ModuleModel): Claim | null {
  const block = statement.childForFieldName('body');
  const lock = lockOf(statement);
  if (!block || !lock) return null;
  for (const s of namedChildren(block)) {
    if (s.type !== 'if_statement') continue;
    const test = stateTest(s.childForFieldName('condition'), cls, model);
    if (!test) continue;
    const alternatives = s.childrenForFieldName('alternative');
    let allowed: States | null = null;
    let claimed: string | null = null;
    const write = (b: Node | null | undefined) => (b ? namedChildren(b).map((x) => stateWrite(x, test.field)).find((v) => v) ?? null : null);
    if (alternatives.length === 1 && alternatives[0].type === 'else_clause' && leaves(alternatives[0].childForFieldName('body'))) {
      // `if S in OK: S = C` / `else: …; return`
      claimed = write(s.childForFieldName('consequence'));
      allowed = test.states;
    } else if (alternatives.length === 0 && leaves(s.childForFieldName('consequence'))) {
      // `if S not in OK: return` … `S = C` later in the same block
      const later = namedChildren(block).filter((x) => x.startIndex > s.endIndex);
      claimed = later.map((x) => stateWrite(x, test.field)).find((v) => v) ?? null;
      allowed = negate(test.states);
    }
    if (!claimed || !allowed) continue;
    const after = new Set([claimed]);
    for (const w of writesOf(test.field, cls, model)) if (within(w.node, fn) && w.node.startIndex > statement.endIndex && w.value) after.add(w.value);
    // A second claimant must fail: the claim's own test excludes every state it leaves behind.
    if (!disjoint(allowed, after)) return null;
    const region = [...namedChildren(fn.childForFieldName('body')!).filter((x) => x.startIndex > statement.endIndex), ...helpersOnlyFrom(fn, statement, cls, model)];
    const claim: Claim = { field: test.field, lock, region, after };
    // Every other write of the field: the constructor, the claimant after its claim, or a locked path the
    // claimed states exclude.
    const holds = writesOf(test.field, cls, model).every((w) => inRegion(w.node, claim) || within(w.node, statement) || guardedOut(w.node, claim, cls, model) || outOfPlay(w.node, cls, model));
    return holds ? claim : null;
  }
  return null;
}

/**
 * Code that never runs beside the claimant: the constructor, code that runs alone (a hook, a helper
 * documented as test-only), a private method nothing in the module names (a test's hook).
 */
function outOfPlay(n: Node, cls: ClassInfo, model: ModuleModel): boolean {
  const method = enclosingMethod(n, cls);
  if (!method) return false;
  if (method.childForFieldName('name')?.text === '__init__') return true;
  return !!model.ordering.whySequential(model.scopeOf(n)) || unused(method, model);
}

/** A private method the module never names again: not called, not passed, not looked up by name. */
function unused(method: Node, model: ModuleModel): boolean {
  const name = method.childForFieldName('name')?.text ?? '';
  if (!/^_(?!_)/.test(name) || model.callersOf(method).length > 0) return false;
  return (model.root.text.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length === 1;
}

/** Methods of the class every call of which is in `fn` after the claiming statement. */
function helpersOnlyFrom(fn: Node, statement: Node, cls: ClassInfo, model: ModuleModel): Node[] {
  const out: Node[] = [];
  for (const method of cls.methods.values()) {
    if (method === fn) continue;
    const callers = model.callersOf(method);
    if (callers.length > 0 && callers.every((c) => within(c, fn) && c.startIndex > statement.endIndex)) out.push(method);
  }
  return out;
}

/** Is `n` made holding the claim's lock, on a path whose state tests exclude every claimed state? */
function guardedOut(n: Node, claim: Claim, cls: ClassInfo, model: ModuleModel): boolean {
  if (!model.heldLocks(n).some((l) => l.replace(/\s+/g, '') === claim.lock)) return false;
  const states = pathStates(n, claim.field, cls, model);
  return !!states && disjoint(states, claim.after);
}

/** What the state tests on the way to `n` in its method allow: enclosing `if`s, earlier `if …: return` and `assert`s. */
function pathStates(n: Node, field: string, cls: ClassInfo, model: ModuleModel): States | null {
  let states: States | null = null;
  const add = (s: States) => (states = states ? intersect(states, s) : s);
  for (let child = n, up = n.parent; up && up.type !== 'function_definition'; child = up, up = up.parent) {
    if (up.type === 'if_statement' && up.childForFieldName('consequence') === child) {
      const test = stateTest(up.childForFieldName('condition'), cls, model);
      if (test?.field === field) add(test.states);
    }
    if (up.type !== 'block') continue;
    for (const earlier of namedChildren(up)) {
      if (earlier === child) break;
      if (earlier.type === 'assert_statement') {
        const test = stateTest(namedChildren(earlier)[0] ?? null, cls, model);
        if (test?.field === field) add(test.states);
      } else if (earlier.type === 'if_statement' && earlier.childrenForFieldName('alternative').length === 0 && leaves(earlier.childForFieldName('consequence'))) {
        const test = stateTest(earlier.childForFieldName('condition'), cls, model);
        if (test?.field === field) add(negate(test.states));
      }
    }
  }
  return states;
}

/** `self.S == X`, `self.S in (X, Y)`, `self.S not in NAMES`, `not …`; `self.prop` for a property returning `self.S`. */
function stateTest(condition: Node | null, cls: ClassInfo, model: ModuleModel): { field: string; states: States } | null {
  if (!condition) return null;
  if (condition.type === 'parenthesized_expression') return stateTest(namedChildren(condition)[0] ?? null, cls, model);
  if (condition.type === 'not_operator') {
    const inner = stateTest(condition.childForFieldName('argument'), cls, model);
    return inner && { field: inner.field, states: negate(inner.states) };
  }
  if (condition.type !== 'comparison_operator') return null;
  const operands = namedChildren(condition);
  const op = condition.children.filter((c) => !c.isNamed).map((c) => c.text).join(' ');
  if (operands.length !== 2) return null;
  const field = stateField(operands[0], cls);
  const values = field ? valuesOf(operands[1], op === 'in' || op === 'not in', model) : null;
  if (!field || !values) return null;
  if (op === '==' || op === 'is' || op === 'in') return { field, states: { kind: 'in', values } };
  if (op === '!=' || op === 'is not' || op === 'not in') return { field, states: { kind: 'notin', values } };
  return null;
}

function stateField(expr: Node, cls: ClassInfo): string | null {
  if (expr.type !== 'attribute' || expr.childForFieldName('object')?.text !== 'self') return null;
  const name = expr.childForFieldName('attribute')?.text ?? '';
  const getter = cls.methods.get(name);
  if (getter && decoratorNames(getter).includes('property')) {
    const statements = namedChildren(getter.childForFieldName('body')!).filter((s) => s.type !== 'expression_statement' || s.firstNamedChild?.type !== 'string');
    const returned = statements.length === 1 && statements[0].type === 'return_statement' ? namedChildren(statements[0])[0] : null;
    return returned?.type === 'attribute' && returned.childForFieldName('object')?.text === 'self' ? returned.childForFieldName('attribute')?.text ?? null : null;
  }
  return name;
}

/** A constant's name (`Status.DONE` → `DONE`), or the elements of a literal collection or a module constant bound to one. */
function valuesOf(expr: Node, collection: boolean, model: ModuleModel): Set<string> | null {
  if (collection) {
    let literal: Node | null = expr;
    if (expr.type === 'identifier') literal = model.bindings.get(expr.text)?.node ?? null;
    if (literal?.type === 'call' && /^(frozenset|set|tuple)$/.test(literal.childForFieldName('function')?.text ?? '')) literal = namedChildren(literal.childForFieldName('arguments')!)[0] ?? null;
    if (!literal || !['tuple', 'list', 'set'].includes(literal.type)) return null;
    const names = namedChildren(literal).map(constantName);
    return names.every((v) => v) ? new Set(names as string[]) : null;
  }
  const name = constantName(expr);
  return name ? new Set([name]) : null;
}

function constantName(expr: Node): string | null {
  if (expr.type === 'attribute') return expr.childForFieldName('attribute')?.text ?? null;
  if (expr.type === 'identifier' || expr.type === 'string' || expr.type === 'integer' || expr.type === 'none' || expr.type === 'true' || expr.type === 'false') return expr.text;
  return null;
}

/** `self.S = <constant>` as a statement → the constant's name. */
function stateWrite(statement: Node, field: string): string | null {
  const a = statement.type === 'expression_statement' ? statement.firstNamedChild : null;
  const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
  const right = a?.childForFieldName('right');
  if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== 'self' || left.childForFieldName('attribute')?.text !== field || !right) return null;
  return constantName(right);
}

function writesOf(field: string, cls: ClassInfo, model: ModuleModel): Array<{ node: Node; value: string | null }> {
  const out: Array<{ node: Node; value: string | null }> = [];
  for (const method of cls.methods.values()) {
    const scope = model.scopeOf(method.childForFieldName('body') ?? method);
    for (const a of scope ? model.ownNodes(scope) : []) {
      if (!ASSIGNMENTS.has(a.type)) continue;
      const left = a.childForFieldName('left');
      if (left?.type !== 'attribute' || left.childForFieldName('object')?.text !== 'self' || left.childForFieldName('attribute')?.text !== field) continue;
      const right = a.type === 'assignment' ? a.childForFieldName('right') : null;
      out.push({ node: a, value: right ? constantName(right) : null });
    }
  }
  return out;
}

const ASSIGNMENTS: ReadonlySet<string> = new Set(['assignment', 'augmented_assignment']);

/** Does the block end by leaving the function (`return`, `raise`)? */
function leaves(block: Node | null | undefined): boolean {
  const last = block ? namedChildren(block).at(-1) : undefined;
  return last?.type === 'return_statement' || last?.type === 'raise_statement';
}

function lockOf(statement: Node): string | null {
  const items = statement.namedChildren.find((c) => c.type === 'with_clause');
  const item = items ? namedChildren(items)[0] : null;
  const value = item?.childForFieldName('value') ?? item;
  return value ? value.text.replace(/\s+/g, '') : null;
}

function negate(s: States): States {
  return { kind: s.kind === 'in' ? 'notin' : 'in', values: s.values };
}

function intersect(a: States, b: States): States {
  if (a.kind === 'in' && b.kind === 'in') return { kind: 'in', values: new Set([...a.values].filter((v) => b.values.has(v))) };
  if (a.kind === 'notin' && b.kind === 'notin') return { kind: 'notin', values: new Set([...a.values, ...b.values]) };
  const [inSet, out] = a.kind === 'in' ? [a, b] : [b, a];
  return { kind: 'in', values: new Set([...inSet.values].filter((v) => !out.values.has(v))) };
}

/** Does no state in `values` satisfy `s`? */
function disjoint(s: States, values: Set<string>): boolean {
  return s.kind === 'in' ? [...values].every((v) => !s.values.has(v)) : [...values].every((v) => s.values.has(v));
}

function within(n: Node, outer: Node): boolean {
  return outer.startIndex <= n.startIndex && n.endIndex <= outer.endIndex;
}

function enclosingMethod(n: Node, cls: ClassInfo): Node | null {
  for (const m of cls.methods.values()) if (within(n, m)) return m;
  return null;
}
