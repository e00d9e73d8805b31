/**
 * The caching directives a response carries, parsed by us once (CDN-Cache-Control, else
 * Cache-Control), and the questions the cache asks of them.
 */
import type { HeaderMap } from './types.js';
import { parseCdnCacheControl, type Directives } from './cdn-cache-control.js';
import { parseHttpDate } from './http-date.js';

export type { Directives };

/**
 * The caching directives this cache obeys for a response, parsed by us from the headers we store,
 * so decisions after the cache library (stale-if-error, must-revalidate, retention) never read its
 * private fields. A valid `CDN-Cache-Control` replaces Cache-Control and Expires (RFC 9213 section
 * 2.1); otherwise Cache-Control, directive names lower-cased (RFC 9111 section 5.2).
 */
export interface ResponseDirectives {
  readonly directives: Directives;
  /** True when they come from CDN-Cache-Control: Cache-Control and Expires are then ignored. */
  readonly targeted: boolean;
}

export function responseDirectives(headers: Readonly<Record<string, readonly string[] | undefined>> | HeaderMap): ResponseDirectives {
  const cdn = headers['cdn-cache-control'];
  if (cdn !== undefined) {
    const parsed = parseCdnCacheControl(cdn.join(', '));
    if (parsed !== undefined) return { directives: parsed, targeted: true };
  }
  return { directives: parseCacheControl((headers['cache-control'] ?? []).join(', ')), targeted: false };
}

/** Cache-Control directives: comma-separated, `name[=token|quoted-string]`, names case-insensitive; the first of a repeated name wins. */
export function parseCacheControl(value: string): Map<string, string | true> {
  const directives = new Map<string, string | true>();
  for (const match of value.matchAll(/(?:^|,)\s*([^\s=,]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^,]*))?/g)) {
    const name = match[1]!.toLowerCase();
    if (directives.has(name)) continue;
    const raw = match[2]?.trim();
    directives.set(name, raw === undefined ? true : raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
  }
  return directives;
}

/** RFC 9111 sections 5.2.2.2, 5.2.2.8, 5.2.2.10: once stale, a shared cache must revalidate; stale is never served. */
export function revalidatesWhenStale(directives: Directives): boolean {
  return directives.has('must-revalidate') || directives.has('proxy-revalidate') || directives.has('s-maxage');
}

/** Explicit freshness (RFC 9111 section 4.2.1): the origin said how long, so any final status may be stored. */
export function hasExplicitFreshness(response: ResponseDirectives, headers: Readonly<Record<string, readonly string[] | undefined>>): boolean {
  const { directives, targeted } = response;
  return directives.has('max-age') || directives.has('s-maxage') || (!targeted && headers.expires !== undefined);
}

/**
 * The origin gave this response a lifetime greater than zero and lets a shared cache keep it: its
 * deliberate answer for a while. Blanket anti-caching headers (`max-age=0`, `no-cache`, an Expires
 * in the past, as many frameworks send on every response) do not count.
 */
export function declaresLifetime(response: ResponseDirectives, headers: Readonly<Record<string, readonly string[] | undefined>>, now: number = Date.now()): boolean {
  const { directives, targeted } = response;
  if (['no-store', 'no-cache', 'private'].some((d) => directives.has(d))) return false;
  const seconds = directives.get('s-maxage') ?? directives.get('max-age');
  if (seconds !== undefined) return typeof seconds === 'string' && /^\d+$/.test(seconds) && Number(seconds) > 0;
  const expires = targeted ? undefined : headers.expires?.[0];
  if (expires === undefined) return false;
  const at = parseHttpDate(expires);
  const date = headers.date?.[0] !== undefined ? parseHttpDate(headers.date[0]) : undefined;
  return at !== undefined && at > (date ?? now);
}
