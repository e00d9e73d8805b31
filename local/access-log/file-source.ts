/**
 * Local inputs: one file (read whatever its name), or a directory walked recursively for `*.log`
 * and `*.log.gz`.
 *
 * That covers a copy of the S3 layout
 * (`AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/...log.gz`) and skips AWS's
 * `ELBAccessLogTestFile` and anything else that is not a log.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, LOG_FILE_NAME, type LogSource } from './source.js';

export async function listFileSources(input: string): Promise<LogSource[]> {
  let info;
  try {
    info = await stat(input);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new InputError(input, `cannot read ${input}: ${why}`, { cause: err });
  }
  if (info.isFile()) return [fileSource(input, info.size)];
  if (!info.isDirectory()) throw new InputError(input, `${input} is neither a file nor a directory`);

  let names: string[];
  try {
    names = await readdir(input, { recursive: true });
  } catch (err) {
    throw new InputError(input, `cannot list ${input}: ${(err as Error).message}`, { cause: err });
  }
  // Sorted, so the S3 layout (yyyy/mm/dd, then file names stamped with their end time) reads in time order.
  const logs = names.filter((name) => LOG_FILE_NAME.test(name)).sort();
  const sources: LogSource[] = [];
  for (const name of logs) {
    const path = join(input, name);
    const s = await stat(path);
    if (s.isFile()) sources.push(fileSource(path, s.size));
  }
  if (sources.length === 0) {
    throw new InputError(input, `no *.log or *.log.gz files under ${input}`);
  }
  return sources;
}

function fileSource(path: string, size: number): LogSource {
  return {
    name: path,
    size,
    open: async () => createReadStream(path, { highWaterMark: 256 * 1024 }),
  };
}
