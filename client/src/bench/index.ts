// Benchmark features of the editor: commands, progress with cancel, a status-bar item while running,
// CodeLens above each bundled experiment, the results webview and export. The runner itself is the
// shared plain-Node code in bench/ (the same as `ftaudit bench`).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { EXPERIMENTS, ExperimentInfo, experimentScript, findExperiment } from '../../../bench/experiments';
import { formatCsv, formatRun, formatSeconds } from '../../../bench/format';
import { InterpreterConfig } from '../../../bench/interpreter';
import { locateExperimentsDir } from '../../../bench/locate';
import { gilMode, ProbedInterpreter } from '../../../bench/probe';
import type { BenchRun } from '../../../bench/results';
import { runSession } from '../../../bench/session';
import { renderResultsPage } from './html';
import { findInterpreters } from './interpreters';
import { experimentIdForFile, lastResultTitle, markerLine } from './lenses';
import { ResultStore } from './store';
import { RACE_CODES, raceFigureMarkdown } from './raceFigures';

export const BENCH_COMMANDS = {
  run: 'ftaudit.bench.run',
  runAll: 'ftaudit.bench.runAll',
  runExperiment: 'ftaudit.bench.runExperiment',
  openResults: 'ftaudit.bench.openResults',
  export: 'ftaudit.bench.export',
  configureInterpreters: 'ftaudit.bench.configureInterpreters',
  openExperiment: 'ftaudit.bench.openExperiment',
} as const;

export function registerBenchmarkFeatures(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  try {
    context.subscriptions.push(new BenchmarkFeatures(context, output));
  } catch (error) {
    // A broken installation (experiments/ missing) must not take the language features down with it.
    output.appendLine(`[bench] benchmark features unavailable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

class BenchmarkFeatures implements vscode.Disposable {
  private readonly experimentsDir: string;
  private readonly store: ResultStore;
  private readonly status: vscode.StatusBarItem;
  private readonly lensChanged = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private panel: vscode.WebviewPanel | undefined;
  private running: AbortController | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
  ) {
    this.experimentsDir = locateExperimentsDir(context.extensionPath);
    this.store = new ResultStore(vscode.Uri.joinPath(context.globalStorageUri, 'bench').fsPath);
    this.status = vscode.window.createStatusBarItem('ftaudit.bench', vscode.StatusBarAlignment.Left, 10);
    this.status.name = 'ftaudit benchmarks';
    this.status.command = BENCH_COMMANDS.openResults;

    const lensProvider: vscode.CodeLensProvider = {
      onDidChangeCodeLenses: this.lensChanged.event,
      provideCodeLenses: (document) => this.codeLenses(document),
    };
    this.disposables.push(
      this.status,
      this.lensChanged,
      vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, lensProvider),
      vscode.languages.registerHoverProvider({ language: 'python' }, { provideHover: (document, position) => this.raceHover(document, position) }),
      vscode.commands.registerCommand(BENCH_COMMANDS.run, () => this.pickAndRun()),
      vscode.commands.registerCommand(BENCH_COMMANDS.runAll, () => this.run([...EXPERIMENTS])),
      vscode.commands.registerCommand(BENCH_COMMANDS.runExperiment, (id?: string) => {
        const experiment = id ? findExperiment(id) : undefined;
        return experiment ? this.run([experiment]) : this.pickAndRun();
      }),
      vscode.commands.registerCommand(BENCH_COMMANDS.openResults, () => this.showResults()),
      vscode.commands.registerCommand(BENCH_COMMANDS.export, () => this.exportResults()),
      vscode.commands.registerCommand(BENCH_COMMANDS.configureInterpreters, () =>
        vscode.commands.executeCommand('workbench.action.openSettings', 'ftaudit.interpreters'),
      ),
      vscode.commands.registerCommand(BENCH_COMMANDS.openExperiment, (id?: string) => this.openExperiment(id)),
    );
  }

  dispose(): void {
    this.running?.abort();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  // ---- running ------------------------------------------------------------------------------

  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window
      .showWarningMessage('ftaudit: benchmarks run Python interpreters, so they are off in an untrusted workspace.', 'Manage Workspace Trust')
      .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
    return false;
  }

  private async pickAndRun(): Promise<void> {
    if (!this.trusted()) return;
    const experiments = await vscode.window.showQuickPick(
      EXPERIMENTS.map((e) => ({ label: e.id, description: e.title, detail: e.measures, picked: e.article, experiment: e })),
      { canPickMany: true, title: 'ftaudit: experiments to run' },
    );
    if (!experiments || experiments.length === 0) return;
    const found = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'ftaudit: finding Python interpreters…' },
      () => findInterpreters(this.output),
    );
    const selected = new Set(found.selected);
    const interpreters = await vscode.window.showQuickPick(
      found.discovery.found.map((f) => ({
        label: f.info.label,
        description: `${f.info.implementation} ${f.info.version} · ${gilMode(f.info)}`,
        detail: f.info.executable,
        picked: selected.has(f),
        interpreter: f as ProbedInterpreter,
      })),
      { canPickMany: true, title: 'ftaudit: interpreters to compare (the first is the baseline)' },
    );
    if (!interpreters || interpreters.length === 0) return;
    await this.run(
      experiments.map((p) => p.experiment),
      interpreters.map((p) => p.interpreter),
    );
  }

  private async run(experiments: ExperimentInfo[], interpreters?: (InterpreterConfig | ProbedInterpreter)[]): Promise<BenchRun | undefined> {
    if (!this.trusted()) return undefined;
    if (this.running) {
      void vscode.window.showInformationMessage('ftaudit: benchmarks are already running.');
      return undefined;
    }
    const controller = new AbortController();
    this.running = controller;
    const settings = vscode.workspace.getConfiguration('ftaudit.bench');
    this.status.text = '$(sync~spin) ftaudit: benchmarks';
    this.status.show();
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'ftaudit benchmarks', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          if (!interpreters) {
            progress.report({ message: 'finding interpreters…' });
            interpreters = (await findInterpreters(this.output, controller.signal)).selected;
          }
          if (interpreters.length === 0) {
            void vscode.window.showWarningMessage('ftaudit: no Python interpreter found. Add one to ftaudit.interpreters.', 'Configure Interpreters').then(
              (choice) => choice && vscode.commands.executeCommand(BENCH_COMMANDS.configureInterpreters),
            );
            return undefined;
          }
          const threads = settings.get<number>('threads', 0);
          const run = await runSession(interpreters, experiments, {
            experimentsDir: this.experimentsDir,
            trials: settings.get<number>('trials', 3),
            threads: threads > 0 ? threads : undefined,
            quick: settings.get<boolean>('quick', false),
            timeoutMs: settings.get<number>('timeoutSeconds', 120) * 1000,
            signal: controller.signal,
            onInterpreter: (e) => {
              if ('failure' in e) {
                this.output.appendLine(`[bench] ${e.failure.message}`);
                void vscode.window.showWarningMessage(`ftaudit: ${e.failure.message}; the benchmarks go on without it.`);
              } else {
                this.output.appendLine(`[bench] using ${e.interpreter.info.label}: ${e.interpreter.info.version}, ${gilMode(e.interpreter.info)} (${e.interpreter.info.executable})`);
              }
            },
            onProgress: (e) => {
              const what = e.phase === 'warmup' ? 'warmup' : `trial ${e.index}/${e.count}`;
              if (e.state === 'start') {
                progress.report({ message: `${e.experiment} · ${e.interpreter} · ${what}` });
                this.status.text = `$(sync~spin) ftaudit: ${e.experiment} ${e.done + 1}/${e.total}`;
              } else {
                progress.report({ increment: 100 / e.total });
                this.output.appendLine(`[bench] ${e.experiment} · ${e.interpreter} · ${what}: ${formatSeconds(e.elapsed_s ?? NaN)}`);
              }
            },
            onResult: (r) => {
              if (r.error) this.output.appendLine(`[bench] ${r.experiment} · ${r.interpreter}: ${r.error}`);
            },
          });
          this.output.appendLine(formatRun(run, 'text'));
          this.store.add(run);
          this.lensChanged.fire();
          this.showResults();
          if (run.cancelled) void vscode.window.showInformationMessage('ftaudit: benchmarks cancelled; the finished results are shown.');
          return run;
        },
      );
    } catch (error) {
      this.output.appendLine(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}`);
      void vscode.window.showErrorMessage(`ftaudit: benchmarks failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    } finally {
      this.running = undefined;
      this.status.hide();
    }
  }

  // ---- showing ------------------------------------------------------------------------------

  private codeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const id = experimentIdForFile(document.uri.fsPath, this.experimentsDir);
    const line = id ? markerLine(document.getText()) : undefined;
    if (!id || line === undefined) return [];
    const range = new vscode.Range(line, 0, line, 0);
    const last = lastResultTitle(this.store.latest(), id);
    return [
      new vscode.CodeLens(range, { title: `$(play) Run ${id}`, command: BENCH_COMMANDS.runExperiment, arguments: [id] }),
      new vscode.CodeLens(range, { title: last ?? 'no results yet', command: BENCH_COMMANDS.openResults }),
    ];
  }

  private showResults(): void {
    const run = this.store.latest();
    if (!this.panel) {
      // preserveFocus: taking the focus would cancel the pending CodeLens refresh of the experiment source.
      this.panel = vscode.window.createWebviewPanel('ftaudit.benchResults', 'ftaudit Benchmarks', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        // Only the chart scripts shipped in client/media run, under the page's nonce-based CSP.
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'client', 'media')],
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    const nonce = crypto.randomBytes(16).toString('base64');
    const media = (file: string) => this.panel!.webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'client', 'media', file)).toString();
    this.panel.webview.html = renderResultsPage(run, { cspSource: this.panel.webview.cspSource, nonce, scripts: { chart: media('chart.umd.js'), page: media('results.js') } });
    this.panel.reveal(undefined, true);
  }

  /** On a race diagnostic (FT101/FT102), quote what the race experiment measured on this machine. */
  private raceHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const onRace = vscode.languages
      .getDiagnostics(document.uri)
      .some((d) => d.source === 'ftaudit' && RACE_CODES.has(String(typeof d.code === 'object' ? d.code.value : d.code)) && d.range.contains(position));
    const text = onRace ? raceFigureMarkdown(this.store.latest()) : undefined;
    if (!text) return undefined;
    const markdown = new vscode.MarkdownString(`${text}\n\n[Open benchmark results](command:${BENCH_COMMANDS.openResults})`);
    markdown.isTrusted = { enabledCommands: [BENCH_COMMANDS.openResults] };
    return new vscode.Hover(markdown);
  }

  private async exportResults(): Promise<void> {
    const run = this.store.latest();
    if (!run) {
      void vscode.window.showInformationMessage('ftaudit: no benchmark results to export yet.');
      return;
    }
    const choice = await vscode.window.showQuickPick(
      [
        { label: 'Markdown', ext: 'md', render: () => formatRun(run, 'markdown') },
        { label: 'CSV', ext: 'csv', render: () => formatCsv(run) },
        { label: 'JSON', ext: 'json', render: () => formatRun(run, 'json') },
      ],
      { title: 'ftaudit: export benchmark results as' },
    );
    if (!choice) return;
    const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(this.context.globalStorageUri.fsPath);
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(base, `ftaudit-bench.${choice.ext}`),
      filters: { [choice.label]: [choice.ext] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(choice.render(), 'utf8'));
    void vscode.window.showInformationMessage(`ftaudit: results exported to ${target.fsPath}`);
  }

  private async openExperiment(id?: string): Promise<void> {
    let experiment = id ? findExperiment(id) : undefined;
    if (!experiment) {
      const pick = await vscode.window.showQuickPick(
        EXPERIMENTS.map((e) => ({ label: e.id, description: e.title, detail: e.measures, experiment: e })),
        { title: 'ftaudit: open experiment source' },
      );
      experiment = pick?.experiment;
    }
    if (!experiment) return;
    const file = experimentScript(this.experimentsDir, experiment.id);
    if (!fs.existsSync(file)) {
      void vscode.window.showErrorMessage(`ftaudit: experiment source not found: ${file}`);
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  }
}
