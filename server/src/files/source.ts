// Reads a Python source file as text, refusing binary data and invalid UTF-8 with a clear reason.
import { promises as fs } from 'fs';
import { describeIoError } from './collect';

/** `utf8`: the text round-trips to the same bytes as UTF-8 (so fixes can be written back safely). */
export type SourceRead = { ok: true; text: string; utf8?: boolean } | { ok: false; message: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

export async function readSource(file: string): Promise<SourceRead> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    return { ok: false, message: describeIoError(error) };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, message: 'binary file (contains NUL bytes), not Python source' };
  const declared = codingCookie(bytes);
  if (declared && !/^utf[-_]?8(-sig)?$/i.test(declared)) {
    const name = declared.toLowerCase().replace(/_/g, '-');
    // Node's TextDecoder treats "latin1" as windows-1252; Python's latin-1 is ISO-8859-1, which Buffer decodes.
    if (/^(latin-?1|iso-?8859-1|l1|iso-latin-1|cp819)$/.test(name)) return { ok: true, text: bytes.toString('latin1') };
    if (name === 'ascii' || name === 'us-ascii') {
      return bytes.every((b) => b < 0x80) ? { ok: true, text: bytes.toString('latin1') } : { ok: false, message: 'not valid ASCII although its coding declaration says so' };
    }
    try {
      return { ok: true, text: new TextDecoder(declared, { fatal: true }).decode(bytes) };
    } catch (error) {
      const unknown = error instanceof RangeError;
      return { ok: false, message: unknown ? `declares an encoding Node cannot decode (coding: ${declared})` : `not valid ${declared} although its coding declaration says so` };
    }
  }
  try {
    return { ok: true, text: decoder.decode(bytes), utf8: !(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { ok: false, message: `not valid UTF-8${at >= 0 ? ` (byte offset ${at})` : ''} and no coding declaration (PEP 263) says otherwise` };
  }
}

/** The encoding named by a PEP 263 `# -*- coding: … -*-` comment on line 1 or 2, if any. */
function codingCookie(bytes: Buffer): string | null {
  const head = bytes.subarray(0, 512).toString('latin1').split(/\r\n|\r|\n/).slice(0, 2);
  for (const line of head) {
    const m = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (m) return m[1];
    if (!/^[ \t\f]*(#.*)?$/.test(line)) break;
  }
  return null;
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
