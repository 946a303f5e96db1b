// Code after the threads are joined races with none of them: `for t in threads: t.join()` orders
// everything after it in that function behind every thread it joins, as `start()` orders what comes
// before it (ordering.ts). Counted only when every thread the module starts is joined there — by its
// variable, by the list the function built of them, or by the module's (or object's) container every
// started thread is appended to — or, for a pool's tasks, when the `with` block of the executor they
// were submitted to has ended (its `__exit__` waits for them). An object's thread kept in a field
// (`self._thread = Thread(…)`) is joined by any method of its class that calls `self._thread.join()`,
// straight or under a test that fails only when the thread is not running (`if self._thread.is_alive():`,
// `if self._thread is not None:`). A join with a timeout guarantees nothing, and a join inside another
// branch or a loop may not run: neither counts.
import type { Node } from '../parser';
import type { FunctionScope } from './scopes';
import { enclosingFunction, keywordArgument, namedChildren, positionalArguments } from './syntax';

export interface JoinResolver {
  /** The module's thread spawns: the call that makes each thread (or submits each task), and whether it is a pool's. */
  spawns(): ReadonlyArray<{ site: Node; pool: boolean }>;
  /** The calls made in a function's own scope. */
  callsIn(fn: Node): readonly Node[];
}

/** Statements between a join and its function's body that always run once it is reached. */
const STRAIGHT = new Set(['block', 'expression_statement', 'try_statement', 'with_statement', 'with_clause', 'finally_clause']);

/** How a spawn's thread object is held, so that a join can name it. */
type Holder =
  | { kind: 'local'; name: string; fn: Node }
  | { kind: 'container'; text: string }
  | { kind: 'pool'; withStatement: Node }
  | { kind: 'field'; text: string; cls: Node };

export class JoinOrdering {
  /** function id → the offset after which every thread of the module is joined (Infinity: never in it). */
  private readonly joinedFrom = new Map<number, number>();
  private holders: Array<{ holder: Holder | null; home: Node | null }> | undefined;

  constructor(private readonly resolver: JoinResolver) {}

  /** Does `node` (in `scope`'s own body) run after every thread the module starts has been joined? */
  afterThreadsJoined(node: Node, scope: FunctionScope): boolean {
    let from = this.joinedFrom.get(scope.node.id);
    if (from === undefined) this.joinedFrom.set(scope.node.id, (from = this.joinEnd(scope.node)));
    return node.startIndex >= from;
  }

  /**
   * Where in `fn` no thread of the module can still run: every thread is one `fn` starts itself or one
   * kept in a container (the module's or the object's), and `fn` joins it. A thread another function
   * starts and keeps to itself runs while that function does, which may be beside this one.
   */
  private joinEnd(fn: Node): number {
    const holders = (this.holders ??= this.resolver.spawns().map((s) => ({ holder: holderOf(s.site, s.pool), home: enclosingFunction(s.site) })));
    if (holders.length === 0) return Infinity;
    let end = -1;
    for (const { holder, home } of holders) {
      // Another function's threads run while it does, and it may run beside this one.
      if (!holder || !home || (home !== fn && holder.kind !== 'container' && holder.kind !== 'field')) return Infinity;
      const joined = this.joinedIn(fn, holder);
      if (joined === null) return Infinity;
      end = Math.max(end, joined);
    }
    return end;
  }

  /** Where in `fn` the threads `holder` holds are certainly joined (the join's end), or null. */
  private joinedIn(fn: Node, holder: Holder): number | null {
    if (holder.kind === 'pool') {
      const w = holder.withStatement;
      return w.startIndex >= fn.startIndex && w.endIndex <= fn.endIndex && straightFrom(w.parent, fn) ? w.endIndex : null;
    }
    if (holder.kind === 'local' && holder.fn !== fn) return null;
    // An object's thread is joined only by its own class's methods, on `self`.
    if (holder.kind === 'field' && classOfMethod(fn) !== holder.cls) return null;
    const name = holder.kind === 'local' ? holder.name : holder.text;
    let found: number | null = null;
    for (const call of this.resolver.callsIn(fn)) {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'join' || !waitsForEver(call)) continue;
      const object = callee.childForFieldName('object');
      const statement = call.parent;
      if (!object || statement?.type !== 'expression_statement') continue;
      // `t.join()` on the thread's own variable.
      if (object.text === name && holder.kind === 'local' && straightFrom(statement.parent, fn)) found = Math.min(found ?? Infinity, statement.endIndex);
      // `self._thread.join()`, straight or under a test of that thread.
      if (object.text === name && holder.kind === 'field') {
        const guard = aliveGuard(statement, name);
        if (guard ? straightFrom(guard.parent, fn) : straightFrom(statement.parent, fn)) found = Math.min(found ?? Infinity, (guard ?? statement).endIndex);
      }
      // `for t in threads: t.join()`, the loop itself reached straight from the body.
      const loop = enclosingLoop(statement);
      const variable = loop?.childForFieldName('left');
      if (loop && variable?.type === 'identifier' && variable.text === object.text && loop.childForFieldName('right')?.text === name && straightFrom(loop.parent, fn)) {
        found = Math.min(found ?? Infinity, loop.endIndex);
      }
    }
    return found;
  }
}

/** `join()` or `join(None)` / `join(timeout=None)`: returns only once the thread has ended. */
function waitsForEver(call: Node): boolean {
  const args = positionalArguments(call);
  const timeout = args[0] ?? keywordArgument(call, 'timeout');
  return !timeout || timeout.type === 'none';
}

/** The `for` statement whose body holds `statement` directly (its block's own statement). */
function enclosingLoop(statement: Node): Node | null {
  const block = statement.parent;
  return block?.type === 'block' && block.parent?.type === 'for_statement' && block.parent.childForFieldName('body') === block ? block.parent : null;
}

/**
 * The `if` whose body holds `statement` directly and whose test fails only when the thread `name` holds
 * is not running (`name.is_alive()`, `name`, `name is not None`, and those joined by `and`), or null.
 */
function aliveGuard(statement: Node, name: string): Node | null {
  const block = statement.parent;
  const ifNode = block?.type === 'block' && block.parent?.type === 'if_statement' && block.parent.childForFieldName('consequence') === block ? block.parent : null;
  const test = ifNode?.childForFieldName('condition');
  return test && testsThread(test, name) ? ifNode : null;
}

function testsThread(test: Node, name: string): boolean {
  if (test.type === 'parenthesized_expression') return namedChildren(test).length === 1 && testsThread(namedChildren(test)[0], name);
  if (test.type === 'boolean_operator') {
    const op = test.childForFieldName('operator')?.text;
    const [left, right] = [test.childForFieldName('left'), test.childForFieldName('right')];
    // `A and B` fails when either does: enough that one of them tests the thread, the other only narrows.
    return op === 'and' && !!left && !!right && (testsThread(left, name) || testsThread(right, name));
  }
  if (test.text === name || test.text === `${name}.is_alive()`) return true;
  return test.type === 'comparison_operator' && test.text.replace(/\s+/g, ' ') === `${name} is not None`;
}

/** The class `fn` is a method of (its body's own definition, decorated or not), or null. */
function classOfMethod(fn: Node): Node | null {
  let n = fn.parent;
  if (n?.type === 'decorated_definition') n = n.parent;
  return n?.type === 'block' && n.parent?.type === 'class_definition' ? n.parent : null;
}

/** Every step from `node` up to `fn`'s body always runs (no branch, loop, handler or nested function in between). */
function straightFrom(node: Node | null, fn: Node): boolean {
  const body = fn.childForFieldName('body');
  for (let n = node; n; n = n.parent) {
    if (n === body) return true;
    if (!STRAIGHT.has(n.type)) return false;
  }
  return false;
}

/** How the thread a spawn makes is held: a local, a container it is appended to, a list built of them, or the pool's `with`. */
function holderOf(site: Node, pool: boolean): Holder | null {
  if (pool) {
    // `with ThreadPoolExecutor() as ex: ex.submit(…)`: the block's end waits for the tasks.
    const callee = site.childForFieldName('function');
    const executor = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    if (executor?.type !== 'identifier') return null;
    for (let n = site.parent; n; n = n.parent) {
      if (n.type === 'function_definition' || n.type === 'lambda') return null;
      if (n.type !== 'with_statement') continue;
      const clause = namedChildren(n).find((c) => c.type === 'with_clause');
      if (clause?.descendantsOfType('as_pattern_target').some((t) => t.text === executor.text)) return { kind: 'pool', withStatement: n };
    }
    return null;
  }
  const fn = enclosingFunction(site);
  const parent = site.parent;
  // `t = Thread(…)`: the local, or the container it is then appended to.
  if (parent?.type === 'assignment' && parent.childForFieldName('right') === site && fn) {
    const name = parent.childForFieldName('left');
    // `self._thread = Thread(…)` in a method: the object's thread, in its field.
    const cls = classOfMethod(fn);
    const self = fn.childForFieldName('parameters')?.namedChildren[0];
    if (name?.type === 'attribute' && cls && self?.type === 'identifier' && name.childForFieldName('object')?.text === self.text) return { kind: 'field', text: name.text, cls };
    if (name?.type !== 'identifier') return null;
    const appended = fn.descendantsOfType('call').find((c) => {
      const callee = c.childForFieldName('function');
      return callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'append' && positionalArguments(c)[0]?.text === name.text && c.startIndex > site.startIndex;
    });
    if (appended) return { kind: 'container', text: appended.childForFieldName('function')!.childForFieldName('object')!.text };
    return { kind: 'local', name: name.text, fn };
  }
  // `threads = [Thread(…) for … in …]`: the list.
  const comprehension = parent?.type === 'list_comprehension' && namedChildren(parent)[0] === site ? parent : null;
  const assigned = comprehension?.parent?.type === 'assignment' && comprehension.parent.childForFieldName('right') === comprehension ? comprehension.parent.childForFieldName('left') : null;
  if (assigned?.type === 'identifier' && fn) return { kind: 'local', name: assigned.text, fn };
  return null;
}
