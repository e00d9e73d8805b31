/**
 * The client's own conditional headers: which ones the cache evaluates itself, taken off what it
 * forwards, and whether a response answers them with a 304.
 */
import type { HeaderMap, OriginRequest, OriginResponse } from '../http/types.js';
import { isGetOrHead } from '../http/methods.js';

/**
 * The client's own conditional headers on GET/HEAD (RFC 9110 section 13).
 *
 * The cache takes If-None-Match and If-Modified-Since off what it forwards, so the origin answers
 * with a full response the cache can store, and evaluates them itself against the response it
 * returns (RFC 9111 section 4.3.2). Requests with preconditions it does not evaluate (If-Match,
 * If-Unmodified-Since, If-Range) bypass the cache.
 */
const VALIDATORS = ['if-none-match', 'if-modified-since'] as const;
const PRECONDITIONS = ['if-match', 'if-unmodified-since', 'if-range'] as const;

/**
 * Fields that describe the body a 304 does not carry (representation metadata, RFC 9110 section
 * 8): left off the 304, as origins do (Express drops Content-Type and Content-Length). Everything
 * else stays: a 304 must carry Cache-Control, Content-Location, Date, ETag, Expires and Vary
 * (section 15.4.5), and the origin's other fields mean the same on it; Set-Cookie above all (a
 * rotated session, a CSRF token), which a 304 from an Express, Rails or Django origin carries.
 */
const BODY_DESCRIBING = new Set(['content-type', 'content-length', 'content-encoding', 'content-language', 'content-range', 'content-disposition', 'content-md5']);

export function hasPreconditions(request: OriginRequest): boolean {
  return PRECONDITIONS.some((name) => request.headers[name] !== undefined);
}

export function hasValidators(request: OriginRequest): boolean {
  return VALIDATORS.some((name) => request.headers[name] !== undefined);
}

/** `request` without the client's validators, with `add` (the cache's own, from the library) instead. */
export function withValidators(request: OriginRequest, add: Record<string, unknown> = {}): OriginRequest {
  const headers: HeaderMap = { ...request.headers };
  for (const name of VALIDATORS) {
    delete headers[name];
    const value = add[name];
    if (typeof value === 'string' && value !== '') headers[name] = [value];
  }
  return { ...request, headers };
}

/**
 * RFC 9110 section 13.2.2 for GET/HEAD: If-None-Match (weak comparison, `*` matches any current
 * representation) decides when present; otherwise If-Modified-Since against Last-Modified. Only
 * a 200 becomes a 304. `stored`: the response is the cache's stored one, whose Date stands in for
 * a missing Last-Modified (RFC 9111 section 4.3.2); an answer the origin just sent has no
 * modification date to compare without it, and the origin itself would have ignored the field.
 */
export function notModified(request: OriginRequest, response: OriginResponse, stored: boolean): boolean {
  if (response.status !== 200 || !isGetOrHead(request.method)) return false;
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const listed = ifNoneMatch.join(',');
    if (listed.trim() === '*') return true;
    const current = response.headers.etag?.[0];
    if (current === undefined) return false;
    return entityTags(listed).includes(opaque(current));
  }
  const since = Date.parse(request.headers['if-modified-since']?.[0] ?? '');
  const modified = Date.parse(response.headers['last-modified']?.[0] ?? (stored ? response.headers.date?.[0] : undefined) ?? '');
  return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
}

/** The 304 answering a matched conditional request in place of `response`: its fields but those describing the body. */
export function notModifiedResponse(response: OriginResponse): OriginResponse {
  const headers: HeaderMap = {};
  for (const [name, values] of Object.entries(response.headers)) {
    if (!BODY_DESCRIBING.has(name)) headers[name] = [...values];
  }
  return { status: 304, headers, body: Buffer.alloc(0) };
}

/** Entity tags of an If-None-Match list, weakness dropped (weak comparison). Commas may sit inside tags. */
function entityTags(list: string): string[] {
  return [...list.matchAll(/(?:W\/)?"[^"]*"/g)].map((m) => opaque(m[0]));
}

function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}
