/**
 * Stored responses in and out: the headers kept, a 304 merged into them (RFC 9111 section 3.2),
 * and the stored response as sent to a client.
 */
import { withoutHopByHop } from '../http/headers.js';
import type { HeaderMap, OriginRequest, OriginResponse } from '../http/types.js';
import { hasValidators, notModified, notModifiedResponse } from './conditional.js';
import type { CachePolicy } from './policy.js';
import { applyRange } from './range.js';
import type { EntryRecord } from './record.js';

/** Fields a 304 must not change in the stored response: they describe the stored body (RFC 9111 section 3.2). */
const BODY_FIELDS = new Set(['content-length', 'content-encoding', 'content-range', 'transfer-encoding']);

/**
 * What is stored of a response's headers: everything but connection-specific fields (RFC 9111
 * section 3.1). How long it waited since its headers arrived counts in its policy, not here
 * (cached-read.ts, policy.ts `receivedAt`).
 */
export function storableHeaders(headers: HeaderMap): HeaderMap {
  return withoutHopByHop(headers);
}

/**
 * The stored headers updated from a 304 (RFC 9111 section 3.2): its fields replace or join the
 * stored ones. The stored `Age` goes whatever the 304 says: the 304 is the response received now,
 * so the refreshed entry's age is the 304's own (none = 0, RFC 9111 section 4.2.3), not the age
 * the first response arrived with, which would cut the renewed freshness short.
 */
export function mergeNotModified(stored: HeaderMap, notModifiedHeaders: HeaderMap): HeaderMap {
  const merged = copyHeaders(stored);
  delete merged.age;
  for (const [name, values] of Object.entries(withoutHopByHop(notModifiedHeaders))) {
    if (!BODY_FIELDS.has(name)) merged[name] = [...values];
  }
  return merged;
}

/**
 * The stored response as sent to a client: a copy (callers may add headers), `Age` from the
 * library (RFC 9111 section 5.1), no body for HEAD (but its Content-Length), a 304 when the client's own
 * If-None-Match / If-Modified-Since match it, and the requested byte range of it (range.ts).
 */
export function servedResponse(entry: EntryRecord, policy: CachePolicy, request: OriginRequest): OriginResponse {
  const headers = copyHeaders(entry.headers);
  headers.age = [String(Math.max(0, Math.floor(policy.age())))];
  // A HEAD answered from a stored GET tells the stored body's size (RFC 9110 section 9.3.2); a 204 has none to tell (section 8.6).
  if (request.method === 'HEAD' && entry.status !== 204) headers['content-length'] = [String(entry.body.length)];
  const response: OriginResponse = { status: entry.status, headers, body: request.method === 'HEAD' ? Buffer.alloc(0) : entry.body };
  if (hasValidators(request) && notModified(request, response, true)) return notModifiedResponse(response);
  return applyRange(request, response);
}

function copyHeaders(headers: HeaderMap): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, values] of Object.entries(headers)) out[name] = [...values];
  return out;
}
