/**
 * What the local commands' argument parsers share: the usage error they exit 2 on, node:util
 * parseArgs with its complaints turned into that error, and an ISO 8601 time read as UTC.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line: the command prints the message and "Try --help", and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** parseArgs, strict, positionals allowed; an unknown flag or a missing value is a UsageError. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO 8601; without a zone the time is UTC, like the log (Date.parse would take local time). */
export function isoDate(flag: string, value: string): Date {
  const m = ISO.exec(value);
  const zoned = m && m[1] !== undefined && m[4] === undefined ? `${value}Z` : value;
  const ms = m ? Date.parse(zoned) : NaN;
  if (!Number.isFinite(ms)) {
    throw new UsageError(`${flag}: ${JSON.stringify(value)} is not an ISO 8601 time (e.g. 2026-05-01T10:00:00Z or 2026-05-01)`);
  }
  return new Date(ms);
}
