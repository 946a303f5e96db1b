// Human output: `path:row:col: CODE [severity] message`, then a summary line.
import * as path from 'path';
import type { Reported } from '../report';

export function formatText(results: Reported[], cwd = process.cwd(), color = false): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const severityColor = { error: '31', warning: '33', info: '36', hint: '2' } as const;
  const lines = results.map((r) => {
    const file = path.relative(cwd, r.filename) || r.filename;
    return `${paint('1', `${file}:${r.location.row}:${r.location.column}:`)} ${paint('1;31', r.code)} ${paint(severityColor[r.severity], `[${r.severity}]`)} ${r.message}`;
  });
  const count = results.length;
  lines.push(count === 0 ? 'All checks passed!' : `Found ${count} finding${count === 1 ? '' : 's'}.`);
  return `${lines.join('\n')}\n`;
}
