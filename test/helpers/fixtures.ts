// Inline expectations in fixture files: `# expect: FT101` (or `# expect: FT101 error, FT102`) at the
// end of the line where a finding must start. Every finding must be expected and vice versa.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Expectation {
  line: number; // 1-based
  code: string;
  severity?: string;
}

const EXPECT = /#\s*expect:\s*(.+)$/;

export function parseExpectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const m = EXPECT.exec(line);
    if (!m) return;
    for (const item of m[1].split(',')) {
      const [code, severity] = item.trim().split(/\s+/);
      if (code) out.push({ line: i + 1, code, severity });
    }
  });
  return out;
}

export function listPythonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return listPythonFiles(full);
    return name.endsWith('.py') ? [full] : [];
  }).sort();
}

/** The rule fixtures (test/fixtures/rules/<CODE>/*.py), named `CODE/file.py`, with their text. */
export function ruleFixtureFiles(): Array<{ name: string; text: string }> {
  const root = join(__dirname, '..', 'fixtures', 'rules');
  return readdirSync(root).flatMap((code) =>
    readdirSync(join(root, code))
      .filter((f) => f.endsWith('.py'))
      .map((f) => ({ name: `${code}/${f}`, text: readFileSync(join(root, code, f), 'utf8') })),
  );
}
