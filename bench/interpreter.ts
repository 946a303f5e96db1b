// An interpreter as the user configures it, and how every run of it is isolated: `-I`, and an
// environment without the caller's PYTHON* variables (only those configured for the interpreter).
import * as path from 'node:path';

/** One entry of the `ftaudit.interpreters` setting, or one `--python PATH`. */
export interface InterpreterConfig {
  /** Executable: a path, or a command name looked up on PATH (`python3`). */
  path: string;
  /** Shown in tables; defaults to the path's base name. */
  label?: string;
  /** Extra environment for this interpreter, e.g. `{ "PYTHON_GIL": "0" }`. */
  env?: Record<string, string>;
}

export function labelOf(config: InterpreterConfig): string {
  return config.label?.trim() || path.basename(config.path) || config.path;
}

const PYTHON_VAR = /^PYTHON/i;

/** The caller's environment minus every PYTHON* variable, plus the interpreter's configured ones. */
export function scrubbedEnv(config: InterpreterConfig, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!PYTHON_VAR.test(key) && value !== undefined) env[key] = value;
  }
  const configured = config.env ?? {};
  Object.assign(env, configured);
  // Without -I (see isolationArgs) keep its other two effects through the environment.
  if (hasPythonVars(config)) {
    env.PYTHONNOUSERSITE ??= '1';
    env.PYTHONSAFEPATH ??= '1';
  }
  return env;
}

/**
 * `-I` (isolated: ignores PYTHON* variables, no user site-packages, no script folder on sys.path) and
 * `-B` (no __pycache__ written into the installed experiments folder).
 * `-I` would also ignore PYTHON* variables configured on purpose (PYTHON_GIL=0), so with those the
 * run uses the environment equivalents instead (PYTHONNOUSERSITE, PYTHONSAFEPATH; see scrubbedEnv).
 */
export function isolationArgs(config: InterpreterConfig): string[] {
  return hasPythonVars(config) ? ['-B'] : ['-I', '-B'];
}

function hasPythonVars(config: InterpreterConfig): boolean {
  return Object.keys(config.env ?? {}).some((key) => PYTHON_VAR.test(key));
}
