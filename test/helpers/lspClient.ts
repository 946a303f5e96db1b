// A minimal LSP client over stdio for protocol tests: spawns the bundled server, speaks JSON-RPC
// with vscode-jsonrpc and collects publishDiagnostics notifications.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; code: string; source: string; message: string; severity: number; codeDescription?: { href: string } }>;
}

export class LspTestClient {
  readonly connection: MessageConnection;
  private readonly published: PublishedDiagnostics[] = [];
  /** `uri#version` of the versions whose last published diagnostics are the full analysis's. */
  private readonly complete = new Set<string>();
  private waiters: Array<() => void> = [];
  readonly stderr: string[] = [];

  private constructor(readonly process: ChildProcess) {
    this.connection = createMessageConnection(new StreamMessageReader(process.stdout!), new StreamMessageWriter(process.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      this.published.push(p);
      this.waiters.forEach((w) => w());
    });
    this.connection.onNotification('ftaudit/diagnosticsComplete', (p: { uri: string; version: number }) => {
      this.complete.add(`${p.uri}#${p.version}`);
      this.waiters.forEach((w) => w());
    });
    this.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
    this.connection.onRequest('client/registerCapability', () => null);
    process.stderr!.on('data', (d) => this.stderr.push(String(d)));
    this.connection.listen();
  }

  /** `env`: extra environment variables for the server (e.g. FTAUDIT_ANALYSIS_TIMEOUT_MS). */
  static async start(
    serverPath = join(__dirname, '..', '..', 'server', 'out', 'server.js'),
    rootUri: string | null = null,
    env: Record<string, string> = {},
    initializationOptions?: Record<string, unknown>,
  ): Promise<LspTestClient> {
    const child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const client = new LspTestClient(child);
    await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'workspace' }] : null,
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
      initializationOptions,
    });
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  /** Every publishDiagnostics received so far for `uri`, in order. */
  allDiagnostics(uri: string): PublishedDiagnostics[] {
    return this.published.filter((p) => p.uri === uri);
  }

  /**
   * Resolves with the diagnostics for `uri` (and `version`, when given) published from now on or already
   * received. With a version, the full analysis's (after `ftaudit/diagnosticsComplete`), unless `first`:
   * then the first answer, which after an edit inside a function re-checks only that function.
   */
  diagnostics(uri: string, version?: number, timeoutMs = 10_000, options: { first?: boolean } = {}): Promise<PublishedDiagnostics> {
    const settled = () => version === undefined || options.first || this.complete.has(`${uri}#${version}`);
    const find = () => (settled() ? [...this.published].reverse().find((p) => p.uri === uri && (version === undefined || p.version === version)) : undefined);
    return new Promise((resolve, reject) => {
      const hit = find();
      if (hit) return resolve(hit);
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms; stderr: ${this.stderr.join('')}`)), timeoutMs);
      const waiter = () => {
        const found = find();
        if (found) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(found);
        }
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves with the next diagnostics for `uri` published after this call. */
  nextDiagnostics(uri: string, timeoutMs = 10_000): Promise<PublishedDiagnostics> {
    const seen = this.published.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no new diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      const waiter = () => {
        const found = this.published.slice(seen).find((p) => p.uri === uri);
        if (found) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(found);
        }
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.process.once('exit', (code) => resolve(code)));
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
