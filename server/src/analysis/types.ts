// The vocabulary shared by the model, the rules and every adapter (LSP, CLI, tests).
// Offsets are UTF-16 code units into the document text, as web-tree-sitter reports them for JS strings.
import type { Node, Tree } from './parser';
import type { ModuleModel } from './model/module';
import type { AnalysisOptions, Confidence } from './options';

export type { AnalysisOptions, Confidence } from './options';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** How often a rule's findings are real bugs (CodeQL's precision levels). Low is off by default. */
export type Precision = 'high' | 'medium' | 'low';

/** ruff's applicability model: safe fixes keep behaviour, unsafe ones may change it. */

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
  /** Set on "guard with a lock" fixes: what they wrap, so fix-all can merge adjacent guards on one lock. */
  guard?: GuardSpan;
}

/**
 * The statements a guard fix puts under `lock`: their own lines `[start, end)`, one of the fix's edits
 * replaces exactly that range. `append`: the statements join the `with lock:` block just above them
 * instead of getting a block of their own.
 */
export interface GuardSpan {
  lock: string;
  /** Start offset of the block (or module) whose statements these are: only siblings merge. */
  parent: number;
  start: number;
  end: number;
  /** The statements' indentation. */
  indent: string;
  append?: boolean;
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
  /**
   * Not run unless selected by code, prefix or `ALL`: advice outside the race catalogue, worth having
   * where it applies (benchmark code) and noise elsewhere (a library's timeouts).
   */
  optIn?: boolean;
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
