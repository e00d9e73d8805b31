/**
 * Builds the cache store CACHE_STORE names: memory, S3, or memory in front of S3.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ProxyConfig } from '../../config/config.js';
import { createMemoryStore } from './memory.js';
import { createS3Store } from './s3.js';
import { createTieredStore } from './tiered.js';
import type { CacheStore } from './types.js';

export type { CacheStore, StoreRead } from './types.js';

export interface StoreOptions {
  readonly now: () => number;
  /** Used instead of a client built from the config. */
  readonly s3Client?: S3Client | undefined;
}

/** The store CACHE_STORE names (`off` never gets here: the cache is a pass-through then). */
export function createCacheStore(config: ProxyConfig['cache'], options: StoreOptions): CacheStore {
  const memory = () => createMemoryStore({ maxBytes: config.memoryMaxBytes, now: options.now });
  const s3 = () =>
    createS3Store({
      bucket: config.bucket,
      prefix: config.prefix,
      endpoint: config.s3Endpoint,
      now: options.now,
      client: options.s3Client,
    });
  switch (config.store) {
    case 's3':
      return s3();
    case 'tiered':
      return createTieredStore(memory(), s3(), options.now);
    default:
      return memory();
  }
}
