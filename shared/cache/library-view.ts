/**
 * The response as http-cache-semantics is shown it, changed where the library would decide wrongly
 * for this gateway cache.
 */
import type CachePolicy from 'http-cache-semantics';
import type { HeaderMap } from '../http/types.js';
import { formatDirectives } from '../http/cdn-cache-control.js';
import { hasExplicitFreshness, parseCacheControl, type Directives, type ResponseDirectives } from '../http/cache-directives.js';

/**
 * The response as http-cache-semantics must see it so that its decisions (storable, freshness
 * lifetime, age, Vary, request directives) are right for this gateway cache. Where the library is
 * wrong we change its input here and decide ourselves after it (store-rules.ts, reuse.ts); each
 * rule has its own test (test/cache-library-view.test.ts).
 */

/** Statuses the library stores at all (its `understoodStatuses`, http-cache-semantics 4.3.0). */
const LIBRARY_UNDERSTOOD = new Set([200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501]);

/** Directives we apply ourselves after the library (see each rule below). */
const HIDDEN_DIRECTIVES = new Set(['must-revalidate', 'proxy-revalidate']);

/** `effective` are the directives parsed from `headers`, the response as received; `normalized` is normalize.ts's view of it. */
export function libraryResponse(status: number, normalized: CachePolicy.Headers, headers: HeaderMap, effective: ResponseDirectives): { status: number; headers: CachePolicy.Headers } {
  const out: CachePolicy.Headers = { ...normalized };
  const directives = new Map(shownDirectives(effective, headers, out));
  // RFC 9213 section 2.1: a valid CDN-Cache-Control replaces Cache-Control and Expires for us.
  if (effective.targeted) {
    delete out.expires;
    delete out.pragma;
  }
  // The library revalidates a *fresh* response with must-revalidate on every request and gives
  // proxy-revalidate a lifetime of 0; both only forbid serving it stale (RFC 9111 sections 5.2.2.2,
  // 5.2.2.8). reuse.ts applies that, and store-rules.ts their effect on Authorization.
  for (const name of HIDDEN_DIRECTIVES) directives.delete(name);
  // RFC 9111 section 5.2.2.3: a cache that understands the status ignores no-store next to must-understand.
  if (directives.has('must-understand') && LIBRARY_UNDERSTOOD.has(status)) directives.delete('no-store');
  if (out['cache-control'] !== undefined || effective.targeted) out['cache-control'] = formatDirectives(directives);
  // The library gives any response with Set-Cookie a lifetime of 0 unless `public`; RFC 9111
  // section 7.3 lets a cache store it, and CACHE_ALLOW_SET_COOKIE decides (store-rules.ts).
  delete out['set-cookie'];
  return { status: libraryStatus(status, effective, headers), headers: out };
}

/**
 * RFC 9111 section 3: any final status with explicit freshness may be stored (status-400-fresh,
 * status-503-fresh), unless must-understand asks for a status we do not understand. The library
 * stores only the statuses it knows, so it is shown a 200 for those: its other decisions do not
 * depend on the status, and heuristic freshness never applies when freshness is explicit.
 */
export function libraryStatus(status: number, effective: ResponseDirectives, headers: HeaderMap): number {
  if (LIBRARY_UNDERSTOOD.has(status)) return status;
  const final = status >= 200 && status <= 599 && status !== 206 && status !== 304;
  if (!final || effective.directives.has('must-understand')) return status;
  return hasExplicitFreshness(effective, headers) ? 200 : status;
}

/**
 * The directives the library's Cache-Control starts from: the response's own (targeted or not),
 * or, when it sent no Cache-Control, CACHE_DEFAULT_TTL_S's `max-age` that policy.ts put in its place.
 */
function shownDirectives(effective: ResponseDirectives, headers: HeaderMap, out: CachePolicy.Headers): Directives {
  if (effective.targeted || headers['cache-control'] !== undefined) return effective.directives;
  return parseCacheControl(single(out['cache-control']));
}

function single(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}
