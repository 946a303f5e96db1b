// How responsive the language server stays while it analyses: request latency right after a huge
// document is opened (with the default ftaudit.maxAnalysisSize, and with no limit so it is analysed in
// full), and didChange → diagnostics latency on the ~5,000-line stdlib file. Over stdio, LSP only, so
// it measures any build of the server: pass --server to compare one from another commit.
//
//   npm run build && node --import tsx scripts/bench-server-threads.ts [--server server/out/server.js]
//       [--bytes 8000000] [--edits 40] [--python python3] [--skip-unlimited]
//
// A benchmark, not a test (timings never go in tests). The figures of scripts/bench-analyzer.ts (the
// full server benchmark) come from the same harness (scripts/bench/server.ts).
import { join, resolve } from 'node:path';
import { LspTestClient } from '../test/helpers/lspClient';
import { editFile, functionBodySites, repeatTo, stdlibCorpus } from './bench/corpus';
import { editLatency, hugeDocument, median, peakRssKb, quantile } from './bench/server';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const server = resolve(arg('server', join(__dirname, '..', 'server', 'out', 'server.js')));
const bytes = Number(arg('bytes', '8000000'));
const edits = Number(arg('edits', '40'));
const python = arg('python', 'python3');
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`);
const summary = (xs: number[]) => `median ${fmt(median(xs))}, p95 ${fmt(quantile(xs, 0.95))}, max ${fmt(Math.max(...xs))} (${xs.length} requests)`;

async function withServer<T>(maxAnalysisSize: number | undefined, run: (client: LspTestClient) => Promise<T>, env: Record<string, string> = {}): Promise<{ result: T; peakMb?: number }> {
  const client = await LspTestClient.start(server, null, env);
  try {
    if (maxAnalysisSize !== undefined) {
      client.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ maxAnalysisSize })));
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    }
    const result = await run(client);
    const kb = peakRssKb(client.process.pid);
    return { result, peakMb: kb === undefined ? undefined : Math.round(kb / 1024) };
  } finally {
    await client.stop().catch(() => client.process.kill());
  }
}

async function main(): Promise<void> {
  const { text } = editFile(stdlibCorpus(python));
  const huge = repeatTo(text, bytes);
  console.log(`server: ${server}\nedit file: ${text.split('\n').length} lines; huge document: ${(huge.length / 1e6).toFixed(1)} MB\n`);

  const edit = await withServer(undefined, (c) => editLatency(c, 'file:///tmp/ftaudit-bench-threads/edit.py', text, functionBodySites(text, 40), edits));
  console.log(`didChange → diagnostics (${edits} edits, each awaited): ${summary(edit.result.times).replace(/ \(\d+ requests\)/, '')}; peak RSS ${edit.peakMb} MB`);

  const limited = await withServer(undefined, (c) => hugeDocument(c, 'file:///tmp/ftaudit-bench-threads/huge.py', huge, 100, 600_000));
  console.log(`huge document, default settings: diagnostics after ${fmt(limited.result.diagnosticsMs)}; first request ${fmt(limited.result.firstRequestMs)}; requests ${summary(limited.result.requestTimes)}; peak RSS ${limited.peakMb} MB`);

  if (!process.argv.includes('--skip-unlimited')) {
    // No size limit, no parse budget, no watchdog: the document is parsed and analysed in full.
    const unbounded = { FTAUDIT_PARSE_BUDGET_MS: '600000', FTAUDIT_ANALYSIS_TIMEOUT_MS: '600000' };
    const full = await withServer(0, (c) => hugeDocument(c, 'file:///tmp/ftaudit-bench-threads/huge.py', huge, 100, 600_000), unbounded);
    console.log(`huge document, maxAnalysisSize 0, no parse budget (analysed in full): diagnostics after ${fmt(full.result.diagnosticsMs)} (${full.result.count} diagnostics); first request ${fmt(full.result.firstRequestMs)}; requests ${summary(full.result.requestTimes)}; peak RSS ${full.peakMb} MB`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
