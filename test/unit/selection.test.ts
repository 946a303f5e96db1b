// Which rules run by default and what selecting adds: opt-in advice (FT215) runs only when selected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_RULES, selectRules } from '../../server/src/analysis';

const codes = (selection: Parameters<typeof selectRules>[0]) => selectRules(selection).map((r) => r.code);

test('the default selection runs high and medium precision rules, not opt-in advice', () => {
  const defaults = codes({});
  assert.ok(defaults.includes('FT101') && defaults.includes('FT216'));
  assert.ok(!defaults.includes('FT215'), 'FT215 is opt-in');
  for (const rule of ALL_RULES) {
    assert.equal(defaults.includes(rule.code), rule.precision !== 'low' && !rule.optIn, rule.code);
  }
});

test('opt-in advice runs when selected by code, prefix or ALL, and ignore still wins', () => {
  assert.deepEqual(codes({ select: ['FT215'] }), ['FT215']);
  assert.ok(codes({ select: ['FT2'] }).includes('FT215'));
  assert.equal(codes({ select: ['ALL'] }).length, ALL_RULES.length);
  assert.ok(!codes({ select: ['ALL'], ignore: ['FT215'] }).includes('FT215'));
});
