// LSP wiring only: documents in, diagnostics out. The analysis lives in ./analysis and knows nothing
// about the protocol.
import { fileURLToPath } from 'url';
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocumentSyncKind,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { analyze, analyzeModule, selectRules, type AnalysisOptions, type Finding, type Rule } from './analysis';
import { createPythonParser } from './analysis/parser';
import { codeActions, FIX_ALL_KIND } from './codeActions';
import { toDiagnostic } from './diagnostics';
import { DocumentStore, type OpenDocument } from './documents';
import { ProjectSettings } from './projectSettings';
import { DEFAULT_SETTINGS, normalizeSettings, type ServerSettings } from './settings';
import { WorkspaceIndex } from './workspaceIndex';

const ANALYSIS_DELAY_MS = 75;
const connection = createConnection(ProposedFeatures.all);
let store: DocumentStore | undefined;
let settings: ServerSettings = DEFAULT_SETTINGS;
let rules: Rule[] = selectRules(settings);
const projectSettings = new ProjectSettings(
  () => settings,
  () => workspaceFolders,
  (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }),
);
let canPullConfiguration = false;
const pending = new Map<string, NodeJS.Timeout>();
/** The findings behind the diagnostics last published for each document (for code actions). */
const published = new Map<string, { version: number; findings: Finding[] }>();
let index: WorkspaceIndex | undefined;
let workspaceFolders: string[] = [];
const ready = createPythonParser().then(async (parser) => {
  store = new DocumentStore(parser);
  // The index has its own parser: it parses files that are not open, between requests.
  index = new WorkspaceIndex(await createPythonParser(), () => rules, () => analysisOptions());
});

function analysisOptions(): AnalysisOptions {
  const { enable: _enable, select: _select, ignore: _ignore, perFileIgnores: _perFile, ...options } = settings;
  return options;
}

function pathOf(uri: string): string | null {
  return uri.startsWith('file:') ? fileURLToPath(uri) : null;
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  canPullConfiguration = !!params.capabilities.workspace?.configuration;
  workspaceFolders = (params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : [])).flatMap((u) => pathOf(u) ?? []);
  const initial = params.initializationOptions?.settings;
  if (initial) applySettings(initial);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
    },
    serverInfo: { name: 'ftaudit', version: '0.1.0' },
  };
});

connection.onInitialized(async () => {
  if (canPullConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'ftaudit' }).catch(() => undefined);
    await pullSettings();
  }
  void indexWorkspace();
});

/** Builds the cross-file index in the background, with progress, then refreshes open documents. */
async function indexWorkspace(): Promise<void> {
  await ready;
  if (workspaceFolders.length === 0) return;
  const progress = await connection.window.createWorkDoneProgress().catch(() => undefined);
  progress?.begin('ftaudit: indexing Python files for cross-file thread analysis', 0, undefined, false);
  const started = Date.now();
  try {
    const count = await index!.indexFolders(workspaceFolders, (done, total) => progress?.report(Math.round((done / total) * 100), `${done}/${total} files`));
    connection.console.info(`ftaudit: indexed ${count} Python files in ${Date.now() - started} ms`);
  } catch (error) {
    connection.console.warn(`ftaudit: workspace indexing failed: ${String(error)}`);
  } finally {
    progress?.done();
  }
  for (const uri of store!.uris) schedule(uri, 0);
}

connection.onDidChangeWatchedFiles(async ({ changes }) => {
  await ready;
  const changed = new Set<string>();
  for (const change of changes) {
    const path = pathOf(change.uri);
    if (path?.endsWith('pyproject.toml')) {
      projectSettings.reset();
      for (const uri of store!.uris) schedule(uri, 0);
      continue;
    }
    if (!path || !path.endsWith('.py') || store!.get(change.uri)) continue; // open documents speak for themselves
    for (const m of await index!.refreshFile(path, change.type === FileChangeType.Deleted)) changed.add(m);
  }
  republishModules(changed);
});

/** Re-analyses open documents of modules whose cross-file thread entries changed. */
function republishModules(modules: Iterable<string>): void {
  const wanted = new Set(modules);
  if (wanted.size === 0) return;
  for (const uri of store!.uris) {
    const path = pathOf(uri);
    if (path && wanted.has(index!.moduleOf(path))) schedule(uri, 0);
  }
}

connection.onDidChangeConfiguration(async (change) => {
  if (canPullConfiguration) await pullSettings();
  else applySettings(change.settings?.ftaudit);
  for (const uri of store?.uris ?? []) schedule(uri, 0);
});

async function pullSettings(): Promise<void> {
  try {
    applySettings(await connection.workspace.getConfiguration('ftaudit'));
  } catch (error) {
    connection.console.warn(`ftaudit: could not read settings, using defaults (${String(error)})`);
  }
}

function applySettings(raw: unknown): void {
  settings = normalizeSettings(raw);
  rules = selectRules(settings);
  projectSettings.reset();
}

connection.onDidOpenTextDocument(async ({ textDocument }) => {
  await ready;
  store!.open(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
  schedule(textDocument.uri, 0);
});

connection.onDidChangeTextDocument(async ({ textDocument, contentChanges }) => {
  await ready;
  store!.change(textDocument.uri, textDocument.version, contentChanges);
  schedule(textDocument.uri, ANALYSIS_DELAY_MS);
});

connection.onDidCloseTextDocument(async ({ textDocument }) => {
  await ready;
  clearTimeout(pending.get(textDocument.uri));
  pending.delete(textDocument.uri);
  store!.close(textDocument.uri);
  published.delete(textDocument.uri);
  void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
});

/** Coalesces bursts of edits: only the latest version of a document is analysed. */
function schedule(uri: string, delay: number): void {
  clearTimeout(pending.get(uri));
  pending.set(
    uri,
    setTimeout(() => {
      pending.delete(uri);
      const entry = store?.get(uri);
      if (entry) publish(entry);
    }, delay),
  );
}

function publish(entry: OpenDocument): void {
  const { document } = entry;
  try {
    const path = pathOf(document.uri);
    const identity = path ? index!.identity(path) : undefined;
    const { rules, options } = documentConfig(document.uri);
    const result = settings.enable ? analyzeModule({ tree: store!.tree(entry), text: document.getText(), rules, options }, identity?.module) : { findings: [] };
    const findings = result.findings;
    if (path && settings.enable) republishModules(index!.setSummary(path, result.summary).filter((m) => m !== identity?.module));
    published.set(document.uri, { version: document.version, findings });
    void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics: findings.map((f) => toDiagnostic(f, document)) });
  } catch (error) {
    connection.console.error(`ftaudit: analysis of ${document.uri} failed: ${error instanceof Error ? error.stack : String(error)}`);
  }
}

connection.onCodeAction(async (params) => {
  await ready;
  const entry = store!.get(params.textDocument.uri);
  if (!entry || !settings.enable) return [];
  const document = entry.document;
  // Findings must describe this exact text: re-analyse when an edit arrived after the last publish.
  const { rules, options } = documentConfig(document.uri);
  let findings = published.get(document.uri)?.version === document.version ? published.get(document.uri)!.findings : undefined;
  if (!findings) findings = analyze({ tree: store!.tree(entry), text: document.getText(), rules, options });
  return codeActions(params, document, findings, (text) => checkText(text, rules, options));
});

/**
 * The rules and options a document is checked with: its pyproject.toml and the settings, plus its
 * module's place in the workspace (relative imports, cross-file thread entries).
 */
function documentConfig(uri: string): { rules: Rule[]; options: AnalysisOptions } {
  const path = pathOf(uri);
  const identity = path ? index!.identity(path) : undefined;
  const config = projectSettings.forFile(path);
  return {
    rules: config.rules,
    options: { ...config.options, packageName: identity?.packageName, externalThreadEntries: path ? index!.entriesFor(path) : undefined },
  };
}

/** Analyses a text that is not an open document's current one (the passes of fix-all). */
function checkText(text: string, rules: Rule[], options: AnalysisOptions) {
  const tree = store!.parser.parse(text);
  if (!tree) return [];
  try {
    return analyze({ tree, text, rules, options });
  } finally {
    tree.delete();
  }
}

process.on('uncaughtException', (error) => connection.console.error(`ftaudit: ${error.stack ?? error}`));
connection.listen();
