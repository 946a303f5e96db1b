// "Reproduce this race": asks the server for a plan of the finding's racing call, runs the generated
// harness (reproduce/, the same code as `ftaudit reproduce`) on the free-threaded interpreters found
// plus one with the GIL, and shows what happened in a notification, the hover and the diagnostic's
// related information. Trusted workspaces only, never automatic: it runs the workspace's code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient, Middleware } from 'vscode-languageclient/node';
import type { InterpreterConfig } from '../../../bench/interpreter';
import { gilMode } from '../../../bench/probe';
import { REPRODUCIBLE_CODES, type ReproPlan } from '../../../server/src/analysis/reproduce/types';
import { summarize } from '../../../reproduce/report';
import { moduleLocation, runReproduction, writeHarness, type Reproduction } from '../../../reproduce/run';
import { findInterpreters } from '../bench/interpreters';

export const REPRODUCE_COMMANDS = {
  run: 'ftaudit.reproduce',
  rerun: 'ftaudit.reproduce.rerun',
  openHarness: 'ftaudit.reproduce.openHarness',
} as const;

interface Target {
  uri: string;
  /** 1-based */
  line: number;
  code?: string;
}

interface Stored {
  plan: ReproPlan;
  result: Reproduction;
  summary: string;
}

const keyOf = (uri: string, line: number) => `${uri}#${line}`;

/** A diagnostic's rule code; ftaudit's codes carry a link to the rule's docs ({ value, target }). */
function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? '');
}

export class ReproduceFeatures implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly results = new Map<string, Stored>();
  /** Last diagnostics per URI as the server sent them, to re-show them with results attached. */
  private readonly lastDiagnostics = new Map<string, { diagnostics: vscode.Diagnostic[]; next: (uri: vscode.Uri, d: vscode.Diagnostic[]) => void }>();
  private readonly lensChanged = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private running: AbortController | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
  ) {
    this.disposables.push(
      this.lensChanged,
      vscode.commands.registerCommand(REPRODUCE_COMMANDS.run, (target?: Target) => this.run(target)),
      vscode.commands.registerCommand(REPRODUCE_COMMANDS.rerun, (target?: Target) => this.rerun(target)),
      vscode.commands.registerCommand(REPRODUCE_COMMANDS.openHarness, (file?: string) => this.openHarness(file)),
      vscode.languages.registerHoverProvider({ language: 'python' }, { provideHover: (document, position) => this.hover(document, position) }),
      vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, { onDidChangeCodeLenses: this.lensChanged.event, provideCodeLenses: (document) => this.codeLenses(document) }),
      vscode.languages.onDidChangeDiagnostics(() => this.lensChanged.fire()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.lensChanged.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('ftaudit.reproduce')) this.lensChanged.fire();
      }),
    );
  }

  attach(client: LanguageClient): void {
    this.client = client;
  }

  /** Client middleware: every published diagnostic with a reproduction gets it as related information. */
  readonly middleware: Middleware = {
    handleDiagnostics: (uri, diagnostics, next) => {
      this.lastDiagnostics.set(uri.toString(), { diagnostics, next });
      next(uri, this.withResults(uri, diagnostics));
    },
  };

  private withResults(uri: vscode.Uri, diagnostics: vscode.Diagnostic[]): vscode.Diagnostic[] {
    return diagnostics.map((d) => {
      const stored = this.results.get(keyOf(uri.toString(), d.range.start.line + 1));
      if (!stored || d.source !== 'ftaudit') return d;
      const copy = new vscode.Diagnostic(d.range, d.message, d.severity);
      Object.assign(copy, { source: d.source, code: d.code, tags: d.tags });
      copy.relatedInformation = [...(d.relatedInformation ?? []), new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, d.range), stored.summary)];
      return copy;
    });
  }

  private refreshDiagnostics(uri: string): void {
    const last = this.lastDiagnostics.get(uri);
    if (last) last.next(vscode.Uri.parse(uri), this.withResults(vscode.Uri.parse(uri), last.diagnostics));
    this.lensChanged.fire();
  }

  /** The race finding under the cursor of the active editor, when the command comes from the palette. */
  private targetAtCursor(): Target | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const line = editor.selection.active.line;
    const finding = vscode.languages
      .getDiagnostics(editor.document.uri)
      .find((d) => d.source === 'ftaudit' && d.range.start.line === line && REPRODUCIBLE_CODES.has(codeOf(d)));
    return { uri: editor.document.uri.toString(), line: line + 1, code: finding ? codeOf(finding) : undefined };
  }

  private async trusted(): Promise<boolean> {
    if (vscode.workspace.isTrusted) return true;
    const manage = 'Manage Workspace Trust';
    const choice = await vscode.window.showErrorMessage(
      'ftaudit: reproducing a race runs this workspace\'s code with your Python interpreters, so it is available in trusted workspaces only.',
      manage,
    );
    if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
    return false;
  }

  /** Runs a reproduction; returns what was observed (undefined when it could not run), for tests and scripts. */
  async run(target?: Target): Promise<Reproduction | undefined> {
    if (!(await this.trusted())) return undefined;
    target ??= this.targetAtCursor();
    if (!target) {
      void vscode.window.showWarningMessage('ftaudit: put the cursor on a race finding (FT101–FT104, FT106, FT107, FT109) to reproduce it.');
      return undefined;
    }
    const uri = vscode.Uri.parse(target.uri);
    if (uri.scheme !== 'file') {
      void vscode.window.showWarningMessage('ftaudit: save the file first: the reproduction imports it from disk.');
      return undefined;
    }
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target!.uri);
    if (open?.isDirty && !(await open.save())) {
      void vscode.window.showWarningMessage('ftaudit: the file could not be saved; the reproduction imports it from disk.');
      return undefined;
    }
    if (!this.client) {
      void vscode.window.showErrorMessage('ftaudit: the language server is not running.');
      return undefined;
    }
    let plan: ReproPlan;
    try {
      plan = await this.client.sendRequest<ReproPlan>('ftaudit/reproducePlan', { uri: target.uri, line: target.line, code: target.code });
    } catch (error) {
      void vscode.window.showErrorMessage(`ftaudit: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    return this.execute(target, plan);
  }

  /** Runs the stored plan of a finding again (after a fix, to show the race is gone). */
  async rerun(target?: Target): Promise<Reproduction | undefined> {
    target ??= this.targetAtCursor();
    const stored = target && this.results.get(keyOf(target.uri, target.line));
    if (!stored) return this.run(target);
    if (!(await this.trusted())) return undefined;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target!.uri);
    if (open?.isDirty) await open.save();
    return this.execute(target!, stored.plan);
  }

  private harnessPath(plan: ReproPlan): string {
    const dir = path.join(this.context.globalStorageUri.fsPath, 'reproduce');
    fs.mkdirSync(dir, { recursive: true });
    return path.join(dir, `reproduce_${path.basename(plan.file, '.py').replace(/\W/g, '_')}_L${plan.line}.py`);
  }

  private async execute(target: Target, plan: ReproPlan): Promise<Reproduction | undefined> {
    const config = vscode.workspace.getConfiguration('ftaudit.reproduce');
    const options = {
      ...moduleLocation(plan.file),
      threads: Math.max(2, config.get<number>('threads', 8)),
      timeoutMs: Math.max(1, config.get<number>('timeoutSeconds', 60)) * 1000,
      harnessPath: this.harnessPath(plan),
    };
    if (plan.blockers.length > 0) {
      const harness = writeHarness(plan, options);
      this.output.appendLine(`[reproduce] ${plan.file}:${plan.line}: cannot drive it as it is: ${plan.blockers.join('; ')} (harness: ${harness})`);
      const openIt = 'Open Harness';
      const choice = await vscode.window.showWarningMessage(`ftaudit: cannot run this race as it is: ${plan.blockers.join('; ')}. The generated harness marks what to fill in.`, openIt);
      if (choice === openIt) await this.openHarness(harness);
      return undefined;
    }
    if (this.running) {
      void vscode.window.showInformationMessage('ftaudit: a reproduction is already running.');
      return undefined;
    }
    const controller = new AbortController();
    this.running = controller;
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `ftaudit: reproducing ${plan.target?.qualname ?? 'the race'}()`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          progress.report({ message: 'finding interpreters…' });
          const interpreters = await this.interpreters(controller.signal);
          if (interpreters.length === 0) {
            void vscode.window.showErrorMessage('ftaudit: no Python interpreter found. Add one to the ftaudit.interpreters setting.');
            return undefined;
          }
          const result = await runReproduction(plan, interpreters, {
            ...options,
            signal: controller.signal,
            onProgress: (e) => {
              if (e.state === 'start') progress.report({ message: `${e.interpreter} (${e.index}/${e.count})…` });
            },
          });
          this.show(target, plan, result);
          return result;
        },
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') {
        void vscode.window.showInformationMessage('ftaudit: reproduction cancelled.');
        return undefined;
      }
      this.output.appendLine(`[reproduce] failed: ${error instanceof Error ? error.stack : String(error)}`);
      void vscode.window.showErrorMessage(`ftaudit: the reproduction failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    } finally {
      this.running = undefined;
    }
  }

  /** Free-threaded interpreters found (settings, Python extension, PATH, pyenv), plus one with the GIL. */
  private async interpreters(signal: AbortSignal): Promise<InterpreterConfig[]> {
    const { selected } = await findInterpreters(this.output, signal);
    const free = selected.filter((f) => !f.info.gil_enabled);
    const gil = selected.find((f) => f.info.gil_enabled);
    for (const f of [...free, ...(gil ? [gil] : [])]) this.output.appendLine(`[reproduce] using ${f.info.label} (${f.info.version}, ${gilMode(f.info)})`);
    if (free.length === 0 && gil) {
      const configure = 'Configure Interpreters';
      void vscode.window
        .showWarningMessage('ftaudit: no free-threaded interpreter found; running with the GIL only, where most races stay hidden.', configure)
        .then((choice) => choice && vscode.commands.executeCommand('ftaudit.bench.configureInterpreters'));
    }
    return [...free, ...(gil ? [gil] : [])].map((f) => f.config);
  }

  private show(target: Target, plan: ReproPlan, result: Reproduction): void {
    const summary = summarize(result);
    this.results.set(keyOf(target.uri, target.line), { plan, result, summary });
    for (const o of result.interpreters) this.output.appendLine(`[reproduce] ${plan.file}:${plan.line} · ${o.label}: ${o.summary}`);
    for (const note of plan.notes ?? []) this.output.appendLine(`[reproduce] note: ${note}`);
    this.output.appendLine(`[reproduce] ${summary} (harness: ${result.harness})`);
    this.refreshDiagnostics(target.uri);
    const rerun = 'Run Again';
    const openIt = 'Open Harness';
    const show = result.reproduced ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`ftaudit: ${summary}`, rerun, openIt).then((choice) => {
      if (choice === rerun) void this.rerun(target);
      if (choice === openIt) void this.openHarness(result.harness);
    });
  }

  private async openHarness(file?: string): Promise<void> {
    if (!file || !fs.existsSync(file)) {
      void vscode.window.showWarningMessage('ftaudit: no harness to open yet; run a reproduction first.');
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  }

  private hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const stored = this.results.get(keyOf(document.uri.toString(), position.line + 1));
    if (!stored) return undefined;
    const target: Target = { uri: document.uri.toString(), line: position.line + 1, code: stored.plan.code };
    const args = encodeURIComponent(JSON.stringify([target]));
    const harness = encodeURIComponent(JSON.stringify([stored.result.harness]));
    const markdown = new vscode.MarkdownString();
    markdown.appendMarkdown(`**ftaudit reproduce** — ${escape(stored.summary)}\n\n`);
    for (const o of stored.result.interpreters) {
      const mode = o.gil_enabled === undefined ? '' : o.gil_enabled ? ' (GIL)' : ' (free-threaded)';
      markdown.appendMarkdown(`- \`${escape(o.label)}\`${o.version ? ` ${o.version}` : ''}${mode}: ${escape(o.summary)}\n`);
    }
    for (const note of stored.plan.notes ?? []) markdown.appendMarkdown(`\n_${escape(note)}_\n`);
    markdown.appendMarkdown(`\n[Run again](command:${REPRODUCE_COMMANDS.rerun}?${args}) · [Open harness](command:${REPRODUCE_COMMANDS.openHarness}?${harness})`);
    markdown.isTrusted = { enabledCommands: [REPRODUCE_COMMANDS.rerun, REPRODUCE_COMMANDS.openHarness] };
    return new vscode.Hover(markdown);
  }

  private codeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted || !vscode.workspace.getConfiguration('ftaudit.reproduce').get<boolean>('codeLens', true)) return [];
    const lenses: vscode.CodeLens[] = [];
    const seen = new Set<number>();
    for (const d of vscode.languages.getDiagnostics(document.uri)) {
      if (d.source !== 'ftaudit' || !REPRODUCIBLE_CODES.has(codeOf(d)) || seen.has(d.range.start.line)) continue;
      seen.add(d.range.start.line);
      const target: Target = { uri: document.uri.toString(), line: d.range.start.line + 1, code: codeOf(d) };
      const stored = this.results.get(keyOf(target.uri, target.line));
      const range = new vscode.Range(d.range.start.line, 0, d.range.start.line, 0);
      lenses.push(
        new vscode.CodeLens(range, {
          title: stored ? `$(beaker) ${stored.summary.length > 90 ? `${stored.summary.slice(0, 87)}…` : stored.summary} · run again` : `$(beaker) Reproduce ${target.code} on free-threaded Python`,
          command: stored ? REPRODUCE_COMMANDS.rerun : REPRODUCE_COMMANDS.run,
          arguments: [target],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.running?.abort();
    for (const d of this.disposables) d.dispose();
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]<>]/g, (c) => `\\${c}`);
}
