// The rule catalogue. Adding a rule: write rules/<CODE>-<name>.ts and docs/rules/<CODE>.md, add fixtures
// under test/fixtures/rules/<CODE>/, and list it here.
import type { Rule } from '../types';
import { FT101 } from './FT101-unguarded-augmented-assignment';
import { FT900 } from './FT900-invalid-suppression';

export const ALL_RULES: readonly Rule[] = [FT101, FT900];

export const RULES_BY_CODE: ReadonlyMap<string, Rule> = new Map(ALL_RULES.map((r) => [r.code, r]));

/** Where each rule's documentation lives (the diagnostic's codeDescription and the JSON `url`). */
export const DOCS_BASE_URL = 'https://github.com/ftaudit/ftaudit/blob/main/docs/rules/';

export function ruleDocUrl(code: string): string {
  return `${DOCS_BASE_URL}${code}.md`;
}
