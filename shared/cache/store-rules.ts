import type { ProxyConfig } from '../config/config.js';
import type { OriginRequest, OriginResponse } from '../http/types.js';
import { varyFields } from './cache-key.js';
import { isServerError } from '../http/outcome.js';
import { retentionMs } from './freshness.js';
import { carriesIdentity, type CachePolicy } from './policy.js';

/**
 * Why a GET response must not be stored, or undefined when it may be. The library decides what
 * RFC 9111 section 3 allows a shared cache (no-store in request or response, private,
 * Authorization without public/s-maxage/must-revalidate, statuses it does not understand such as
 * 206 and 304); on top of that this cache refuses what could leak between users or is useless.
 */
export function storeRefusal(
  request: OriginRequest,
  response: OriginResponse,
  policy: CachePolicy,
  config: Pick<ProxyConfig['cache'], 'allowSetCookie' | 'maxEntryBytes' | 'staleIfErrorS'>,
): string | undefined {
  // An error page must never replace a good stored copy nor be served again (the library would
  // store a 501 or a 500 with max-age).
  if (isServerError(response.status)) return 'server-error';
  if (!policy.storable()) return 'not-storable';
  // RFC 9111 lets a shared cache store the answer to a request with Cookie when the origin says
  // nothing; stale-if-error would then serve one user's page to others for a day. Only an
  // explicit Cache-Control or Expires from the origin makes such an answer shareable here.
  if (carriesIdentity(request) && response.headers['cache-control'] === undefined && response.headers.expires === undefined) return 'credentials-unlabelled';
  // Vary: * can never be selected (RFC 9111 section 4.1); storing it only evicts useful entries.
  if (varyFields(response.headers).includes('*')) return 'vary-star';
  // One user's session cookie must not reach another (CACHE_ALLOW_SET_COOKIE=false).
  if (!config.allowSetCookie && response.headers['set-cookie'] !== undefined) return 'set-cookie';
  if (response.body.length > config.maxEntryBytes) return 'too-large';
  if (retentionMs(policy, config.staleIfErrorS) < 1) return 'no-lifetime';
  return undefined;
}
