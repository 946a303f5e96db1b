// The analysis core's public face: no editor or LSP imports below this line, so the language server,
// the CLI and the tests all run the same code.
import { createPythonParser, type Parser, type Tree } from './parser';
import { exportTree } from './syntaxTree';
import { analyze, mayReport, ModuleAnalysis } from './analyze';
import { skippedModuleSummary, type ModuleSummary } from './project/summary';
import { sameFacts } from './project/graph';
import { withOwnFacts } from './project/ownFacts';
import { mergeReads, recordFactReads, type FactReads } from './project/factReads';
import type { ProjectFacts } from './options';
import { moduleOptions, type ModuleIdentity } from './project/moduleName';
import { selectRules, type RuleSelection } from './selection';
import type { AnalysisOptions, Finding, Rule } from './types';
import { parseRecovering } from './bracketRecovery';

export * from './types';
export { analyze, analyzeModule, mayReport, ModuleAnalysis, type ModuleResult } from './analyze';
export { ProjectGraph, sameEntries, sameFacts, type ProjectFacts, type ContainerAccess } from './project/graph';
export { moduleIdentity, moduleOptions, type ModuleIdentity } from './project/moduleName';
export type { ModuleSummary } from './project/summary';
export { skippedModuleSummary } from './project/summary';
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
  /** The exported tree (plain objects: nothing to free). */
  tree: Tree;
}

const OWN_FACT_TURNS = 3;

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
    const tree = this.parse(text);
    const findings = analyze({ tree, text, rules: this.rules, options: this.options });
    return { findings, hasSyntaxErrors: tree.rootNode.hasError, tree };
  }

  /** Parses and exports the tree, freeing tree-sitter's. */
  private parse(text: string): Tree {
    const wasm = parseRecovering(this.parser, text);
    if (!wasm) throw new Error('tree-sitter returned no tree');
    try {
      return exportTree(wasm, text);
    } finally {
      wasm.delete();
    }
  }

  /**
   * Checks one file of a project: with its module identity (relative imports, the cross-file summary)
   * and what the rest of the project tells it (project/graph.ts).
   */
  checkModule(
    text: string,
    identity: ModuleIdentity,
    facts?: ProjectFacts,
    /** Add the facts the module's own summary implies before the rules run (checkProject's first round). */
    deriveOwnFacts = false,
  ): Omit<CheckResult, 'tree'> & { summary?: ModuleSummary; appliedFacts?: ProjectFacts; factReads?: FactReads } {
    // Every question the gate and the rules ask of the facts is recorded (factReads.ts): a later round
    // analyses the module again only if one of their answers changes.
    let recorder = recordFactReads(facts);
    const gateReads = recorder;
    const options = moduleOptions(this.options, identity, recorder.facts, text);
    // A file with no sign of concurrency cannot have a finding: it is not even parsed (about half of a
    // typical code base; its syntax errors, which could only make empty results partial, go unsaid).
    if (!mayReport(text, this.rules, options)) return { findings: [], hasSyntaxErrors: false, summary: skippedModuleSummary(identity.module, text, identity.packageName), appliedFacts: facts, factReads: recorder.reads() };
    const tree = this.parse(text);
    let applied = facts;
    let analysis = new ModuleAnalysis({ tree, text, rules: this.rules, options }, identity.module);
    // Facts the module tells itself change its summary only by reach they add: two or three turns settle.
    for (let turn = 0; deriveOwnFacts && turn < OWN_FACT_TURNS; turn++) {
      const summary = analysis.summary();
      if (!summary) break;
      const next = withOwnFacts(summary, facts);
      if (sameFacts(next, applied)) break;
      applied = next;
      recorder = recordFactReads(applied);
      analysis = new ModuleAnalysis({ tree, text, rules: this.rules, options: moduleOptions(this.options, identity, recorder.facts, text) }, identity.module);
    }
    const { findings, summary } = analysis.run();
    return {
      findings,
      summary: summary ?? skippedModuleSummary(identity.module, text, identity.packageName),
      hasSyntaxErrors: tree.rootNode.hasError,
      appliedFacts: applied,
      factReads: mergeReads(gateReads.reads(), recorder === gateReads ? {} : recorder.reads()),
    };
  }

  /** Like check() without the tree: for batch use (a file that cannot have a finding is not parsed). */
  checkText(text: string): Omit<CheckResult, 'tree'> {
    if (!mayReport(text, this.rules, this.options)) return { findings: [], hasSyntaxErrors: false };
    const { tree: _tree, ...rest } = this.check(text);
    return rest;
  }
}
