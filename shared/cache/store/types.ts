/**
 * The one interface every cache store implements, in a file of its own so that the stores and the
 * factory that builds them (`store.ts`) do not import each other.
 */
import type { CacheRecord } from '../record.js';

/** What a read found. `failed` marks a miss caused by the store itself (error, timeout, corrupt). */
export interface StoreRead {
  readonly record?: CacheRecord;
  readonly failed?: boolean;
  /**
   * An object was there but could not be read as a record (corrupt, truncated): a miss whose state
   * is known to be useless, so a new record may replace it (unlike `failed`, where what is stored
   * is unknown).
   */
  readonly unreadable?: boolean;
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
