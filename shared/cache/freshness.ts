/**
 * Lifetimes of a stored response: freshness left, how long it may stand in for a failing origin,
 * and how long a store keeps it.
 */
import type { HeaderMap } from '../http/types.js';
import { revalidatesWhenStale, type Directives } from '../http/cache-directives.js';
import type { CachePolicy } from './policy.js';

/**
 * Lifetimes derived from the library's policy (freshness lifetime and age, public API) and from
 * the directives we parse ourselves from the stored headers: how fresh a stored response still
 * is, how long it may stand in for a failing origin, and how long a store should keep it.
 */

/** Seconds of freshness left; negative once stale (RFC 9211 `ttl`). */
export function freshnessLeftS(policy: CachePolicy): number {
  return policy.maxAge() - policy.age();
}

/**
 * Seconds past freshness a stored response may be served when the origin fails.
 *
 * The response's own `stale-if-error` wins (RFC 5861 section 4: "regardless of other freshness
 * information"). Otherwise CACHE_STALE_IF_ERROR_S applies, except where RFC 9111 section 4.2.4
 * forbids a cache to serve stale: `no-cache`, `must-revalidate`, `proxy-revalidate`, and
 * `s-maxage` (which implies proxy-revalidate for a shared cache, section 5.2.2.10).
 */
export function staleIfErrorS(directives: Directives, configuredS: number): number {
  const own = directives.get('stale-if-error');
  if (typeof own === 'string' && /^\d+$/.test(own)) return Number(own);
  return directives.has('no-cache') || revalidatesWhenStale(directives) ? 0 : configuredS;
}

/** True when the stored response (`policy`, its `directives`) may be served because the origin failed. */
export function servableOnError(policy: CachePolicy, directives: Directives, configuredS: number, withinMs = 0): boolean {
  return policy.age() + withinMs / 1000 <= policy.maxAge() + staleIfErrorS(directives, configuredS);
}

/**
 * How long a store keeps the response, in ms: its freshness, then the stale-if-error window, and
 * at least CACHE_STALE_IF_ERROR_S when it has a validator, so a stale copy can still be revalidated
 * with a cheap 304 instead of a full fetch. 0 means it is worth nothing once received.
 */
export function retentionMs(policy: CachePolicy, headers: HeaderMap, directives: Directives, configuredS: number): number {
  const hasValidator = headers.etag !== undefined || headers['last-modified'] !== undefined;
  const afterFreshS = Math.max(staleIfErrorS(directives, configuredS), hasValidator ? configuredS : 0);
  const keepS = Math.max(0, freshnessLeftS(policy)) + afterFreshS;
  // timeToLive() also covers stale-while-revalidate.
  return Math.max(policy.timeToLive(), Math.round(keepS * 1000));
}
