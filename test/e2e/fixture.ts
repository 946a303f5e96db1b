// The fixture every in-editor test opens, and the lines they check, found by their text
// so that the fixture can be edited without renumbering the tests.
import { join } from 'node:path';

export const WORKSPACE_DIR = join(__dirname, 'workspace');
export const FIXTURE_NAME = 'worker.py';

export interface FixtureLines {
  /** `counter[0] += 1` inside the thread worker: FT101 expected. */
  hazard: number;
  /** `guarded[0] += 1` under `with lock:`: nothing expected. */
  guarded: number;
  /** `x += 1` on a local: nothing expected. */
  local: number;
}

/** 0-based line numbers (LSP / vscode.Position convention). */
export function fixtureLines(text: string): FixtureLines {
  const lines = text.split(/\r\n|\r|\n/);
  const find = (needle: string): number => {
    const i = lines.findIndex((l) => l.includes(needle));
    if (i < 0) throw new Error(`fixture has no line containing ${JSON.stringify(needle)}`);
    return i;
  };
  return { hazard: find('counter[0] += 1'), guarded: find('guarded[0] += 1'), local: find('x += 1') };
}

/** The quick-fix fixture: `counter[0] += 1` in a thread target, fixed by "Guard with a new lock". */
export const QUICKFIX_NAME = 'quickfix.py';
export const GUARD_FIX_TITLE = 'Guard with a new lock `_counter_lock`';
/** What the guard fix must leave in the file. */
export const GUARD_FIX_LOCK = '_counter_lock = threading.Lock()';
export const GUARD_FIX_WITH = 'with _counter_lock:';

/** 0-based line and column of `counter[0] += 1` in the quick-fix fixture. */
export function quickfixHazard(text: string): { line: number; character: number } {
  const lines = text.split(/\r\n|\r|\n/);
  const line = lines.findIndex((l) => l.includes('counter[0] += 1'));
  if (line < 0) throw new Error(`${QUICKFIX_NAME} has no line containing "counter[0] += 1"`);
  return { line, character: lines[line].indexOf('counter[0] += 1') };
}
