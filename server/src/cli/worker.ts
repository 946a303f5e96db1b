// Worker thread for `ftaudit check --jobs N`: receives files with their settings, answers with the
// outcome. Each worker has its own parser and Checkers (tree-sitter objects never cross threads).
// Bundled separately by esbuild as server/out/worker.js (scripts/build.mjs).
import { parentPort } from 'worker_threads';
import { FileChecker, type FileJob, type FileOutcome } from './checkfile';

export interface WorkerRequest {
  id: number;
  job: FileJob;
}

export type WorkerReply = { id: number; outcome: FileOutcome } | { id: number; crash: string };

if (parentPort) {
  const port = parentPort;
  const checker = new FileChecker();
  port.on('message', (request: WorkerRequest) => {
    checker.check(request.job).then(
      (outcome) => port.postMessage({ id: request.id, outcome } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ id: request.id, crash: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
    );
  });
}
