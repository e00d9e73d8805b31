/** A real S3-protocol server (s3rver) in a temp directory, and a client for it: the cache's S3 store, locally and in tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
// s3rver ships no types; the part we use is tiny.
// @ts-expect-error -- untyped CommonJS package
import S3rver from 's3rver';

/** A real S3-protocol server on 127.0.0.1 with a fresh temp directory; `stop()` removes both. */
export interface RunningS3rver {
  /** Path-style endpoint, e.g. `http://127.0.0.1:43123`. */
  readonly endpoint: string;
  readonly directory: string;
  stop(): Promise<void>;
}

/** s3rver accepts only these credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * An S3 client for s3rver: path-style, its fixed credentials, and checksums only when required
 * (newer SDKs' chunked-checksum uploads are stored corrupted by s3rver otherwise).
 */
export function s3rverClient(endpoint: string, options: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({
    ...options,
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function startS3rver(options: { buckets?: string[]; port?: number } = {}): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const address = (await server.run()) as AddressInfo;
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    directory,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
