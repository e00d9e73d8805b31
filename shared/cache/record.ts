/**
 * The records a cache store holds: a stored response with its policy, or a URL's Vary marker.
 */
import type { CachePolicy } from './policy.js';
import type { HeaderMap } from '../http/types.js';

/** A stored GET response with its cache policy. */
export interface EntryRecord {
  readonly kind: 'entry';
  /** The cache key it belongs to: a read checks it, so a misplaced object is never served. */
  readonly key: string;
  readonly status: number;
  /** As the origin sent them, less hop-by-hop fields. */
  readonly headers: HeaderMap;
  readonly body: Buffer;
  /** `http-cache-semantics` `toObject()` form (secrets in request headers are digests). */
  readonly policy: CachePolicy.CachePolicyObject;
  /** Epoch ms after which the record is useless: freshness plus the stale windows. */
  readonly expiresAt: number;
}

/**
 * Stored at a URL's primary id when its responses carry `Vary`: the nominated request headers
 * and a generation. Variants live at `variantId(key, generation, fields, request headers)`.
 */
export interface VaryRecord {
  readonly kind: 'vary';
  readonly key: string;
  readonly fields: readonly string[];
  /** Random; a new marker after an invalidation orphans every variant of the old one. */
  readonly generation: string;
  readonly expiresAt: number;
}

export type CacheRecord = EntryRecord | VaryRecord;

/** Bytes a record costs in memory, for lru-cache's `maxSize`: body, headers twice (ours and the policy's), overhead. */
export function recordSize(record: CacheRecord): number {
  if (record.kind === 'vary') return 200 + record.key.length + record.fields.join().length;
  let headerBytes = 0;
  for (const [name, values] of Object.entries(record.headers)) {
    for (const value of values) headerBytes += name.length + value.length + 16;
  }
  return 1024 + record.key.length * 2 + headerBytes * 2 + record.body.length;
}
