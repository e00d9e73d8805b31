/**
 * The S3 store: one object per record under CACHE_PREFIX, the SDK loaded lazily on first use.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { count, logger } from '../../telemetry/telemetry.js';
import { decodeRecord, encodeRecord, RecordFormatError, RecordVersionError } from './record-codec.js';
import type { CacheStore, StoreRead } from './types.js';

export interface S3StoreOptions {
  readonly bucket: string;
  /** Every object key starts with it (CACHE_PREFIX); the function touches nothing else. */
  readonly prefix: string;
  /** CACHE_S3_ENDPOINT: an S3-compatible endpoint, addressed path-style. */
  readonly endpoint?: string | undefined;
  readonly now: () => number;
  /** Used instead of a client built from these options (tests, custom credentials). */
  readonly client?: S3Client | undefined;
}

type Sdk = typeof import('@aws-sdk/client-s3');

/**
 * One object per record at `prefix + id` (the id is a SHA-256 of the cache key), in the format of
 * `record-codec.ts`. Fails open: an error, a slow answer or an unreadable object is a miss, logged
 * and counted (`CacheError`); an unreadable object is reported as such, so the next response that
 * may be stored replaces it (it is not deleted: a delete still in flight could land after that
 * replacement and remove it).
 *
 * The SDK is imported only when an S3 store is created (dynamic import), so a function with
 * CACHE_STORE=memory or off never loads it.
 */
export function createS3Store(options: S3StoreOptions): CacheStore {
  let ready: Promise<{ sdk: Sdk; client: S3Client }> | undefined;
  const connect = (): Promise<{ sdk: Sdk; client: S3Client }> => {
    ready ??= load(options).catch((error: unknown) => {
      ready = undefined; // a failed import may succeed on a later request
      throw error;
    });
    return ready;
  };
  // Started now, during the function's init phase, rather than inside the first request; a failure
  // here is retried by the first request.
  connect().catch(() => undefined);

  // Runs one S3 call within timeoutMs: the SDK request is aborted and the caller resumes on time
  // even if a body stream ignores the abort. Loading the SDK is not S3 being slow: not timed.
  async function within<T>(timeoutMs: number, call: (s3: { sdk: Sdk; client: S3Client }, signal: AbortSignal) => Promise<T>): Promise<T> {
    const s3 = await connect();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`S3 did not answer within ${timeoutMs} ms`);
        error.name = 'TimeoutError';
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      return await Promise.race([call(s3, controller.signal), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  const keyOf = (id: string) => `${options.prefix}${id}`;
  const failOpen = (operation: string, id: string, error: unknown): void => {
    count('CacheError');
    const e = error instanceof Error ? error : new Error(String(error));
    logger.warn('S3 cache unavailable; treated as a miss', { operation, objectKey: keyOf(id), error: e.name, detail: e.message });
  };

  const store: CacheStore = {
    async get(id, timeoutMs): Promise<StoreRead> {
      // The deadline is (nearly) spent: not an S3 failure, nothing to log.
      if (timeoutMs < 1) return { failed: true };
      let bytes: Uint8Array;
      try {
        bytes = await within(timeoutMs, async ({ sdk, client }, abortSignal) => {
          const out = await client.send(new sdk.GetObjectCommand({ Bucket: options.bucket, Key: keyOf(id) }), { abortSignal });
          if (!out.Body) throw new Error('object without a body');
          return out.Body.transformToByteArray();
        });
      } catch (error) {
        if (isNotFound(error) || isAccessDenied(error)) return {};
        failOpen('get', id, error);
        return { failed: true };
      }
      try {
        const record = decodeRecord(bytes);
        return record.expiresAt > options.now() ? { record } : {};
      } catch (error) {
        // Written by another version of this code: a miss; the next put overwrites it.
        if (error instanceof RecordVersionError) return {};
        failOpen('decode', id, error instanceof RecordFormatError ? error : new RecordFormatError(String(error)));
        return { unreadable: true };
      }
    },
    async put(id, record, timeoutMs) {
      if (timeoutMs < 1) return false;
      try {
        await within(timeoutMs, ({ sdk, client }, abortSignal) =>
          client.send(
            new sdk.PutObjectCommand({ Bucket: options.bucket, Key: keyOf(id), Body: encodeRecord(record), ContentType: 'application/octet-stream' }),
            { abortSignal },
          ),
        );
        return true;
      } catch (error) {
        failOpen('put', id, error);
        return false;
      }
    },
    async delete(id, timeoutMs) {
      if (timeoutMs < 1) return;
      try {
        await within(timeoutMs, ({ sdk, client }, abortSignal) =>
          client.send(new sdk.DeleteObjectCommand({ Bucket: options.bucket, Key: keyOf(id) }), { abortSignal }),
        );
      } catch (error) {
        failOpen('delete', id, error);
      }
    },
  };
  return store;
}

async function load(options: S3StoreOptions): Promise<{ sdk: Sdk; client: S3Client }> {
  const loaded = await import('@aws-sdk/client-s3');
  // In the bundle (esbuild splitting) the SDK's CommonJS entry is a chunk whose namespace holds only
  // `default` (its module.exports): named exports exist only when run from source. Without this,
  // every S3 call of the deployed function failed with "S3Client is not a constructor" (failing
  // open, so only as misses), which tests on the sources could not see.
  const sdk: Sdk = typeof loaded.S3Client === 'function' ? loaded : (loaded as unknown as { default: Sdk }).default;
  const client =
    options.client ??
    new sdk.S3Client({
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      // Lambda always sets AWS_REGION; an S3-compatible endpoint off AWS needs some region to sign with.
      ...(options.endpoint && !process.env.AWS_REGION ? { region: 'us-east-1' } : {}),
      // One attempt: the per-call timeout is a few hundred ms, and a miss is cheaper than a wait.
      maxAttempts: 1,
      // S3-compatible stores (and s3rver) reject the CRC32 checksums the SDK adds by default since 3.729.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  return { sdk, client };
}

/**
 * The template grants Get/Put/Delete under the prefix and no ListBucket (least privilege), and
 * without ListBucket S3 answers a GET of a missing key with 403 instead of 404. A read's 403 is
 * therefore a plain miss; a real permission problem still shows, as the put's 403 is logged.
 */
function isAccessDenied(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'AccessDenied' || e?.$metadata?.httpStatusCode === 403;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
