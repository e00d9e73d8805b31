/**
 * The `Cache-Status` header value (RFC 9211): `<name>; hit; ttl=42`,
 * `<name>; fwd=uri-miss; fwd-status=200; stored`, `<name>; fwd=stale; fwd-status=503; ttl=-30`.
 */

/** RFC 9211 section 2.2: why the request went to the origin. */
export type ForwardReason =
  /** The cache did not handle the request: CACHE_STORE=off, or preconditions it does not evaluate. */
  | 'bypass'
  /** Not GET/HEAD: never served from cache (unsafe methods invalidate instead). */
  | 'method'
  /** Nothing stored for the URL. */
  | 'uri-miss'
  /** Responses stored for the URL, but none for this request's Vary-nominated headers. */
  | 'vary-miss'
  /** The store could not be read (S3 error, timeout, corrupt object): treated as a miss. */
  | 'miss'
  /** A fresh response was stored, but the request (no-cache, max-age) or must-revalidate required a check. */
  | 'request'
  /** The stored response was stale: revalidated, or served because the origin failed. */
  | 'stale';

export interface CacheStatus {
  /** Served from cache without contacting the origin. */
  readonly hit?: boolean;
  readonly fwd?: ForwardReason;
  /** The origin's status for the forwarded request (absent when there was no response). */
  readonly fwdStatus?: number | undefined;
  /** The origin's response was stored (or a stored one refreshed by a 304). */
  readonly stored?: boolean;
  /** Seconds of freshness left of the response served from cache; negative when stale. */
  readonly ttl?: number | undefined;
  /** Token with more detail, e.g. the RFC 9209 error type when the origin gave no response. */
  readonly detail?: string | undefined;
}

export function formatCacheStatus(name: string, status: CacheStatus): string {
  const params = [name];
  if (status.hit) params.push('hit');
  if (status.fwd !== undefined) params.push(`fwd=${status.fwd}`);
  if (status.fwdStatus !== undefined) params.push(`fwd-status=${status.fwdStatus}`);
  if (status.stored) params.push('stored');
  if (status.ttl !== undefined) params.push(`ttl=${Math.round(status.ttl)}`);
  // A structured-field token must start with a letter; anything else is sent as a string.
  if (status.detail !== undefined) {
    params.push(/^[A-Za-z][A-Za-z0-9_.:/!#$%&'*+^`|~-]*$/.test(status.detail) ? `detail=${status.detail}` : `detail=${JSON.stringify(status.detail)}`);
  }
  return params.join('; ');
}
