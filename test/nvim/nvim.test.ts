// Neovim (Debian's 0.7.2) attaches to the bundled server over stdio and receives FT101:
// the server is not tied to VS Code. test/nvim/attach.lua does the editor side and writes what it got.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fixtureLines, FIXTURE_NAME, WORKSPACE_DIR } from '../e2e/fixture';

const REPO = resolve(__dirname, '..', '..');
const SERVER = resolve(process.env.FTAUDIT_SERVER_JS ?? join(REPO, 'server', 'out', 'server.js'));

interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  code?: string | number;
  source?: string;
  message: string;
}
interface NvimResult {
  nvim?: { major: number; minor: number; patch: number };
  events: { name: string; ms: number }[];
  published: { ms: number; version?: number; diagnostics: LspDiagnostic[] }[];
  vim_diagnostic?: { lnum: number; message: string; source?: string }[];
  text_document_sync?: unknown;
  lsp_log?: string;
  errors: string[];
}

function nvimVersion(): string | undefined {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
}

test('Neovim attaches to the server over stdio and receives FT101', { timeout: 90_000 }, async () => {
  const version = nvimVersion();
  assert.ok(version, 'nvim not found: run  bash scripts/setup-editor.sh  (installs Debian neovim)');
  assert.ok(existsSync(SERVER), `${SERVER} does not exist: run  npm run build`);

  const dir = mkdtempSync(join(tmpdir(), 'ftaudit-nvim-'));
  try {
    const ws = join(dir, 'workspace');
    cpSync(WORKSPACE_DIR, ws, { recursive: true });
    const file = join(ws, FIXTURE_NAME);
    const out = join(dir, 'result.json');
    for (const d of ['config', 'data', 'state', 'cache']) mkdirSync(join(dir, 'xdg', d), { recursive: true });

    const started = Date.now();
    const child = spawn('nvim', ['--headless', '--clean', '-n', '-i', 'NONE', '-c', `luafile ${join(__dirname, 'attach.lua')}`], {
      cwd: ws,
      env: {
        ...process.env,
        FTAUDIT_SERVER: SERVER,
        FTAUDIT_FILE: file,
        FTAUDIT_OUT: out,
        XDG_CONFIG_HOME: join(dir, 'xdg', 'config'),
        XDG_DATA_HOME: join(dir, 'xdg', 'data'),
        XDG_STATE_HOME: join(dir, 'xdg', 'state'),
        XDG_CACHE_HOME: join(dir, 'xdg', 'cache'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (b) => (output += b));
    child.stderr.on('data', (b) => (output += b));
    const code = await new Promise<number | null>((res) => {
      const timer = setTimeout(() => {
        // Kill nvim and the server it started (same process group).
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 60_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        res(c);
      });
    });
    const elapsed = Date.now() - started;
    try {
      process.kill(-child.pid!, 'SIGKILL'); // the language server, if it outlived nvim
    } catch {
      /* gone */
    }

    assert.ok(existsSync(out), `nvim wrote no result (exit ${code}, ${elapsed} ms). Output:\n${output}`);
    const result = JSON.parse(readFileSync(out, 'utf8')) as NvimResult;
    const lspLog = result.lsp_log && existsSync(result.lsp_log) ? readFileSync(result.lsp_log, 'utf8').slice(-4000) : '(none)';
    const context =
      `\n${version}; exit ${code}; events ${JSON.stringify(result.events)}` +
      `\npublished: ${JSON.stringify(result.published, null, 1)}\nnvim output:\n${output}\nNeovim's lsp.log (server stderr):\n${lspLog}`;
    assert.deepEqual(result.errors, [], `errors in Neovim:${context}`);
    assert.equal(code, 0, `nvim exited ${code}${context}`);

    const lines = fixtureLines(readFileSync(file, 'utf8'));
    const ft101 = (p: NvimResult['published'][number]) => p.diagnostics.filter((d) => d.code === 'FT101');
    const first = result.published.find((p) => ft101(p).length > 0);
    assert.ok(first, `no FT101 published${context}`);
    const d = ft101(first)[0];
    assert.equal(d.source, 'ftaudit');
    assert.match(d.message, /counter/);
    // Lines from the raw LSP params (Neovim 0.7's vim.diagnostic keeps no LSP range, so it is not used).
    assert.equal(d.range.start.line, lines.hazard, `FT101 on line ${d.range.start.line + 1}, expected ${lines.hazard + 1}${context}`);
    for (const p of result.published.slice(0, result.published.indexOf(first) + 1)) {
      for (const x of p.diagnostics) {
        assert.ok(
          x.range.start.line !== lines.guarded && x.range.start.line !== lines.local,
          `flagged a line that must not be: ${JSON.stringify(x)}`,
        );
      }
    }
    // After Neovim inserted a line at the top, the last publication has FT101 one line further down.
    const last = result.published[result.published.length - 1];
    assert.deepEqual(
      ft101(last).map((x) => x.range.start.line),
      [lines.hazard + 1],
      `after the edit, FT101 should be on line ${lines.hazard + 2}${context}`,
    );
    const firstMs = result.events.find((e) => e.name === 'first FT101')?.ms;
    console.log(`  [nvim] ${version}: first FT101 ${firstMs} ms after start, ${result.published.length} publications, whole run ${elapsed} ms`);
  } finally {
    if (!process.env.FTAUDIT_KEEP_E2E) rmSync(dir, { recursive: true, force: true });
  }
});
