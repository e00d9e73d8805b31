/**
 * An input that cannot be read: a missing path, an empty directory, an unknown bucket, a corrupt
 * gzip stream. The message names the input and, where there is one, the fix; the CLI exits 2 on it.
 */
export class InputError extends Error {
  constructor(
    /** The input as the user gave it (path or s3:// URL). */
    readonly input: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InputError';
  }
}

/** A readable log: a local file or an S3 object. */
export interface LogSource {
  /** Path or `s3://bucket/key`, used in messages and malformed-line reports. */
  readonly name: string;
  /** Bytes as stored (compressed size for `.gz`), for progress. */
  readonly size: number;
  /** The stored bytes, not yet decompressed. */
  open(): Promise<AsyncIterable<Buffer>>;
}

/** Names a directory walk or an S3 listing picks up: AWS delivers `*.log.gz`; local runs write `*.log`. */
export const LOG_FILE_NAME = /\.log(\.gz)?$/;

export function isS3Url(input: string): boolean {
  return /^s3:\/\//i.test(input);
}
