/**
 * Where a proxied response came from, read from the response headers: our `Cache-Status`
 * (RFC 9211) or the `X-Cache-Status: $upstream_cache_status` the bench adds to nginx. Only used to
 * explain figures (a 100% success rate during an outage is either stale hits or a bug).
 */
export type CacheOutcome = 'hit' | 'stale' | 'miss';

/**
 * Why our proxy stopped trying, from its `Proxy-Status` details (`stop=attempts-exhausted`,
 * `stop=route-failing`, ...): it tells a failure the retries could not mend from one the guards
 * chose not to retry. Undefined for nginx and direct, which send no such header.
 */
export function proxyStop(proxyStatus: string | undefined): string | undefined {
  return proxyStatus?.match(/\bstop=([a-z-]+)/)?.[1];
}

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
