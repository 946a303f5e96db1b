// Starts the bundled language server and keeps it alive: a crash restarts it (up to a limit, so a
// server that dies on start does not loop forever), and its state shows in a language status item.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
} from 'vscode-languageclient/node';

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

export function createLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, status: vscode.LanguageStatusItem, middleware?: Middleware): LanguageClient {
  const module = context.asAbsolutePath('server/out/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const crashes: number[] = [];
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
    ],
    outputChannel: output,
    // Files changed outside the editor update the server's cross-file index.
    synchronize: { fileEvents: [vscode.workspace.createFileSystemWatcher('**/*.py'), vscode.workspace.createFileSystemWatcher('**/pyproject.toml')] },
    // clientCommands: commands this client implements, which the server may put in code actions.
    initializationOptions: { settings: vscode.workspace.getConfiguration('ftaudit'), clientCommands: ['ftaudit.reproduce'] },
    middleware,
    errorHandler: {
      error: (): ErrorHandlerResult => ({ action: ErrorAction.Continue }),
      closed: (): CloseHandlerResult => {
        const now = Date.now();
        crashes.push(now);
        while (crashes.length > 0 && now - crashes[0] > RESTART_WINDOW_MS) crashes.shift();
        if (crashes.length > MAX_RESTARTS) {
          status.severity = vscode.LanguageStatusSeverity.Error;
          status.text = 'ftaudit: stopped';
          return { action: CloseAction.DoNotRestart, message: `The ftaudit server crashed ${crashes.length} times in 3 minutes and will not be restarted. See the ftaudit output for details, then run "ftaudit: Restart Language Server".` };
        }
        output.appendLine(`[client] server connection closed; restarting (${crashes.length}/${MAX_RESTARTS})`);
        return { action: CloseAction.Restart, handled: true };
      },
    },
  };
  const client = new LanguageClient('ftaudit', 'ftaudit', serverOptions, clientOptions);
  // Documents the server does not analyse in full (too big, binary-looking, too slow), from its
  // `ftaudit/status` notifications: the status item says so while such a document is active.
  const notAnalysed = new Map<string, string>();
  let state = State.Starting;
  const render = () => {
    status.busy = state === State.Starting;
    const notice = state === State.Running ? notAnalysed.get(vscode.window.activeTextEditor?.document.uri.toString() ?? '') : undefined;
    status.severity = state === State.Running && !notice ? vscode.LanguageStatusSeverity.Information : vscode.LanguageStatusSeverity.Warning;
    status.text = notice ? 'ftaudit: file not analysed' : state === State.Running ? 'ftaudit' : state === State.Starting ? 'ftaudit: starting' : 'ftaudit: stopped';
    status.detail = notice ?? (state === State.Running ? 'free-threading audit running' : undefined);
  };
  client.onNotification('ftaudit/status', (params: { uri: string; analysed: boolean; message?: string }) => {
    if (params.analysed) notAnalysed.delete(params.uri);
    else notAnalysed.set(params.uri, params.message ?? 'not analysed');
    render();
  });
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(render));
  client.onDidChangeState(({ newState }) => {
    state = newState;
    if (newState !== State.Running) notAnalysed.clear();
    render();
    output.appendLine(`[client] server ${State[newState].toLowerCase()}`);
  });
  return client;
}
