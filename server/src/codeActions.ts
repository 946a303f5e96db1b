// Code actions: each finding's fix, "suppress on this line / for this file", and fix-all
// (`source.fixAll.ftaudit`: every safe fix in the file, in passes like `ftaudit check --fix`; the
// passes run in the analysis worker, which hands the fixed text to codeActions()).
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit as LspTextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, TextEdit } from './analysis';
import { suppressFileEdit, suppressLineEdit } from './analysis/fixes/suppress';
import { REPRODUCIBLE_CODES } from './analysis/reproduce/types';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.ftaudit`;

/** The client command that runs a race on real interpreters (offered when the client declares it). */
export const REPRODUCE_COMMAND = 'ftaudit.reproduce';

export interface ActionOptions {
  /** The client implements REPRODUCE_COMMAND. */
  reproduce?: boolean;
}

function toLsp(edit: TextEdit, document: TextDocument): LspTextEdit {
  return { range: { start: document.positionAt(edit.start), end: document.positionAt(edit.end) }, newText: edit.newText };
}

/** The finding a diagnostic was made from (same code and range). */
function findingFor(diagnostic: Diagnostic, findings: readonly Finding[], document: TextDocument): Finding | undefined {
  const start = document.offsetAt(diagnostic.range.start);
  const end = document.offsetAt(diagnostic.range.end);
  return findings.find((f) => f.code === diagnostic.code && f.start === start && f.end === end);
}

/** True when the request asks for fix-all (and the findings have a safe fix to apply). */
export function wantsFixAll(params: CodeActionParams, findings: readonly Finding[]): boolean {
  const only = params.context.only;
  const wants = (kind: string) => !!only && only.some((k) => kind === k || kind.startsWith(`${k}.`));
  return !!only && (wants(FIX_ALL_KIND) || only.includes(CodeActionKind.SourceFixAll)) && findings.some((f) => f.fix?.applicability === 'safe');
}

/**
 * The actions for `findings` (which must describe exactly `document`'s text). `fixedText`: the text
 * after fix-all, when wantsFixAll() and the worker computed it.
 */
export function codeActions(params: CodeActionParams, document: TextDocument, findings: readonly Finding[], fixedText?: string, options: ActionOptions = {}): CodeAction[] {
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
  const actions: CodeAction[] = [];
  const uri = document.uri;
  if (wants(CodeActionKind.QuickFix)) {
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== 'ftaudit' || typeof diagnostic.code !== 'string') continue;
      const finding = findingFor(diagnostic, findings, document);
      for (const fix of [finding?.fix, ...(finding?.alternatives ?? [])]) {
        if (!fix || fix.applicability === 'display-only') continue;
        actions.push({
          title: `${fix.message}${fix.applicability === 'unsafe' ? ' (changes behaviour: review it)' : ''}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: fix === finding?.fix && fix.applicability === 'safe',
          edit: { changes: { [uri]: fix.edits.map((e) => toLsp(e, document)) } },
        });
      }
      if (options.reproduce && REPRODUCIBLE_CODES.has(diagnostic.code)) {
        const args = { uri, line: diagnostic.range.start.line + 1, code: diagnostic.code };
        actions.push({
          title: 'Reproduce this race on free-threaded Python',
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          command: { title: 'Reproduce this race on free-threaded Python', command: REPRODUCE_COMMAND, arguments: [args] },
        });
      }
      actions.push(
        {
          title: `Suppress ${diagnostic.code} on this line`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: { changes: { [uri]: [toLsp(suppressLineEdit(document.getText(), diagnostic.range.start.line, diagnostic.code), document)] } },
        },
        {
          title: `Suppress ${diagnostic.code} for this file`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: { changes: { [uri]: [toLsp(suppressFileEdit(document.getText(), diagnostic.code), document)] } },
        },
      );
    }
  }
  if (fixedText !== undefined && wantsFixAll(params, findings)) {
    const text = document.getText();
    if (fixedText !== text) {
      actions.push({ title: 'ftaudit: Fix all safe fixes', kind: FIX_ALL_KIND, edit: { changes: { [uri]: [minimalEdit(text, fixedText, document)] } } });
    }
  }
  return actions;
}

/** One edit covering only the changed middle of the text, so the cursor and folding stay put. */
function minimalEdit(before: string, after: string, document: TextDocument): LspTextEdit {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < before.length - prefix && suffix < after.length - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  return toLsp({ start: prefix, end: before.length - suffix, newText: after.slice(prefix, after.length - suffix) }, document);
}
