// Checks one file with its own settings: what the CLI runs in-process and in each worker thread.
// Messages for stderr are formatted here so a worker's output reads exactly like the serial run's.
import { writeFile } from 'fs/promises';
import type { FactReads } from '../analysis/project/factReads';
import { Checker, fixAll, isApplicable, type CheckSettings, type Finding, type ModuleIdentity, type ModuleSummary, type ProjectFacts } from '../analysis';
import { createPythonParser, type WasmNode, type Parser } from '../analysis/parser';
import { readSource } from '../files/source';
import { reportFindings, type Reported } from './report';
import { parseRecovering } from '../analysis/bracketRecovery';

export interface FileJob {
  file: string;
  settings: CheckSettings;
  /** The file's module in its project: checked with relative imports resolved, and summarized. */
  module?: ModuleIdentity;
  /** What the rest of the project tells the module (threads reaching it, callers' locks…), from the project graph. */
  facts?: ProjectFacts;
  /** Add the facts the module's own summary implies (checkProject's first round). */
  deriveOwnFacts?: boolean;
  /** Apply fixes and write the file back: safe ones, or unsafe ones too (`--fix`, `--unsafe-fixes`). */
  fix?: 'safe' | 'unsafe';
}

export interface FileOutcome {
  reported: Reported[];
  /** Lines for stderr, in order (each ends with a newline). */
  messages: string[];
  /** Number of errors that make the exit status 2 (unreadable file, failed analysis). */
  errors: number;
  /** What the module tells the rest of the project about threads (with `module` only). */
  summary?: ModuleSummary;
  /** The project facts the module was analysed with (with `module` only). */
  appliedFacts?: ProjectFacts;
  /** The questions its analysis asked of those facts (with `module`, without `fix`: a fixed file is analysed again from its new text). */
  factReads?: FactReads;
  /** Fixes applied to the file on disk (with `fix`). */
  fixed?: number;
}

/** One Checker per distinct settings (per-file-ignores make a few variants in a project). */
export class FileChecker {
  private readonly checkers = new Map<string, Promise<Checker>>();

  private checker(settings: CheckSettings): Promise<Checker> {
    const key = JSON.stringify(settings);
    let c = this.checkers.get(key);
    if (!c) {
      c = Checker.create(settings);
      this.checkers.set(key, c);
    }
    return c;
  }

  private errorParser?: Promise<Parser>;

  async check({ file, settings, module, facts, deriveOwnFacts, fix }: FileJob): Promise<FileOutcome> {
    const source = await readSource(file);
    if (!source.ok) return { reported: [], messages: [`ftaudit: error: ${file}: ${source.message}\n`], errors: 1 };
    let result: { findings: Finding[]; hasSyntaxErrors: boolean; summary?: ModuleSummary; appliedFacts?: ProjectFacts; factReads?: FactReads };
    try {
      const checker = await this.checker(settings);
      result = module ? checker.checkModule(source.text, module, facts, deriveOwnFacts) : checker.checkText(source.text);
    } catch (error) {
      return { reported: [], messages: [`ftaudit: error: ${file}: analysis failed: ${(error as Error).message}\n`], errors: 1 };
    }
    const messages: string[] = [];
    let fixed = 0;
    let text = source.text;
    if (fix && result.findings.some((f) => isApplicable(f, fix === 'unsafe'))) {
      const checker = await this.checker(settings);
      const applied = result.appliedFacts;
      const analyse = (t: string) => (module ? checker.checkModule(t, module, applied) : checker.checkText(t));
      const out = fixAll(text, (t) => analyse(t).findings, { unsafe: fix === 'unsafe' });
      const count = [...out.applied.values()].reduce((a, b) => a + b, 0);
      if (!source.utf8) {
        messages.push(`ftaudit: warning: ${file}: not fixed: only UTF-8 files (without BOM) are rewritten\n`);
      } else if (analyse(out.text).hasSyntaxErrors && !result.hasSyntaxErrors) {
        // A safety net: fixes are tested to keep files parsing, but never write a broken file.
        messages.push(`ftaudit: error: ${file}: not fixed: the fixed text would not parse (please report this)\n`);
      } else if (out.text !== text) {
        await writeFile(file, out.text);
        text = out.text;
        fixed = count;
        result = { ...result, findings: out.remaining };
      }
    }
    if (result.hasSyntaxErrors) {
      const at = await this.firstErrorLine(source.text);
      messages.push(`ftaudit: warning: ${file}:${at}: syntax error; results for this file may be partial\n`);
    }
    return { reported: reportFindings(file, text, result.findings), messages, errors: 0, fixed, ...(result.summary ? { summary: result.summary } : {}), ...(module ? { appliedFacts: result.appliedFacts } : {}), ...(module && !fix && result.factReads ? { factReads: result.factReads } : {}) };
  }

  /** Re-parses a file with syntax errors (rare) to name the line of the first one. */
  private async firstErrorLine(text: string): Promise<number> {
    const parser = await (this.errorParser ??= createPythonParser());
    const tree = parseRecovering(parser, text);
    if (!tree) return 1;
    try {
      return firstErrorLine(tree.rootNode);
    } finally {
      tree.delete();
    }
  }
}

/** 1-based line of the first ERROR or MISSING node. */
function firstErrorLine(root: WasmNode): number {
  const cursor = root.walk();
  try {
    for (;;) {
      if (cursor.nodeType === 'ERROR' || cursor.nodeIsMissing) return cursor.startPosition.row + 1;
      const node = cursor.currentNode;
      if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return 1;
    }
  } finally {
    cursor.delete();
  }
}
