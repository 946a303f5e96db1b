// Measures the language server from the outside, over stdio and LSP only (so it works whether the
// server analyses on its message loop or in a worker thread): edit → diagnostics latency, request
// latency during a burst of hostile edits and right after a huge document is opened, peak RSS.
// Reused by the protocol tests (which assert behaviour, never times).
import { readFileSync } from 'node:fs';
import { LspTestClient, type PublishedDiagnostics } from '../../test/helpers/lspClient';
import { EditedDocument, hostileEdits, type Change, type HostileKind, type HostileOptions } from './fuzz';

export const now = (): number => performance.now();
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}
export const median = (xs: number[]): number => quantile(xs, 0.5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Peak resident set of a process (kB) from /proc, or undefined off Linux. */
export function peakRssKb(pid: number | undefined): number | undefined {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

export async function openDocument(client: LspTestClient, uri: string, text: string, version = 1): Promise<void> {
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
}

export async function sendChange(client: LspTestClient, uri: string, version: number, change: Change): Promise<void> {
  await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
}

/** One request the server must answer at any time: code actions for the first lines of the document. */
export async function probeRequest(client: LspTestClient, uri: string): Promise<{ ms: number; error?: string }> {
  const t = now();
  try {
    await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } },
      context: { diagnostics: [] },
    });
    return { ms: now() - t };
  } catch (error) {
    // ContentModified / RequestCancelled are answers too: the server did not block.
    return { ms: now() - t, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * didChange → publishDiagnostics for that version, over `sites` (insert a character, then delete it:
 * two edits per site, so the file stays valid). Waits for each edit's diagnostics before the next.
 */
/**
 * didChange → publishDiagnostics for one-character edits, one after another: `times` to the first
 * diagnostics of each version (what the editor shows), `completeTimes` to `ftaudit/diagnosticsComplete`
 * (the full analysis's). The next edit goes out as soon as the first answer arrives, as a typist's would
 * while the full analysis of the previous version may still be running.
 */
export async function editLatency(client: LspTestClient, uri: string, text: string, sites: Array<{ line: number; character: number }>, edits: number, warmup = 6): Promise<{ times: number[]; completeTimes: number[] }> {
  let version = 1;
  await openDocument(client, uri, text, version);
  await client.diagnostics(uri, version, 120_000);
  const times: number[] = [];
  const completeTimes: number[] = [];
  for (let i = 0; i < edits + warmup; i++) {
    const at = sites[Math.floor(i / 2) % sites.length];
    const insert = i % 2 === 0;
    const range = insert ? { start: at, end: at } : { start: at, end: { line: at.line, character: at.character + 1 } };
    const published = client.diagnostics(uri, ++version, 60_000, { first: true });
    const t = now();
    await sendChange(client, uri, version, { range, text: insert ? 'x' : '' });
    await published;
    if (i >= warmup) times.push(now() - t);
    // Every other edit also waits for the full analysis (so both are measured, and half the edits arrive while one runs).
    if (i % 4 < 2) {
      await client.diagnostics(uri, version, 60_000);
      if (i >= warmup) completeTimes.push(now() - t);
    }
  }
  return { times, completeTimes };
}

export interface BurstResult {
  edits: number;
  kinds: Partial<Record<HostileKind, number>>;
  requestTimes: number[];
  requestErrors: number;
  /** From the last edit sent to the diagnostics of the final version. */
  settleMs: number;
  /** This process's event-loop lag while it sent the burst (ms, sampled every 10 ms): the part of a request's latency that is the client's. */
  clientLag: number[];
  final: PublishedDiagnostics;
  finalText: string;
  finalVersion: number;
  wallMs: number;
}

/**
 * Sends `count` seeded hostile edits in bursts (1–40 edits back to back, then a pause of 0–100 ms),
 * while a probe request goes out every `probeEveryMs`; then waits for the final version's diagnostics.
 */
export async function hostileBurst(client: LspTestClient, uri: string, text: string, count: number, seed: number, options: HostileOptions & { probeEveryMs?: number; settleTimeoutMs?: number }): Promise<BurstResult> {
  const document = new EditedDocument(text, 1, uri);
  // Generated before the burst, so making them costs this process nothing while requests are timed.
  const edits = [...hostileEdits(document, count, seed, options)];
  await openDocument(client, uri, text, 1);
  await client.diagnostics(uri, 1, 120_000);
  const requestTimes: number[] = [];
  let requestErrors = 0;
  let probing = true;
  const pending: Array<Promise<void>> = [];
  const prober = (async () => {
    while (probing) {
      pending.push(
        probeRequest(client, uri).then((r) => {
          requestTimes.push(r.ms);
          if (r.error) requestErrors++;
        }),
      );
      await sleep(options.probeEveryMs ?? 50);
    }
  })();
  const clientLag: number[] = [];
  let tick = now();
  const lagTimer = setInterval(() => {
    const t = now();
    clientLag.push(Math.max(0, t - tick - 10));
    tick = t;
  }, 10);
  const kinds: Partial<Record<HostileKind, number>> = {};
  const pacing = hostileRandom(seed);
  const t0 = now();
  let inBurst = 0;
  let burstSize = 1 + Math.floor(pacing() * 40);
  for (const edit of edits) {
    kinds[edit.kind] = (kinds[edit.kind] ?? 0) + 1;
    await sendChange(client, uri, edit.version, edit.change);
    if (++inBurst >= burstSize) {
      inBurst = 0;
      burstSize = 1 + Math.floor(pacing() * 40);
      await sleep(Math.floor(pacing() * 100));
    }
  }
  const sent = now();
  const final = await client.diagnostics(uri, document.version, options.settleTimeoutMs ?? 300_000);
  const settleMs = now() - sent;
  probing = false;
  await prober;
  await Promise.all(pending);
  clearInterval(lagTimer);
  return { edits: count, kinds, requestTimes, requestErrors, settleMs, clientLag, final, finalText: document.text, finalVersion: document.version, wallMs: now() - t0 };
}

function hostileRandom(seed: number): () => number {
  let a = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

/**
 * Opens a huge document and measures: the time to its diagnostics, and the latency of probe requests
 * sent right after the didOpen (the first one at once, then every `probeEveryMs` until diagnostics).
 */
export async function hugeDocument(client: LspTestClient, uri: string, text: string, probeEveryMs = 100, timeoutMs = 600_000): Promise<{ diagnosticsMs: number; firstRequestMs: number; requestTimes: number[]; count: number }> {
  const t = now();
  await openDocument(client, uri, text, 1);
  const published = client.diagnostics(uri, 1, timeoutMs);
  let done = false;
  void published.then(() => (done = true), () => (done = true));
  const requestTimes: number[] = [];
  const first = probeRequest(client, uri).then((r) => r.ms);
  const pending: Array<Promise<void>> = [];
  while (!done) {
    await sleep(probeEveryMs);
    if (!done) pending.push(probeRequest(client, uri).then((r) => void requestTimes.push(r.ms)));
  }
  const diagnostics = await published;
  const diagnosticsMs = now() - t;
  const firstRequestMs = await first;
  await Promise.all(pending);
  return { diagnosticsMs, firstRequestMs, requestTimes: [firstRequestMs, ...requestTimes], count: diagnostics.diagnostics.length };
}

/** Diagnostics ranges that do not fit the text (line past the end, character past the line, inside a surrogate pair). */
export function misplacedRanges(text: string, diagnostics: PublishedDiagnostics['diagnostics']): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  const bad: string[] = [];
  const check = (p: { line: number; character: number }, what: string, d: { code: string }) => {
    const line = lines[p.line];
    if (line === undefined || p.character > line.length) bad.push(`${d.code} ${what} ${p.line}:${p.character} outside the text`);
    else if (p.character > 0 && p.character < line.length && /[\ud800-\udbff]/.test(line[p.character - 1]) && /[\udc00-\udfff]/.test(line[p.character])) bad.push(`${d.code} ${what} inside a surrogate pair`);
  };
  for (const d of diagnostics) {
    check(d.range.start, 'start', d);
    check(d.range.end, 'end', d);
  }
  return bad;
}

/** Diagnostics in a canonical order, for comparing two publications. */
export function canonical(diagnostics: PublishedDiagnostics['diagnostics']): string[] {
  return diagnostics.map((d) => JSON.stringify([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.code, d.severity, d.message])).sort();
}
