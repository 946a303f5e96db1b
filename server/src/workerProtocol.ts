// Messages between the language server's main thread (LSP connection, server.ts) and its analysis
// worker (analysisWorker.ts). Everything here is structured-cloneable: plain data, no tree-sitter
// objects (trees never cross threads). The worker handles messages in the order they were sent.
import type { Diagnostic, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { Finding } from './analysis';
import type { ReproPlan } from './analysis/reproduce/types';
import type { ServerSettings } from './settings';

/** main → worker */
export type ToWorker =
  /**
   * First message: settings and workspace folders (paths). `sent`: one Int32 the main thread increments
   * after posting each later message, so the worker can tell mid-slice that a message waits for it
   * (messageWaiting) and end its slice of a full analysis at once instead of at the slice's deadline.
   */
  | { type: 'init'; settings: ServerSettings; folders: string[]; sent?: SharedArrayBuffer }
  | { type: 'settings'; settings: ServerSettings }
  /**
   * `opened`: which opening of the URI this is (results of an earlier opening at the same version are
   * dropped); `skip`: do not analyse until it is reopened (it hung or crashed an earlier worker).
   */
  | { type: 'open'; uri: string; opened: number; languageId: string; version: number; text: string; skip?: string }
  /** `at`: when the main thread received the edit (Date.now()), for the adaptive debounce. */
  | { type: 'change'; uri: string; version: number; changes: TextDocumentContentChangeEvent[]; at: number }
  | { type: 'close'; uri: string }
  /** Build the cross-file index of the workspace folders (in the background, below open documents); `skip`: paths never to summarise. */
  | { type: 'index'; skip: string[] }
  /** Files changed on disk (didChangeWatchedFiles); paths, not URIs. */
  | { type: 'watched'; changes: Array<{ path: string; deleted: boolean }> }
  /** Fix-all for a document version: answered with `fixAll` (text null when that version is gone). */
  | { type: 'fixAll'; id: number; uri: string; version: number }
  /** Plan the reproduction of the race on `line` (1-based) of the file as saved on disk. */
  | { type: 'reproducePlan'; id: number; file: string; line: number; code?: string };

/** worker → main */
export type FromWorker =
  | { type: 'ready' }
  /** The worker starts a unit of work (for the watchdog and `ftaudit/health`); `key` is a URI or a path. */
  | { type: 'busy'; key: string; version?: number; kind: 'document' | 'index' }
  | { type: 'idle' }
  /**
   * The findings of one document version and their diagnostics (positions already converted).
   * `complete` false: the first answer after an edit inside one function (that function re-checked, the
   * rest carried over); the full analysis follows, with new diagnostics or `complete` when they are the same.
   */
  | { type: 'diagnostics'; uri: string; opened: number; version: number; findings: Finding[]; diagnostics: Diagnostic[]; ms: number; complete: boolean }
  /** The full analysis of a version found what its first answer said. */
  | { type: 'complete'; uri: string; opened: number; version: number }
  /** Diagnostics of a file that is not an open Python document (a pyproject.toml's errors). */
  | { type: 'fileDiagnostics'; uri: string; diagnostics: Diagnostic[] }
  /** A document is (no longer) analysed in full: too big, binary-looking, too slow to parse or analyse. */
  | { type: 'status'; uri: string; analysed: boolean; message?: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'indexProgress'; done: number; total: number }
  | { type: 'indexDone'; count: number; ms: number }
  | { type: 'indexFailed'; message: string }
  | { type: 'fixAll'; id: number; text: string | null }
  | { type: 'reproducePlan'; id: number; plan?: ReproPlan; error?: string };
