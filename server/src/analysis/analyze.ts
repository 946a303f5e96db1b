// Runs the selected rules over one parsed module in a single traversal and returns the findings,
// minus those silenced by suppression comments (collected in the same traversal).
import type { Node, Tree, WasmTree } from './parser';
import { exportTree, SyntaxTree } from './syntaxTree';
import type { AnalysisOptions, Finding, Rule, RuleContext } from './types';
import { ModuleModel } from './model/module';
import { Suppressions, type SourceComment } from './suppression';
import { firstAtOrAfter, INDEXED_TYPES, SyntaxIndex } from './model/syntaxIndex';
import { summarizeModule, type ModuleSummary } from './project/summary';
import { LineIndex } from './text';
import { ALL_RULES } from './rules';
import { FT900 } from './rules/FT900-invalid-suppression';
import { mentionsKnownPackage } from './rules/FT216-gil-reenabling-extension';

export interface AnalyzeInput {
  /** The exported tree, or tree-sitter's (then exported here). */
  tree: Tree | WasmTree;
  text: string;
  rules: readonly Rule[];
  options?: AnalysisOptions;
}

const CONFIDENCE_RANK = { low: 0, medium: 1, high: 2 } as const;

const KNOWN_CODES: ReadonlySet<string> = new Set(ALL_RULES.map((r) => r.code));

export function analyze(input: AnalyzeInput): Finding[] {
  return analyzeModule(input).findings;
}

export interface ModuleResult {
  findings: Finding[];
  /** The module's cross-file summary (computed when first read), when a module name was given. */
  readonly summary?: ModuleSummary;
}

/**
 * Like analyze(), plus the module's cross-file summary when `moduleName` is given (and the module was
 * analysed at all: a module the text gate skips has nothing to tell). The summary is computed when
 * first read.
 */
export function analyzeModule(input: AnalyzeInput, moduleName?: string): ModuleResult {
  return new ModuleAnalysis(input, moduleName).run();
}

type Visitor = { rule: Rule; fn: (node: Node, ctx: RuleContext) => void };


/**
 * One module's analysis over one version of its tree, in the two forms the editor needs: the findings
 * of the nodes inside one definition (`within`, the first answer after an edit there), and the whole
 * run in steps (`steps`, which the editor's worker interleaves with incoming messages and abandons when
 * a newer version arrives). Both share one ModuleModel: its facts are the tree's, whatever asked first;
 * what a rule remembers while reporting belongs to the run (its RuleContext).
 */
export class ModuleAnalysis {
  private readonly handlers = new Map<string, Visitor[]>();
  /** Could this text have findings at all (mayReport), and do its rules run (mayHaveFindings)? */
  private readonly reports: boolean;
  private readonly analyseRules: boolean;
  private readonly tree: SyntaxTree | undefined;
  private readonly index: SyntaxIndex | undefined;
  private modelInstance: ModuleModel | undefined;

  constructor(
    private readonly input: AnalyzeInput,
    private readonly moduleName?: string,
  ) {
    const { text, rules, options = {} } = input;
    for (const rule of rules) {
      for (const [type, fn] of Object.entries(rule.visit)) {
        if (!fn) continue;
        const list = this.handlers.get(type) ?? [];
        list.push({ rule, fn });
        this.handlers.set(type, list);
      }
    }
    this.reports = mayReport(text, rules, options);
    this.analyseRules = this.reports && mayHaveFindings(text, options);
    if (!this.reports) return;
    this.tree = input.tree instanceof SyntaxTree ? input.tree : exportTree(input.tree, text);
    this.index = new SyntaxIndex(this.tree, [...this.handlers.keys()].filter((t) => t !== 'module' && !(INDEXED_TYPES as readonly string[]).includes(t)));
  }

  private get model(): ModuleModel {
    return (this.modelInstance ??= new ModuleModel(this.tree!, this.input.options ?? {}, this.index!, this.input.text));
  }

  /** A rule context for one run: its findings go to `findings`. */
  private context(findings: Finding[]): { ctx: RuleContext; setRule(rule: Rule): void } {
    const { text, options = {}, rules } = this.input;
    let currentRule: Rule = rules[0];
    const analysis = this;
    const ctx: RuleContext = {
      tree: this.tree!,
      text,
      options,
      get model() {
        return analysis.model;
      },
      report(node, f) {
        const confidence = f.confidence ?? currentRule.precision;
        if (CONFIDENCE_RANK[confidence] < CONFIDENCE_RANK[options.minConfidence ?? 'low']) return;
        // Evidence only assume-concurrent supplies is worth a look, not a warning.
        const severity = confidence === 'low' && (f.severity === 'error' || f.severity === 'warning') ? 'info' : f.severity;
        findings.push({ code: currentRule.code, start: node.startIndex, end: node.endIndex, ...f, severity, confidence });
      },
    };
    return { ctx, setRule: (rule) => (currentRule = rule) };
  }

  /** The comments that can suppress (only they name ftaudit or noqa): most files have none. */
  private comments(): SourceComment[] {
    return this.index!.comments.filter((c) => SUPPRESSION_WORDS.test(c.text)).map((c) => ({ ...c, line: -1 }));
  }

  /**
   * The findings inside [start, end) from the rules' visits to the nodes inside it (whole-module
   * visitors and nodes elsewhere are not visited), suppressions applied. Exact for what the visited
   * nodes report; a finding another node reports into the range is missed: the editor follows it with
   * the full run.
   */
  within(start: number, end: number): Finding[] {
    if (!this.analyseRules) return this.reports ? finish([], this.comments(), this.input.text, this.input.rules, { start, end }) : [];
    const findings: Finding[] = [];
    const { ctx, setRule } = this.context(findings);
    this.model.answeringOneDefinition = true;
    try {
      for (const [type, list] of this.handlers) {
        if (type === 'module') continue;
        const nodes = this.index!.ofTypeAround(type, start, end);
        for (let i = firstAtOrAfter(nodes, start); i < nodes.length; i++) {
          const node = nodes[i].node;
          if (node.startIndex >= end) break;
          if (node.endIndex > end) continue;
          for (const { rule, fn } of list) {
            setRule(rule);
            fn(node, ctx);
          }
        }
      }
    } finally {
      this.model.answeringOneDefinition = false;
    }
    const inside = findings.filter((f) => f.start >= start && f.end <= end);
    return finish(inside, this.comments(), this.input.text, this.input.rules, { start, end });
  }

  /** The whole analysis at once. */
  run(): ModuleResult {
    const steps = this.steps(0);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /**
   * The whole analysis, yielding after every `visitsPerStep` node visits (0: never); returns the
   * findings and the summary. A visit usually takes microseconds; the first to ask for a module-wide
   * fact takes milliseconds.
   */
  *steps(visitsPerStep = 1): Generator<void, ModuleResult> {
    if (!this.reports) return { findings: [] };
    const findings: Finding[] = [];
    if (this.analyseRules) {
      const { ctx, setRule } = this.context(findings);
      let visits = 0;
      for (const [type, list] of this.handlers) {
        const nodes = type === 'module' ? [this.tree!.rootNode] : this.index!.all(type).map((e) => e.node);
        for (const node of nodes) {
          for (const { rule, fn } of list) {
            setRule(rule);
            fn(node, ctx);
          }
          if (visitsPerStep > 0 && ++visits % visitsPerStep === 0) yield;
        }
      }
    }
    const result = finish(findings, this.comments(), this.input.text, this.input.rules);
    const analysis = this;
    return {
      findings: result,
      // Made on first read, from the same model: the editor publishes the diagnostics first.
      get summary() {
        return analysis.summary();
      },
    };
  }

  private summaryMade = false;
  private summaryValue: ModuleSummary | undefined;

  /**
   * The module's cross-file summary (with a module name, when its rules run), made once from the model:
   * the same before the rules run as after (they only read the model).
   */
  summary(): ModuleSummary | undefined {
    if (!this.summaryMade) {
      this.summaryMade = true;
      if (this.moduleName && this.analyseRules) this.summaryValue = summarizeModule(this.model, this.moduleName);
    }
    return this.summaryValue;
  }
}


/**
 * Can this text have a finding at all? Without rules to run (no sign of concurrency, see
 * mayHaveFindings), only suppression comments can (FT900 hints). When not, there is nothing to parse.
 */
export function mayReport(text: string, rules: readonly Rule[], options: AnalysisOptions): boolean {
  if (rules.length === 0) return false;
  return mayHaveFindings(text, options) || SUPPRESSION_WORDS.test(text);
}

/**
 * Every rule needs evidence of concurrency: a thread or concurrency import, a lock, a guarded-by
 * declaration, or assume-concurrent. A module whose text names none of them cannot have a finding,
 * so the model is never built for it (about half of a typical code base).
 */
function mayHaveFindings(text: string, options: AnalysisOptions): boolean {
  if (options.assumeConcurrent || (options.project?.threadEntries?.size ?? 0) > 0) return true;
  // Another module changes a global of this one, or iterates one this module changes.
  if ((options.project?.containerChanges?.size ?? 0) > 0 || (options.project?.containerIterations?.size ?? 0) > 0) return true;
  // It calls another module's function that hands its argument to a thread.
  if ((options.project?.spawnerWrappers?.size ?? 0) > 0) return true;
  if (CONCURRENCY_WORDS.test(text) || mentionsKnownPackage(text, options)) return true;
  return [...(options.lockTypes ?? []), ...(options.threadEntryPoints ?? [])].some((name) => text.includes(name.split('.').pop()!));
}

// Case matters for the lock types: `Lock` must not match every `block` and `clock`.
const SUPPRESSION_WORDS = /ftaudit|noqa/i;
const CONCURRENCY_WORDS = /[Tt]hread|concurrent|multitasking|apscheduler|cherrypy|flask|[Ee]xecutor|Lock|Semaphore|Condition|asyncio|multiprocessing|guarded|queue|allocate_lock|[gs]etcontext|ContextVar/;

/**
 * One race finding per line: when the specific rules (an update, a check-then-act, a lazy
 * initialisation) report a line, the general ones (inconsistent locking, a sequence, an iteration,
 * scratch state) do not repeat it with another message.
 */
const RACE_PRIORITY = ['FT101', 'FT102', 'FT103', 'FT111', 'FT104', 'FT112', 'FT109', 'FT107', 'FT106', 'FT105'];

function onePerLine(findings: Finding[], lines: LineIndex): Finding[] {
  const best = new Map<number, number>();
  const rank = (f: Finding) => RACE_PRIORITY.indexOf(f.code);
  for (const f of findings) {
    if (rank(f) < 0) continue;
    const line = lines.positionAt(f.start).line;
    const seen = best.get(line);
    if (seen === undefined || rank(f) < seen) best.set(line, rank(f));
  }
  // And one message per line: the same rule on the same line (one action after two checks of it) says it once.
  const said = new Set<string>();
  return findings.filter((f) => {
    if (rank(f) < 0) return true;
    const line = lines.positionAt(f.start).line;
    if (best.get(line) !== rank(f) || said.has(`${line}:${f.code}`)) return false;
    said.add(`${line}:${f.code}`);
    return true;
  });
}

/** `range`: only the suppression hints (FT900) inside it are made (the findings are already inside it). */
function finish(findings: Finding[], comments: SourceComment[], text: string, rules: readonly Rule[], range?: { start: number; end: number }): Finding[] {
  if (findings.length === 0 && comments.length === 0) return findings;
  const lines = new LineIndex(text);
  for (const c of comments) c.line = lines.positionAt(c.start).line;
  const suppressions = new Suppressions(comments, KNOWN_CODES);
  const kept = onePerLine(findings.filter((f) => !suppressions.isSuppressed(f.code, lines.positionAt(f.start).line)), lines);
  if (rules.includes(FT900)) {
    for (const u of suppressions.unknownCodes) {
      if (range && (u.start < range.start || u.end > range.end)) continue;
      kept.push({ code: FT900.code, severity: 'hint', start: u.start, end: u.end, message: `\`${u.code}\` is not an ftaudit rule code, so this suppression does nothing for it. Run \`ftaudit rules\` for the list.` });
    }
  }
  return kept.sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
}
