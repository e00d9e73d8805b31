/**
 * A memory store in front of the S3 store.
 */
import type { CacheStore } from './types.js';

/**
 * Memory in front of S3. A read tries memory, then S3; an S3 hit fills memory for the rest of the
 * record's life. Writes and deletes go to both. Other containers' memory copies are not reached
 * by a delete: they live until they expire (see docs/caching.md, "Revalidation, conditional requests, invalidation").
 */
export function createTieredStore(memory: CacheStore, s3: CacheStore, now: () => number): CacheStore {
  return {
    async get(id, timeoutMs) {
      const near = await memory.get(id, timeoutMs);
      if (near.record) return near;
      const far = await s3.get(id, timeoutMs);
      if (far.record && far.record.expiresAt > now()) await memory.put(id, far.record, timeoutMs);
      return far;
    },
    async put(id, record, timeoutMs) {
      const [inMemory, inS3] = await Promise.all([memory.put(id, record, timeoutMs), s3.put(id, record, timeoutMs)]);
      return inMemory || inS3;
    },
    async delete(id, timeoutMs) {
      await Promise.all([memory.delete(id, timeoutMs), s3.delete(id, timeoutMs)]);
    },
  };
}
