// How much of what ftaudit reports can `ftaudit reproduce` drive as it is? For every race finding
// (the codes reproduce supports) in the given directories, checked with --assume-concurrent, makes the
// plan and counts the drivable ones and the blockers by kind. With --run PYTHON[,PYTHON…] and --sample N,
// also runs N drivable plans (seeded) and counts what they showed.
//   node --import tsx scripts/reproduce-coverage.ts DIR... [--run /path/python3.14t,python3] [--sample 20] [--seed 1]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Checker } from '../server/src/analysis';
import { planReproduction, REPRODUCIBLE_CODES, type ReproPlan } from '../server/src/analysis/reproduce/plan';
import { moduleLocation, runReproduction } from '../reproduce/run';
import { summarize } from '../reproduce/report';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args.splice(i, 2)[1];
};
const run = flag('--run')?.split(',');
const sample = Number(flag('--sample') ?? '0');
let seed = Number(flag('--seed') ?? '1');
const dirs = args;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.py')) out.push(p);
  }
  return out;
}

function kind(blocker: string): string {
  if (/needs `.*`, and no call/.test(blocker)) return /\(…\) needs/.test(blocker) ? 'constructor arguments unknown' : 'call arguments unknown';
  if (/import time/.test(blocker)) return 'runs at import';
  if (/coroutine/.test(blocker)) return 'coroutine';
  if (/defined inside/.test(blocker)) return 'nested function';
  if (/not defined at module level/.test(blocker)) return 'nested class';
  return blocker;
}

(async () => {
  const checker = await Checker.create({ assumeConcurrent: true });
  const plans: ReproPlan[] = [];
  const blockers = new Map<string, number>();
  let findings = 0;
  for (const dir of dirs) {
    for (const file of files(dir)) {
      const text = readFileSync(file, 'utf8');
      const result = checker.check(text);
      const lines = new Set<number>();
      for (const f of result.findings) {
        if (!REPRODUCIBLE_CODES.has(f.code)) continue;
        const line = text.slice(0, f.start).split('\n').length;
        if (lines.has(line)) continue;
        lines.add(line);
        findings++;
        const plan = planReproduction(result.tree.rootNode, { file, line, code: f.code });
        if (plan.blockers.length === 0) plans.push(plan);
        for (const b of plan.blockers) blockers.set(kind(b), (blockers.get(kind(b)) ?? 0) + 1);
      }
    }
  }
  console.log(`race findings (one per line): ${findings}; drivable as they are: ${plans.length} (${((100 * plans.length) / Math.max(1, findings)).toFixed(0)} %)`);
  for (const [k, n] of [...blockers].sort((a, b) => b[1] - a[1])) console.log(`  blocked: ${k}: ${n}`);
  if (!run || sample <= 0) return;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const picked = [...plans].sort(() => random() - 0.5).slice(0, sample);
  const outcomes = new Map<string, number>();
  for (const plan of picked) {
    const result = await runReproduction(plan, run.map((p) => ({ path: p })), { ...moduleLocation(plan.file), timeoutMs: Number(process.env.REPRO_TIMEOUT_MS ?? 30_000) });
    const first = result.interpreters[0];
    const outcome = first.status !== 'ok' ? `not run (${first.phase ?? first.status})` : first.reproduced ? 'reproduced' : 'ran, nothing observed';
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    console.log(`${plan.file}:${plan.line} ${plan.code} ${plan.target?.qualname}: ${summarize(result)}`);
  }
  for (const [k, n] of outcomes) console.log(`  ${k}: ${n}`);
})();
