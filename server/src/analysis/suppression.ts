// Line suppressions: `# ftaudit: ignore[FT101]`, `# ftaudit: ignore` and ruff's `# noqa: FT101` / `# noqa`.
// A suppression applies to findings that start on the comment's line.

const IGNORE = /#\s*ftaudit:\s*ignore(?:\[([^\]]*)\])?/i;
const NOQA = /#\s*noqa(?::\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?/i;

/** Codes suppressed on a line: `'all'`, a set of codes, or null for none. */
export function suppressedCodes(line: string): 'all' | Set<string> | null {
  if (!line.includes('#')) return null;
  const codes = new Set<string>();
  for (const re of [IGNORE, NOQA]) {
    const m = re.exec(line);
    if (!m) continue;
    if (m[1] === undefined || m[1].trim() === '') return 'all';
    for (const c of m[1].split(/[\s,]+/)) if (c) codes.add(c.toUpperCase());
  }
  return codes.size > 0 ? codes : null;
}

export function isSuppressed(line: string, code: string): boolean {
  const codes = suppressedCodes(line);
  return codes === 'all' || (codes !== null && codes.has(code));
}
