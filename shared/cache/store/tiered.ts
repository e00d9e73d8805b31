/**
 * A memory store in front of the S3 store.
 */
import type { CacheRecord } from '../record.js';
import type { CacheStore } from './types.js';

/**
 * Memory in front of S3. A read tries memory, then S3; an S3 hit fills memory for the rest of the
 * record's life. Writes and deletes go to both. Other containers' memory copies are not reached
 * by a delete: they live until they expire (see docs/caching.md, "Revalidation, conditional requests, invalidation").
 *
 * A URL's Vary marker is the exception: it is always read from S3 and never kept in memory. The
 * invalidation another container makes deletes it there; a marker kept here would go on leading
 * this container to the variants stored under it in S3, ones it never held, after that.
 */
export function createTieredStore(memory: CacheStore, s3: CacheStore, now: () => number): CacheStore {
  const nearby = (record: CacheRecord): boolean => record.kind !== 'vary';
  return {
    async get(id, timeoutMs) {
      const near = await memory.get(id, timeoutMs);
      if (near.record && nearby(near.record)) return near;
      const far = await s3.get(id, timeoutMs);
      if (far.record && far.record.expiresAt > now() && nearby(far.record)) await memory.put(id, far.record, timeoutMs);
      return far;
    },
    async put(id, record, timeoutMs) {
      // A marker replaces, in S3, the entry a URL had before it varied: the memory copy of that goes too.
      if (!nearby(record)) return (await Promise.all([memory.delete(id, timeoutMs), s3.put(id, record, timeoutMs)]))[1];
      const [inMemory, inS3] = await Promise.all([memory.put(id, record, timeoutMs), s3.put(id, record, timeoutMs)]);
      return inMemory || inS3;
    },
    async delete(id, timeoutMs) {
      await Promise.all([memory.delete(id, timeoutMs), s3.delete(id, timeoutMs)]);
    },
  };
}
