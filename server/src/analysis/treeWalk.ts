// A cursor walk over tree-sitter's tree for the one traversal that exports it (syntaxTree.ts).
//
// web-tree-sitter's TreeCursor copies its four words into the wasm transfer buffer before every call
// and back after every move: ~30 JavaScript calls per node, about as dear as the parse itself on the
// 887k nodes of the stdlib corpus. The C functions behind it read the cursor from that buffer, and the
// moves write it back there; nothing else touches the buffer during the walk. So when the binding
// exposes those functions (the options object handed to `Parser.init` is emscripten's module), the
// walk writes the cursor once, calls them directly, and reads it back at the end. When it does not (a
// web-tree-sitter whose internals differ), the walk uses the public TreeCursor: same answers, slower.
// A direct walk owns the transfer buffer until it is deleted: no other call into tree-sitter may run
// in between (the export makes none but `hasError`, which puts the cursor back). A test
// (syntax-tree.test.ts) holds both walks to the same answers, node for node.
import type { Tree as WasmTree, TreeCursor } from 'web-tree-sitter';

export interface TreeWalk {
  typeId(): number;
  /** UTF-16 offsets, as web-tree-sitter's `startIndex`/`endIndex`. */
  startIndex(): number;
  endIndex(): number;
  /** 0 when the node is in no field. */
  fieldId(): number;
  isMissing(): boolean;
  hasError(): boolean;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  /** Frees the cursor; the walk is not used after. */
  delete(): void;
}

/** What the walk needs of emscripten's module object: the cursor functions, the heap, the buffer. */
interface Binding {
  HEAP32: Int32Array;
  _ts_init(): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
}

const CURSOR_FUNCTIONS = [
  '_ts_init',
  '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_start_index_wasm',
  '_ts_tree_cursor_end_index_wasm',
  '_ts_tree_cursor_current_field_id_wasm',
  '_ts_tree_cursor_current_node_is_missing_wasm',
  '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm',
] as const;

type Direct = { binding: Binding; transferWord: number };

/**
 * Kept on the global object, like the wasm module it points into (one per isolate): a second copy of
 * this file (a test runner's loader may make one) finds the binding the first adopted, since the
 * binding's own init runs once per isolate and fills in only the first options object.
 */
const SLOT = Symbol.for('ftaudit.treeWalk.direct');
const slots = globalThis as unknown as { [SLOT]?: Direct };

/**
 * Called with the options object given to `Parser.init` once it has resolved: emscripten fills it in as
 * the module. Uses it for direct walks only when it has everything they need.
 */
export function adoptBinding(module: object): void {
  const m = module as Partial<Record<(typeof CURSOR_FUNCTIONS)[number], unknown>> & { HEAP32?: unknown };
  if (!(m.HEAP32 instanceof Int32Array) || !CURSOR_FUNCTIONS.every((name) => typeof m[name] === 'function')) return;
  const binding = module as Binding;
  // `_ts_init` returns the transfer buffer's address (and writes the language version in it, as the
  // binding's own init did).
  slots[SLOT] = { binding, transferWord: binding._ts_init() >> 2 };
}

/** For the tests: walks through the public cursor even when direct calls are possible. */
export function walkTree(tree: WasmTree, { publicCursor = false } = {}): TreeWalk {
  const cursor = tree.walk();
  const treeAddress = (tree as unknown as { [0]: unknown })[0];
  const direct = slots[SLOT];
  if (publicCursor || !direct || typeof treeAddress !== 'number') return new PublicWalk(cursor);
  return new DirectWalk(cursor, treeAddress, direct.binding, direct.transferWord);
}

class PublicWalk implements TreeWalk {
  constructor(private readonly cursor: TreeCursor) {}
  typeId = () => this.cursor.nodeTypeId;
  startIndex = () => this.cursor.startIndex;
  endIndex = () => this.cursor.endIndex;
  fieldId = () => this.cursor.currentFieldId;
  isMissing = () => this.cursor.nodeIsMissing;
  hasError = () => this.cursor.currentNode.hasError;
  gotoFirstChild = () => this.cursor.gotoFirstChild();
  gotoNextSibling = () => this.cursor.gotoNextSibling();
  gotoParent = () => this.cursor.gotoParent();
  delete = () => this.cursor.delete();
}

/** The cursor's four words, which web-tree-sitter keeps as the TreeCursor's indexed properties. */
type CursorWords = { [i: number]: number };

class DirectWalk implements TreeWalk {
  constructor(
    private readonly cursor: TreeCursor,
    private readonly tree: number,
    private readonly b: Binding,
    private readonly word: number,
  ) {
    this.store();
  }

  /** The cursor into the transfer buffer (the heap view is read each time: the wasm memory may have grown). */
  private store(): void {
    const heap = this.b.HEAP32;
    const words = this.cursor as unknown as CursorWords;
    for (let i = 0; i < 4; i++) heap[this.word + i] = words[i];
  }

  /** The buffer back into the cursor object, for calls through its public API. */
  private load(): void {
    const heap = this.b.HEAP32;
    const words = this.cursor as unknown as CursorWords;
    for (let i = 0; i < 4; i++) words[i] = heap[this.word + i];
  }

  typeId(): number {
    return this.b._ts_tree_cursor_current_node_type_id_wasm(this.tree);
  }
  startIndex(): number {
    return this.b._ts_tree_cursor_start_index_wasm(this.tree);
  }
  endIndex(): number {
    return this.b._ts_tree_cursor_end_index_wasm(this.tree);
  }
  fieldId(): number {
    return this.b._ts_tree_cursor_current_field_id_wasm(this.tree);
  }
  isMissing(): boolean {
    return this.b._ts_tree_cursor_current_node_is_missing_wasm(this.tree) === 1;
  }
  hasError(): boolean {
    // Through the public node: it uses the transfer buffer for the node, so the cursor is put back after.
    this.load();
    const result = this.cursor.currentNode.hasError;
    this.store();
    return result;
  }
  gotoFirstChild(): boolean {
    return this.b._ts_tree_cursor_goto_first_child_wasm(this.tree) === 1;
  }
  gotoNextSibling(): boolean {
    return this.b._ts_tree_cursor_goto_next_sibling_wasm(this.tree) === 1;
  }
  gotoParent(): boolean {
    return this.b._ts_tree_cursor_goto_parent_wasm(this.tree) === 1;
  }
  delete(): void {
    this.load();
    this.cursor.delete();
  }
}

/** Are walks direct (the binding had what they need)? */
export function directWalks(): boolean {
  return slots[SLOT] !== undefined;
}
