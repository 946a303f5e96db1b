// The interpreters the editor benchmarks: the `ftaudit.interpreters` setting, the interpreter selected
// in the Python extension (when installed), and discovery (PATH names, pyenv) — all probed.
import * as vscode from 'vscode';
import { defaultSelection, Discovery, discoverInterpreters, DiscoveredInterpreter } from '../../../server/src/bench/discover';
import { InterpreterConfig } from '../../../server/src/bench/interpreter';

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

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?: (resource?: vscode.Uri) => { path: string } | undefined;
    resolveEnvironment?: (env: { path: string }) => Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

/** The interpreter selected in ms-python.python, through its public API; undefined when absent. */
export async function pythonExtensionInterpreter(): Promise<InterpreterConfig | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const active = api?.environments?.getActiveEnvironmentPath?.(vscode.workspace.workspaceFolders?.[0]?.uri);
    if (!active?.path) return undefined;
    const resolved = await api.environments?.resolveEnvironment?.(active);
    const executable = resolved?.executable?.uri?.fsPath ?? active.path;
    return { path: executable, label: 'selected in Python extension' };
  } catch {
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
