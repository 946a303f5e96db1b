// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the top frames by self time, and by total
// (inclusive) time, as a markdown table.
//   node scripts/profile-top.mjs PROFILE.cpuprofile [--top 15]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 15;
if (!file) {
  console.error('usage: node scripts/profile-top.mjs PROFILE.cpuprofile [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfTicks = new Map();
for (const id of profile.samples) selfTicks.set(id, (selfTicks.get(id) ?? 0) + 1);
const deltas = profile.timeDeltas ?? [];
const total = profile.samples.length;
const ms = (profile.endTime - profile.startTime) / 1000;

const key = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
};
// parents, for inclusive time
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map();
const inclusive = new Map();
for (const [id, ticks] of selfTicks) {
  const n = byId.get(id);
  self.set(key(n), (self.get(key(n)) ?? 0) + ticks);
  const seen = new Set();
  for (let p = id; p !== undefined; p = parent.get(p)) {
    const k = key(byId.get(p));
    if (seen.has(k)) continue; // recursion counts once
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + ticks);
  }
}
const idle = new Set(['(idle) ', '(program) ', '(garbage collector) ', '(root) ']);
const pct = (t) => `${((100 * t) / total).toFixed(1)} %`;
console.log(`profile ${basename(file)}: ${ms.toFixed(0)} ms, ${total} samples${deltas.length ? '' : ''}`);
console.log('\n| self | frame |\n|---:|---|');
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`| ${pct(t)} | \`${k.trim()}\` |`);
console.log('\n| total | frame |\n|---:|---|');
for (const [k, t] of [...inclusive].filter(([k]) => !idle.has(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`| ${pct(t)} | \`${k.trim()}\` |`);

// --under NAME: inclusive time of the frames called (directly or not) from frames named NAME.
const underIndex = args.indexOf('--under');
if (underIndex >= 0) {
  const name = args[underIndex + 1];
  const under = new Map();
  let rootTicks = 0;
  for (const [id, ticks] of selfTicks) {
    const chain = [];
    for (let p = id; p !== undefined; p = parent.get(p)) chain.push(byId.get(p));
    const at = chain.findIndex((n) => n.callFrame.functionName === name);
    if (at < 0) continue;
    rootTicks += ticks;
    const seen = new Set();
    for (const n of chain.slice(0, at)) {
      const k = key(n);
      if (seen.has(k)) continue;
      seen.add(k);
      under.set(k, (under.get(k) ?? 0) + ticks);
    }
  }
  console.log(`\nunder \`${name}\` (${pct(rootTicks)} of all samples):\n\n| total | frame |\n|---:|---|`);
  for (const [k, t] of [...under].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`| ${pct(t)} | \`${k.trim()}\` |`);
}
