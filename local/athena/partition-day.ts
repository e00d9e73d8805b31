/**
 * The `day` partition of a log file, as Athena's partition projection would give it.
 *
 * It is the `yyyy/MM/dd` folder ALB delivers the file into (the S3 layout, also on disk), else the
 * date stamped in ALB's file name, else the file's modification date (UTC) for a local file such as
 * the emulator's or the bench's, which have neither.
 */
import { stat } from 'node:fs/promises';

/** `yyyy/MM/dd` from the name alone, or null when it carries no date. */
export function dayFromName(name: string): string | null {
  const folder = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/.exec(name);
  if (folder) return `${folder[1]}/${folder[2]}/${folder[3]}`;
  // <account>_elasticloadbalancing_<region>_<lb>_<yyyymmddThhmmZ>_<ip>_<random>.log.gz
  const stamp = /_(\d{4})(\d{2})(\d{2})T\d{4}Z_[^/]*$/.exec(name);
  return stamp ? `${stamp[1]}/${stamp[2]}/${stamp[3]}` : null;
}

/** The day partition of source `name`. Throws when neither the name nor the file tells it. */
export async function partitionDay(name: string): Promise<string> {
  const fromName = dayFromName(name);
  if (fromName !== null) return fromName;
  if (/^s3:\/\//i.test(name)) {
    throw new Error(`${name}: no yyyy/mm/dd in the key to take the day partition from: pass --day yyyy/MM/dd`);
  }
  const { mtime } = await stat(name);
  return mtime.toISOString().slice(0, 10).replace(/-/g, '/');
}
