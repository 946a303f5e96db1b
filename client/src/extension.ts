// Extension entry: a thin client that starts the ftaudit language server and owns the commands.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './serverProcess';
import { registerBenchmarkFeatures } from './bench';
import { registerExamplesCommand } from './examples';
import { ReproduceFeatures } from './reproduce';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('ftaudit', { log: true });
  const status = vscode.languages.createLanguageStatusItem('ftaudit.status', { language: 'python' });
  status.name = 'ftaudit';
  status.text = 'ftaudit: starting';
  status.command = { title: 'Show Output', command: 'ftaudit.showOutput' };
  context.subscriptions.push(output, status);

  const reproduce = new ReproduceFeatures(context, output);
  context.subscriptions.push(reproduce);
  client = createLanguageClient(context, output, status, reproduce.middleware);
  reproduce.attach(client);
  registerBenchmarkFeatures(context, output);
  registerExamplesCommand(context, output);
  context.subscriptions.push(
    vscode.commands.registerCommand('ftaudit.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('ftaudit.restartServer', async () => {
      output.appendLine('[client] restarting the server on request');
      await client?.restart();
    }),
  );
  try {
    await client.start();
  } catch (error) {
    output.appendLine(`[client] the server failed to start: ${error instanceof Error ? error.stack : String(error)}`);
    void vscode.window.showErrorMessage('ftaudit: the language server failed to start. See the ftaudit output.', 'Show Output').then((choice) => {
      if (choice) output.show(true);
    });
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
