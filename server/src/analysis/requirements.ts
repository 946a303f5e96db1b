// Which declared requirement keeps a distribution below a release: `numpy<2`, `numpy==1.26.4`,
// `numpy~=1.26` all rule out numpy 2.1.0; `numpy>=1.24` and a bare `numpy` do not (an installer picks
// the newest release). PEP 508 strings, as pyproject.toml's `[project]` lists them.

/** PEP 503 normalisation: `Scikit_Learn` and `scikit-learn` are one distribution. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Leading release numbers of a version (`2.1.0rc1` → [2, 1, 0]); pre/post/dev tags are ignored. */
function release(version: string): number[] {
  const m = /^\s*v?(\d+(?:\.\d+)*)/i.exec(version);
  return m ? m[1].split('.').map(Number) : [];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The first release a specifier no longer allows (exclusive), or null when it sets no upper bound. */
function upperBound(op: string, version: string): { below: number[]; inclusive: boolean } | null {
  const parts = release(version);
  if (parts.length === 0) return null;
  const wildcard = /\.\*\s*$/.test(version);
  const bump = (at: number) => [...parts.slice(0, at), parts[at] + 1];
  switch (op) {
    case '<':
      return { below: parts, inclusive: false };
    case '<=':
      return { below: parts, inclusive: true };
    case '==':
    case '===':
      return wildcard ? { below: bump(parts.length - 1), inclusive: false } : { below: parts, inclusive: true };
    case '~=':
      return parts.length >= 2 ? { below: bump(parts.length - 2), inclusive: false } : null;
  }
  return null;
}

/**
 * The first requirement (as written) that names `distribution` and keeps every allowed release below
 * `since`, or null.
 */
export function requirementBelow(requirements: readonly string[], distribution: string, since: string): string | null {
  const wanted = normalise(distribution);
  const floor = release(since);
  for (const requirement of requirements) {
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*\(?([^;@)]*)/.exec(requirement);
    if (!m || normalise(m[1]) !== wanted) continue;
    for (const spec of m[2].split(',')) {
      const s = /^\s*(~=|===|==|<=|<|>=|>|!=)\s*([^\s,]+)\s*$/.exec(spec);
      const bound = s ? upperBound(s[1], s[2]) : null;
      if (!bound) continue;
      const c = compare(bound.below, floor);
      if (c < 0 || (c === 0 && !bound.inclusive)) return requirement.trim();
    }
  }
  return null;
}
