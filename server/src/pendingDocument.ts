// The main thread's copy of an open document. Changes are queued and applied only when something needs
// the text (a code action with findings to offer, a worker restart): during a burst of edits most
// requests are answered from the version number alone, and applying every change to a large text as it
// arrives made requests wait behind the queue. The text is an EditableText, so applying the queue costs
// what the changes touch, not a copy of the whole text per change.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { EditableText } from './editableText';

export class PendingDocument {
  private readonly document: EditableText;
  private pending: TextDocumentContentChangeEvent[] = [];
  private pendingVersion: number;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    version: number,
    text: string,
  ) {
    this.document = new EditableText(uri, languageId, version, text);
    this.pendingVersion = version;
  }

  /** The latest version the client sent (its changes may not be applied yet). */
  get version(): number {
    return this.pendingVersion;
  }

  update(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    this.pending.push(...changes);
    this.pendingVersion = version;
  }

  /** The document at the latest version, applying the queued changes in order. */
  current(): EditableText {
    for (const change of this.pending) this.document.apply(change, this.pendingVersion);
    this.pending = [];
    return this.document;
  }
}
