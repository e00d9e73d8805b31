/**
 * The response cache the handler calls: reads through the cache, invalidates after unsafe
 * methods, and passes through what the cache must not touch; never fails because of the cache.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ProxyConfig } from '../config/config.js';
import type { Deadline, Forward, ForwardOptions, ForwardResult, OriginRequest, Served } from '../http/types.js';
import { count, logger } from '../telemetry/telemetry.js';
import { cachedRead } from './cached-read.js';
import { formatCacheStatus, type CacheStatus } from './cache-status.js';
import { hasPreconditions } from './conditional.js';
import { createEntryIndex } from './entry-index.js';
import { invalidatedKeys } from './invalidation.js';
import { createPolicies, type Policies } from './policy.js';
import { createCacheStore } from './store/store.js';
import { isGetOrHead } from '../http/methods.js';
import type { RoutePolicy } from '../config/route-table.js';

export interface CacheResult extends Served {
  /** Value of the `Cache-Status` header (RFC 9211) for whatever goes to the client. */
  readonly cacheStatus: string;
}

export interface ResponseCache {
  /**
   * Serves `request` from cache or forwards it (possibly made conditional) with `forward`; stores,
   * invalidates and serves stale on error as RFC 9111 and RFC 5861 allow. Never throws because of
   * the cache: any cache failure falls back to forwarding the request as received.
   */
  handle(request: OriginRequest, forward: Forward, deadline: Deadline): Promise<CacheResult>;
}

export interface ResponseCacheOptions {
  /** Clock of ages, freshness and expiry. @default Date.now */
  readonly now?: () => number;
  /** S3 client for `s3`/`tiered` instead of one built from the config on first use (tests, other credentials). */
  readonly s3Client?: S3Client;
  /**
   * The route of a request, whose `cache` settings (off, or its own CACHE_DEFAULT_TTL_S and
   * CACHE_STALE_IF_ERROR_S) replace the global ones. Omitted: the global settings for all.
   */
  readonly routes?: { resolve(request: OriginRequest): Pick<RoutePolicy, 'cache'> };
}

/**
 * The shared HTTP cache in front of the origin. Call once per container, at init: the memory store
 * lives in the returned object, so warm invocations reuse it. With CACHE_STORE=off it is a
 * pass-through whose Cache-Status is `fwd=bypass`.
 */
export function createResponseCache(config: ProxyConfig['cache'], origin: URL, options: ResponseCacheOptions = {}): ResponseCache {
  const label = (status: CacheStatus): string => formatCacheStatus(config.statusName, status);
  const forwarded = (result: ForwardResult, fwd: CacheStatus['fwd']): CacheResult => ({
    response: result.response,
    source: result.response ? 'origin' : 'none',
    forwarded: result,
    cacheStatus: label({ fwd, fwdStatus: result.response?.status, detail: result.response ? undefined : result.error?.type }),
  });

  if (config.store === 'off') {
    return { handle: async (request, forward, deadline) => forwarded(await forward(request, deadline), 'bypass') };
  }

  const now = options.now ?? Date.now;
  const index = createEntryIndex(createCacheStore(config, { now, s3Client: options.s3Client }), now);
  // One policy factory per distinct default TTL (the global one and the routes' own).
  const policiesByTtl = new Map<number, Policies>();
  const policiesFor = (defaultTtlS: number): Policies => {
    let policies = policiesByTtl.get(defaultTtlS);
    if (!policies) policiesByTtl.set(defaultTtlS, (policies = createPolicies({ now, defaultTtlS, originHost: origin.host })));
    return policies;
  };

  return {
    async handle(request, forward, deadline) {
      // One S3 budget for the reads before the origin is called and one for the writes after it,
      // however many calls each phase makes (Vary marker + variant, delete of a corrupt object).
      let phaseStart = now();
      const storeTimeoutMs = (): number => Math.min(config.s3TimeoutMs - (now() - phaseStart), deadline.remainingMs());
      let last: { sent: OriginRequest; result: ForwardResult } | undefined;
      let forwardThrew: { error: unknown } | undefined;
      const send = async (sent: OriginRequest, sendOptions?: ForwardOptions): Promise<ForwardResult> => {
        try {
          last = { sent, result: await forward(sent, deadline, sendOptions) };
          phaseStart = now();
        } catch (error) {
          forwardThrew = { error };
          throw error;
        }
        return last.result;
      };
      const routeCache = options.routes?.resolve(request).cache;
      try {
        if (!isGetOrHead(request.method)) {
          const result = await send(request);
          const keys = result.response ? invalidatedKeys(origin, request, result.response, config.keyHost) : [];
          if (keys.length > 0) {
            await Promise.all(keys.map((key) => index.remove(key, storeTimeoutMs())));
            count('CacheInvalidated', keys.length);
          }
          return forwarded(result, 'method');
        }
        // A route with cache "off" neither reads nor stores; its unsafe methods above still invalidate.
        if (routeCache?.off) return forwarded(await send(request), 'bypass');
        // A GET or HEAD with a body (a search API's query, say): the key holds no body, so one
        // body's answer would be served for every other. RFC 9110 gives such a body no meaning.
        if (request.body.length > 0) return forwarded(await send(request), 'bypass');
        // If-Match, If-Unmodified-Since and If-Range are left to the origin, untouched.
        if (hasPreconditions(request)) return forwarded(await send(request), 'bypass');
        const routed = routeCache ? { ...config, defaultTtlS: routeCache.defaultTtlS, staleIfErrorS: routeCache.staleIfErrorS } : config;
        const policies = policiesFor(routed.defaultTtlS);
        const { served, status } = await cachedRead({ config: routed, origin, index, policies, now, storeTimeoutMs, remainingMs: () => deadline.remainingMs() }, request, send);
        return { ...served, cacheStatus: label(status) };
      } catch (error) {
        // Not the cache's failure, and sending again could duplicate a POST: the caller handles it.
        if (forwardThrew) throw forwardThrew.error;
        count('CacheError');
        const e = error instanceof Error ? error : new Error(String(error));
        logger.warn('response cache failed; request forwarded without it', { method: request.method, error: e.name, detail: e.message });
        // The origin's answer stands, unless it is a 304 to validators the cache added itself.
        const reusable = last !== undefined && (last.sent === request || last.result.response?.status !== 304);
        const result = reusable ? last!.result : await forward(request, deadline);
        return forwarded(result, 'miss');
      }
    },
  };
}
