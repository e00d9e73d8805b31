/**
 * Where a proxied response came from, read from the response headers: our `Cache-Status`
 * (RFC 9211) or the `X-Cache-Status: $upstream_cache_status` the bench adds to nginx. Only used to
 * explain figures (a 100% success rate during an outage is either stale hits or a bug).
 */
export type CacheOutcome = 'hit' | 'stale' | 'miss';

export function cacheOutcome(cacheStatus: string | undefined, nginxStatus: string | undefined): CacheOutcome | undefined {
  if (nginxStatus !== undefined) {
    const s = nginxStatus.toUpperCase();
    if (s === 'HIT' || s === 'REVALIDATED') return 'hit';
    if (s === 'STALE' || s === 'UPDATING') return 'stale';
    return 'miss';
  }
  if (cacheStatus === undefined) return undefined;
  // The last member is the cache nearest the client (RFC 9211 section 2): ours.
  const params = (cacheStatus.split(',').at(-1) ?? '').toLowerCase().split(';').map((p) => p.trim());
  if (params.includes('hit')) return 'hit';
  // fwd=stale is a revalidation too; it was served from cache only when the origin failed (5xx or no answer).
  const fwdStatus = Number(params.find((p) => p.startsWith('fwd-status='))?.slice('fwd-status='.length) ?? NaN);
  if (params.includes('fwd=stale') && (Number.isNaN(fwdStatus) || fwdStatus >= 500)) return 'stale';
  return 'miss';
}
