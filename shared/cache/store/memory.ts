/**
 * The per-container memory store: an lru-cache bounded by bytes, records expiring at expiresAt.
 */
import { LRUCache } from 'lru-cache';
import { recordSize, type CacheRecord } from '../record.js';
import type { CacheStore } from './types.js';

export interface MemoryStoreOptions {
  /** CACHE_MEMORY_MAX_BYTES: bound of bodies plus headers; 0 stores nothing. */
  readonly maxBytes: number;
  readonly now: () => number;
}

/**
 * Per-container store: lru-cache bounded by bytes, each record expiring at its `expiresAt`. Create
 * it once per container (the cache is built at init, at module scope) so warm invocations share it.
 */
export function createMemoryStore(options: MemoryStoreOptions): CacheStore {
  if (options.maxBytes < 1) {
    return { get: async () => ({}), put: async () => false, delete: async () => undefined };
  }
  const lru = new LRUCache<string, CacheRecord>({
    maxSize: options.maxBytes,
    // A single record may take at most a quarter of the cache, so one large body cannot flush it.
    maxEntrySize: Math.max(1, Math.floor(options.maxBytes / 4)),
    sizeCalculation: recordSize,
    // Expiry on the cache's clock; resolution 0 so an injected clock is read on every call.
    perf: { now: options.now },
    ttlResolution: 0,
  });
  return {
    async get(id) {
      // lru-cache drops the record once its TTL (set from expiresAt, rounded down) has passed.
      const record = lru.get(id);
      return record === undefined ? {} : { record };
    },
    async put(id, record) {
      const ttl = Math.floor(record.expiresAt - options.now());
      if (ttl < 1) return false;
      lru.set(id, record, { ttl });
      // lru-cache declines records over maxEntrySize without an error.
      return lru.peek(id) === record;
    },
    async delete(id) {
      lru.delete(id);
    },
  };
}
