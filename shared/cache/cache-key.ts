/**
 * The cache key of a request (origin, client scheme, path and query, optionally the client's Host),
 * the store ids derived from it, and the request headers a stored Vary picks a variant by.
 */
import * as crypto from 'node:crypto';
import type { HeaderMap, OriginRequest } from '../http/types.js';
import { keyHost } from '../http/host-policy.js';
import { forwardedProto, headerValues } from '../http/headers.js';

/**
 * Version of the key format. Bumped when the same request would map to another key, so that entries
 * written by an older deploy (same S3 prefix) read as misses instead of answering under new rules.
 * 2: the client's scheme joined the key.
 */
export const CACHE_KEY_VERSION = 2;

/** Every scheme a key can carry: `-` is a request without `x-forwarded-proto` (not through ALB). */
export const KEY_SCHEMES: readonly string[] = ['http', 'https', '-'];

/** The scheme the client used, as ALB tells it in `x-forwarded-proto`. */
export function clientScheme(headers: HeaderMap): string {
  return forwardedProto(headers) ?? '-';
}

/**
 * The primary cache key: the scheme the client used, then the request's target URI on the origin
 * (RFC 9111 section 2), with path and query exactly as received. The scheme is in it because an
 * origin may answer plain http with a cacheable `301 Location: https://...`: shared with https, that
 * is a redirect loop. Re-encoding would merge or split keys the origin tells apart (`%5B` vs `[`).
 * It is method-independent because only GET responses are stored and HEAD is answered from them.
 * The Host the origin gets is in it unless it is ORIGIN_URL's own: the client's when `withHost` is
 * true (ORIGIN_HOST_HEADER=client), the name when it is one (a fixed ORIGIN_HOST_HEADER). Keys with
 * and without a host never meet (a host holds no `://`), so switching modes needs no version bump.
 */
export function cacheKey(origin: URL, request: Pick<OriginRequest, 'path' | 'rawQuery' | 'headers'>, withHost: boolean | string = false): string {
  return keyFor(origin, clientScheme(request.headers), request.path, request.rawQuery, hostOfKey(request.headers, withHost));
}

/** The host that joins the key for `withHost` (see `cacheKey`), or undefined. */
export function hostOfKey(headers: OriginRequest['headers'], withHost: boolean | string): string | undefined {
  return typeof withHost === 'string' ? withHost : withHost ? keyHost(headers) : undefined;
}

/** The key of one scheme's (and with `host`, one client Host's) entry for a target on the origin. */
export function keyFor(origin: URL, scheme: string, path: string, rawQuery: string, host?: string): string {
  return `v${CACHE_KEY_VERSION} ${scheme}${host === undefined ? '' : ` ${host}`} ${origin.origin}${path}${rawQuery === '' ? '' : `?${rawQuery}`}`;
}

/** Hex SHA-256: store ids are fixed-length and safe as S3 keys whatever bytes a URL holds. */
export function sha256(text: string): string {
  // crypto.hash (Node 20.12+, 21.7+) skips the Hash object: about half the cost for short input.
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** Store id of the record at a key: the response itself, or the Vary marker of its variants. */
export function primaryId(key: string): string {
  return sha256(`primary\n${key}`);
}

/**
 * The request header names a response's `Vary` nominates (RFC 9111 section 4.1), lowercased,
 * deduplicated and sorted so `Accept, Cookie` and `cookie,accept` select the same variants.
 * Contains `*` when the response can never be selected again.
 */
export function varyFields(headers: HeaderMap): string[] {
  const fields = new Set<string>();
  for (const value of headers.vary ?? []) {
    for (const part of value.split(',')) {
      const name = part.trim().toLowerCase();
      if (name !== '') fields.add(name);
    }
  }
  return [...fields].sort();
}

/**
 * Store id of one variant: the key, the generation of the Vary marker (a new marker after an
 * invalidation makes every older variant unreachable) and the values of the nominated request
 * headers (absent and empty are different). Secrets such as cookies only ever enter the hash.
 */
export function variantId(key: string, generation: string, fields: readonly string[], headers: HeaderMap): string {
  const selected = fields.map((name) => [name, varyValue(headerValues(headers, name)) ?? null]);
  return sha256(`variant\n${key}\n${generation}\n${JSON.stringify(selected)}`);
}

/**
 * A request header's value as Vary compares it: lines joined and whitespace around list commas and
 * at the ends dropped, so "1,2" and " 1, 2 " select the same variant (RFC 9111 section 4.1 lets a
 * cache normalise whitespace before comparing).
 */
export function varyValue(values: readonly string[] | undefined): string | undefined {
  return values === undefined ? undefined : values.join(',').replace(/[ \t]*,[ \t]*/g, ', ').trim();
}
