// Which rules run: `select`/`ignore` take codes or prefixes (`FT1`), `ALL` selects every rule.
// With no `select`, rules of high and medium precision run (low-precision ones and advice marked
// `optIn` are selected by code, prefix or `ALL`).
import type { Rule } from './types';
import { ALL_RULES } from './rules';

export interface RuleSelection {
  select?: readonly string[];
  ignore?: readonly string[];
}

function matches(code: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => p === 'ALL' || code.startsWith(p.toUpperCase()));
}

export function selectRules(selection: RuleSelection = {}, rules: readonly Rule[] = ALL_RULES): Rule[] {
  const select = selection.select?.filter(Boolean) ?? [];
  const ignore = selection.ignore?.filter(Boolean) ?? [];
  return rules.filter((rule) => {
    const selected = select.length > 0 ? matches(rule.code, select) : rule.precision !== 'low' && !rule.optIn;
    return selected && !matches(rule.code, ignore);
  });
}

/** Patterns that match no rule (for a clear usage error or a config diagnostic). */
export function unknownCodes(patterns: readonly string[], rules: readonly Rule[] = ALL_RULES): string[] {
  return patterns.filter((p) => p && p !== 'ALL' && !rules.some((r) => r.code.startsWith(p.toUpperCase())));
}
