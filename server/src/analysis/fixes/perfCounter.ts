// "Use time.perf_counter()": both readings of an elapsed-time measurement move to the steady,
// high-resolution clock. Safe when the start value is used for nothing but the difference.
import type { Node } from '../parser';
import type { Fix } from '../types';

/** `time.time()` / `t.time()` → the same module's `perf_counter()`; null for `from time import time`. */
function perfCounterCall(call: Node): string | null {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute') return null;
  return `${fn.childForFieldName('object')!.text}.perf_counter()`;
}

export function perfCounterFix(startCall: Node, endCall: Node, startName: string, functionBody: Node): Fix | undefined {
  const start = perfCounterCall(startCall);
  const end = perfCounterCall(endCall);
  if (!start || !end || startCall.id === endCall.id) return undefined;
  const uses = functionBody.text.match(new RegExp(`(?<![\\w.])${startName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w(])`, 'g'))?.length ?? 0;
  return {
    message: 'Use `time.perf_counter()` for both readings',
    // Elsewhere the start value may be used as a wall-clock timestamp, which perf_counter() is not.
    applicability: uses <= 2 ? 'safe' : 'unsafe',
    edits: [
      { start: startCall.startIndex, end: startCall.endIndex, newText: start },
      { start: endCall.startIndex, end: endCall.endIndex, newText: end },
    ],
  };
}
