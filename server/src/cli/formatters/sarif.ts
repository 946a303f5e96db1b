// SARIF 2.1.0 for code-scanning uploads, built with node-sarif-builder.
import * as path from 'path';
import { SarifBuilder, SarifRunBuilder, SarifResultBuilder, SarifRuleBuilder } from 'node-sarif-builder';
import { ALL_RULES, ruleDocUrl, type Severity } from '../../analysis';
import type { Reported } from '../report';

/** SARIF `rank` (0–100, higher is more important) from the finding's confidence. */
const RANK = { high: 90, medium: 60, low: 30 } as const;

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

export function formatSarif(results: Reported[], version: string, cwd = process.cwd()): string {
  const run = new SarifRunBuilder().initSimple({ toolDriverName: 'ftaudit', toolDriverVersion: version, url: 'https://github.com/ftaudit/ftaudit' });
  for (const rule of ALL_RULES) {
    run.addRule(
      new SarifRuleBuilder().initSimple({ ruleId: rule.code, shortDescriptionText: rule.summary, helpUri: ruleDocUrl(rule.code) }),
    );
  }
  for (const r of results) {
    const result = new SarifResultBuilder().initSimple({
        level: LEVEL[r.severity],
        messageText: r.message,
        ruleId: r.code,
        fileUri: path.relative(cwd, r.filename).split(path.sep).join('/'),
        startLine: r.utf16.startLine,
        startColumn: r.utf16.startColumn,
        endLine: r.utf16.endLine,
        endColumn: r.utf16.endColumn,
      });
    result.result.rank = RANK[r.confidence];
    result.result.properties = { ...result.result.properties, confidence: r.confidence };
    run.addResult(result);
  }
  const builder = new SarifBuilder();
  builder.addRun(run);
  return `${builder.buildSarifJsonString({ indent: true })}\n`;
}
