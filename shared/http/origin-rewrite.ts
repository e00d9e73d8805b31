/**
 * Rewrites the origin's own address in Location, Content-Location, Refresh and Set-Cookie Domain
 * into the client's, without ever making an open redirect.
 */
import { forwardedProto } from './headers.js';
import type { HeaderMap } from './types.js';

/**
 * Rewrites what the origin says about its own address into the address the client used, on the
 * way out (after the cache: stored headers stay as the origin sent them, so one client's Host is
 * never served to another). Like nginx's `proxy_redirect default` and `proxy_cookie_domain`:
 * - `Location`, `Content-Location` and the URL of `Refresh` that point at ORIGIN_URL's scheme, host
 *   and port get the client's scheme and Host, or become relative when either is unknown;
 * - a `Set-Cookie` whose `Domain` is the origin's host name gets the client's host name (no port),
 *   or loses its `Domain` (a host-only cookie) when the client's host is unknown.
 * Any other URL or domain is left alone, byte for byte. Pure: no I/O.
 */

/** The address the client used, as far as the request tells it. */
export interface ClientAddress {
  /** From `x-forwarded-proto` (ALB sets it); undefined when absent or not http/https. */
  readonly scheme: 'http' | 'https' | undefined;
  /** The request's `Host`, `name[:port]` lowercased; undefined when absent or malformed. */
  readonly host: string | undefined;
}

export interface RewriteOptions {
  /** ORIGIN_URL: only URLs on exactly this scheme, host and port are rewritten. */
  readonly origin: URL;
  readonly client: ClientAddress;
  /** REWRITE_REDIRECTS: Location, Content-Location, Refresh. @default true */
  readonly redirects?: boolean;
  /** REWRITE_COOKIE_DOMAIN: Set-Cookie Domain=<origin host name>. @default true */
  readonly cookieDomain?: boolean;
}

/** A host name or IPv4 address, or a bracketed IPv6 address, with an optional port (lowercase). */
export const HOST_PATTERN = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * The client's address from the request headers. A Host that is not a plain `name[:port]` is
 * treated as missing: it is never copied into a URL the client is sent to.
 */
export function clientAddress(headers: HeaderMap): ClientAddress {
  return { scheme: forwardedProto(headers), host: requestHost(headers) };
}

/** The request's Host lowercased, or undefined when absent, repeated or not `name[:port]`. */
export function requestHost(headers: HeaderMap): string | undefined {
  const values = headers.host;
  if (values === undefined || values.length !== 1) return undefined;
  const host = values[0]!.trim().toLowerCase();
  return HOST_PATTERN.test(host) ? host : undefined;
}

/** `host[:port]` without its port: `app.example:8443` -> `app.example`, `[::1]:80` -> `[::1]`. */
export function hostName(host: string): string {
  return host.replace(/:\d+$/, '');
}

/** A copy of `headers` with the origin's own address rewritten; the input is never modified. */
export function rewriteResponseHeaders(headers: HeaderMap, options: RewriteOptions): HeaderMap {
  const out: HeaderMap = { ...headers };
  if (options.redirects ?? true) {
    for (const name of ['location', 'content-location'] as const) {
      if (out[name]) out[name] = out[name].map((value) => rewriteUrl(value, options.origin, options.client));
    }
    if (out.refresh) out.refresh = out.refresh.map((value) => rewriteRefresh(value, options.origin, options.client));
  }
  if ((options.cookieDomain ?? true) && out['set-cookie']) {
    out['set-cookie'] = out['set-cookie'].map((value) => rewriteCookieDomain(value, options.origin, options.client));
  }
  return out;
}

/** `scheme://authority` or `//authority` at the start of a URL reference, then the rest as is. */
const ABSOLUTE = /^\s*([a-z][a-z0-9+.-]*:)?\/\/([^/?#\\]*)(.*)$/is;

/**
 * `value` with its scheme and authority replaced when they are the origin's (RFC 3986 comparison:
 * case-insensitive, default port implied); the path, query and fragment are kept byte for byte.
 * A scheme-relative `//host/...` is read with the origin's scheme, the one the origin was asked on.
 */
export function rewriteUrl(value: string, origin: URL, client: ClientAddress): string {
  const match = ABSOLUTE.exec(value);
  if (!match) return value;
  const [, scheme = origin.protocol, authority = '', rest = ''] = match;
  if (authority.includes('@') || !sameOrigin(`${scheme}//${authority}`, origin)) return value;
  const path = rest === '' || !rest.startsWith('/') ? `/${rest}` : rest;
  if (client.scheme !== undefined && client.host !== undefined) return `${client.scheme}://${client.host}${path}`;
  // A path that browsers would read as `//host` (slashes, backslashes, tabs ignored: WHATWG URL)
  // is a path on the origin but, made relative, a redirect to another site: keep the origin's URL.
  return /^[/\\][\t\n\r]*[/\\]/.test(path) ? value : path;
}

function sameOrigin(prefix: string, origin: URL): boolean {
  try {
    return new URL(prefix).origin === origin.origin;
  } catch {
    return false;
  }
}

/** `Refresh: 5; url=http://origin/x` (also `URL='...'`, or a `,` separator, as browsers accept). */
const REFRESH = /^(\s*\d+(?:\.\d*)?\s*[;,]\s*(?:url\s*=\s*)?)(["']?)(.*?)(\2\s*)$/is;

export function rewriteRefresh(value: string, origin: URL, client: ClientAddress): string {
  const match = REFRESH.exec(value);
  if (!match) return value;
  const [, lead = '', quote = '', url = '', tail = ''] = match;
  return `${lead}${quote}${rewriteUrl(url, origin, client)}${tail}`;
}

/**
 * A cookie the origin scoped to its own host name (`Domain=hosp.internal`, a leading dot allowed)
 * would be dropped by the browser on the public host: its Domain becomes the client's host name.
 * Every other attribute, and any other domain, is kept as sent.
 */
export function rewriteCookieDomain(value: string, origin: URL, client: ClientAddress): string {
  const own = origin.hostname.toLowerCase();
  const parts = value.split(';');
  let changed = false;
  const kept: string[] = [];
  for (const [i, part] of parts.entries()) {
    const attribute = i === 0 ? undefined : /^(\s*domain\s*=\s*)(.*?)(\s*)$/i.exec(part);
    if (!attribute || attribute[2]!.replace(/^\./, '').toLowerCase() !== own) {
      kept.push(part);
      continue;
    }
    changed = true;
    if (client.host !== undefined) kept.push(`${attribute[1]}${hostName(client.host)}${attribute[3]}`);
  }
  return changed ? kept.join(';') : value;
}
