/**
 * Header rules of an HTTP intermediary: hop-by-hop and stripped headers, token and value checks,
 * byte decoding, the headers the origin gets, the client's scheme.
 */
import type { HeaderMap } from './types.js';

/**
 * Hop-by-hop headers (RFC 9110 section 7.6.1) belong to one connection and must not be forwarded in
 * either direction. `content-length` is dropped too: the origin client recomputes it from the body,
 * and ALB computes it for the client from the body we return.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

/**
 * Request headers that some origins and frameworks use to rewrite the URL, the method, the scheme
 * or the self-referencing host (Spring's X-Forwarded-Prefix, Rack's X-Forwarded-Scheme and
 * X-Forwarded-Ssl, IIS's Front-End-Https and X-Original-Host, ...). None of them is part of the
 * cache key (the scheme comes from ALB's x-forwarded-proto), so passing them on would let one
 * client change a response that is then served to others (web cache poisoning), or reach an
 * endpoint the listener rule did not route. `expect` is dropped because the whole body is sent at
 * once. Documented in docs/proxying.md ("What reaches the origin").
 */
export const STRIPPED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'expect',
  'forwarded',
  'x-forwarded-host',
  'x-forwarded-server',
  'x-forwarded-prefix',
  'x-forwarded-scheme',
  'x-forwarded-ssl',
  'x-forwarded-uri',
  'front-end-https',
  'x-url-scheme',
  'x-host',
  'x-original-host',
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);

/**
 * Request headers a client's `Connection` cannot name away. ALB writes the x-forwarded-* and trace
 * headers itself, so the client's `Connection` (about its own hop to ALB) does not govern them, and
 * the cache key takes the scheme from x-forwarded-proto: naming it there would otherwise have the
 * origin answer an https request as http, stored under the https key for everyone. `host` is the
 * request's own target.
 */
export const ALB_REQUEST_HEADERS: ReadonlySet<string> = new Set(['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-amzn-trace-id']);

const NO_TOKENS: ReadonlySet<string> = new Set();

/** Names listed in a `Connection` header are hop-by-hop for that message too, except those in `kept`. */
function connectionTokens(headers: HeaderMap, kept: ReadonlySet<string>): ReadonlySet<string> {
  // Nearly every message has none: no Set to build per message.
  if (headers.connection === undefined) return NO_TOKENS;
  const tokens = new Set<string>();
  for (const value of headers.connection ?? []) {
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase();
      if (t !== '' && !kept.has(t)) tokens.add(t);
    }
  }
  return tokens;
}

/**
 * A copy of `headers` without hop-by-hop headers and without any name in `extra`; names in `kept`
 * stay even when `Connection` lists them.
 */
export function withoutHopByHop(headers: HeaderMap, extra: ReadonlySet<string> = NO_TOKENS, kept: ReadonlySet<string> = NO_TOKENS): HeaderMap {
  const dynamic = connectionTokens(headers, kept);
  const out: HeaderMap = {};
  for (const [name, values] of Object.entries(headers)) {
    if (HOP_BY_HOP.has(name) || dynamic.has(name) || extra.has(name)) continue;
    out[name] = [...values];
  }
  return out;
}

/**
 * Appends `value` to the values of `name` (lowercase) in `map`, as the event and the origin's
 * response are read. Own properties only: a field named after an Object.prototype member
 * (`constructor`, `toString`) must not find the inherited one (`push` on a function crashed the
 * process). `__proto__` cannot be an own property of a plain object (assigning it sets the
 * prototype), so a field of that name is dropped; nothing gives it a meaning. False when dropped.
 */
export function appendHeader(map: HeaderMap, name: string, value: string): boolean {
  if (name === '__proto__') return false;
  if (Object.hasOwn(map, name)) map[name]!.push(value);
  else map[name] = [value];
  return true;
}

/** The values of `name` in `map`, never an inherited member (a Vary or lookup naming `constructor`). */
export function headerValues(map: HeaderMap, name: string): string[] | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

/** RFC 9110 token: the only characters allowed in a header name or a method. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Header values may not carry CR, LF or NUL (request smuggling / response splitting), whatever happens to them. */
export const SAFE_HEADER_VALUE = /^[^\r\n\0]*$/;

/**
 * Header values node:http will send: no control character but tab. It refuses the others, which
 * then failed as an anonymous 502; the event reader names the header instead (a 400).
 */
export const SENDABLE_HEADER_VALUE = /^[\t\x20-\x7e\x80-\uffff]*$/;

/**
 * Decodes raw header bytes: UTF-8 when they are valid UTF-8 (what origins send in practice), else
 * Latin-1 so that every byte maps to one character and nothing is lost.
 */
export function decodeHeaderBytes(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.includes('\uFFFD') && !bytes.includes(Buffer.from('\uFFFD')) ? bytes.toString('latin1') : text;
}

/**
 * The client's request headers as the proxy forwards them: less hop-by-hop (and what `Connection`
 * names, but never `ALB_REQUEST_HEADERS`) and `STRIPPED_REQUEST_HEADERS`. The ALB event is read into
 * these, so the cache keys, matches Vary and decides on exactly the headers the origin gets: a header
 * the origin never saw cannot select which stored answer a request is given.
 */
export function forwardedRequestHeaders(headers: HeaderMap): HeaderMap {
  return withoutHopByHop(headers, STRIPPED_REQUEST_HEADERS, ALB_REQUEST_HEADERS);
}

/**
 * The headers sent to the origin: `forwardedRequestHeaders` with `host` set to `originHost`
 * (ORIGIN_URL's name and port unless ORIGIN_HOST_HEADER says otherwise). ALB's `x-forwarded-for`,
 * `x-forwarded-proto`, `x-forwarded-port` and `x-amzn-trace-id` pass through unchanged.
 */
export function originRequestHeaders(headers: HeaderMap, originHost: string): HeaderMap {
  const out = forwardedRequestHeaders(headers);
  out.host = [originHost];
  return out;
}

/** The scheme the client used, as ALB tells it in `x-forwarded-proto`; undefined when absent or neither http nor https. */
export function forwardedProto(headers: HeaderMap): 'http' | 'https' | undefined {
  const value = headers['x-forwarded-proto']?.[0]?.trim().toLowerCase();
  return value === 'http' || value === 'https' ? value : undefined;
}
