// Drives a real VS Code for the in-editor tests: code-server (installed by scripts/setup-editor.sh into a
// version-keyed cache) served on loopback, and Debian's chromium driven by playwright-core.
// Everything is written under one temp dir (XDG dirs, user data, extensions, a copy of the workspace),
// and every process started here is killed in stop()/close(), on failure too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { WORKSPACE_DIR } from './fixture';

export const REPO = resolve(__dirname, '..', '..');
export const RESULTS_DIR = join(REPO, 'test-results');
export const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION ?? '4.100.3';

/** The extension under test (the repo itself) and its package; overridable to test the harness alone. */
export const EXTENSION_DIR = resolve(process.env.FTAUDIT_EXTENSION_DIR ?? REPO);
export const VSIX = resolve(process.env.FTAUDIT_VSIX ?? join(EXTENSION_DIR, 'ftaudit-0.1.0.vsix'));

export function codeServerBin(): string {
  const cache = process.env.FTAUDIT_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ftaudit');
  const dir = process.env.FTAUDIT_CODE_SERVER_DIR ?? join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(join(dir, '.ftaudit-installed')) || !existsSync(bin)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed in ${dir}: run  bash scripts/setup-editor.sh`);
  }
  return bin;
}

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error('Debian chromium not found (/usr/lib/chromium/chromium): run  bash scripts/setup-editor.sh');
  return found;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Full path of an executable on PATH (like `which`), or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const file = join(dir, name);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      /* not here */
    }
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A temp sandbox: XDG dirs, user data, extensions and a private copy of the fixture workspace. */
export class Sandbox {
  readonly root: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly workspace: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly name: string) {
    this.root = mkdtempSync(join(tmpdir(), `ftaudit-e2e-${name}-`));
    this.userDataDir = join(this.root, 'user-data');
    this.extensionsDir = join(this.root, 'extensions');
    this.workspace = join(this.root, 'workspace');
    const xdg = join(this.root, 'xdg');
    for (const d of [this.userDataDir, this.extensionsDir, join(xdg, 'config'), join(xdg, 'data'), join(xdg, 'cache'), join(xdg, 'state')]) {
      mkdirSync(d, { recursive: true });
    }
    cpSync(WORKSPACE_DIR, this.workspace, { recursive: true });
    this.env = {
      ...process.env,
      XDG_CONFIG_HOME: join(xdg, 'config'),
      XDG_DATA_HOME: join(xdg, 'data'),
      XDG_CACHE_HOME: join(xdg, 'cache'),
      XDG_STATE_HOME: join(xdg, 'state'),
    };
    // Keep the developer's own VS Code / npm settings from leaking in.
    delete this.env.VSCODE_IPC_HOOK_CLI;
    delete this.env.ELECTRON_RUN_AS_NODE;
    delete this.env.NODE_OPTIONS;
    // No extension gallery: nothing to query off this machine (code-server defaults to open-vsx.org).
    this.env.EXTENSIONS_GALLERY = '{}';
    this.writeSettings({});
  }

  writeSettings(extra: Record<string, unknown>): void {
    const settings = {
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'update.mode': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'chat.commandCenter.enabled': false,
      'git.enabled': false,
      'window.commandCenter': false,
      ...extra,
    };
    mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
    writeFileSync(join(this.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }

  /** `code-server --install-extension VSIX` into this sandbox's extensions dir. */
  installExtension(vsix: string): string {
    if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run  npm run package`);
    const r = spawnSync(
      process.execPath,
      [codeServerBin(), '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir, '--install-extension', vsix, '--force'],
      { env: this.env, encoding: 'utf8', timeout: 120_000 },
    );
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${out}`);
    return out.trim();
  }

  /** Tails of the remote agent's and the extension host's logs, and of the ftaudit output channel. */
  logs(maxPerFile = 3000): string {
    const files: string[] = [];
    const walk = (d: string, rel: string) => {
      if (!existsSync(d)) return;
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        const r = `${rel}/${n}`;
        if (statSync(p).isDirectory()) walk(p, r);
        else if (/exthost\.log$|ftaudit|remoteagent\.log$/i.test(r) && statSync(p).size > 0) files.push(p);
      }
    };
    walk(join(this.userDataDir, 'logs'), '');
    return files
      .map((f) => {
        const text = readFileSync(f, 'utf8');
        return `----- ${f} -----\n${text.length > maxPerFile ? '…' + text.slice(-maxPerFile) : text}`;
      })
      .join('\n');
  }

  dispose(): void {
    if (process.env.FTAUDIT_KEEP_E2E) return;
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface CodeServerOptions {
  /** false: `--disable-workspace-trust`; true: trust on, so an untrusted folder opens in Restricted Mode. */
  workspaceTrust: boolean;
  env?: NodeJS.ProcessEnv;
}

export class CodeServer {
  private proc?: ChildProcess;
  port = 0;
  readonly logFile: string;

  constructor(private readonly box: Sandbox) {
    mkdirSync(join(box.root, 'logs'), { recursive: true });
    this.logFile = join(box.root, 'logs', 'code-server.log');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(opts: CodeServerOptions): Promise<void> {
    this.port = await freePort();
    const args = [
      codeServerBin(),
      '--bind-addr', `127.0.0.1:${this.port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--user-data-dir', this.box.userDataDir,
      '--extensions-dir', this.box.extensionsDir,
      ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--ignore-last-opened',
      this.box.workspace,
    ];
    const log = createWriteStream(this.logFile);
    // detached: its own process group, so stop() also ends the extension host and the language server.
    this.proc = spawn(process.execPath, args, {
      cwd: this.box.root,
      env: { ...this.box.env, ...opts.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout?.pipe(log);
    this.proc.stderr?.pipe(log);
    const exited = new Promise<never>((_, reject) =>
      this.proc?.once('exit', (code, signal) =>
        reject(new Error(`code-server exited early (code ${code}, signal ${signal}):\n${this.log()}`)),
      ),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const healthy = await Promise.race([this.healthy(), exited]);
      if (healthy) return;
      if (Date.now() > deadline) throw new Error(`code-server did not answer ${this.url}/healthz within 60 s:\n${this.log()}`);
      await sleep(200);
    }
  }

  private async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').slice(-6000) : '';
  }

  /** URL of the workbench for a folder, optionally with extension-development payload entries. */
  folderUrl(payload?: [string, string][]): string {
    let u = `${this.url}/?folder=${encodeURIComponent(this.box.workspace)}`;
    if (payload) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return u;
  }

  /** vscode-remote:// URI of a path on this server, for extensionDevelopmentPath and friends. */
  remoteUri(absPath: string): string {
    return `vscode-remote://127.0.0.1:${this.port}${absPath}`;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null || p.pid === undefined) return;
    const gone = new Promise((r) => p.once('exit', r));
    try {
      process.kill(-p.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000);
    await gone;
    clearTimeout(timer);
    // The process group may still hold the extension host or the language server for a moment.
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      /* all gone */
    }
  }
}

export class EditorBrowser {
  browser?: Browser;
  context?: BrowserContext;
  page?: Page;
  readonly consoleLines: string[] = [];

  constructor(private readonly box: Sandbox) {}

  async open(url: string): Promise<Page> {
    this.browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      env: this.box.env as Record<string, string>,
      timeout: 60_000,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-default-apps',
        '--disable-breakpad',
      ],
    });
    this.context = await this.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await this.context.newPage();
    page.on('console', (m) => {
      if (this.consoleLines.length < 500) this.consoleLines.push(`[${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => this.consoleLines.push(`[pageerror] ${e.message}`));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    this.page = page;
    return page;
  }

  async screenshot(name: string): Promise<string | undefined> {
    if (!this.page) return undefined;
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, name);
    try {
      await this.page.screenshot({ path: file, timeout: 15_000 });
      return file;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    const b = this.browser;
    this.browser = undefined;
    if (!b) return;
    const pid = (b as unknown as { process?: () => ChildProcess | undefined }).process?.()?.pid;
    await Promise.race([b.close().catch(() => undefined), sleep(10_000)]);
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* closed */
      }
    }
  }
}

/** Polls a file until it exists and parses as JSON. */
export async function waitForJson<T>(file: string, timeoutMs: number, onTimeout: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as T;
      } catch {
        /* still being written */
      }
    }
    await sleep(250);
  }
  throw new Error(`no result in ${file} after ${timeoutMs / 1000} s.\n${onTimeout()}`);
}

/** Bundles the extension-host suite (TypeScript) to test/e2e/out/suite.js for extensionTestsPath. */
export async function buildSuite(): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = join(REPO, 'test', 'e2e', 'out', 'suite.js');
  await esbuild.build({
    entryPoints: [join(REPO, 'test', 'e2e', 'suite', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'warning',
    sourcemap: 'inline',
  });
  return outfile;
}
