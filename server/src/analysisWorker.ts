// The language server's analysis worker (a worker thread; bundled as server/out/analysisWorker.js).
// It owns the tree-sitter parsers, the open documents' trees (edited in place, re-parsed
// incrementally: DocumentStore), the workspace index and the per-file settings, and runs every
// analysis, so the main thread (server.ts) only speaks LSP and never waits for it.
//
// Scheduling: messages are handled in order as they arrive; an edit only marks its document due
// (adaptive debounce below). Work runs one unit per event-loop turn (setImmediate), so every message
// that arrived in the meantime is applied first: an analysis always sees the latest version it has
// been told about, and a burst of edits queued behind a long analysis costs one analysis. Open
// documents come first; the workspace index summarises its files one at a time when no document is due.
import { parentPort } from 'worker_threads';
import { fileURLToPath, pathToFileURL } from 'url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { analyze, fixAll, ModuleAnalysis, moduleOptions, skippedModuleSummary, type AnalysisOptions, type Finding, type ModuleResult, type Rule } from './analysis';
import { editedFunction, editedSpan, mergeFindings } from './editedDefinition';
import { createPythonParser, type Parser } from './analysis/parser';
import { planForLine } from './analysis/reproduce/forLine';
import { readSource } from './files/source';
import { toDiagnostic } from './diagnostics';
import { DocumentStore } from './documents';
import { ProjectSettings } from './projectSettings';
import type { ServerSettings } from './settings';
import { WorkspaceIndex } from './workspaceIndex';
import type { FromWorker, ToWorker } from './workerProtocol';
import { parseRecovering } from './analysis/bracketRecovery';

/**
 * Adaptive debounce. An edit is analysed at once when it is the first after a pause: the previous
 * edit to the document came QUIET_MS or more before it, or the previous version had been analysed
 * (its diagnostics sent) before it arrived. Otherwise it is part of a burst — edits coming faster
 * than they can be analysed — and the burst is analysed once it pauses for BURST_DELAY_MS.
 */
const QUIET_MS = 150;
/** Inside a burst: analyse this long after the edits stop… */
const BURST_DELAY_MS = 50;
/** …but at least this often while they keep coming. */
const MAX_DEFER_MS = 500;
/** A document's summary runs once its edits have paused this long (scheduleSummary). */
const SUMMARY_QUIET_MS = QUIET_MS;
/** A slice of a full analysis that follows a first answer runs this long before it lets messages in. */
const FULL_SLICE_MS = 4;
/**
 * The full analysis that follows a first answer starts this long after it: the main thread must still
 * forward the diagnostics and the editor read them, and on a 2-core machine a worker busy at once takes
 * the core they need (first answers were ~20 % slower at p95 when the full analysis started at once).
 */
const DELIVERY_MS = Number(process.env.FTAUDIT_DELIVERY_MS ?? 3);
/** A parse that takes longer is cancelled (binary-looking or pathological text) and the file left alone. */
const PARSE_BUDGET_MS = Number(process.env.FTAUDIT_PARSE_BUDGET_MS) || 3000;
const TEST_HOOKS = process.env.FTAUDIT_TEST_HOOKS === '1';

type NoticeKind = 'size' | 'binary' | 'parse' | 'skip' | 'error';

interface DocState {
  /** When the document should be analysed next (ms since epoch); null: its last version is done. */
  due: number | null;
  lastChange: number;
  /** Start of the current burst of edits (for MAX_DEFER_MS). */
  deferredSince: number | null;
  /** Which opening of the URI this is (echoed with the diagnostics). */
  opened: number;
  /** The last version analysed, and when its analysis ended. */
  analysedVersion?: number;
  analysedAt?: number;
  /** Set by the main thread: never analyse (the document hung or crashed an earlier worker). */
  skip?: string;
  /** The size at which parsing went over budget: not retried until the text is replaced or halves. */
  parseGaveUpAt?: number;
  /** Why the document is not analysed in full right now (what was last said in the log and status). */
  notice?: NoticeKind;
  /** The pending summary of the last version analysed (scheduleSummary). */
  summaryTimer?: NodeJS.Timeout;
  /** The findings last published, of the text as of the document store's last takeEdits(). */
  findings?: Finding[];
  /** Something other than an edit changed what the document's analysis says (settings, other modules). */
  reconsider?: boolean;
  /** The full analysis that follows a first answer, run in slices between messages (continueFull). */
  full?: { version: number; steps: Generator<void, ModuleResult>; summarise?: (result: ModuleResult) => void; notBefore: number };
}

const port = parentPort!;
const post = (message: FromWorker): void => port.postMessage(message);
const log = (level: 'info' | 'warn' | 'error', message: string): void => post({ type: 'log', level, message });

let settings: ServerSettings;
let folders: string[] = [];
let store: DocumentStore;
let checkParser: Parser;
let index: WorkspaceIndex;
let projectSettings: ProjectSettings;
const docs = new Map<string, DocState>();
const indexSkip = new Set<string>();
let indexing = false;

function pathOf(uri: string): string | null {
  return uri.startsWith('file:') ? fileURLToPath(uri) : null;
}

// ---------------------------------------------------------------------------------------------
// Scheduling

let turnQueued = false;
let timer: NodeJS.Timeout | undefined;
const idleWaiters: Array<() => void> = [];

function kick(): void {
  if (turnQueued) return;
  turnQueued = true;
  setImmediate(turn);
}

/** The open document due soonest. */
function nextDue(): { uri: string; due: number } | undefined {
  let best: { uri: string; due: number } | undefined;
  for (const [uri, state] of docs) if (state.due !== null && (!best || state.due < best.due)) best = { uri, due: state.due };
  return best;
}

function turn(): void {
  turnQueued = false;
  clearTimeout(timer);
  const next = nextDue();
  const now = Date.now();
  if (next && next.due <= now) {
    publish(next.uri);
    kick();
    return;
  }
  const unfinished = [...docs].find(([, state]) => state.full);
  if (unfinished) {
    const wait = unfinished[1].full!.notBefore - performance.now();
    if (wait <= 0) {
      continueFull(unfinished[0], unfinished[1]);
      kick();
    } else {
      timer = setTimeout(kick, Math.min(wait, next ? next.due - now : Infinity));
    }
    return;
  }
  if (next) timer = setTimeout(kick, next.due - now);
  // Nothing due now: the index may take its next file.
  idleWaiters.splice(0).forEach((resolve) => resolve());
}

/** Awaited by the index before each file: returns when no open document is due. */
async function yieldToDocuments(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  for (let next = nextDue(); next && next.due <= Date.now(); next = nextDue()) {
    await new Promise<void>((resolve) => {
      idleWaiters.push(resolve);
      kick();
    });
  }
}

function dueNow(uri: string): void {
  const state = docs.get(uri);
  if (!state) return;
  state.reconsider = true;
  state.due = Math.min(state.due ?? Infinity, Date.now());
  kick();
}

/** Adaptive debounce (QUIET_MS): the first edit after a pause is analysed at once, a burst once it pauses. */
function edited(uri: string, previousVersion: number, at: number): void {
  const state = docs.get(uri);
  if (!state) return;
  const now = Date.now();
  const settled = state.analysedVersion === previousVersion && state.analysedAt !== undefined && state.analysedAt <= at;
  if (settled || at - state.lastChange >= QUIET_MS) {
    state.due = now;
    state.deferredSince = null;
  } else {
    state.deferredSince ??= now;
    state.due = Math.min(now + BURST_DELAY_MS, state.deferredSince + MAX_DEFER_MS);
  }
  state.lastChange = at;
  kick();
}

// ---------------------------------------------------------------------------------------------
// Analysis

/** The rules and options a document is checked with (its pyproject.toml, the settings, its module's place). */
function documentConfig(uri: string, text: string): { rules: Rule[]; options: AnalysisOptions } {
  const path = pathOf(uri);
  const identity = path ? index.identity(path) : undefined;
  const config = projectSettings.forFile(path);
  return {
    rules: config.rules,
    options: moduleOptions(config.options, identity, path ? index.factsFor(path) : undefined, text),
  };
}

/** C0 control characters other than whitespace: Python source has none outside odd string literals. */
const CONTROL = /[\x00-\x08\x0e-\x1f\x7f]/g;

function looksBinary(text: string): boolean {
  if (text.includes('\0')) return true; // CPython refuses source with NUL bytes
  const head = text.slice(0, 65_536);
  return (head.match(CONTROL)?.length ?? 0) > head.length / 200;
}

const mb = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(bytes / 1e3)} kB`);

function notice(uri: string, state: DocState, kind: NoticeKind | undefined, message?: string): Diagnostic[] {
  if (state.notice !== kind) {
    if (kind) {
      log('info', `ftaudit: ${uri}: ${message}`);
      post({ type: 'status', uri, analysed: false, message });
    } else {
      post({ type: 'status', uri, analysed: true });
    }
    state.notice = kind;
  }
  if (!kind) return [];
  return [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: 'ftaudit', message: `ftaudit: ${message}` }];
}

/**
 * Analyses the latest version of an open document and sends its diagnostics to the main thread. After
 * edits inside one function (and nothing else that changes findings), the first answer is that
 * function's findings afresh and the others carried over; the full analysis follows in slices
 * (continueFull) and is abandoned when a newer version arrives.
 */
function publish(uri: string): void {
  const state = docs.get(uri);
  const entry = store.get(uri);
  if (!state || !entry) return;
  state.due = null;
  state.deferredSince = null;
  state.full = undefined;
  const { document } = entry;
  const version = document.version;
  const edits = store.takeEdits(entry);
  const carried = state.reconsider || state.notice ? undefined : state.findings;
  state.reconsider = false;
  post({ type: 'busy', key: uri, version, kind: 'document' });
  const started = performance.now();
  let findings: Finding[] = [];
  let diagnostics: Diagnostic[] = [];
  let complete = true;
  let summarise: ((result: ModuleResult) => void) | undefined;
  let result: ModuleResult | undefined;
  try {
    const text = document.getText();
    const size = text.length > settings.maxAnalysisSize / 3 ? Buffer.byteLength(text, 'utf8') : text.length;
    if (!settings.enable) {
      store.dropTree(entry);
      diagnostics = notice(uri, state, undefined);
    } else if (state.skip) {
      store.dropTree(entry);
      diagnostics = notice(uri, state, 'skip', state.skip);
    } else if (TEST_HOOKS && text.includes('# ftaudit-test: crash-worker')) {
      process.exit(70);
    } else if (TEST_HOOKS && text.includes('# ftaudit-test: hang-worker')) {
      for (;;);
    } else if (settings.maxAnalysisSize > 0 && size > settings.maxAnalysisSize) {
      store.dropTree(entry);
      diagnostics = notice(uri, state, 'size', `this file (${mb(size)}) is larger than ftaudit.maxAnalysisSize (${mb(settings.maxAnalysisSize)}), so it is not analysed.`);
    } else if (looksBinary(text)) {
      store.dropTree(entry);
      diagnostics = notice(uri, state, 'binary', 'this file looks binary (NUL or control characters), so it is not analysed.');
    } else if (state.parseGaveUpAt !== undefined && size > state.parseGaveUpAt / 2) {
      diagnostics = notice(uri, state, 'parse', `parsing this file took longer than ${PARSE_BUDGET_MS / 1000} s, so it is not analysed (until it is replaced or reopened).`);
    } else {
      state.parseGaveUpAt = undefined;
      const tree = store.treeWithin(entry, PARSE_BUDGET_MS);
      if (!tree) {
        state.parseGaveUpAt = size;
        diagnostics = notice(uri, state, 'parse', `parsing this file took longer than ${PARSE_BUDGET_MS / 1000} s, so it is not analysed (until it is replaced or reopened).`);
      } else {
        const path = pathOf(uri);
        const identity = path ? index.identity(path) : undefined;
        const { rules, options } = documentConfig(uri, text);
        const analysis = new ModuleAnalysis({ tree, text, rules, options }, identity?.module);
        if (path) {
          summarise = (result) => {
            const id = identity ?? index.identity(path);
            const summary = result.summary ?? skippedModuleSummary(id.module, text, id.packageName);
            republishModules(index.setSummary(path, summary).filter((m) => m !== id.module));
          };
        }
        const span = carried && edits ? editedSpan(edits) : null;
        const fn = span ? editedFunction(tree, span, text.length) : null;
        if (fn && carried && edits) {
          const range = { start: fn.startIndex, end: fn.endIndex };
          findings = mergeFindings(carried, edits, range, analysis.within(range.start, range.end), span!);
          complete = false;
          state.full = { version, steps: analysis.steps(), summarise, notBefore: performance.now() + DELIVERY_MS };
        } else {
          result = analysis.run();
          findings = result.findings;
        }
        diagnostics = [...notice(uri, state, undefined), ...findings.map((f) => toDiagnostic(f, document))];
      }
    }
  } catch (error) {
    log('error', `ftaudit: analysis of ${uri} failed: ${error instanceof Error ? error.stack : String(error)}`);
    findings = [];
    complete = true;
    state.full = undefined;
    diagnostics = notice(uri, state, 'error', 'the analysis of this version failed (see the ftaudit output); it is retried after the next edit.');
  } finally {
    post({ type: 'idle' });
  }
  state.findings = findings;
  // Before the post: the main thread may forward the next edit before this thread runs another line.
  state.analysedVersion = version;
  state.analysedAt = Date.now();
  post({ type: 'diagnostics', uri, opened: state.opened, version, findings, diagnostics, ms: performance.now() - started, complete });
  if (result && summarise) scheduleSummary(uri, state, version, () => summarise!(result!));
}

/** Runs a slice of the full analysis that follows a first answer; publishes its findings when done. */
function continueFull(uri: string, state: DocState): void {
  const full = state.full!;
  const entry = store.get(uri);
  if (!entry || entry.document.version !== full.version) {
    state.full = undefined;
    return;
  }
  post({ type: 'busy', key: uri, version: full.version, kind: 'document' });
  let result: ModuleResult | undefined;
  try {
    const deadline = performance.now() + FULL_SLICE_MS;
    for (let step = full.steps.next(); ; step = full.steps.next()) {
      if (step.done) {
        result = step.value;
        break;
      }
      // An edit or a request waits: it goes first (a newer version abandons this analysis anyway).
      if (performance.now() >= deadline || messageWaiting()) break;
    }
  } catch (error) {
    // The first answer stands; the next edit tries again.
    log('error', `ftaudit: analysis of ${uri} failed: ${error instanceof Error ? error.stack : String(error)}`);
    state.full = undefined;
  } finally {
    post({ type: 'idle' });
  }
  if (!result) return;
  state.full = undefined;
  const { version } = full;
  if (sameFindings(result.findings, state.findings ?? [])) {
    post({ type: 'complete', uri, opened: state.opened, version });
  } else {
    state.findings = result.findings;
    const diagnostics = result.findings.map((f) => toDiagnostic(f, entry.document));
    post({ type: 'diagnostics', uri, opened: state.opened, version, findings: result.findings, diagnostics, ms: 0, complete: true });
  }
  if (full.summarise) scheduleSummary(uri, state, version, () => full.summarise!(result!));
}

function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The document's summary for the workspace index (what other modules learn from it, and the re-analysis
 * of the open documents it changes) waits until its edits pause: while the user types, every version
 * but the last would be summarised for nothing, and a summary run between two keystrokes delays the
 * next one's diagnostics. Skipped when a newer version came meanwhile (its analysis schedules its own).
 */
function scheduleSummary(uri: string, state: DocState, version: number, summarise: () => void): void {
  clearTimeout(state.summaryTimer);
  state.summaryTimer = setTimeout(() => {
    state.summaryTimer = undefined;
    if (docs.get(uri) === state && state.due === null && store.get(uri)?.document.version === version) runSummary(uri, summarise);
  }, SUMMARY_QUIET_MS);
}

function runSummary(uri: string, summarise: () => void): void {
  try {
    summarise();
  } catch (error) {
    log('error', `ftaudit: summary of ${uri} failed: ${error instanceof Error ? error.stack : String(error)}`);
  }
}

/** Re-analyses open documents of modules whose cross-file thread entries changed. */
function republishModules(modules: Iterable<string>): void {
  const wanted = new Set(modules);
  if (wanted.size === 0) return;
  for (const uri of store.uris) {
    const path = pathOf(uri);
    if (path && wanted.has(index.moduleOf(path))) dueNow(uri);
  }
}

function republishAll(): void {
  for (const uri of store.uris) dueNow(uri);
}

/** Analyses a text that is not an open document's current one (the passes of fix-all). */
function checkText(text: string, rules: Rule[], options: AnalysisOptions): Finding[] {
  const tree = parseRecovering(checkParser, text);
  if (!tree) return [];
  try {
    return analyze({ tree, text, rules, options });
  } finally {
    tree.delete();
  }
}

function fixAllText(uri: string, version: number): string | null {
  const entry = store.get(uri);
  const state = docs.get(uri);
  if (!entry || !state || entry.document.version !== version || state.notice || !settings.enable) return null;
  const original = entry.document.getText();
  const { rules, options } = documentConfig(uri, original);
  return fixAll(original, (text) => checkText(text, rules, options)).text;
}

/** The plan is made from the file on disk: that is what the harness imports. */
async function reproducePlan(id: number, file: string, line: number, code?: string): Promise<void> {
  try {
    const source = await readSource(file);
    if (!source.ok) return post({ type: 'reproducePlan', id, error: `${file}: ${source.message}` });
    const { plan } = await planForLine(source.text, file, line, code);
    post({ type: 'reproducePlan', id, plan });
  } catch (error) {
    post({ type: 'reproducePlan', id, error: error instanceof Error ? error.message : String(error) });
  }
}

async function indexWorkspace(): Promise<void> {
  if (indexing || folders.length === 0) return;
  indexing = true;
  const started = Date.now();
  try {
    const count = await index.indexFolders(folders, (done, total) => post({ type: 'indexProgress', done, total }));
    post({ type: 'indexDone', count, ms: Date.now() - started });
  } catch (error) {
    post({ type: 'indexFailed', message: String(error) });
  } finally {
    post({ type: 'idle' });
    indexing = false;
  }
  republishAll();
}

async function watched(changes: Array<{ path: string; deleted: boolean }>): Promise<void> {
  const changed = new Set<string>();
  for (const change of changes) {
    if (change.path.endsWith('pyproject.toml')) {
      projectSettings.reset();
      republishAll();
      continue;
    }
    if (!change.path.endsWith('.py') || store.get(pathToFileURL(change.path).href)) continue; // open documents speak for themselves
    for (const m of await index.refreshFile(change.path, change.deleted)) changed.add(m);
    post({ type: 'idle' });
  }
  republishModules(changed);
}

// ---------------------------------------------------------------------------------------------
// Messages

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'init':
      break; // handled in start()
    case 'settings':
      settings = message.settings;
      projectSettings.reset();
      republishAll();
      break;
    case 'open': {
      store.open(message.uri, message.languageId, message.version, message.text);
      docs.set(message.uri, { due: Date.now(), lastChange: Date.now(), deferredSince: null, skip: message.skip, opened: message.opened });
      kick();
      break;
    }
    case 'change': {
      const previousVersion = store.get(message.uri)?.document.version ?? -1;
      store.change(message.uri, message.version, message.changes);
      const state = docs.get(message.uri);
      if (state) state.full = undefined; // a newer version: its own analysis replaces this one's
      if (state && message.changes.some((c) => !('range' in c) || !c.range)) state.parseGaveUpAt = undefined; // replaced: try again
      edited(message.uri, previousVersion, message.at);
      break;
    }
    case 'close':
      store.close(message.uri);
      clearTimeout(docs.get(message.uri)?.summaryTimer);
      docs.delete(message.uri);
      break;
    case 'index':
      void indexWorkspace();
      break;
    case 'watched':
      void watched(message.changes).catch((error) => log('warn', `ftaudit: refreshing the index failed: ${String(error)}`));
      break;
    case 'fixAll': {
      let text: string | null = null;
      try {
        text = fixAllText(message.uri, message.version);
      } catch (error) {
        log('error', `ftaudit: fix-all on ${message.uri} failed: ${error instanceof Error ? error.stack : String(error)}`);
      }
      post({ type: 'fixAll', id: message.id, text });
      break;
    }
    case 'reproducePlan':
      void reproducePlan(message.id, message.file, message.line, message.code);
      break;
  }
}

async function start(init: Extract<ToWorker, { type: 'init' }>, backlog: ToWorker[]): Promise<void> {
  settings = init.settings;
  folders = init.folders;
  const parser = await createPythonParser();
  checkParser = await createPythonParser();
  store = new DocumentStore(parser);
  // The index has its own parser: its parses interleave with the documents'.
  index = new WorkspaceIndex(await createPythonParser(), () => projectSettings.forFile(null).rules, () => analysisOptions(), {
    yield: yieldToDocuments,
    onFile: (path) => post({ type: 'busy', key: path, kind: 'index' }),
    maxSize: () => settings.maxAnalysisSize,
    parseBudgetMs: PARSE_BUDGET_MS,
    skip: indexSkip,
  });
  projectSettings = new ProjectSettings(
    () => settings,
    () => folders,
    (uri, diagnostics) => post({ type: 'fileDiagnostics', uri, diagnostics }),
  );
  post({ type: 'ready' });
  for (const message of backlog) handle(message);
}

function analysisOptions(): AnalysisOptions {
  const { enable: _enable, select: _select, ignore: _ignore, perFileIgnores: _perFile, maxAnalysisSize: _max, ...options } = settings;
  return options;
}

let started: Promise<void> | undefined;
const backlog: ToWorker[] = [];
let ready = false;
/** The main thread's count of messages posted after `init`, and this thread's count of those received. */
let sent: Int32Array | undefined;
let received = 0;

/** A message is posted and not yet received: a slice of work in progress should end now. */
function messageWaiting(): boolean {
  return !!sent && Atomics.load(sent, 0) > received;
}

port.on('message', (message: ToWorker) => {
  if (message.type !== 'init') received++;
  if (message.type === 'init') {
    if (message.sent) sent = new Int32Array(message.sent);
    started = start(message, backlog).then(
      () => void (ready = true),
      (error) => {
        log('error', `ftaudit: the analysis worker could not start: ${error instanceof Error ? error.stack : String(error)}`);
        process.exit(1);
      },
    );
    return;
  }
  if (message.type === 'index') for (const path of message.skip) indexSkip.add(path);
  if (!ready || !started) backlog.push(message);
  else handle(message);
});
