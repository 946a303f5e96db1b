// FT212 — the global `random` generator used in thread loops. Docs: docs/rules/FT212.md
import type { Node } from '../parser';
import type { Rule, RuleContext } from '../types';
import { snippet } from '../model/syntax';
import { calleeName, enclosingLoop, isPacedLoop, isTestCode, runsOnThreads, textHas, threadCode } from './hazards';

const GATE = /\brandom\b/;

const FUNCTIONS = new Set([
  'random', 'uniform', 'randint', 'randrange', 'choice', 'choices', 'sample', 'shuffle', 'getrandbits', 'randbytes',
  'triangular', 'betavariate', 'expovariate', 'gammavariate', 'gauss', 'lognormvariate', 'normalvariate',
  'vonmisesvariate', 'paretovariate', 'weibullvariate', 'binomialvariate',
]);

export const FT212: Rule = {
  code: 'FT212',
  name: 'shared-random',
  summary: 'The global `random` generator is used in a loop in thread code (one shared, locked generator)',
  precision: 'medium',
  visit: {
    call(node: Node, ctx: RuleContext) {
      if (!textHas(ctx.model, ctx.text, GATE)) return;
      const q = calleeName(node, ctx.model);
      const parts = q?.split('.') ?? [];
      if (parts.length !== 2 || parts[0] !== 'random' || !(FUNCTIONS.has(parts[1]) || parts[1] === 'seed')) return;
      const where = threadCode(node, ctx.model);
      if (!where || isTestCode(where.scope) || ctx.model.heldLocks(node).length > 0) return;
      const fn = parts[1];
      const thread = runsOnThreads(where.scope, where.entry);
      if (fn === 'seed') {
        ctx.report(node, {
          severity: 'warning',
          message:
            `\`${snippet(node, 40)}\` reseeds the one generator that every thread's \`random.*\` calls share (${thread}): the other threads' sequences change under them, so no thread's results are reproducible. ` +
            `Give each thread its own generator: \`rng = random.Random(seed)\` and call \`rng.random()\`.`,
        });
        return;
      }
      const loop = enclosingLoop(node, where.scope.node);
      if (!loop) return;
      if (fn === 'gauss') {
        ctx.report(node, {
          severity: 'warning',
          message:
            `\`${snippet(node, 40)}\` in thread code (${thread}): \`random.gauss\` keeps a cached second value in the shared generator, and the random documentation warns that two threads calling it at once can get the same value. ` +
            `Use a per-thread \`random.Random()\` instance, or \`random.normalvariate\`, which is thread-safe.`,
        });
        return;
      }
      // A loop that waits on every pass (`event.wait(interval + random.random())`) calls the generator
      // a few times a second: nothing contends.
      if (isPacedLoop(loop)) return;
      // Contention is a claim about threads that run: with none in sight (only assume-concurrent), a
      // loop's calls meet no other thread's.
      if (where.entry.assumed) return;
      ctx.report(node, {
        severity: 'info',
        message:
          `\`${snippet(node, 40)}\` in a loop in thread code (${thread}) uses the \`random\` module's one shared generator. ` +
          `On free-threaded Python its state is protected by a per-object lock, so every call from every thread contends for it and the loop stops scaling with threads. ` +
          `Create a generator per thread (\`rng = random.Random()\` at the start of the thread function) and call \`rng.${fn}(…)\`.`,
      });
    },
  },
};
