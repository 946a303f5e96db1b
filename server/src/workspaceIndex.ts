// Cross-file thread reachability for the editor: a summary of every Python file in the workspace,
// built in the background (in the server's analysis worker, one file at a time, giving way to open
// documents between files), kept current from open documents and file-system events, and a project
// graph that says which functions other modules' threads reach.

import { analyzeModule, mayReport, skippedModuleSummary, moduleIdentity, moduleOptions, ProjectGraph, sameFacts, type ModuleIdentity, type ModuleSummary, type ProjectFacts, type Rule, type AnalysisOptions } from './analysis';
import type { Parser } from './analysis/parser';
import { collectPythonFiles } from './files/collect';
import { readSource } from './files/source';
import { parseRecovering } from './analysis/bracketRecovery';

const MAX_FILES = 20_000;
/** Passes over the files whose project facts changed, as `checkProject` makes (a chain of modules learns one link per pass). */
const MAX_ROUNDS = 6;

export interface IndexHooks {
  /** Awaited before each file: lets more urgent work (open documents) run first. */
  yield?: () => Promise<void>;
  /** Called before a file is parsed and summarised (for a watchdog). */
  onFile?: (path: string) => void;
  /** Files larger than this many bytes (UTF-8) are not summarised; 0 or unset: no limit. */
  maxSize?: () => number;
  /** A file whose parse takes longer than this is not summarised. */
  parseBudgetMs?: number;
  /** Files never to summarise (they hung or crashed an earlier worker). */
  skip?: ReadonlySet<string>;
}

export class WorkspaceIndex {
  private readonly identities = new Map<string, ModuleIdentity>();
  private readonly graph = new ProjectGraph();
  private facts = new Map<string, ProjectFacts>();

  constructor(
    private readonly parser: Parser,
    private readonly rules: () => readonly Rule[],
    private readonly options: () => AnalysisOptions,
    private readonly hooks: IndexHooks = {},
  ) {}

  identity(path: string): ModuleIdentity {
    let id = this.identities.get(path);
    if (!id) this.identities.set(path, (id = moduleIdentity(path)));
    return id;
  }

  /** What the rest of the workspace tells this file's module (threads reaching it, callers' locks…). */
  factsFor(path: string): ProjectFacts | undefined {
    return this.facts.get(this.identity(path).module);
  }

  /** Summarises every Python file under the folders; yields (hooks.yield, or the event loop) between files. */
  async indexFolders(folders: string[], progress?: (done: number, total: number) => void): Promise<number> {
    const { files } = await collectPythonFiles(folders);
    const chosen = files.slice(0, MAX_FILES);
    let done = 0;
    for (const file of chosen) {
      await this.pause(done);
      const source = await readSource(file);
      if (source.ok) this.summarize(file, source.text);
      if (++done % 25 === 0) progress?.(done, chosen.length);
    }
    // Then again only the files whose facts changed (a module reached by another's threads now
    // summarises its own calls; a registry changed elsewhere its loops), until nothing changes.
    const fileOf = new Map(chosen.map((file) => [this.identity(file).module, file]));
    let changed = this.recompute();
    for (let round = 1; round < MAX_ROUNDS && changed.length > 0; round++) {
      for (const module of changed) {
        const file = fileOf.get(module);
        if (!file) continue;
        await this.pause(done++);
        const source = await readSource(file);
        if (source.ok) this.summarize(file, source.text);
      }
      changed = this.recompute();
    }
    return chosen.length;
  }

  /** Lets other work run between files (hooks.yield, or the event loop every 25 files). */
  private async pause(done: number): Promise<void> {
    if (this.hooks.yield) await this.hooks.yield();
    else if (done % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Re-reads one file after a change on disk (or its deletion). Returns the modules whose entries changed. */
  async refreshFile(path: string, deleted: boolean): Promise<string[]> {
    if (deleted) {
      this.graph.delete(this.identity(path).module);
    } else {
      const source = await readSource(path).catch(() => null);
      if (!source?.ok) return [];
      this.summarize(path, source.text);
    }
    return this.recompute();
  }

  /** Records the summary of an open document's latest analysis. Returns the modules whose entries changed. */
  setSummary(path: string, summary: ModuleSummary | undefined): string[] {
    this.graph.set(summary ?? { module: this.identity(path).module, reachable: {}, spawns: {}, calls: {} });
    return this.recompute();
  }

  private summarize(path: string, text: string): void {
    if (this.hooks.skip?.has(path)) return;
    const maxSize = this.hooks.maxSize?.() ?? 0;
    if (maxSize > 0 && text.length > maxSize / 3 && Buffer.byteLength(text, 'utf8') > maxSize) return;
    this.hooks.onFile?.(path);
    const id = this.identity(path);
    const options = moduleOptions(this.options(), id, this.facts.get(id.module), text);
    // A module with no sign of concurrency has nothing to tell: not even parsed.
    if (!mayReport(text, this.rules(), options)) {
      this.graph.set(skippedModuleSummary(id.module, text, id.packageName));
      return;
    }
    const budget = this.hooks.parseBudgetMs;
    const deadline = budget === undefined ? Infinity : performance.now() + budget;
    const tree = parseRecovering(this.parser, text, null, budget === undefined ? undefined : { progressCallback: () => performance.now() > deadline });
    if (!tree) {
      this.parser.reset(); // a cancelled parse would otherwise resume on the next call
      return;
    }
    try {
      const { summary } = analyzeModule({ tree, text, rules: this.rules(), options }, id.module);
      this.graph.set(summary ?? skippedModuleSummary(id.module, text, id.packageName));
    } finally {
      tree.delete();
    }
  }

  private recompute(): string[] {
    const before = this.facts;
    this.facts = this.graph.facts();
    return [...new Set([...before.keys(), ...this.facts.keys()])].filter((module) => !sameFacts(before.get(module), this.facts.get(module)));
  }

  moduleOf(path: string): string {
    return this.identity(path).module;
  }
}

