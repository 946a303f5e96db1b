// Flag values shared by the CLI's commands: whole numbers, seconds, and the error that says which flag
// was wrong (each command prints it with its usage and exits 2).
export class UsageError extends Error {}

export function integer(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) throw new UsageError(`${flag} must be a whole number ≥ ${min} (got '${text}')`);
  return Number(text);
}

/** A number of seconds > 0, as milliseconds. */
export function seconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a number of seconds > 0 (got '${text}')`);
  return Math.round(n * 1000);
}
