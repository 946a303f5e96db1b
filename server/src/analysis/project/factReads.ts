// Which project facts a module's analysis asked for. checkProject analyses a module again when the run
// tells it something new; most news concerns names the module never asked about (another module calls
// `struct.calcsize` at import, and `struct`'s rules never ask whether `calcsize` is primed). Recording
// each question — the kind of fact and the name asked, or the whole kind when it is walked — lets the
// next round re-analyse only modules some answer of which changed: the result is the same as analysing
// every module whose facts changed, at a fraction of the cost.
import type { ProjectFacts } from '../options';
import { sameFacts } from './graph';

/** Per kind of fact: the names asked (`get`/`has`), or true when the whole kind was read (walked, sized, tested). */
export type FactReads = Record<string, string[] | true>;

/** The kinds of ProjectFacts that are maps or sets, asked by name. */
const KEYED_KINDS = [
  'threadEntries', 'callerLocks', 'calledBeforeStart', 'importCallers', 'primedAtImport', 'containerChanges', 'containerIterations',
  'ownedClasses', 'threadClasses', 'lockDecorators', 'constructionHooks', 'classHooks', 'guiClasses', 'spawnerWrappers',
  'handOverWrappers', 'selfCallEntries', 'handOverDecorators', 'spawnerDecorators', 'threadStarters', 'guiOwnedClasses',
  'handedClasses', 'calledFromOtherModules', 'inPlaceClasses', 'toolkitShims',
  'threadCallArguments',
] as const satisfies ReadonlyArray<keyof ProjectFacts>;
// Every kind but the plain main loop is asked by name: a kind added to ProjectFacts must be listed here.
type Unlisted = Exclude<keyof ProjectFacts, (typeof KEYED_KINDS)[number] | 'mainLoop'>;
const everyKindListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyKindListed;
const KEYED = new Set<string>(KEYED_KINDS);
/** Those of them that are sets (the rest are maps). */
const SET_KINDS = new Set<string>(['ownedClasses', 'threadClasses', 'classHooks', 'guiClasses', 'selfCallEntries', 'threadStarters', 'guiOwnedClasses', 'calledFromOtherModules']);

export interface FactRecorder {
  /** The facts to analyse with: the same answers, each question recorded. */
  facts: ProjectFacts;
  /** What was asked so far. */
  reads(): FactReads;
}

/**
 * Wraps `facts` so that every question is recorded. A kind the run tells the module nothing of is an
 * empty collection here, not absent: `project?.callerLocks?.get(name)` must still say which name it
 * asked. (Every consumer treats an empty kind as an absent one; the unit test walks each kind.)
 */
export function recordFactReads(facts: ProjectFacts | undefined): FactRecorder {
  const asked = new Map<string, Set<string> | true>();
  const ask = (kind: string, key: unknown) => {
    const known = asked.get(kind);
    if (known === true) return;
    if (typeof key !== 'string') return void asked.set(kind, true);
    if (known) known.add(key);
    else asked.set(kind, new Set([key]));
  };
  const wrapped: Record<string, unknown> = {};
  for (const kind of KEYED_KINDS) {
    const value = (facts as Record<string, unknown> | undefined)?.[kind];
    const collection = (value ?? (SET_KINDS.has(kind) ? new Set() : new Map())) as Map<string, unknown> | Set<string>;
    wrapped[kind] = keyedProxy(collection, kind, ask);
  }
  for (const [kind, value] of Object.entries(facts ?? {})) {
    if (KEYED.has(kind)) continue;
    // A plain fact (the application's main loop): any look at it reads all of it.
    Object.defineProperty(wrapped, kind, { enumerable: true, get: () => (asked.set(kind, true), value) });
  }
  const proxy = new Proxy(wrapped, {
    get(target, prop, receiver) {
      // An absent plain fact asked for: its arrival would change the answer.
      if (typeof prop === 'string' && !(prop in target)) asked.set(prop, true);
      return Reflect.get(target, prop, receiver);
    },
  });
  return {
    facts: proxy as ProjectFacts,
    reads: () => Object.fromEntries([...asked].map(([kind, keys]) => [kind, keys === true ? true : [...keys].sort()])),
  };
}

/** The question "is this kind empty?" (a `size` read), recorded as a name no fact has. */
const EMPTINESS = '\0size';

function keyedProxy(collection: Map<string, unknown> | Set<string>, kind: string, ask: (kind: string, key: unknown) => void): unknown {
  return new Proxy(collection, {
    get(target, prop) {
      if (prop === 'get' || prop === 'has') {
        return (key: unknown) => {
          ask(kind, key);
          return prop === 'get' ? (target as Map<string, unknown>).get(key as string) : target.has(key as string);
        };
      }
      // Consumers test `size` only against 0 (`hooks?.size`, `(x?.size ?? 0) > 0`): it asks whether the kind is empty.
      if (prop === 'size') {
        ask(kind, EMPTINESS);
        return target.size;
      }
      // Anything else (keys, values, entries, forEach, iteration) reads the whole kind.
      ask(kind, undefined);
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Would an analysis that asked `reads` of `before` get the same answers from `after`? A kind read whole
 * is compared whole; a name asked, by its answer.
 */
export function sameAnswers(reads: FactReads, before: ProjectFacts | undefined, after: ProjectFacts | undefined): boolean {
  for (const [kind, keys] of Object.entries(reads)) {
    const a = (before as Record<string, unknown> | undefined)?.[kind];
    const b = (after as Record<string, unknown> | undefined)?.[kind];
    if (keys === true || !KEYED.has(kind)) {
      if (!sameFacts({ [kind]: a } as ProjectFacts, { [kind]: b } as ProjectFacts)) return false;
      continue;
    }
    for (const key of keys) if (answer(a, key) !== answer(b, key)) return false;
  }
  // A kind nobody asked about cannot change the result.
  return true;
}

function answer(collection: unknown, key: string): string {
  if (key === EMPTINESS) return collection instanceof Map || collection instanceof Set ? String(collection.size > 0) : 'false';
  if (collection instanceof Set) return collection.has(key) ? 'yes' : 'no';
  if (collection instanceof Map) return collection.has(key) ? JSON.stringify(collection.get(key)) : 'absent';
  return 'absent';
}

/** The questions of both. */
export function mergeReads(a: FactReads, b: FactReads): FactReads {
  const merged: FactReads = { ...a };
  for (const [kind, keys] of Object.entries(b)) {
    const known = merged[kind];
    merged[kind] = known === true || keys === true ? true : known ? [...new Set([...known, ...keys])].sort() : keys;
  }
  return merged;
}
