/**
 * Lines of ALB access logs from files, directories (the S3 layout on disk), `.gz` files and
 * `s3://bucket/prefix`, streamed: memory stays flat whatever the input size. Gzip is recognised by
 * its magic bytes, not the name, and multi-member files (concatenated .gz) are read whole.
 */
import { createGunzip } from 'node:zlib';
import { Readable, pipeline } from 'node:stream';
import { listFileSources } from './file-source.js';
import type { S3SourceOptions } from './s3-source.js';
import { InputError, isS3Url, type LogSource } from './source.js';
import { splitLines, type SplitLine } from './split-lines.js';

export { InputError, type LogSource } from './source.js';
export { LINE_TOO_LONG, type SplitLine } from './split-lines.js';

/** The lines of one chunk of one source; `firstLine` is the 1-based number of `lines[0]` in that source. */
export interface LineBatch {
  source: string;
  firstLine: number;
  lines: SplitLine[];
}

export interface ReadOptions {
  /** Options for `s3://` inputs. */
  s3?: S3SourceOptions;
  /** Called with the number of stored (possibly compressed) bytes as they are read, for progress. */
  onBytes?: (bytes: number) => void;
  /** See `DEFAULT_MAX_LINE_LENGTH`. */
  maxLineLength?: number;
}

/** Every log source the inputs name, in order. Throws `InputError` for an unreadable input. */
export async function listLogSources(inputs: readonly string[], options: ReadOptions = {}): Promise<LogSource[]> {
  const all: LogSource[] = [];
  for (const input of inputs) {
    if (isS3Url(input)) {
      // Loaded on demand: the AWS SDK costs startup time and memory that local files do not need.
      const { listS3Sources } = await import('./s3-source.js');
      all.push(...(await listS3Sources(input, options.s3)));
    } else {
      all.push(...(await listFileSources(input)));
    }
  }
  return all;
}

/** The lines of `sources`, one source after the other. A read or gunzip failure becomes an `InputError`. */
export async function* readLineBatches(
  sources: readonly LogSource[],
  options: ReadOptions = {},
): AsyncGenerator<LineBatch> {
  for (const source of sources) {
    let lineNo = 1;
    try {
      const raw = await source.open();
      for await (const lines of splitLines(decompressed(counted(raw, options.onBytes)), options.maxLineLength)) {
        yield { source: source.name, firstLine: lineNo, lines };
        lineNo += lines.length;
      }
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(source.name, `cannot read ${source.name} (after line ${lineNo - 1}): ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}

/** Convenience: every line with its source and number. */
export async function* readLogLines(
  inputs: readonly string[],
  options: ReadOptions = {},
): AsyncGenerator<{ source: string; lineNumber: number; line: SplitLine }> {
  for await (const batch of readLineBatches(await listLogSources(inputs, options), options)) {
    for (let k = 0; k < batch.lines.length; k++) {
      yield { source: batch.source, lineNumber: batch.firstLine + k, line: batch.lines[k]! };
    }
  }
}

async function* counted(raw: AsyncIterable<Buffer>, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of raw) {
    onBytes?.(chunk.length);
    yield chunk;
  }
}

async function* decompressed(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = raw[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head: Buffer = first.value;
  async function* all(): AsyncGenerator<Buffer> {
    try {
      yield head;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    } finally {
      // Closes the file or HTTP body when the reader stops early.
      await it.return?.();
    }
  }
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* all();
    return;
  }
  // pipeline() forwards an error from either side and destroys both, so iteration throws it.
  const gunzip = pipeline(Readable.from(all()), createGunzip(), () => undefined);
  yield* gunzip as AsyncIterable<Buffer>;
}
