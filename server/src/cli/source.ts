// Reads a Python source file as text, refusing binary data and invalid UTF-8 with a clear reason.
import { promises as fs } from 'fs';
import { describeIoError } from './files';

export type SourceRead = { ok: true; text: string } | { ok: false; message: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

export async function readSource(file: string): Promise<SourceRead> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    return { ok: false, message: describeIoError(error) };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, message: 'binary file (contains NUL bytes), not Python source' };
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { ok: false, message: `not valid UTF-8${at >= 0 ? ` (byte offset ${at})` : ''}; Python source must be UTF-8 (PEP 3120)` };
  }
}

function firstInvalidUtf8(bytes: Buffer): number {
  for (let lo = 0, hi = bytes.length; ; ) {
    if (hi - lo <= 1) return lo;
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
}
