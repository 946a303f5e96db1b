// *ftaudit: Open Examples* (the first step of the Get Started walkthrough): copies the example workspace
// shipped in the extension (examples/) into a new folder where the user chooses, then opens that folder,
// so the findings show as squiggles and the fixes can be tried without touching the installed extension.
import * as vscode from 'vscode';

export const OPEN_EXAMPLES_COMMAND = 'ftaudit.openExamples';
const FOLDER_NAME = 'ftaudit-examples';

export interface OpenExamplesOptions {
  /** The parent folder to create the copy in (no dialog); for tests and scripted use. */
  parent?: vscode.Uri;
  /** Open the copy as a folder (default true). */
  open?: boolean;
}

/** `base`, or `base-2`, `base-3`, … : the first name not in `taken`. */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

export function registerExamplesCommand(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_EXAMPLES_COMMAND, (options?: OpenExamplesOptions) => openExamples(context, output, options ?? {})),
  );
}

async function openExamples(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, options: OpenExamplesOptions): Promise<vscode.Uri | undefined> {
  const source = vscode.Uri.joinPath(context.extensionUri, 'examples');
  let parent = options.parent;
  if (!parent) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      openLabel: 'Copy the Examples Here',
      title: `ftaudit: choose where to create the folder "${FOLDER_NAME}" with the examples`,
    });
    if (!picked?.[0]) return undefined;
    parent = picked[0];
  }
  try {
    const taken = new Set((await vscode.workspace.fs.readDirectory(parent)).map(([name]) => name));
    const target = vscode.Uri.joinPath(parent, freeName(FOLDER_NAME, taken));
    await vscode.workspace.fs.copy(source, target, { overwrite: false });
    output.info(`[examples] copied the examples to ${target.fsPath}`);
    if (options.open !== false) {
      // A new window when one is open already, so the user's workspace stays as it was.
      await vscode.commands.executeCommand('vscode.openFolder', target, { forceNewWindow: (vscode.workspace.workspaceFolders?.length ?? 0) > 0 });
    }
    return target;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output.error(`[examples] could not copy the examples to ${parent.fsPath}: ${message}`);
    void vscode.window.showErrorMessage(`ftaudit: could not copy the examples to ${parent.fsPath}: ${message}`);
    return undefined;
  }
}
