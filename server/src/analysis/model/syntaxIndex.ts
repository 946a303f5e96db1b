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

/**
 * What one function or class definition or one top-level statement holds (nested definitions
 * included); or (node null) what lies outside every top-level statement. A node is taken over by the
 * next export only when its text and structure did not change, so what it held is still true: its
 * segment is kept with the node and taken whole by the next index — no walk, no per-node work — while
 * only what an edit touched is walked again. Function indices are absolute (`base` is its first function's); a segment
 * met where the functions before it or its enclosing scope differ is renumbered once.
 */
class Segment {
  readonly functions: Node[] = [];
  readonly functionParents: number[] = [];
  /** Comment nodes (their offsets move with the node; the index reads them per version). */
  readonly comments: Node[] = [];
  readonly byType = new Map<string, IndexedNode[]>();
  readonly byFunction = new Map<number, IndexedNode[]>();
  /** Every entry in source order (pre-order: starts never decrease), and the function enclosing each. */
  readonly entries: IndexedNode[] = [];
  readonly enclosingOf: number[] = [];

  constructor(
    /** The definition (null: module-level statements). */
    readonly node: Node | null,
    /** The index of the first function it holds. */
    readonly base: number,
    /** The `fn` of the scope the definition sits in, and the function enclosing it (-1: none). */
    readonly scopeFn: number,
    readonly enclosing: number,
    /** For module-level runs only: node id → enclosing function, shared by the runs of one index. */
    readonly looseFunctionOfNode?: Map<number, number>,
  ) {}

  add(type: string, entry: IndexedNode, enclosing: number): void {
    this.entries.push(entry);
    this.enclosingOf.push(enclosing);
    this.looseFunctionOfNode?.set(entry.node.id, enclosing);
    pushTo(this.byType, type, entry);
    pushTo(this.byFunction, entry.fn, entry);
  }

  /** Appends a nested definition's segment (numbered for this place). */
  append(inner: Segment): void {
    this.functions.push(...inner.functions);
    this.functionParents.push(...inner.functionParents);
    this.comments.push(...inner.comments);
    for (const [type, list] of inner.byType) appendTo(this.byType, type, list);
    for (const [fn, list] of inner.byFunction) appendTo(this.byFunction, fn, list);
    for (let i = 0; i < inner.entries.length; i++) {
      this.entries.push(inner.entries[i]);
      this.enclosingOf.push(inner.enclosingOf[i]);
    }
  }

  /** The function enclosing one of its indexed nodes (undefined: not indexed here). */
  functionOf(node: Node): number | undefined {
    const entries = this.entries;
    const start = node.startIndex;
    for (let i = firstAtOrAfter(entries, start); i < entries.length && entries[i].node.startIndex === start; i++) if (entries[i].node === node) return this.enclosingOf[i];
    return undefined;
  }

  /** This segment numbered for another place: its first function at `base`, in the given scope. */
  renumbered(base: number, scopeFn: number, enclosing: number): Segment {
    const out = new Segment(this.node, base, scopeFn, enclosing);
    const delta = base - this.base;
    const inner = (fn: number, outer: number) => (fn >= this.base ? fn + delta : outer);
    out.functions.push(...this.functions);
    for (const p of this.functionParents) out.functionParents.push(inner(p, enclosing));
    out.comments.push(...this.comments);
    const moved = new Map<IndexedNode, IndexedNode>();
    for (const list of this.byFunction.values()) {
      for (const e of list) {
        // Only the definition itself sits in the outer scope; class-body nodes stay at -1.
        const to = { node: e.node, fn: e.node === this.node ? scopeFn : inner(e.fn, -1) };
        moved.set(e, to);
        pushTo(out.byFunction, to.fn, to);
      }
    }
    for (const [type, list] of this.byType) out.byType.set(type, list.map((e) => moved.get(e)!));
    for (let i = 0; i < this.entries.length; i++) {
      out.entries.push(moved.get(this.entries[i])!);
      out.enclosingOf.push(inner(this.enclosingOf[i], enclosing));
    }
    return out;
  }
}

/** The first indexed node starting at or after `offset` (the lists are in source order). */
export function firstAtOrAfter(nodes: readonly { node: Node }[], offset: number): number {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid].node.startIndex < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function appendTo<K, V>(map: Map<K, V[]>, key: K, values: readonly V[]): void {
  const list = map.get(key);
  if (!list) map.set(key, values.slice());
  else for (let i = 0; i < values.length; i++) list.push(values[i]);
}

/** The lists joined in order (a bulk copy: cheaper than pushing their elements one by one). */
function concatenated<T>(lists: ReadonlyArray<readonly T[] | undefined>): T[] {
  const present = lists.filter((l): l is readonly T[] => l !== undefined && l.length > 0);
  let out: T[] = [];
  // In chunks: a module can have tens of thousands of top-level statements, more than a call's arguments.
  for (let i = 0; i < present.length; i += 4096) out = out.concat(...present.slice(i, i + 4096));
  return out;
}

/** Each definition's segment, by the extra types asked for. */
const segmentCaches = new Map<string, WeakMap<Node, Segment>>();

export class SyntaxIndex {
  /** function_definition nodes in source order. */
  readonly functions: Node[] = [];
  /** For each function, the function it is nested in (-1: module or class level). */
  readonly functionParents: number[] = [];
  readonly comments: IndexedComment[] = [];
  /** Top-level statements' segments, and runs of what is outside them, in source order. */
  private readonly parts: Segment[] = [];
  /** The top-level statements' segments (the parts with a node), in source order. */
  private readonly definitionParts: Segment[] = [];
  /** Indexed nodes outside every top-level statement's segment → their function (-1). */
  private readonly looseFunctionOfNode = new Map<number, number>();
  private readonly byType = new Map<string, IndexedNode[]>();
  private moduleLevel: IndexedNode[] | undefined;
  private definitions: Node[] | undefined;

  constructor(tree: Tree, extraTypes: readonly string[] = []) {
    const key = extraTypes.join(',');
    let cache = segmentCaches.get(key);
    if (!cache) segmentCaches.set(key, (cache = new WeakMap()));
    const wanted = new Set<string>([...INDEXED_TYPES, ...extraTypes]);
    // scope stack: [depth, function index or -1 for a class body]
    const scopes: Array<[number, number]> = [];
    // Definitions being walked afresh, innermost last; their segments are kept for the next index.
    const open: Array<{ segment: Segment; depth: number }> = [];
    let loose: Segment | null = null;
    let functionCount = 0;
    const target = (): Segment => {
      if (open.length > 0) return open[open.length - 1].segment;
      return (loose ??= new Segment(null, functionCount, -1, -1, this.looseFunctionOfNode));
    };
    const place = (segment: Segment): void => {
      if (open.length > 0) {
        open[open.length - 1].segment.append(segment);
        return;
      }
      if (loose) this.parts.push(loose);
      loose = null;
      this.parts.push(segment);
      this.definitionParts.push(segment);
    };
    const closeScopes = (depth: number) => {
      while (scopes.length > 0 && scopes[scopes.length - 1][0] >= depth) scopes.pop();
    };
    // Pre-order walk with an explicit stack (nesting can be thousands deep).
    const nodes: Node[] = [tree.rootNode];
    const depths: number[] = [0];
    while (nodes.length > 0) {
      const node = nodes.pop()!;
      const depth = depths.pop()!;
      while (open.length > 0 && open[open.length - 1].depth >= depth) {
        const done = open.pop()!.segment;
        cache.set(done.node!, done);
        place(done);
      }
      closeScopes(depth);
      const type = node.type;
      const definition = type === 'function_definition' || type === 'class_definition';
      // Definitions, and each top-level statement, are the units kept across versions.
      if (definition || (depth === 1 && node.children.length > 0)) {
        const scopeFn = scopes.length > 0 ? scopes[scopes.length - 1][1] : -1;
        const enclosing = enclosingFunction(scopes);
        // Taken over unchanged from the previous export: take what it held.
        let held = cache.get(node);
        if (held) {
          if (held.base !== functionCount || held.scopeFn !== scopeFn || held.enclosing !== enclosing) {
            cache.set(node, (held = held.renumbered(functionCount, scopeFn, enclosing)));
          }
          functionCount += held.functions.length;
          place(held);
          continue;
        }
        open.push({ segment: new Segment(node, functionCount, scopeFn, enclosing), depth });
      }
      if (definition) {
        const scopeFn = scopes.length > 0 ? scopes[scopes.length - 1][1] : -1;
        const enclosing = enclosingFunction(scopes);
        const segment = target();
        segment.add(type, { node, fn: scopeFn }, enclosing);
        if (type === 'function_definition') {
          segment.functions.push(node);
          segment.functionParents.push(enclosing);
          scopes.push([depth, functionCount++]);
        } else scopes.push([depth, -1]);
      } else if (type === 'comment') {
        target().comments.push(node);
      } else if (wanted.has(type)) {
        const fn = scopes.length > 0 ? scopes[scopes.length - 1][1] : -1;
        target().add(type, { node, fn }, enclosingFunction(scopes));
      }
      if (OPAQUE.has(type)) continue;
      const kids = node.children;
      for (let i = kids.length - 1; i >= 0; i--) {
        nodes.push(kids[i]);
        depths.push(depth + 1);
      }
    }
    while (open.length > 0) {
      const done = open.pop()!.segment;
      cache.set(done.node!, done);
      place(done);
    }
    if (loose) this.parts.push(loose);
    for (const part of this.parts) {
      this.functions.push(...part.functions);
      this.functionParents.push(...part.functionParents);
      for (const c of part.comments) this.comments.push({ text: c.text, start: c.startIndex, end: c.endIndex });
    }
  }

  /**
   * The innermost function_definition containing an indexed node (-1: none), or undefined for nodes
   * the index did not collect. Unlike `fn`, class bodies inside functions resolve to that function.
   */
  functionOf(node: Node): number | undefined {
    // The outermost definition holding the node (they do not overlap), else module level.
    return this.topLevelPartAt(node.startIndex)?.functionOf(node) ?? this.looseFunctionOfNode.get(node.id);
  }

  /** The segment of the top-level statement holding `offset`, if any (they do not overlap). */
  private topLevelPartAt(offset: number): Segment | undefined {
    const parts = this.definitionParts;
    let lo = 0;
    let hi = parts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const def = parts[mid].node!;
      if (offset < def.startIndex) hi = mid - 1;
      else if (offset >= def.endIndex && def.endIndex > def.startIndex) lo = mid + 1;
      else return parts[mid];
    }
    return undefined;
  }

  /** Every indexed node of a type, in source order. */
  all(type: string): readonly IndexedNode[] {
    let list = this.byType.get(type);
    if (!list) this.byType.set(type, (list = concatenated(this.parts.map((p) => p.byType.get(type)))));
    return list;
  }

  /**
   * A source-ordered list holding every indexed node of a type inside [start, end): the list of the one
   * top-level statement the range lies in (a first answer's edited definition), without joining every
   * statement's list as all() does; all() otherwise.
   */
  ofTypeAround(type: string, start: number, end: number): readonly IndexedNode[] {
    const joined = this.byType.get(type);
    if (joined) return joined;
    const part = this.topLevelPartAt(start);
    if (part && end <= part.node!.endIndex) return part.byType.get(type) ?? [];
    return this.all(type);
  }

  /** Indexed nodes directly in function `fn`'s own scope (not in nested functions or classes). */
  inFunction(fn: number): readonly IndexedNode[] {
    if (fn < 0) return (this.moduleLevel ??= concatenated(this.parts.map((p) => p.byFunction.get(-1))));
    // The one part holding the function: parts are in order of their first function.
    const parts = this.parts;
    let lo = 0;
    let hi = parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (parts[mid].base <= fn) lo = mid;
      else hi = mid - 1;
    }
    return parts[lo]?.byFunction.get(fn) ?? [];
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
