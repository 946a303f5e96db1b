// The analysis core's public face: no editor or LSP imports below this line, so the language server,
// the CLI and the tests all run the same code.
import { createPythonParser, type Parser, type Tree } from './parser';
import { analyze, analyzeModule } from './analyze';
import type { ModuleSummary } from './project/summary';
import type { ModuleIdentity } from './project/moduleName';
import { selectRules, type RuleSelection } from './selection';
import type { AnalysisOptions, Finding, Rule } from './types';

export * from './types';
export { analyze, analyzeModule } from './analyze';
export { ProjectGraph, sameEntries } from './project/graph';
export { moduleIdentity, type ModuleIdentity } from './project/moduleName';
export type { ModuleSummary } from './project/summary';
export { selectRules, unknownCodes, type RuleSelection } from './selection';
export { ALL_RULES, RULES_BY_CODE, ruleDocUrl } from './rules';
export { LineIndex } from './text';
export { fixAll, isApplicable, type FixAllResult } from './fixes/fixAll';
export { applyEdits } from './fixes/text';

export interface CheckSettings extends RuleSelection, AnalysisOptions {}

export interface CheckResult {
  findings: Finding[];
  /** True when tree-sitter had to recover from syntax errors; findings are then partial. */
  hasSyntaxErrors: boolean;
  tree: Tree;
}

/** One parser plus the rule selection: what the CLI uses per worker and the tests use per file. */
export class Checker {
  private constructor(
    private readonly parser: Parser,
    private readonly rules: readonly Rule[],
    private readonly options: AnalysisOptions,
  ) {}

  static async create(settings: CheckSettings = {}, grammarDir?: string): Promise<Checker> {
    const { select: _select, ignore: _ignore, ...options } = settings;
    return new Checker(await createPythonParser(grammarDir), selectRules(settings), options);
  }

  check(text: string): CheckResult {
    const tree = this.parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    try {
      const findings = analyze({ tree, text, rules: this.rules, options: this.options });
      return { findings, hasSyntaxErrors: tree.rootNode.hasError, tree };
    } catch (error) {
      tree.delete();
      throw error;
    }
  }

  /**
   * Checks one file of a project: with its module identity (relative imports, the cross-file summary)
   * and the functions other modules' threads reach in it. Frees the tree.
   */
  checkModule(
    text: string,
    identity: ModuleIdentity,
    externalThreadEntries?: ReadonlyMap<string, string>,
    externalCallerLocks?: ReadonlyMap<string, string>,
  ): Omit<CheckResult, 'tree'> & { summary?: ModuleSummary } {
    const tree = this.parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    try {
      const options = { ...this.options, packageName: identity.packageName, externalThreadEntries, externalCallerLocks };
      const { findings, summary } = analyzeModule({ tree, text, rules: this.rules, options }, identity.module);
      return { findings, summary, hasSyntaxErrors: tree.rootNode.hasError };
    } finally {
      tree.delete();
    }
  }

  /** Like check() but frees the tree: for batch use. */
  checkText(text: string): Omit<CheckResult, 'tree'> {
    const { tree, ...rest } = this.check(text);
    tree.delete();
    return rest;
  }
}
