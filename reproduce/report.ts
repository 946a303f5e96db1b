// What a reproduction observed, in words: per interpreter ("lost 64 % of updates …") and one line for
// the whole run ("reproduced: 8 threads × 10,000 calls lost 64 % of updates on python3.14t; 0 % on
// python3.14"), shared by the CLI's text output, the editor's hover and the diagnostic's related info.
import type { Observation, Reproduction } from './types';

/** Floating-point state drifts by rounding alone; smaller relative differences are not a race. */
const FLOAT_TOLERANCE = 1e-9;

export function isReproduced(o: Observation): boolean {
  if (o.status !== 'ok') return false;
  if (typeof o.lost_fraction === 'number' && Math.abs(o.lost_fraction) > FLOAT_TOLERANCE) return true;
  if ((o.extra_acts ?? 0) > 0) return true;
  if ((o.wrong_results ?? 0) > 0) return true;
  if ((o.duplicate_objects ?? 0) > 0) return true;
  return Object.keys(o.exceptions ?? {}).length > 0;
}

const number = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 3 });
export const percent = (f: number) => `${Math.round(f * 100)} %`;

function signed(n: number): string {
  return `${n >= 0 ? '+' : '−'}${number(Math.abs(n))}`;
}

/** The interpreter's findings in one line. */
export function describeObservation(o: Observation): string {
  if (o.status !== 'ok') return o.error ?? 'failed';
  const parts: string[] = [];
  if (typeof o.lost_fraction === 'number' && o.expected_change !== undefined && o.actual_change !== undefined) {
    if (o.lost_fraction > FLOAT_TOLERANCE) parts.push(`lost ${percent(o.lost_fraction)} of updates (serially ${signed(o.expected_change)}, with threads ${signed(o.actual_change)})`);
    else if (o.lost_fraction < -FLOAT_TOLERANCE) parts.push(`changed the state by ${signed(o.actual_change)} instead of ${signed(o.expected_change)}`);
  }
  if ((o.extra_acts ?? 0) > 0) {
    parts.push(`line ${o.act_line} ran ${number(o.acts_concurrent ?? 0)} times instead of ${number(o.acts_serial ?? 0)} (${number(o.extra_acts ?? 0)} duplicate initialisations)`);
  }
  const exceptions = Object.entries(o.exceptions ?? {});
  if (exceptions.length) {
    parts.push(`raised ${exceptions.map(([, e]) => `${number(e.count)} × ${e.example}`).join('; ')}`);
  }
  if ((o.wrong_results ?? 0) > 0) {
    const ex = o.wrong_example;
    parts.push(`${number(o.wrong_results ?? 0)} calls returned another result than serially${ex ? ` (${ex.args}: ${short(ex.got)} instead of ${short(ex.expected)})` : ''}`);
  }
  if ((o.duplicate_objects ?? 0) > 0) {
    parts.push(`returned ${number((o.duplicate_objects ?? 0) + 1)} different objects where every serial call returned the same one (duplicate instances)`);
  }
  if (parts.length === 0) {
    const checked = typeof o.lost_fraction === 'number' ? '0 % lost, ' : '';
    return `no race observed (${checked}${workText(o)})`;
  }
  return parts.join('; ');
}

function short(text: string | undefined): string {
  if (text === undefined) return '?';
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function workText(o: Observation): string {
  return `${o.threads ?? '?'} threads × ${number(o.calls_per_thread ?? 0)} calls`;
}

function interpreterName(o: Observation): string {
  return o.label;
}

/**
 * "reproduced: 8 threads × 10,000 calls lost 64 % of updates on python3.14t; 0 % on python3.14" — the
 * lead names the worst interpreter, then the others briefly.
 */
export function summarize(r: Reproduction): string {
  const ok = r.interpreters.filter((o) => o.status === 'ok');
  if (ok.length === 0) {
    const first = r.interpreters[0];
    return `not run: ${first ? first.summary : 'no interpreter'}`;
  }
  const hit = ok.filter((o) => o.reproduced);
  const lead = hit[0] ?? ok[0];
  const rest = r.interpreters.filter((o) => o !== lead).map((o) => `${o.status !== 'ok' ? 'failed' : o.reproduced ? brief(o) : typeof o.lost_fraction === 'number' ? '0 %' : 'nothing'} on ${interpreterName(o)}`);
  const head = hit.length
    ? `reproduced: ${workText(lead)} ${brief(lead)} on ${interpreterName(lead)}`
    : `not reproduced: ${workText(lead)} on ${interpreterName(lead)} showed no race`;
  return rest.length ? `${head}; ${rest.join('; ')}` : head;
}

/** The short form of what one interpreter showed: "lost 64 % of updates", "3 duplicate initialisations". */
function brief(o: Observation): string {
  if (typeof o.lost_fraction === 'number' && o.lost_fraction > FLOAT_TOLERANCE) return `lost ${percent(o.lost_fraction)} of updates`;
  if ((o.extra_acts ?? 0) > 0) return `ran the act ${number(o.extra_acts ?? 0)} extra times`;
  const exceptions = Object.entries(o.exceptions ?? {});
  if (exceptions.length) return `raised ${exceptions.map(([name, e]) => `${number(e.count)} ${name}`).join(', ')}`;
  if ((o.duplicate_objects ?? 0) > 0) return `made ${number(o.duplicate_objects ?? 0)} duplicate instances`;
  if ((o.wrong_results ?? 0) > 0) return `returned ${number(o.wrong_results ?? 0)} wrong results`;
  if (typeof o.lost_fraction === 'number' && o.lost_fraction < -FLOAT_TOLERANCE) return 'changed the state more than serially';
  return 'showed nothing';
}

/** The text report of `ftaudit reproduce`. */
export function formatReproduction(r: Reproduction): string {
  const lines = [`${r.file}:${r.line}${r.code ? ` ${r.code}` : ''}: ${r.target ?? '?'}()${r.state ? ` racing on ${r.state}` : ''}${r.companion ? ` with ${r.companion}()` : ''}`];
  for (const o of r.interpreters) {
    const mode = o.gil_enabled === undefined ? '' : o.gil_enabled ? ' [GIL]' : ' [free-threaded]';
    lines.push(`  ${o.label}${o.version ? ` ${o.version}` : ''}${mode}: ${o.summary}`);
  }
  lines.push(summarize(r));
  lines.push(`harness: ${r.harness}`);
  return `${lines.join('\n')}\n`;
}
