// The syntax tree the analysis reads: plain JS objects exported from tree-sitter's tree in one cursor
// walk. Every question web-tree-sitter's `Node` answers (type, field child, parent, text) crosses
// into wasm and allocates a wrapper; the model and the rules ask millions of them, so they cost more
// than the parse itself. Exported once, the same questions are property reads.
//
// After an edit only what changed is exported again: subtrees the edit did not touch (outside every
// edited range and every range tree-sitter reports as changed) are taken over from the previous export,
// offsets shifted, so a keystroke in a 5,000-line file exports a few hundred nodes, not thirty thousand.
import type { Tree as WasmTree, Range } from 'web-tree-sitter';
import { walkTree } from './treeWalk';

export interface Point {
  row: number;
  column: number;
}

/** The document text, shared by every node of one tree (and by later exports that reuse its nodes). */
export class Source {
  private lineStarts: number[] | undefined;

  constructor(private current: string) {}

  get text(): string {
    return this.current;
  }

  set text(text: string) {
    this.current = text;
    this.lineStarts = undefined;
  }

  /** The offset of a tree-sitter point (clamped to the text). */
  offsetAt(point: Point): number {
    const starts = (this.lineStarts ??= lineStartsOf(this.current));
    if (point.row >= starts.length) return this.current.length;
    return Math.min(this.current.length, starts[point.row] + point.column);
  }

  /** tree-sitter's point: rows break at `\n` only, columns count UTF-16 code units. */
  pointAt(offset: number): Point {
    const starts = (this.lineStarts ??= lineStartsOf(this.current));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: offset - starts[lo] };
  }
}

/**
 * A copy of `text` (a slice of the document) that does not keep the document alive. V8 makes a slice of
 * 13 or more characters a view of the string it was cut from, so a name cached on a node — which
 * outlives its version, taken over by later exports — would hold that whole version of the text: one
 * document's worth of memory per edit, for as long as the file stays open. Caches keyed by node keep
 * their strings through this.
 */
export function detached(text: string): string {
  // Flattening the concatenation copies the characters; the slice then views the copy.
  return text.length < 13 ? text : (' ' + text).slice(1);
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

const NO_CHILDREN: readonly SyntaxNode[] = Object.freeze([]);
const shiftStack: SyntaxNode[] = [];
let nextId = 1;

/** One node: the subset of web-tree-sitter's `Node` the analysis uses, answered without wasm. */
export class SyntaxNode {
  readonly id = nextId++;
  parent: SyntaxNode | null = null;
  /** Index in `parent.children`. */
  childIndex = 0;
  children: readonly SyntaxNode[] = NO_CHILDREN;
  /** The field this node fills in its parent (`left`, `body`…), or null. */
  field: string | null = null;
  isMissing = false;
  private named: SyntaxNode[] | undefined;
  /** Cached `hasError` (the root's is read from tree-sitter at export). */
  error: boolean | undefined;

  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    public startIndex: number,
    public endIndex: number,
    public source: Source,
  ) {}

  get text(): string {
    return this.source.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    return this.source.pointAt(this.startIndex);
  }

  get endPosition(): Point {
    return this.source.pointAt(this.endIndex);
  }

  get childCount(): number {
    return this.children.length;
  }

  get namedChildren(): SyntaxNode[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get firstChild(): SyntaxNode | null {
    return this.children[0] ?? null;
  }

  get lastChild(): SyntaxNode | null {
    return this.children[this.children.length - 1] ?? null;
  }

  get firstNamedChild(): SyntaxNode | null {
    return this.namedChildren[0] ?? null;
  }

  get lastNamedChild(): SyntaxNode | null {
    const named = this.namedChildren;
    return named[named.length - 1] ?? null;
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): SyntaxNode | null {
    return this.namedChildren[index] ?? null;
  }

  get nextSibling(): SyntaxNode | null {
    return this.parent?.children[this.childIndex + 1] ?? null;
  }

  get previousSibling(): SyntaxNode | null {
    return this.childIndex > 0 ? this.parent!.children[this.childIndex - 1] : null;
  }

  get nextNamedSibling(): SyntaxNode | null {
    const siblings = this.parent?.children ?? NO_CHILDREN;
    for (let i = this.childIndex + 1; i < siblings.length; i++) if (siblings[i].isNamed) return siblings[i];
    return null;
  }

  get previousNamedSibling(): SyntaxNode | null {
    const siblings = this.parent?.children ?? NO_CHILDREN;
    for (let i = this.childIndex - 1; i >= 0; i--) if (siblings[i].isNamed) return siblings[i];
    return null;
  }

  childForFieldName(name: string): SyntaxNode | null {
    const kids = this.children;
    for (let i = 0; i < kids.length; i++) if (kids[i].field === name) return kids[i];
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    return this.children.filter((c) => c.field === name);
  }

  /** An ERROR or MISSING node in this subtree. */
  get hasError(): boolean {
    return (this.error ??= this.type === 'ERROR' || this.isMissing || this.children.some((c) => c.hasError));
  }

  /** Descendants (not this node) of the given types, in source order. */
  descendantsOfType(types: string | readonly string[]): SyntaxNode[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const out: SyntaxNode[] = [];
    const stack: SyntaxNode[] = [];
    for (let i = this.children.length - 1; i >= 0; i--) stack.push(this.children[i]);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (wanted.includes(n.type)) out.push(n);
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
    return out;
  }

  /** The smallest node that spans [start, end] — tree-sitter's `descendantForIndex`. */
  descendantForIndex(start: number, end = start): SyntaxNode {
    // The first child that ends at or after the span (children are in order and do not overlap, so
    // their ends never decrease): a binary search, as a module can have thousands of top-level statements.
    const threshold = end > start ? end : start + 1;
    let node: SyntaxNode = this;
    for (;;) {
      const kids = node.children;
      let lo = 0;
      let hi = kids.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (kids[mid].endIndex < threshold) lo = mid + 1;
        else hi = mid;
      }
      if (lo === kids.length || start < kids[lo].startIndex) return node;
      node = kids[lo];
    }
  }

  /** The smallest node that spans the point — tree-sitter's `descendantForPosition`. */
  descendantForPosition(start: Point, end = start): SyntaxNode {
    return this.descendantForIndex(this.source.offsetAt(start), this.source.offsetAt(end));
  }

  toString(): string {
    return `(${this.type} ${this.startIndex}-${this.endIndex})`;
  }

  /** Moves this subtree by `delta` characters (it was taken over after an edit before it). */
  shift(delta: number): void {
    // Every node after an edit passes here: indexed loops and one reused stack, so shifting allocates
    // nothing (a `for…of` iterator per node was a quarter of an edit's garbage).
    const stack = shiftStack;
    const base = stack.length;
    stack.push(this);
    while (stack.length > base) {
      const n = stack.pop()!;
      n.startIndex += delta;
      n.endIndex += delta;
      const kids = n.children;
      for (let i = 0; i < kids.length; i++) stack.push(kids[i]);
    }
  }
}

/** The exported tree. No `delete()` needed: it holds no wasm memory. */
export class SyntaxTree {
  constructor(
    readonly rootNode: SyntaxNode,
    readonly source: Source,
    /** Nodes exported by this export (the rest were taken over): a measure of incremental work. */
    readonly exportedNodes: number,
  ) {}

  get text(): string {
    return this.source.text;
  }
}

/** One text change, in the offsets (UTF-16 code units) of the text it was applied to. */
export interface TextChange {
  start: number;
  oldEnd: number;
  newEnd: number;
}

interface LanguageTables {
  types: string[];
  fields: Array<string | null>;
  named: boolean[];
  /**
   * Symbols below this id are tokens, which never have children (tree-sitter numbers the tokens
   * first; the start rule, `module`, is the first non-terminal): the walk does not try to enter them.
   */
  firstNonTerminal: number;
}

const tablesByLanguage = new WeakMap<object, LanguageTables>();

function tablesOf(tree: WasmTree): LanguageTables {
  const language = tree.language;
  let tables = tablesByLanguage.get(language);
  if (!tables) {
    const types: string[] = [];
    const named: boolean[] = [];
    for (let id = 0; id < language.nodeTypeCount; id++) {
      types.push(language.types[id] ?? language.nodeTypeForId(id) ?? 'ERROR');
      named.push(language.nodeTypeIsNamed(id));
    }
    tables = { types, fields: language.fields, named, firstNonTerminal: language.idForNodeType('module', true) ?? 0 };
    tablesByLanguage.set(language, tables);
  }
  return tables;
}

const ERROR_SYMBOL = 65535;

/** A node of an earlier export for the node being read, if one can stand for it; `hasError` asks tree-sitter. */
type Reuse = (type: string, start: number, end: number, hasError: () => boolean) => SyntaxNode | undefined;

interface Frame {
  node: SyntaxNode;
  kids: SyntaxNode[];
}

/**
 * One cursor walk over the tree (treeWalk.ts); `reuse` may hand back a node of an earlier export for a
 * subtree, which is then not entered. Four questions to wasm per new node (type, field, start, end).
 */
function exportWith(tree: WasmTree, source: Source, reuse: Reuse, offset = 0): SyntaxTree {
  const tables = tablesOf(tree);
  const rootHasError = tree.rootNode.hasError;
  const cursor = walkTree(tree);
  let exported = 0;
  const readNew = (type: string, typeId: number, start: number, end: number): SyntaxNode => {
    exported++;
    const node = new SyntaxNode(type, typeId === ERROR_SYMBOL || tables.named[typeId], start, end, source);
    if (start === end) node.isMissing = cursor.isMissing();
    return node;
  };
  const typeName = (typeId: number) => (typeId === ERROR_SYMBOL ? 'ERROR' : tables.types[typeId]);
  const hasError = () => cursor.hasError();
  try {
    const rootId = cursor.typeId();
    const root = readNew(typeName(rootId), rootId, cursor.startIndex() + offset, cursor.endIndex() + offset);
    root.error = rootHasError;
    if (!cursor.gotoFirstChild()) return new SyntaxTree(root, source, exported);
    const stack: Frame[] = [{ node: root, kids: [] }];
    for (;;) {
      const frame = stack[stack.length - 1];
      const typeId = cursor.typeId();
      const type = typeName(typeId);
      const start = cursor.startIndex() + offset;
      const end = cursor.endIndex() + offset;
      const fieldId = cursor.fieldId();
      const field = fieldId ? tables.fields[fieldId] ?? null : null;
      const old = reuse(type, start, end, hasError);
      const node = old ?? readNew(type, typeId, start, end);
      node.parent = frame.node;
      node.childIndex = frame.kids.length;
      node.field = field;
      frame.kids.push(node);
      if (!old && typeId >= tables.firstNonTerminal && cursor.gotoFirstChild()) {
        stack.push({ node, kids: [] });
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        const done = stack.pop()!;
        done.node.children = done.kids;
        if (stack.length === 0) return new SyntaxTree(root, source, exported);
        cursor.gotoParent();
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Exports the whole tree. */
export function exportTree(tree: WasmTree, text: string): SyntaxTree {
  return exportWith(tree, new Source(text), () => undefined);
}

/**
 * Exports the parse of a piece of `source`'s text that starts at `offset` (its nodes get the offsets of
 * the whole text, so they can be spliced into its tree).
 */
export function exportPiece(tree: WasmTree, source: Source, offset: number): SyntaxTree {
  return exportWith(tree, source, () => undefined, offset);
}

/**
 * Exports `tree`, the re-parse of `previous`'s text after `changes` (in the order applied), taking
 * over every subtree of `previous` that no change touched and that is outside `changedRanges`
 * (tree-sitter's ranges whose structure changed, in the new tree's offsets).
 * `previous` must not be used afterwards: its nodes now belong to the new tree.
 */
export function exportTreeIncrementally(
  tree: WasmTree,
  text: string,
  previous: SyntaxTree,
  changes: readonly TextChange[],
  changedRanges: readonly Pick<Range, 'startIndex' | 'endIndex'>[],
): SyntaxTree {
  if (changes.length === 0 && changedRanges.length === 0 && previous.text === text) return previous;
  const oldRoot = previous.rootNode;
  const source = previous.source;
  const taken = new Set<SyntaxNode>();
  const shifts: Array<[SyntaxNode, number]> = [];
  source.text = text;
  const next = exportWith(tree, source, (type, start, end, hasError) => {
    for (const r of changedRanges) if (r.startIndex <= end && r.endIndex >= start) return undefined;
    // Map the range back through the changes, last first; one that touches it makes it new.
    let s = start;
    let e = end;
    for (let i = changes.length - 1; i >= 0; i--) {
      const c = changes[i];
      if (s <= c.newEnd && e >= c.start) return undefined;
      if (s > c.newEnd) {
        s -= c.newEnd - c.oldEnd;
        e -= c.newEnd - c.oldEnd;
      }
    }
    const old = findNode(oldRoot, s, e, type);
    if (!old || taken.has(old)) return undefined;
    // tree-sitter's changed ranges can leave out an error node it added (a zero-width ERROR between
    // two tokens of an otherwise unchanged statement): the error flags must agree too.
    if (old.hasError !== hasError()) return undefined;
    taken.add(old);
    if (start !== s) shifts.push([old, start - s]);
    return old;
  });
  // After the walk: findNode binary-searches the old offsets.
  for (const [node, delta] of shifts) node.shift(delta);
  return next;
}

/** The node of `type` spanning exactly [start, end) in a tree (the outermost such one). */
function findNode(root: SyntaxNode, start: number, end: number, type: string): SyntaxNode | undefined {
  let node = root;
  for (;;) {
    if (node.startIndex === start && node.endIndex === end && node.type === type && node !== root) return node;
    const kids = node.children;
    // The last child starting at or before `start`.
    let lo = 0;
    let hi = kids.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (kids[mid].startIndex <= start) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Zero-width siblings can share a start: step back to the first one that spans the range.
    let next: SyntaxNode | undefined;
    for (let i = at; i >= 0 && kids[i].endIndex >= start; i--) {
      if (kids[i].startIndex <= start && kids[i].endIndex >= end) next = kids[i];
      if (kids[i].startIndex < start) break;
    }
    if (!next) return undefined;
    node = next;
  }
}
