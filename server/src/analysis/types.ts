// The vocabulary shared by the model, the rules and every adapter (LSP, CLI, tests).
// Offsets are UTF-16 code units into the document text, as web-tree-sitter reports them for JS strings.
import type { Node, Tree } from './parser';
import type { ModuleModel } from './model/module';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** How often a rule's findings are real bugs (CodeQL's precision levels). Low is off by default. */
export type Precision = 'high' | 'medium' | 'low';

/** ruff's applicability model: safe fixes keep behaviour, unsafe ones may change it. */
/**
 * How strong the evidence behind one finding is: high when a thread entry reaches the code and the state
 * is shared, medium when sharing is evident but no entry is visible (or only assume-concurrent supplies
 * the threads for state that is shared by nature), low when only assume-concurrent says so.
 */
export type Confidence = 'high' | 'medium' | 'low';

export type Applicability = 'safe' | 'unsafe' | 'display-only';

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  message: string;
  applicability: Applicability;
  edits: TextEdit[];
}

export interface Finding {
  code: string;
  message: string;
  severity: Severity;
  start: number;
  end: number;
  /** Strength of the evidence (defaults to the rule's precision). Low-confidence findings are `info`. */
  confidence?: Confidence;
  /** The primary fix: the JSON `fix` field, what `--fix` and fix-all apply. */
  fix?: Fix;
  /** Other remedies, offered as quick fixes only (e.g. "make it thread-local"). */
  alternatives?: Fix[];
}

export interface RuleMeta {
  /** Stable code, e.g. FT101. */
  code: string;
  /** kebab-case name, e.g. unguarded-augmented-assignment. */
  name: string;
  /** One line for the rule table and hovers. */
  summary: string;
  precision: Precision;
}

export interface AnalysisOptions {
  /** Treat every function as callable from several threads at once (auditing a library). */
  assumeConcurrent?: boolean;
  /** Extra callables whose construction makes a lock, e.g. `mypkg.sync.SpinLock` (qualified or bare). */
  lockTypes?: readonly string[];
  /** Extra functions whose callable argument runs on another thread, e.g. `mypkg.spawn` (qualified or bare). */
  threadEntryPoints?: readonly string[];
  /** The module's package (`pkg.sub` for pkg/sub/mod.py), to resolve relative imports. */
  packageName?: string;
  /**
   * Functions of this module that run on threads started in other modules (cross-file reachability,
   * from project/graph.ts): local name (`worker`, `Pool.run`) → how they are reached.
   */
  externalThreadEntries?: ReadonlyMap<string, string>;
  /**
   * Functions of this module that no code of the module calls and that every call site elsewhere in the
   * run calls holding a lock (project/graph.ts): bare name → that lock, described with its place.
   */
  externalCallerLocks?: ReadonlyMap<string, string>;
  /** Leave out findings whose confidence is below this (default: low, so every finding is kept). */
  minConfidence?: Confidence;
  /** Target Python version, e.g. "3.14" (version-aware rules). */
  targetVersion?: string;
  /**
   * Additions to FT216's table of extension packages (server/src/analysis/data/free-threading-packages.json):
   * top-level import name → the first release with free-threading support (e.g. "1.4.0"), or null when no
   * release supports it. An entry here overrides the built-in one for the same name.
   */
  extraPackages?: Readonly<Record<string, string | null>>;
}

export interface RuleContext {
  readonly tree: Tree;
  readonly text: string;
  readonly model: ModuleModel;
  readonly options: AnalysisOptions;
  report(node: Node, finding: { message: string; severity: Severity; confidence?: Confidence; fix?: Fix; alternatives?: Fix[] }): void;
}

/**
 * A rule visits the node types it names during the one shared traversal of the tree, so adding a
 * rule costs one dispatch per matching node rather than another walk.
 */
export interface Rule extends RuleMeta {
  visit: Partial<Record<string, (node: Node, ctx: RuleContext) => void>>;
}
