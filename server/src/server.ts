// LSP wiring only: documents in, diagnostics out. This thread never parses or analyses: the analysis
// worker (./analysisWorker.ts, a worker thread) owns the parsers, the trees, the workspace index and
// the per-file settings; this thread keeps a copy of each open document's text (for code actions
// and positions), forwards edits and settings, publishes the diagnostics the worker sends back for
// the current version of a document, and answers every request at once from what it has.
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { Worker } from 'worker_threads';
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  FileChangeType,
  ErrorCodes,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  type InitializeParams,
  type InitializeResult,
  type WorkDoneProgressServerReporter,
} from 'vscode-languageserver/node';
import type { Finding } from './analysis';
import type { ReproPlan } from './analysis/reproduce/types';
import { codeActions, FIX_ALL_KIND, REPRODUCE_COMMAND, wantsFixAll } from './codeActions';
import { PendingDocument } from './pendingDocument';
import { DEFAULT_SETTINGS, normalizeSettings, type ServerSettings } from './settings';
import type { FromWorker, ToWorker } from './workerProtocol';

/** A unit of work (one document analysis, one indexed file) longer than this restarts the worker. */
const ANALYSIS_TIMEOUT_MS = Number(process.env.FTAUDIT_ANALYSIS_TIMEOUT_MS) || 30_000;
/** More worker restarts than this within RESTART_WINDOW_MS and the server stops analysing. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 3 * 60 * 1000;
/** The worker's JS heap limit: a runaway analysis ends the worker (then restarted) instead of the machine's memory. */
const WORKER_HEAP_MB = 768;

const connection = createConnection(ProposedFeatures.all);
let settings: ServerSettings = DEFAULT_SETTINGS;
let canPullConfiguration = false;
let workspaceFolders: string[] = [];
const started = Date.now();

/** The open documents' text, as the client sent it (the worker has its own copy, with trees). */
const documents = new Map<string, PendingDocument>();
/** How many times each URI has been opened: results of an earlier opening are dropped. */
const openings = new Map<string, number>();
let openCount = 0;
/** The findings behind the diagnostics last published for each document (for code actions). */
const published = new Map<string, { version: number; findings: Finding[] }>();
/** Documents not to analyse until reopened (they hung or crashed a worker), with the reason. */
const quarantined = new Map<string, string>();
/** Workspace files the index must skip (they hung or crashed a worker). */
const indexSkip = new Set<string>();
let indexRequested = false;
let progress: WorkDoneProgressServerReporter | undefined;
let shuttingDown = false;

function pathOf(uri: string): string | null {
  return uri.startsWith('file:') ? fileURLToPath(uri) : null;
}

// ---------------------------------------------------------------------------------------------
// The analysis worker

interface WorkerState {
  worker: Worker;
  /** What it is doing right now (from its `busy`/`idle` messages). */
  busy?: { key: string; version?: number; kind: 'document' | 'index'; since: number };
  watchdog?: NodeJS.Timeout;
  ready: boolean;
  /** Messages posted after `init` (shared with the worker: ToWorker's `init`). */
  sent: Int32Array;
}

let current: WorkerState | undefined;
const restarts: number[] = [];
let nextRequestId = 1;
const fixAllRequests = new Map<number, (text: string | null) => void>();
let clientCommands = new Set<string>();
const planRequests = new Map<number, (answer: { plan?: ReproPlan; error?: string }) => void>();

/** The bundle next to this one (server/out/analysisWorker.js), or, from source under tsx, the .ts entry through tsx. */
function workerScript(): { file: string } | { code: string } {
  const built = path.join(__dirname, 'analysisWorker.js');
  if (fs.existsSync(built)) return { file: built };
  return { code: `require('tsx/cjs/api').register(); require(${JSON.stringify(path.join(__dirname, 'analysisWorker.ts'))});` };
}

function send(message: ToWorker): void {
  if (!current) return;
  current.worker.postMessage(message);
  // After the post: the worker counts what it received against this (see ToWorker's `init`).
  if (message.type !== 'init') Atomics.add(current.sent, 0, 1);
}

function startWorker(): void {
  const script = workerScript();
  const options = { stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } };
  const worker = 'file' in script ? new Worker(script.file, options) : new Worker(script.code, { ...options, eval: true });
  const state: WorkerState = { worker, ready: false, sent: new Int32Array(new SharedArrayBuffer(4)) };
  current = state;
  // stdout carries the protocol: whatever the worker prints goes to the log instead.
  worker.stdout.on('data', (d) => connection.console.log(`ftaudit worker: ${String(d).trimEnd()}`));
  worker.stderr.on('data', (d) => connection.console.warn(`ftaudit worker: ${String(d).trimEnd()}`));
  worker.on('message', (message: FromWorker) => {
    if (current === state) onWorkerMessage(state, message);
  });
  worker.on('error', (error) => connection.console.error(`ftaudit: the analysis worker failed: ${error.stack ?? String(error)}`));
  worker.on('exit', (code) => {
    if (current === state) onWorkerExit(state, `exited with code ${code}`);
  });
  send({ type: 'init', settings, folders: workspaceFolders, sent: state.sent.buffer as SharedArrayBuffer });
  for (const document of documents.values()) {
    send({ type: 'open', uri: document.uri, opened: openings.get(document.uri) ?? 0, languageId: document.languageId, version: document.version, text: document.current().getText(), skip: quarantined.get(document.uri) });
  }
  if (indexRequested) send({ type: 'index', skip: [...indexSkip] });
}

/** The worker died (or was stopped by the watchdog): blame what it was doing, then start a new one. */
function onWorkerExit(state: WorkerState, why: string): void {
  clearTimeout(state.watchdog);
  current = undefined;
  for (const resolve of fixAllRequests.values()) resolve(null);
  fixAllRequests.clear();
  for (const resolve of planRequests.values()) resolve({ error: 'the analysis worker restarted; try again' });
  planRequests.clear();
  if (shuttingDown) return;
  const busy = state.busy;
  if (busy?.kind === 'document' && documents.has(busy.key)) {
    quarantined.set(busy.key, why.startsWith('stopped') ? `its analysis took longer than ${ANALYSIS_TIMEOUT_MS / 1000} s and was stopped; it is not analysed again until it is reopened.` : `the analysis crashed on this file; it is not analysed again until it is reopened.`);
  } else if (busy?.kind === 'index') {
    indexSkip.add(busy.key);
  }
  const now = Date.now();
  restarts.push(now);
  while (restarts.length > 0 && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
  const blame = busy ? ` while working on ${busy.key}${busy.version !== undefined ? ` v${busy.version}` : ''}` : '';
  if (restarts.length > MAX_RESTARTS) {
    connection.console.error(`ftaudit: the analysis worker ${why}${blame}; it failed ${restarts.length} times in ${RESTART_WINDOW_MS / 60_000} minutes and is not restarted (restart the server to try again).`);
    progress?.done();
    progress = undefined;
    return;
  }
  connection.console.error(`ftaudit: the analysis worker ${why}${blame}; restarting it (${restarts.length}/${MAX_RESTARTS}).`);
  startWorker();
}

/**
 * `ftaudit/diagnosticsComplete`: the diagnostics last published for this version are the full
 * analysis's (a first answer after an edit re-checks only the edited function). For clients and
 * tests that need the settled result; editors may ignore it.
 */
function sendComplete(uri: string, version: number): void {
  void connection.sendNotification('ftaudit/diagnosticsComplete', { uri, version });
}

function onWorkerMessage(state: WorkerState, message: FromWorker): void {
  switch (message.type) {
    case 'ready':
      state.ready = true;
      break;
    case 'busy': {
      const busy = { key: message.key, version: message.version, kind: message.kind, since: Date.now() };
      state.busy = busy;
      clearTimeout(state.watchdog);
      state.watchdog = setTimeout(() => {
        if (current !== state || state.busy !== busy) return;
        void state.worker.terminate(); // its exit event comes later and finds a new worker current: ignored
        onWorkerExit(state, `stopped after ${ANALYSIS_TIMEOUT_MS / 1000} s`);
      }, ANALYSIS_TIMEOUT_MS);
      break;
    }
    case 'idle':
      state.busy = undefined;
      clearTimeout(state.watchdog);
      break;
    case 'diagnostics': {
      // Results for a version that is no longer current are dropped: a newer one is on its way.
      const document = documents.get(message.uri);
      if (!document || document.version !== message.version || openings.get(message.uri) !== message.opened) break;
      published.set(message.uri, { version: message.version, findings: message.findings });
      void connection.sendDiagnostics({ uri: message.uri, version: message.version, diagnostics: message.diagnostics });
      if (message.complete) sendComplete(message.uri, message.version);
      break;
    }
    case 'complete': {
      const document = documents.get(message.uri);
      if (document && document.version === message.version && openings.get(message.uri) === message.opened) sendComplete(message.uri, message.version);
      break;
    }
    case 'fileDiagnostics':
      void connection.sendDiagnostics({ uri: message.uri, diagnostics: message.diagnostics });
      break;
    case 'status':
      if (documents.has(message.uri)) void connection.sendNotification('ftaudit/status', { uri: message.uri, analysed: message.analysed, message: message.message });
      break;
    case 'log':
      connection.console[message.level](message.message);
      break;
    case 'indexProgress':
      progress?.report(Math.round((message.done / message.total) * 100), `${message.done}/${message.total} files`);
      break;
    case 'indexDone':
      connection.console.info(`ftaudit: indexed ${message.count} Python files in ${message.ms} ms`);
      progress?.done();
      progress = undefined;
      break;
    case 'indexFailed':
      connection.console.warn(`ftaudit: workspace indexing failed: ${message.message}`);
      progress?.done();
      progress = undefined;
      break;
    case 'fixAll':
      fixAllRequests.get(message.id)?.(message.text);
      fixAllRequests.delete(message.id);
      break;
    case 'reproducePlan':
      planRequests.get(message.id)?.(message);
      planRequests.delete(message.id);
      break;
  }
}

function requestFixAll(uri: string, version: number): Promise<string | null> {
  if (!current) return Promise.resolve(null);
  const id = nextRequestId++;
  return new Promise((resolve) => {
    fixAllRequests.set(id, resolve);
    send({ type: 'fixAll', id, uri, version });
  });
}

function requestPlan(file: string, line: number, code?: string): Promise<{ plan?: ReproPlan; error?: string }> {
  if (!current) return Promise.resolve({ error: 'the analysis worker is not running' });
  const id = nextRequestId++;
  return new Promise((resolve) => {
    planRequests.set(id, resolve);
    send({ type: 'reproducePlan', id, file, line, code });
  });
}

// ---------------------------------------------------------------------------------------------
// LSP

connection.onInitialize((params: InitializeParams): InitializeResult => {
  canPullConfiguration = !!params.capabilities.workspace?.configuration;
  workspaceFolders = (params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : [])).flatMap((u) => pathOf(u) ?? []);
  const initial = params.initializationOptions?.settings;
  // Client-side commands the client implements (the VS Code client runs reproductions itself).
  const commands: unknown = params.initializationOptions?.clientCommands;
  clientCommands = new Set(Array.isArray(commands) ? commands.filter((c): c is string => typeof c === 'string') : []);
  if (initial) settings = normalizeSettings(initial);
  startWorker();
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
  if (workspaceFolders.length === 0) return;
  // The cross-file index is built in the worker, below open documents; progress shows here.
  progress = await connection.window.createWorkDoneProgress().catch(() => undefined);
  progress?.begin('ftaudit: indexing Python files for cross-file thread analysis', 0, undefined, false);
  indexRequested = true;
  send({ type: 'index', skip: [...indexSkip] });
});

connection.onDidChangeWatchedFiles(({ changes }) => {
  const files = changes.flatMap((c) => {
    const file = pathOf(c.uri);
    return file && (file.endsWith('.py') || file.endsWith('pyproject.toml')) ? [{ path: file, deleted: c.type === FileChangeType.Deleted }] : [];
  });
  if (files.length > 0) send({ type: 'watched', changes: files });
});

connection.onDidChangeConfiguration(async (change) => {
  if (canPullConfiguration) await pullSettings();
  else applySettings(change.settings?.ftaudit);
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
  send({ type: 'settings', settings });
}

connection.onDidOpenTextDocument(({ textDocument }) => {
  const { uri, languageId, version, text } = textDocument;
  documents.set(uri, new PendingDocument(uri, languageId, version, text));
  openings.set(uri, ++openCount);
  quarantined.delete(uri); // reopening gives a document another chance
  send({ type: 'open', uri, opened: openCount, languageId, version, text });
});

connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
  const document = documents.get(textDocument.uri);
  if (!document) return;
  document.update(contentChanges, textDocument.version);
  send({ type: 'change', uri: textDocument.uri, version: textDocument.version, changes: contentChanges, at: Date.now() });
});

connection.onDidCloseTextDocument(({ textDocument }) => {
  documents.delete(textDocument.uri);
  openings.delete(textDocument.uri);
  published.delete(textDocument.uri);
  quarantined.delete(textDocument.uri);
  send({ type: 'close', uri: textDocument.uri });
  void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
  void connection.sendNotification('ftaudit/status', { uri: textDocument.uri, analysed: true });
});

/**
 * Answered at once from the last published findings. When they belong to an older version than the
 * text, actions that depend on them (a finding's fix, fix-all) cannot be offered: ContentModified,
 * which clients drop silently (they ask again once the new diagnostics arrive).
 */
connection.onCodeAction(async (params) => {
  const entry = documents.get(params.textDocument.uri);
  if (!entry || !settings.enable) return [];
  // The version decides first: a request on a version still being analysed needs no text.
  const document = { uri: entry.uri, version: entry.version };
  const last = published.get(document.uri);
  const findings = last?.version === document.version ? last.findings : undefined;
  const asksAboutFindings = params.context.diagnostics.some((d) => d.source === 'ftaudit') || !!params.context.only?.some((k) => k.startsWith(CodeActionKind.SourceFixAll));
  if (!findings) {
    if (asksAboutFindings) throw new ResponseError(LSPErrorCodes.ContentModified, 'ftaudit: the findings of this version of the document are not ready yet');
    return [];
  }
  // Actions exist only for ftaudit's diagnostics and fix-all: anything else needs no text at all.
  if (!asksAboutFindings) return [];
  let fixedText: string | undefined;
  if (wantsFixAll(params, findings)) {
    // The passes of fix-all re-analyse the text: in the worker, awaited without blocking this thread.
    fixedText = (await requestFixAll(document.uri, document.version)) ?? undefined;
    if (documents.get(document.uri) !== entry || entry.version !== document.version) throw new ResponseError(LSPErrorCodes.ContentModified, 'ftaudit: the document changed during fix-all');
  }
  return codeActions(params, entry.current(), findings, fixedText, { reproduce: clientCommands.has(REPRODUCE_COMMAND) });
});

/** The client's reproduce command asks what to run: a plan made from the saved file (see reproduce/). */
connection.onRequest('ftaudit/reproducePlan', async (params: { uri: string; line: number; code?: string }) => {
  const file = typeof params?.uri === 'string' ? pathOf(params.uri) : undefined;
  if (!file) throw new ResponseError(ErrorCodes.InvalidParams, 'ftaudit: only files saved on disk can be reproduced');
  if (!Number.isInteger(params.line) || params.line < 1) throw new ResponseError(ErrorCodes.InvalidParams, 'ftaudit: line must be a 1-based line number');
  const answer = await requestPlan(file, params.line, params.code);
  if (!answer.plan) throw new ResponseError(ErrorCodes.InternalError, `ftaudit: cannot plan the reproduction: ${answer.error ?? 'unknown error'}`);
  return answer.plan;
});

/** For benchmarks and tests: the server's state, answered without waiting for the worker. */
connection.onRequest('ftaudit/health', () => ({
  uptimeMs: Date.now() - started,
  worker: !current ? 'stopped' : !current.ready ? 'starting' : current.busy ? 'busy' : 'idle',
  busy: current?.busy ? { key: current.busy.key, version: current.busy.version, kind: current.busy.kind, forMs: Date.now() - current.busy.since } : null,
  restarts: restarts.length,
  openDocuments: documents.size,
  pendingDocuments: [...documents.values()].filter((d) => published.get(d.uri)?.version !== d.version).length,
}));

connection.onShutdown(() => {
  // Immediate: the worker may be in the middle of an analysis, which nobody wants any more.
  shuttingDown = true;
  const state = current;
  current = undefined;
  void state?.worker.terminate();
});

process.on('uncaughtException', (error) => connection.console.error(`ftaudit: ${error.stack ?? error}`));
connection.listen();
