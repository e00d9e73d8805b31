import type { S3Client } from '@aws-sdk/client-s3';
import type { ProxyConfig } from '../../config/config.js';
import { createMemoryStore } from './memory.js';
import type { CacheRecord } from '../record.js';
import { createS3Store } from './s3.js';
import { createTieredStore } from './tiered.js';

/** What a read found. `failed` marks a miss caused by the store itself (error, timeout, corrupt). */
export interface StoreRead {
  readonly record?: CacheRecord;
  readonly failed?: boolean;
}

/**
 * Records by id. Every method fails open: errors and timeouts become misses or `false`, logged and
 * counted by the store, never thrown, so the cache can only ever cost a request some milliseconds.
 */
export interface CacheStore {
  /** The record, unless absent, expired or unreadable. `timeoutMs` bounds remote stores. */
  get(id: string, timeoutMs: number): Promise<StoreRead>;
  /** Stores until `record.expiresAt`; false when it was not stored. */
  put(id: string, record: CacheRecord, timeoutMs: number): Promise<boolean>;
  delete(id: string, timeoutMs: number): Promise<void>;
}

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
