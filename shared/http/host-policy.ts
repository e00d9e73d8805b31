/**
 * Which Host the origin is sent and which client Hosts are accepted (ORIGIN_HOST_HEADER,
 * ALLOWED_HOSTS).
 */
import type { HeaderMap } from './types.js';
import { hostName, requestHost } from './origin-rewrite.js';

/**
 * Which `Host` the origin gets (ORIGIN_HOST_HEADER), and which client Hosts the proxy accepts at
 * all (ALLOWED_HOSTS). Pure: no I/O.
 *
 * A Host the origin sees can change what it answers (virtual hosts, absolute links), so when the
 * client's Host is passed on it must be in the cache key, and only listed hosts may pass: an
 * unlisted Host would otherwise be a cache entry any client can create and point at anything.
 */
export type OriginHostHeader =
  /** ORIGIN_URL's host and port (today's behaviour, the default). */
  | { readonly mode: 'origin' }
  /** The client's Host, for origins that serve several virtual hosts or build links from it. */
  | { readonly mode: 'client' }
  /** One fixed name, e.g. the public name behind an internal address. */
  | { readonly mode: 'literal'; readonly host: string };

/** The `Host` to send the origin for a request with `headers`. */
export function originHost(mode: OriginHostHeader, origin: URL, headers: HeaderMap): string {
  if (mode.mode === 'literal') return mode.host;
  // A request without a usable Host (an ELB health check) gets the origin's own.
  if (mode.mode === 'client') return requestHost(headers) ?? origin.host;
  return origin.host;
}

/**
 * Whether the proxy serves a request with `headers`. No list: every Host. A request without Host
 * passes (ALB health checks carry none, and the origin then gets a Host no client chose); a
 * present but malformed or unlisted one does not. Ports are ignored: `app.example` allows
 * `app.example:8443`.
 */
export function hostAllowed(allowed: ReadonlySet<string> | undefined, headers: HeaderMap): boolean {
  if (allowed === undefined || headers.host === undefined) return true;
  const host = requestHost(headers);
  return host !== undefined && allowed.has(hostName(host).replace(/\.$/, ''));
}

/** The Host that joins the cache key when the origin gets the client's Host; `-` when there is none. */
export function keyHost(headers: HeaderMap): string {
  return requestHost(headers) ?? '-';
}
