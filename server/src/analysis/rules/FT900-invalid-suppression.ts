// FT900 — a suppression comment names a code that is not an ftaudit rule. Docs: docs/rules/FT900.md
// Reported by analyze() itself, from the suppression comments it collects; no visitor.
import type { Rule } from '../types';

export const FT900: Rule = {
  code: 'FT900',
  name: 'invalid-suppression',
  summary: 'A suppression comment names an unknown rule code',
  precision: 'high',
  visit: {},
};
