// The main thread's copy of an open document. Changes are queued and applied only when something needs
// the text (a code action with findings to offer, a worker restart): during a burst of edits most
// requests are answered from the version number alone, and applying every change to a large text as it
// arrives (~10 ms each on 1.5 MB) made requests wait behind the queue.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

export class PendingDocument {
  private document: TextDocument;
  private pending: TextDocumentContentChangeEvent[] = [];
  private pendingVersion: number;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    version: number,
    text: string,
  ) {
    this.document = TextDocument.create(uri, languageId, version, text);
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
  current(): TextDocument {
    if (this.pending.length > 0) {
      this.document = TextDocument.update(this.document, this.pending, this.pendingVersion);
      this.pending = [];
    }
    return this.document;
  }
}
