// The interpreters the editor benchmarks: the `ftaudit.interpreters` setting, the interpreter selected
// in the Python extension (when installed), and discovery (PATH names, pyenv) — all probed.
import * as vscode from 'vscode';
import { PythonExtension, PVSC_EXTENSION_ID } from '@vscode/python-extension';
import { defaultSelection, Discovery, discoverInterpreters, DiscoveredInterpreter } from '../../../bench/discover';
import { InterpreterConfig } from '../../../bench/interpreter';

/** `ftaudit.interpreters`: entries without a usable path are dropped (and reported). */
export function configuredInterpreters(output: vscode.OutputChannel): InterpreterConfig[] {
  const raw = vscode.workspace.getConfiguration('ftaudit').get<unknown[]>('interpreters', []);
  const list: InterpreterConfig[] = [];
  for (const entry of Array.isArray(raw) ? raw : []) {
    const e = (typeof entry === 'string' ? { path: entry } : entry) as Partial<InterpreterConfig> | null;
    if (!e || typeof e.path !== 'string' || e.path.trim() === '') {
      output.appendLine(`[bench] ignoring an ftaudit.interpreters entry without a path: ${JSON.stringify(entry)}`);
      continue;
    }
    const env = e.env && typeof e.env === 'object' ? Object.fromEntries(Object.entries(e.env).map(([k, v]) => [k, String(v)])) : undefined;
    list.push({ path: e.path, label: typeof e.label === 'string' ? e.label : undefined, env });
  }
  return list;
}

/** The interpreter selected in the Python extension (ms-python.python), through its published API package. */
export async function pythonExtensionInterpreter(): Promise<InterpreterConfig | undefined> {
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  try {
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath(vscode.workspace.workspaceFolders?.[0]?.uri);
    if (!active?.path) return undefined;
    const resolved = await api.environments.resolveEnvironment(active);
    const executable = resolved?.executable?.uri?.fsPath ?? active.path;
    return { path: executable, label: 'selected in Python extension' };
  } catch {
    // An old or broken Python extension: discovery still finds interpreters on PATH and in pyenv.
    return undefined;
  }
}

export async function findInterpreters(output: vscode.OutputChannel, signal?: AbortSignal): Promise<{ discovery: Discovery; selected: DiscoveredInterpreter[] }> {
  const configured = configuredInterpreters(output);
  const fromExtension = await pythonExtensionInterpreter();
  if (fromExtension) configured.push(fromExtension);
  const discovery = await discoverInterpreters({ configured, probe: { signal } });
  for (const r of discovery.rejected) output.appendLine(`[bench] ${r.message}`);
  return { discovery, selected: defaultSelection(discovery).selected };
}
