/**
 * Which cache keys an unsafe request invalidates (RFC 9111 section 4.4).
 */
import type { OriginRequest, OriginResponse } from '../http/types.js';
import { hostOfKey, KEY_SCHEMES, keyFor } from './cache-key.js';
import { SAFE_METHODS } from '../http/methods.js';

/**
 * Cache keys to invalidate after `request` got `response` (RFC 9111 section 4.4): for an unsafe
 * method with a non-error (2xx/3xx) response, the request's URL and the URLs in Location and
 * Content-Location when they are on the origin (another origin's URLs are not ours to drop,
 * section 4.4 again). A Location naming the public host rather than the origin is not matched,
 * except with `withHost` when it names the Host the origin got (the request's own with
 * ORIGIN_HOST_HEADER=client, the fixed name with a fixed one): the origin was addressed by that name. The entries of every client scheme go: an https POST
 * changes what http readers see too. With `withHost`, only the request Host's entries.
 */
export function invalidatedKeys(origin: URL, request: OriginRequest, response: OriginResponse, withHost: boolean | string = false): string[] {
  if (SAFE_METHODS.has(request.method) || response.status < 200 || response.status >= 400) return [];
  const host = hostOfKey(request.headers, withHost);
  const targets: Array<[string, string]> = [[request.path, request.rawQuery]];
  for (const name of ['location', 'content-location']) {
    const value = response.headers[name]?.[0];
    const target = value === undefined ? undefined : resolve(value, `${origin.origin}${request.path}`);
    if (target?.origin === origin.origin || (host !== undefined && target?.host === host)) targets.push([target!.pathname, target!.search.slice(1)]);
  }
  const keys = new Set(targets.flatMap(([path, rawQuery]) => KEY_SCHEMES.map((scheme) => keyFor(origin, scheme, path, rawQuery, host))));
  return [...keys];
}

/** `reference` resolved against `base` (concatenated, so a path like //host cannot become another authority). */
function resolve(reference: string, base: string): URL | undefined {
  try {
    return new URL(reference, base);
  } catch {
    return undefined;
  }
}
