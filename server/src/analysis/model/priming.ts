// A lazy initialisation that has already run while the program was imported: `def get_text(s): if not
// _ready: setup()` where some module calls `get_text(…)` unconditionally at its top level (`PREVIEW =
// _('Preview')`). Imports run one at a time, before the threads that later call it, so the branch ran
// then and sets the flag; later callers find it set. What runs only inside such a branch (`setup()`,
// called from nowhere else) runs once, at import. Only for a test at the top of the function's body
// (a test nested under another branch may not have been reached with the import's arguments) on a
// module global that no function resets to a false value.
import type { Node } from '../parser';
import type { FunctionScope } from './scopes';
import { namedChildren, runsAtImport } from './syntax';

export interface PrimingResolver {
  readonly text: string;
  /** Where another module of the run calls this module's top-level function `name` at import, if it does. */
  primedElsewhere(name: string): string | undefined;
  callsNamed(name: string): readonly Node[];
  callersOf(fn: Node): Node[];
  scopeOf(node: Node): FunctionScope | null;
  isModuleGlobal(name: string): boolean;
}

export class ImportPriming {
  private readonly primed = new Map<number, string | null>();
  private readonly once = new Map<number, string | null>();

  constructor(private readonly resolver: PrimingResolver) {}

  /** Where `fn` (a module-level function) is called while a module of the run is imported, or null. */
  primedBy(fn: Node): string | null {
    let known = this.primed.get(fn.id);
    if (known !== undefined) return known;
    known = null;
    const definition = fn.parent?.type === 'decorated_definition' ? fn.parent : fn;
    const name = fn.childForFieldName('name')?.text;
    if (name && definition.parent?.type === 'module') {
      const own = this.resolver.callsNamed(name).find((call) => runsAtImport(call));
      known = own ? `line ${own.startPosition.row + 1}, while this module is imported` : this.resolver.primedElsewhere(name) ?? null;
    }
    this.primed.set(fn.id, known);
    return known;
  }

  /** Why the lazy-initialisation test `ifNode` (`if not G:`, `if G is None:`) in `scope` has already passed once at import, or null. */
  initialisedAtImport(ifNode: Node, scope: FunctionScope): string | null {
    if (ifNode.parent !== scope.node.childForFieldName('body')) return null;
    const flag = lazyFlag(ifNode.childForFieldName('condition'));
    if (!flag || !this.resolver.isModuleGlobal(flag) || this.resetInFunctions(flag)) return null;
    const at = this.primedBy(scope.node);
    return at ? `\`${scope.name}\` first runs at import (${at}), and its first call sets \`${flag}\`` : null;
  }

  /** Why `scope` runs only once, inside the lazy initialisation of functions primed at import, or null. */
  onlyInInitialisation(scope: FunctionScope): string | null {
    let known = this.once.get(scope.node.id);
    if (known !== undefined) return known;
    known = null;
    const callers = this.resolver.callersOf(scope.node);
    let why: string | null = null;
    for (const call of callers) {
      const caller = this.resolver.scopeOf(call);
      const branch = caller ? enclosingTopIf(call, caller.node) : null;
      why = branch && caller ? this.initialisedAtImport(branch, caller) : null;
      if (!why) break;
    }
    if (callers.length > 0 && why) known = `it runs only in a lazy initialisation that has run at import: ${why}`;
    this.once.set(scope.node.id, known);
    return known;
  }

  private readonly resets = new Map<string, boolean>();

  /** Does a function set `flag` back to a false value (`G = None`, `G = False`, `G = 0`)? One scan of the text per flag. */
  private resetInFunctions(flag: string): boolean {
    let reset = this.resets.get(flag);
    if (reset === undefined) this.resets.set(flag, (reset = new RegExp(String.raw`^[ \t]+${flag}\s*=\s*(?:None|False|0|''|"")\s*(?:#.*)?$`, 'm').test(this.resolver.text)));
    return reset;
  }
}

/** The global a lazy-initialisation test reads: `not G`, `G is None`, `G == None`. */
function lazyFlag(condition: Node | null): string | null {
  if (condition?.type === 'not_operator') {
    const operand = condition.childForFieldName('argument');
    return operand?.type === 'identifier' ? operand.text : null;
  }
  if (condition?.type === 'comparison_operator') {
    const [left, right] = namedChildren(condition);
    const op = condition.children.find((c) => !c.isNamed)?.type;
    return left?.type === 'identifier' && right?.type === 'none' && (op === 'is' || op === '==') ? left.text : null;
  }
  return null;
}

/** The `if` statement at the top of `fn`'s body whose consequence holds `node`. */
function enclosingTopIf(node: Node, fn: Node): Node | null {
  const body = fn.childForFieldName('body');
  for (let n: Node | null = node; n && n !== fn; n = n.parent) {
    const parent: Node | null = n.parent;
    if (parent?.type === 'if_statement' && parent.parent === body) return parent.childForFieldName('consequence') === n ? parent : null;
  }
  return null;
}
