// Finds candidate interpreters (well-known names on PATH, pyenv versions) and probes every one:
// names are only hints, the probe decides what an interpreter is.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InterpreterConfig } from './interpreter';
import { probeInterpreter, ProbedInterpreter, ProbeOptions } from './probe';
import { isAbortError } from './proc';

export const PATH_CANDIDATES: readonly string[] = ['python3', 'python3.13t', 'python3.14', 'python3.14t', 'python3.15t'];

export type DiscoverySource = 'configured' | 'path' | 'pyenv';

export interface Candidate {
  config: InterpreterConfig;
  source: DiscoverySource;
}

export interface DiscoveryOptions {
  env?: NodeJS.ProcessEnv;
  /** Interpreters from settings; probed first, so they win over duplicates found by discovery. */
  configured?: readonly InterpreterConfig[];
  names?: readonly string[];
  /** Override the pyenv root; null skips pyenv. Default: $PYENV_ROOT or ~/.pyenv. */
  pyenvRoot?: string | null;
  probe?: ProbeOptions;
  /** Probes run at once. */
  concurrency?: number;
}

export interface DiscoveredInterpreter extends ProbedInterpreter {
  source: DiscoverySource;
}

export interface Discovery {
  found: DiscoveredInterpreter[];
  /** Candidates whose probe failed (broken, too old), with the reason. */
  rejected: { candidate: Candidate; message: string }[];
}

/** Full path of `name` on PATH, like `which`, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const file = path.join(dir, name + ext);
      if (isExecutableFile(file)) return file;
    }
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The interpreter of one pyenv version folder: the most specific python3 name in its bin/. */
export function pyenvInterpreter(versionDir: string): string | undefined {
  const bin = path.join(versionDir, 'bin');
  let names: string[];
  try {
    names = fs.readdirSync(bin);
  } catch {
    return undefined;
  }
  const order = [/^python3\.\d+t$/, /^python3t$/, /^python3\.\d+$/, /^python3$/];
  for (const pattern of order) {
    const name = names.filter((n) => pattern.test(n)).sort()[0];
    if (name && isExecutableFile(path.join(bin, name))) return path.join(bin, name);
  }
  return undefined;
}

/** Candidates in order: configured, PATH names, pyenv versions. Looks at files only; runs nothing. */
export function candidates(options: DiscoveryOptions = {}): Candidate[] {
  const env = options.env ?? process.env;
  const list: Candidate[] = (options.configured ?? []).map((config) => ({ config, source: 'configured' }));
  for (const name of options.names ?? PATH_CANDIDATES) {
    const file = findOnPath(name, env);
    if (file) list.push({ config: { path: file, label: name }, source: 'path' });
  }
  const root = options.pyenvRoot === undefined ? (env.PYENV_ROOT || path.join(os.homedir(), '.pyenv')) : options.pyenvRoot;
  if (root) {
    let versions: string[] = [];
    try {
      versions = fs.readdirSync(path.join(root, 'versions')).sort(compareVersions);
    } catch {
      // no pyenv
    }
    for (const version of versions) {
      const file = pyenvInterpreter(path.join(root, 'versions', version));
      if (file) list.push({ config: { path: file, label: `pyenv ${version}` }, source: 'pyenv' });
    }
  }
  return list;
}

/** Probes every candidate; drops duplicates (same real executable and environment), keeping the first. */
export async function discoverInterpreters(options: DiscoveryOptions = {}): Promise<Discovery> {
  const list = candidates(options);
  type Outcome = { candidate: Candidate; probed?: ProbedInterpreter; message?: string };
  const outcomes = await mapLimit(list, options.concurrency ?? 4, async (candidate): Promise<Outcome> => {
    try {
      return { candidate, probed: await probeInterpreter(candidate.config, { env: options.env, ...options.probe }) };
    } catch (error) {
      if (isAbortError(error)) throw error;
      return { candidate, message: error instanceof Error ? error.message : String(error) };
    }
  });
  const discovery: Discovery = { found: [], rejected: [] };
  const seen = new Set<string>();
  for (const outcome of outcomes) {
    if (!outcome.probed) {
      discovery.rejected.push({ candidate: outcome.candidate, message: outcome.message ?? 'probe failed' });
      continue;
    }
    const key = `${realpath(outcome.probed.info.executable)}\0${JSON.stringify(outcome.candidate.config.env ?? {})}`;
    if (seen.has(key)) continue;
    seen.add(key);
    discovery.found.push({ ...outcome.probed, source: outcome.candidate.source });
  }
  return discovery;
}

/**
 * What `ftaudit bench` runs without --python: configured and PATH interpreters, plus pyenv versions
 * that are free-threaded builds (the comparison that matters); other pyenv versions are listed only.
 */
export function defaultSelection(discovery: Discovery): { selected: DiscoveredInterpreter[]; skipped: DiscoveredInterpreter[] } {
  const selected: DiscoveredInterpreter[] = [];
  const skipped: DiscoveredInterpreter[] = [];
  for (const found of discovery.found) {
    (found.source !== 'pyenv' || found.info.free_threaded_build ? selected : skipped).push(found);
  }
  return { selected, skipped };
}

function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** Orders pyenv folder names by version numbers ("3.9.18" before "3.13.0"), then by name. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[^0-9]+/).filter(Boolean).map(Number);
  const pb = b.split(/[^0-9]+/).filter(Boolean).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
