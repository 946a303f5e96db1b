// Runs the selected rules over one parsed module in a single traversal and returns the findings,
// minus those silenced by suppression comments (collected in the same traversal).
import type { Node, Tree, WasmTree } from './parser';
import { exportTree, SyntaxTree } from './syntaxTree';
import type { AnalysisOptions, Finding, Rule, RuleContext } from './types';
import { ModuleModel } from './model/module';
import { Suppressions, type SourceComment } from './suppression';
import { INDEXED_TYPES, SyntaxIndex } from './model/syntaxIndex';
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

/**
 * Like analyze(), plus the module's cross-file summary when `moduleName` is given (and the module was
 * analysed at all: a module the text gate skips has nothing to tell). The summary is computed when
 * first read.
 */
export function analyzeModule(input: AnalyzeInput, moduleName?: string): { findings: Finding[]; readonly summary?: ModuleSummary } {
  const { text, rules, options = {} } = input;
  const handlers = new Map<string, Array<{ rule: Rule; fn: (node: Node, ctx: RuleContext) => void }>>();
  for (const rule of rules) {
    for (const [type, fn] of Object.entries(rule.visit)) {
      if (!fn) continue;
      const list = handlers.get(type) ?? [];
      list.push({ rule, fn });
      handlers.set(type, list);
    }
  }
  if (!mayReport(text, rules, options)) return { findings: [] };
  const analyseRules = mayHaveFindings(text, options);
  const findings: Finding[] = [];
  const tree = input.tree instanceof SyntaxTree ? input.tree : exportTree(input.tree, text);
  const index = new SyntaxIndex(tree, [...handlers.keys()].filter((t) => t !== 'module' && !(INDEXED_TYPES as readonly string[]).includes(t)));
  let model: ModuleModel | undefined;
  let currentRule: Rule = rules[0];
  const ctx: RuleContext = {
    tree,
    text,
    options,
    get model() {
      return (model ??= new ModuleModel(tree, options, index, text));
    },
    report(node, f) {
      const confidence = f.confidence ?? currentRule.precision;
      if (CONFIDENCE_RANK[confidence] < CONFIDENCE_RANK[options.minConfidence ?? 'low']) return;
      // Evidence only assume-concurrent supplies is worth a look, not a warning.
      const severity = confidence === 'low' && (f.severity === 'error' || f.severity === 'warning') ? 'info' : f.severity;
      findings.push({ code: currentRule.code, start: node.startIndex, end: node.endIndex, ...f, severity, confidence });
    },
  };

  if (analyseRules) {
    for (const [type, list] of handlers) {
      const nodes = type === 'module' ? [tree.rootNode] : index.all(type).map((e) => e.node);
      for (const node of nodes) {
        for (const { rule, fn } of list) {
          currentRule = rule;
          fn(node, ctx);
        }
      }
    }
  }
  const comments = index.comments.map((c) => ({ ...c, line: -1 }));
  const result = finish(findings, comments, text, rules);
  let summary: ModuleSummary | undefined;
  let summarised = !moduleName || !analyseRules;
  return {
    findings: result,
    // Made on first read, from the same model: the editor publishes the diagnostics first.
    get summary() {
      if (!summarised) {
        summarised = true;
        summary = summarizeModule(ctx.model, moduleName!);
      }
      return summary;
    },
  };
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
const CONCURRENCY_WORDS = /[Tt]hread|concurrent|[Ee]xecutor|Lock|Semaphore|Condition|asyncio|multiprocessing|guarded|queue|allocate_lock|[gs]etcontext|ContextVar/;

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

function finish(findings: Finding[], comments: SourceComment[], text: string, rules: readonly Rule[]): Finding[] {
  if (findings.length === 0 && comments.length === 0) return findings;
  const lines = new LineIndex(text);
  for (const c of comments) c.line = lines.positionAt(c.start).line;
  const suppressions = new Suppressions(comments, KNOWN_CODES);
  const kept = onePerLine(findings.filter((f) => !suppressions.isSuppressed(f.code, lines.positionAt(f.start).line)), lines);
  if (rules.includes(FT900)) {
    for (const u of suppressions.unknownCodes) {
      kept.push({ code: FT900.code, severity: 'hint', start: u.start, end: u.end, message: `\`${u.code}\` is not an ftaudit rule code, so this suppression does nothing for it. Run \`ftaudit rules\` for the list.` });
    }
  }
  return kept.sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
}
