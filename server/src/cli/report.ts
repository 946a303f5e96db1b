// A finding as the CLI reports it: absolute file name, 1-based rows and character columns (ruff's
// convention), plus UTF-16 positions for SARIF's default column kind.
import * as path from 'path';
import { LineIndex, ruleDocUrl, type Confidence, type Finding, type Fix, type Severity } from '../analysis';

export interface Location {
  row: number;
  column: number;
}

export interface ReportedFix {
  applicability: Fix['applicability'];
  message: string;
  edits: Array<{ content: string; location: Location; end_location: Location }>;
}

export interface Reported {
  filename: string;
  code: string;
  message: string;
  severity: Severity;
  /** high / medium / low: how strong the evidence is (SARIF `rank`). */
  confidence: Confidence;
  location: Location;
  end_location: Location;
  /** 1-based line / UTF-16 column, for SARIF. */
  utf16: { startLine: number; startColumn: number; endLine: number; endColumn: number };
  fix: ReportedFix | null;
  url: string;
}

export function reportFindings(file: string, text: string, findings: Finding[]): Reported[] {
  if (findings.length === 0) return [];
  const lines = new LineIndex(text);
  const filename = path.resolve(file);
  return findings.map((f) => {
    const start = lines.positionAt(f.start);
    const end = lines.positionAt(f.end);
    return {
      filename,
      code: f.code,
      message: f.message,
      severity: f.severity,
      confidence: f.confidence ?? 'medium',
      location: lines.rowColumn(f.start),
      end_location: lines.rowColumn(f.end),
      utf16: { startLine: start.line + 1, startColumn: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 },
      fix: f.fix
        ? {
            applicability: f.fix.applicability,
            message: f.fix.message,
            edits: f.fix.edits.map((e) => ({ content: e.newText, location: lines.rowColumn(e.start), end_location: lines.rowColumn(e.end) })),
          }
        : null,
      url: ruleDocUrl(f.code),
    };
  });
}
