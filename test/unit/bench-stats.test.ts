import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mean, median, SPREAD_WARNING, summarize } from '../../bench/stats';

test('median of odd and even counts, unsorted input untouched', () => {
  const values = [3, 1, 2];
  assert.equal(median(values), 2);
  assert.deepEqual(values, [3, 1, 2]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});

test('median and mean of nothing throw', () => {
  assert.throws(() => median([]), RangeError);
  assert.throws(() => mean([]), RangeError);
});

test('summarize gives min, max and spread relative to the median', () => {
  const s = summarize([1.0, 1.1, 0.95]);
  assert.equal(s.n, 3);
  assert.equal(s.median, 1.0);
  assert.equal(s.min, 0.95);
  assert.equal(s.max, 1.1);
  assert.ok(Math.abs(s.spread - 0.15) < 1e-12);
  assert.equal(s.noisy, true);
});

test('spread warning only above 10%', () => {
  assert.equal(SPREAD_WARNING, 0.1);
  assert.equal(summarize([1.0, 1.05, 0.99]).noisy, false);
  assert.equal(summarize([1.0, 1.0, 1.0]).spread, 0);
  assert.equal(summarize([2.0]).noisy, false);
  assert.equal(summarize([1.0, 1.12]).noisy, true);
});

test('mean', () => {
  assert.equal(mean([0.7, 0.71, 0.72]).toFixed(2), '0.71');
});
