/** The count flags of the bench commands (`--runs`, `--requests`, `--steady`): read, or refused naming the flag. */

/** A flag's value the command cannot use; its message names the flag, what it takes and what it got. */
export class FlagError extends Error {}

/**
 * `raw` as a whole number of at least `min`. `expected` says what the flag takes, in the words of
 * the error (default: a positive integer).
 */
export function countFlag(flag: string, raw: unknown, min = 1, expected = 'a positive integer'): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new FlagError(`${flag}: expected ${expected}, got ${JSON.stringify(raw)}`);
  return n;
}
