// ruff's `--output-format json` shape, so tools that read ruff's output read ours; plus `severity` and
// `confidence` (high / medium / low: how strong the evidence behind the finding is).
import type { Reported } from '../report';

export function formatJson(results: Reported[]): string {
  const rows = results.map((r) => ({
    cell: null,
    code: r.code,
    confidence: r.confidence,
    end_location: r.end_location,
    filename: r.filename,
    fix: r.fix,
    location: r.location,
    message: r.message,
    noqa_row: r.location.row,
    severity: r.severity,
    url: r.url,
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}
