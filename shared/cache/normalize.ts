/**
 * Response headers rewritten where http-cache-semantics misreads them (Expires, Age,
 * Cache-Control directive names), before the library builds a policy from them.
 */
import type CachePolicy from 'http-cache-semantics';
import { parseHttpDate } from '../http/http-date.js';

export { isHttpDate, parseHttpDate } from '../http/http-date.js';

/**
 * Response headers made the way http-cache-semantics must see them, where it is wrong on its own.
 * Each rule has its own unit test (test/cache-normalize.test.ts).
 */
export function normalizeResponseHeaders(headers: CachePolicy.Headers, now: number = Date.now()): CachePolicy.Headers {
  const out: CachePolicy.Headers = { ...headers };
  const expires = single(out.expires);
  // RFC 9111 section 5.3: an invalid Expires (anything but an HTTP-date) means "already expired".
  // The library used Date.parse, which takes "UTC" zones, missing commas, dashes and 1-digit hours.
  // A valid one is rewritten as an IMF-fixdate, the only form the library's Date.parse reads
  // reliably (it misreads rfc850's two-digit years).
  if (expires !== undefined) out.expires = new Date(parseHttpDate(expires, now) ?? 0).toUTCString();
  const age = ageValue(single(out.age));
  if (age !== undefined) out.age = age;
  else delete out.age;
  const cc = single(out['cache-control']);
  // RFC 9111 section 5.2: directive names are case-insensitive (No-Cache, Max-Age).
  if (cc !== undefined) out['cache-control'] = lowerDirectiveNames(cc);
  return out;
}

/**
 * An Age field's value as a cache reads it, or undefined for none. RFC 9111 section 5.1: Age is
 * delta-seconds (1*DIGIT); a recipient SHOULD ignore an invalid value (section 1.2.2 "parse ... as
 * a non-negative integer"). The library's parseInt read "7200.0" as 7200 and made a fresh response
 * stale (suite test age-parse-float). A list-valued Age (two lines joined, or "7200, 0") is read as
 * its first member (section 5.1).
 */
export function ageValue(joined: string | undefined): string | undefined {
  const first = joined?.split(',')[0]!.trim();
  return first !== undefined && /^\d+$/.test(first) ? first : undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Lower-cases each directive name, leaving quoted arguments as they are. */
export function lowerDirectiveNames(value: string): string {
  return value.replace(/(^|,)(\s*)([^=,\s]+)/g, (_m, sep: string, ws: string, name: string) => `${sep}${ws}${name.toLowerCase()}`);
}
