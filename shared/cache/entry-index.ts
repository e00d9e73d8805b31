/**
 * Finds, saves and removes stored responses by cache key, with Vary handled as a marker record
 * naming the request headers and one record per variant.
 */
import { randomUUID } from 'node:crypto';
import type { OriginRequest } from '../http/types.js';
import { primaryId as hashPrimaryId, variantId, varyFields } from './cache-key.js';
import type { EntryRecord, VaryRecord } from './record.js';
import type { CacheStore } from './store/types.js';

/** What a lookup found, in RFC 9211 terms. */
export type LookupOutcome = 'found' | 'uri-miss' | 'vary-miss' | 'miss';

export interface Lookup {
  readonly outcome: LookupOutcome;
  /**
   * A read failed (S3 error, timeout, throttling): what is stored is unknown, so nothing may be
   * written on the strength of this lookup. A write could put an error page over a good answer the
   * read missed, or a new Vary marker over the one that names every other variant.
   */
  readonly failed?: boolean;
  readonly entry?: EntryRecord;
  /** The URL's Vary marker, reused when a variant is stored. */
  readonly marker?: VaryRecord;
}

/**
 * Responses by cache key, with `Vary` (RFC 9111 section 4.1) as two levels: a response without Vary
 * sits at the key's primary id; with Vary, the primary id holds a marker naming the request headers,
 * and each variant sits at an id derived from their values. So a lookup is one read, or two for a
 * varying URL, and never a listing.
 */
export interface EntryIndex {
  /** `timeLeftMs`: the read phase's time left, asked again before each read (one budget for both). */
  find(key: string, request: OriginRequest, timeLeftMs: () => number): Promise<Lookup>;
  /** Stores `entry` for `request`; `previous` is this request's lookup. False when not stored. */
  save(entry: EntryRecord, request: OriginRequest, previous: Lookup, timeoutMs: number): Promise<boolean>;
  /** Makes every response stored for `key` unreachable (RFC 9111 section 4.4). */
  remove(key: string, timeoutMs: number): Promise<void>;
}

/**
 * The Vary fields of what the URL's primary slot holds as `lookup` read it: a marker's fields, none
 * for a plain entry, undefined when it holds nothing (or nothing readable). Storing a response whose
 * fields differ replaces that record for every request of the URL.
 */
export function slotFields(lookup: Lookup): readonly string[] | undefined {
  if (lookup.marker) return lookup.marker.fields;
  return lookup.outcome === 'found' && lookup.entry ? varyFields(lookup.entry.headers) : undefined;
}

export function createEntryIndex(store: CacheStore, now: () => number): EntryIndex {
  // A request looks its key up, then stores under it: the id of the last key is hashed once.
  let last = { key: '', id: hashPrimaryId('') };
  const primaryId = (key: string): string => (last.key === key ? last.id : (last = { key, id: hashPrimaryId(key) }).id);
  return {
    async find(key, request, timeLeftMs) {
      const primary = await store.get(primaryId(key), timeLeftMs());
      if (primary.failed) return { outcome: 'miss', failed: true };
      if (primary.unreadable) return { outcome: 'miss' };
      // A record for another key (not expected with SHA-256, but objects can be copied) is as good as none.
      const record = primary.record?.key === key ? primary.record : undefined;
      if (record === undefined) return { outcome: 'uri-miss' };
      if (record.kind === 'entry') return { outcome: 'found', entry: record };
      const variant = await store.get(variantId(key, record.generation, record.fields, request.headers), timeLeftMs());
      if (variant.failed) return { outcome: 'miss', marker: record, failed: true };
      if (variant.unreadable) return { outcome: 'miss', marker: record };
      const entry = variant.record?.kind === 'entry' && variant.record.key === key ? variant.record : undefined;
      return entry ? { outcome: 'found', entry, marker: record } : { outcome: 'vary-miss', marker: record };
    },

    async save(entry, request, previous, timeoutMs) {
      const fields = varyFields(entry.headers);
      if (fields.length === 0) return store.put(primaryId(entry.key), entry, timeoutMs);
      const known = previous.marker;
      // The marker this lookup read is reused while it outlives the new variant. A marker that must be
      // written gets a new generation: the one read may be a copy another container has since
      // invalidated (a tiered store's memory keeps it), and writing it back would make that
      // container's deleted variants reachable again for everyone. The cost: the URL's other variants
      // are fetched again once per marker lifetime.
      const reuse = known !== undefined && known.fields.join() === fields.join() && known.expiresAt >= entry.expiresAt;
      // Outlive the variant by as much again, so a busy URL does not rewrite its marker on every store.
      const marker: VaryRecord = reuse ? known : { kind: 'vary', key: entry.key, fields, generation: randomUUID(), expiresAt: entry.expiresAt + (entry.expiresAt - now()) };
      const writes = [store.put(variantId(entry.key, marker.generation, fields, request.headers), entry, timeoutMs)];
      if (!reuse) writes.push(store.put(primaryId(entry.key), marker, timeoutMs));
      return (await Promise.all(writes)).every(Boolean);
    },

    remove: (key, timeoutMs) => store.delete(primaryId(key), timeoutMs),
  };
}
