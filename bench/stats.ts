// Summary statistics of a set of trial times (pyperf-style: median, min–max, a noise warning).

/** Above this spread ((max − min) / median) the figures get a warning. */
export const SPREAD_WARNING = 0.1;

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** (max − min) / median; 0 for a single value. */
  spread: number;
  noisy: boolean;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function summarize(values: readonly number[], threshold = SPREAD_WARNING): Summary {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const spread = m > 0 ? (max - min) / m : 0;
  return { n: values.length, median: m, min, max, spread, noisy: spread > threshold };
}
