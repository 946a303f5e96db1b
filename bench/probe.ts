// Asks an interpreter what it is: one run of a small script that prints one JSON line. A file name
// says nothing reliable (`python3` may be a free-threaded build), so every interpreter is probed.
import * as os from 'node:os';
import { InterpreterConfig, isolationArgs, labelOf, scrubbedEnv } from './interpreter';
import { excerpt, exitText, runProcess, SpawnError } from './proc';

/** What the probe found, as stored in result files (snake_case like the rest of the JSON). */
export interface InterpreterInfo {
  label: string;
  /** As configured (may be a command name). */
  path: string;
  /** sys.executable */
  executable: string;
  version: string;
  version_info: number[];
  implementation: string;
  /** sys._is_gil_enabled() at start-up; true when absent (before 3.13). */
  gil_enabled: boolean;
  /** sysconfig Py_GIL_DISABLED: a free-threaded build, which may still run with the GIL. */
  free_threaded_build: boolean;
  cpu_count: number | null;
  /** CPUs this process may use (os.sched_getaffinity), where the platform has it. */
  affinity: number | null;
  platform: string;
  machine: string;
  /** Names of the configured environment variables (values are not stored). */
  env_keys: string[];
}

export interface ProbedInterpreter {
  config: InterpreterConfig;
  info: InterpreterInfo;
}

/** A missing, broken or unsuitable interpreter; the message names it. */
export class InterpreterError extends Error {
  constructor(
    readonly interpreter: string,
    message: string,
  ) {
    super(message);
    this.name = 'InterpreterError';
  }
}

export const MIN_VERSION: readonly [number, number] = [3, 8];

// Runs on any Python, 2.7 included, so that an old interpreter gets a clear "too old" message; drops
// the current folder from sys.path first (what -I does on Python 3.4+).
const PROBE_SCRIPT = `
import sys
sys.path[:] = [p for p in sys.path if p != ""]
import json, os, platform
try:
    import sysconfig
    gil_disabled = sysconfig.get_config_var("Py_GIL_DISABLED")
except Exception:
    gil_disabled = None
is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
affinity = None
if hasattr(os, "sched_getaffinity"):
    try:
        affinity = len(os.sched_getaffinity(0))
    except OSError:
        pass
cpu_count = getattr(os, "cpu_count", lambda: None)()
sys.stdout.write("FTAUDIT_PROBE " + json.dumps({
    "executable": sys.executable,
    "version": platform.python_version(),
    "version_info": list(sys.version_info[:3]),
    "implementation": platform.python_implementation(),
    "gil_enabled": bool(is_gil_enabled()) if is_gil_enabled else True,
    "py_gil_disabled": gil_disabled,
    "cpu_count": cpu_count,
    "affinity": affinity,
    "platform": sys.platform,
    "machine": platform.machine(),
}) + "\\n")
`;

const MARKER = 'FTAUDIT_PROBE ';

export interface ProbeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export async function probeInterpreter(config: InterpreterConfig, options: ProbeOptions = {}): Promise<ProbedInterpreter> {
  const label = labelOf(config);
  const name = label === config.path ? `'${config.path}'` : `'${label}' (${config.path})`;
  const timeoutMs = options.timeoutMs ?? 20_000;
  let outcome;
  try {
    outcome = await runProcess(config.path, {
      // -E -s: -I in the spelling Python 2 also knows (the script drops the current folder itself).
      args: [...(isolationArgs(config).includes('-I') ? ['-E', '-s'] : []), '-c', PROBE_SCRIPT],
      env: scrubbedEnv(config, options.env),
      cwd: os.tmpdir(),
      timeoutMs,
      signal: options.signal,
      maxOutputBytes: 64 * 1024,
    });
  } catch (error) {
    if (error instanceof SpawnError) {
      const why = error.code === 'ENOENT' ? 'not found' : error.code === 'EACCES' ? 'not executable' : error.message;
      throw new InterpreterError(label, `interpreter ${name}: ${why}`);
    }
    throw error;
  }
  if (outcome.timedOut) {
    throw new InterpreterError(label, `interpreter ${name}: no answer to the probe within ${timeoutMs / 1000} s (killed)`);
  }
  const line = outcome.stdout.split(/\r?\n/).find((l) => l.startsWith(MARKER));
  if (outcome.code !== 0 || !line) {
    const status = outcome.code === 0 ? 'exited without a probe result' : `failed (${exitText(outcome.code, outcome.signal)})`;
    const detail = excerpt(outcome.stderr) || (outcome.stdout.trim() ? `printed: ${excerpt(outcome.stdout)}` : 'no output');
    throw new InterpreterError(label, `interpreter ${name} is not a working Python: the probe ${status}; ${detail}`);
  }
  const info = parseProbe(line.slice(MARKER.length), config, label);
  if (!info) throw new InterpreterError(label, `interpreter ${name}: unreadable probe result: ${excerpt(line)}`);
  const [major = 0, minor = 0] = info.version_info;
  if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
    throw new InterpreterError(
      label,
      `interpreter ${name} is ${info.implementation} ${info.version}; the experiments need Python ${MIN_VERSION.join('.')} or newer`,
    );
  }
  return { config, info };
}

function parseProbe(text: string, config: InterpreterConfig, label: string): InterpreterInfo | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const versionInfo = Array.isArray(r.version_info) ? r.version_info.filter((n): n is number => typeof n === 'number') : [];
  if (typeof r.version !== 'string' || versionInfo.length < 2) return undefined;
  return {
    label,
    path: config.path,
    executable: typeof r.executable === 'string' && r.executable ? r.executable : config.path,
    version: r.version,
    version_info: versionInfo,
    implementation: typeof r.implementation === 'string' ? r.implementation : 'unknown',
    gil_enabled: r.gil_enabled !== false,
    free_threaded_build: r.py_gil_disabled === 1 || r.py_gil_disabled === true,
    cpu_count: typeof r.cpu_count === 'number' ? r.cpu_count : null,
    affinity: typeof r.affinity === 'number' ? r.affinity : null,
    platform: typeof r.platform === 'string' ? r.platform : '',
    machine: typeof r.machine === 'string' ? r.machine : '',
    env_keys: Object.keys(config.env ?? {}).sort(),
  };
}

/** "GIL", "free-threaded", or "free-threaded build, GIL on" (PYTHON_GIL=1 or an extension re-enabled it). */
export function gilMode(info: Pick<InterpreterInfo, 'gil_enabled' | 'free_threaded_build'>): string {
  if (!info.gil_enabled) return 'free-threaded';
  return info.free_threaded_build ? 'free-threaded build, GIL on' : 'GIL';
}
