/**
 * Whether a stored response may answer a request without contacting the origin.
 */
import { revalidatesWhenStale, type Directives } from '../http/cache-directives.js';
import type { CachePolicy } from './policy.js';

/**
 * Whether a stored response answers a request without the origin: the library's evaluation
 * (request directives, Vary, freshness), then the rule it no longer sees (library-view.ts): a stale
 * response with must-revalidate, proxy-revalidate or s-maxage is never served without
 * revalidation, even to a request with max-stale (RFC 9111 section 4.2.4).
 */
export function reusable(policy: CachePolicy, request: CachePolicy.Request, stored: Directives): boolean {
  if (policy.evaluateRequest(request).revalidation) return false;
  return !(policy.stale() && revalidatesWhenStale(stored));
}
