// One pass over the tree that collects every node the model and the rules ask about, grouped by type
// and by the function that contains it. Crossing from JS into web-tree-sitter's wasm costs about a
// microsecond per node, so the analysis walks the tree once here and never again: the model and the
// rules read these lists instead of re-walking subtrees.
import type { Node, Tree } from '../parser';

/** Node types collected by the index (everything else is skipped without leaving wasm). */
export const INDEXED_TYPES = [
  'function_definition', 'class_definition', 'lambda', 'call', 'assignment', 'augmented_assignment',
  'global_statement', 'nonlocal_statement', 'for_statement', 'for_in_clause', 'while_statement', 'if_statement',
  'with_statement', 'delete_statement', 'import_statement', 'import_from_statement', 'as_pattern_target',
  'named_expression', 'except_clause', 'comment',
  // FT2xx hazard rules: generator functions (FT201), awaits under a threading lock (FT210).
  'yield', 'await',
] as const;
export type IndexedType = (typeof INDEXED_TYPES)[number];

/**
 * An indexed node or comment inside a definition, with its depth below the definition; or (node null)
 * a node that is not indexed but closed a nested function's scope, which a replay must close too (the
 * statement after a nested `def` holds calls deeper than the `def` itself).
 */
interface CachedEntry {
  node: Node | null;
  depth: number;
}

/**
 * What each function and class definition holds, by the extra types asked for. A definition node is
 * taken over by the next export only when its text and structure did not change, so what it held is
 * still true: an edit re-walks only the definitions it touched.
 */
const subtreeCaches = new Map<string, WeakMap<Node, CachedEntry[]>>();

// Leaves of the kinds we index never hide below these: the walk does not enter them.
const OPAQUE = new Set(['string', 'integer', 'float', 'identifier', 'comment', 'dotted_name', 'true', 'false', 'none']);

export interface IndexedNode {
  node: Node;
  /**
   * Index into `functions` of the innermost enclosing function_definition whose own body holds the
   * node (class bodies and module level: -1). Lambdas and comprehensions do not open a scope here.
   */
  fn: number;
}

export interface IndexedComment {
  text: string;
  start: number;
  end: number;
}

export class SyntaxIndex {
  /** function_definition nodes in source order. */
  readonly functions: Node[] = [];
  /** For each function, the function it is nested in (-1: module or class level). */
  readonly functionParents: number[] = [];
  private readonly byType = new Map<string, IndexedNode[]>();
  private readonly byFunction = new Map<number, IndexedNode[]>();
  /** node id → the `fn` of an indexed node, so rules find a node's function without walking parents. */
  private readonly functionOfNode = new Map<number, number>();
  readonly comments: IndexedComment[] = [];
  private definitions: Node[] | undefined;

  constructor(tree: Tree, extraTypes: readonly string[] = []) {
    const key = extraTypes.join(',');
    let cache = subtreeCaches.get(key);
    if (!cache) subtreeCaches.set(key, (cache = new WeakMap()));
    const wanted = new Set<string>([...INDEXED_TYPES, ...extraTypes]);
    // scope stack: [depth, function index or -1 for a class body]
    const scopes: Array<[number, number]> = [];
    // Functions and classes being walked afresh: what they hold is cached for the next index.
    const recorders: Array<{ node: Node; depth: number; entries: CachedEntry[] }> = [];
    const visit = (node: Node | null, depth: number): void => {
      let closed = false;
      while (scopes.length > 0 && scopes[scopes.length - 1][0] >= depth) {
        scopes.pop();
        closed = true;
      }
      if (!node) return;
      const type = node.type;
      if (type === 'comment') {
        this.comments.push({ text: node.text, start: node.startIndex, end: node.endIndex });
      } else if (wanted.has(type)) {
        const fn = scopes.length > 0 ? scopes[scopes.length - 1][1] : -1;
        const enclosing = enclosingFunction(scopes);
        if (type === 'function_definition') {
          this.functions.push(node);
          this.functionParents.push(enclosing);
          this.add(type, { node, fn }, enclosing);
          scopes.push([depth, this.functions.length - 1]);
        } else {
          this.add(type, { node, fn }, enclosing);
          if (type === 'class_definition') scopes.push([depth, -1]);
        }
      } else {
        if (closed) for (const r of recorders) r.entries.push({ node: null, depth: depth - r.depth });
        return;
      }
      for (const r of recorders) r.entries.push({ node, depth: depth - r.depth });
    };
    // Pre-order walk with an explicit stack (nesting can be thousands deep).
    const nodes: Node[] = [tree.rootNode];
    const depths: number[] = [0];
    while (nodes.length > 0) {
      const node = nodes.pop()!;
      const depth = depths.pop()!;
      while (recorders.length > 0 && recorders[recorders.length - 1].depth >= depth) {
        const done = recorders.pop()!;
        cache.set(done.node, done.entries);
      }
      const type = node.type;
      if (type === 'function_definition' || type === 'class_definition') {
        // A definition taken over unchanged from the previous export: replay what it held.
        const held = cache.get(node);
        if (held) {
          for (const e of held) visit(e.node, depth + e.depth);
          continue;
        }
        recorders.push({ node, depth, entries: [] });
      }
      visit(node, depth);
      if (OPAQUE.has(type)) continue;
      const kids = node.children;
      for (let i = kids.length - 1; i >= 0; i--) {
        nodes.push(kids[i]);
        depths.push(depth + 1);
      }
    }
    for (const done of recorders) cache.set(done.node, done.entries);
  }

  /**
   * The innermost function_definition containing an indexed node (-1: none), or undefined for nodes
   * the index did not collect. Unlike `fn`, class bodies inside functions resolve to that function.
   */
  functionOf(node: Node): number | undefined {
    return this.functionOfNode.get(node.id);
  }

  private add(type: string, entry: IndexedNode, enclosing: number): void {
    this.functionOfNode.set(entry.node.id, enclosing);
    let list = this.byType.get(type);
    if (!list) this.byType.set(type, (list = []));
    list.push(entry);
    if (type === 'comment') return;
    let own = this.byFunction.get(entry.fn);
    if (!own) this.byFunction.set(entry.fn, (own = []));
    own.push(entry);
  }

  /** Every indexed node of a type, in source order. */
  all(type: string): readonly IndexedNode[] {
    return this.byType.get(type) ?? [];
  }

  /** Indexed nodes directly in function `fn`'s own scope (not in nested functions or classes). */
  inFunction(fn: number): readonly IndexedNode[] {
    return this.byFunction.get(fn) ?? [];
  }

  /** Indexed nodes of `types` inside [start, end) and in the same scope as `fn`. */
  within(fn: number, start: number, end: number, types: ReadonlySet<string>): Node[] {
    const out: Node[] = [];
    for (const e of this.inFunction(fn)) {
      const s = e.node.startIndex;
      if (s >= end) break;
      if (s >= start && types.has(e.node.type) && e.node.endIndex <= end) out.push(e.node);
    }
    return out;
  }

  /** function_definition and lambda nodes starting after `start` and ending before `end`, in source order. */
  definitionsBetween(start: number, end: number): Node[] {
    if (!this.definitions) {
      // Both lists are in source order: merge them (startIndex is a plain property, no wasm crossing).
      const a = this.all('function_definition');
      const b = this.all('lambda');
      const merged: Node[] = [];
      let i = 0;
      let j = 0;
      while (i < a.length || j < b.length) {
        if (j >= b.length || (i < a.length && a[i].node.startIndex <= b[j].node.startIndex)) merged.push(a[i++].node);
        else merged.push(b[j++].node);
      }
      this.definitions = merged;
    }
    const defs = this.definitions;
    let lo = 0;
    let hi = defs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (defs[mid].startIndex > start) hi = mid;
      else lo = mid + 1;
    }
    const out: Node[] = [];
    for (let k = lo; k < defs.length && defs[k].startIndex < end; k++) if (defs[k].endIndex < end) out.push(defs[k]);
    return out;
  }

  functionIndex(fnNode: Node): number {
    // functions are in source order: binary search by start offset
    let lo = 0;
    let hi = this.functions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.functions[mid].startIndex;
      if (s === fnNode.startIndex) return this.functions[mid].id === fnNode.id ? mid : this.functions.findIndex((f) => f.id === fnNode.id);
      if (s < fnNode.startIndex) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

function enclosingFunction(scopes: Array<[number, number]>): number {
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i][1] >= 0) return scopes[i][1];
  return -1;
}
