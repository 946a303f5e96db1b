// Suppression comments, read from the tree's comment nodes (so `"# noqa"` inside a string is not one):
//   line:   `# ftaudit: ignore[FT101]`, `# ftaudit: ignore`, ruff's `# noqa: FT101` and `# noqa`
//   region: `# ftaudit: off` … `# ftaudit: on` (optionally `# ftaudit: off[FT101]`)
//   file:   `# ftaudit: ignore-file` or `# ftaudit: ignore-file[FT101]`
// A suppression applies to findings that start on its line (line form) or inside its region.

export interface SourceComment {
  text: string;
  start: number;
  end: number;
  /** 0-based line of the comment. */
  line: number;
}

/** A code named in a suppression that matches no rule: reported as a hint (FT900). */
export interface UnknownSuppressionCode {
  code: string;
  start: number;
  end: number;
}

type Codes = 'all' | Set<string>;

const LINE_IGNORE = /#\s*ftaudit:\s*ignore(?!-)(?:\[([^\]]*)\])?/i;
const NOQA = /#\s*noqa(?::\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?/i;
const REGION = /#\s*ftaudit:\s*(off|on)\b(?:\[([^\]]*)\])?/i;
const FILE_IGNORE = /#\s*ftaudit:\s*(?:ignore-file|skip-file)(?:\[([^\]]*)\])?/i;

function parseCodes(list: string | undefined): Codes {
  if (list === undefined || list.trim() === '') return 'all';
  return new Set(list.split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase()));
}

function includes(codes: Codes, code: string): boolean {
  return codes === 'all' || codes.has(code);
}

export class Suppressions {
  private readonly lines = new Map<number, Codes[]>();
  private readonly regions: Array<{ from: number; to: number; codes: Codes }> = [];
  private readonly file: Codes[] = [];
  readonly unknownCodes: UnknownSuppressionCode[] = [];

  constructor(
    comments: readonly SourceComment[],
    private readonly known: ReadonlySet<string>,
  ) {
    const open: Array<{ from: number; codes: Codes }> = [];
    for (const c of comments) {
      const file = FILE_IGNORE.exec(c.text);
      if (file) {
        this.file.push(this.codes(file[1], c, true));
        continue;
      }
      const region = REGION.exec(c.text);
      if (region) {
        if (region[1].toLowerCase() === 'off') open.push({ from: c.line, codes: this.codes(region[2], c, true) });
        else for (const r of open.splice(0)) this.regions.push({ from: r.from, to: c.line, codes: r.codes });
        continue;
      }
      const ignore = LINE_IGNORE.exec(c.text);
      if (ignore) this.addLine(c.line, this.codes(ignore[1], c, true));
      const noqa = NOQA.exec(c.text);
      // Other tools' codes in `# noqa` are none of our business; only FT codes are checked.
      if (noqa) this.addLine(c.line, this.codes(noqa[1], c, false));
    }
    for (const r of open) this.regions.push({ from: r.from, to: Number.MAX_SAFE_INTEGER, codes: r.codes });
  }

  private codes(list: string | undefined, comment: SourceComment, allOurs: boolean): Codes {
    const codes = parseCodes(list);
    if (codes !== 'all') {
      for (const code of codes) {
        if ((allOurs || code.startsWith('FT')) && !this.isKnown(code)) {
          const at = comment.text.toUpperCase().indexOf(code);
          this.unknownCodes.push({ code, start: comment.start + Math.max(0, at), end: comment.start + Math.max(0, at) + code.length });
        }
      }
    }
    return codes;
  }

  private isKnown(code: string): boolean {
    return this.known.has(code);
  }

  private addLine(line: number, codes: Codes): void {
    const list = this.lines.get(line) ?? [];
    list.push(codes);
    this.lines.set(line, list);
  }

  isSuppressed(code: string, line: number): boolean {
    if (this.file.some((c) => includes(c, code))) return true;
    if (this.lines.get(line)?.some((c) => includes(c, code))) return true;
    return this.regions.some((r) => r.from <= line && line <= r.to && includes(r.codes, code));
  }
}
