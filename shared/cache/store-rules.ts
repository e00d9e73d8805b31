/**
 * Whether a GET response may be stored: the library's verdict plus this cache's own refusals.
 */
import type { ProxyConfig } from '../config/config.js';
import type { OriginRequest, OriginResponse } from '../http/types.js';
import { varyFields } from './cache-key.js';
import { isServerError } from '../http/outcome.js';
import { declaresLifetime, responseDirectives, type ResponseDirectives } from '../http/cache-directives.js';
import { retentionMs } from './freshness.js';
import { carriesIdentity, type CachePolicy, type Policies } from './policy.js';

/** What the cache made of a response before asking whether to store it: each computed once. */
export interface Assessed {
  readonly policy: CachePolicy;
  /** Parsed from the response's headers (cache-directives.ts). */
  readonly parsed: ResponseDirectives;
  /** How long a store would keep it (freshness.ts retentionMs). */
  readonly retentionMs: number;
}

/** A response (its headers already as stored) assessed: directives parsed once, policy, retention. */
export function assess(policies: Policies, key: string, request: OriginRequest, response: OriginResponse, staleIfErrorS: number): Assessed {
  const parsed = responseDirectives(response.headers);
  const policy = policies.create(key, request, response, parsed);
  return { policy, parsed, retentionMs: retentionMs(policy, response.headers, parsed.directives, staleIfErrorS) };
}

/**
 * Why a GET response must not be stored, or undefined when it may be. The library decides most of
 * what RFC 9111 section 3 allows a shared cache (no-store in request or response, private,
 * statuses it cannot store such as 206 and 304, heuristic freshness only for the statuses RFC 9110
 * section 15.1 calls heuristically cacheable); library-view.ts shows it any final status with
 * explicit freshness as storable. On top of that this cache refuses what could leak between users,
 * an error that would replace a good stored answer, and what is useless.
 */
export function storeRefusal(
  request: OriginRequest,
  response: OriginResponse,
  assessed: Assessed,
  config: Pick<ProxyConfig['cache'], 'allowSetCookie' | 'maxEntryBytes'>,
  replacing?: { readonly status: number },
  now: number = Date.now(),
): string | undefined {
  // 1xx are not final and never reach here from the origin client; a record must be a final answer.
  if (response.status < 200) return 'interim';
  const { policy, parsed } = assessed;
  if (!policy.storable()) return 'not-storable';
  // An error the origin gave no lifetime (heuristics, max-age=0, a past Expires) must never
  // replace a good stored answer: it would be served instead of it, and stale-if-error would have
  // nothing left to serve.
  const deliberate = declaresLifetime(parsed, response.headers, now);
  if (replacing !== undefined && !deliberate && isErrorAnswer(response.status) && !isErrorAnswer(replacing.status)) return 'error-over-good';
  const { directives } = parsed;
  // RFC 9111 section 3.5: a shared cache stores an answer to Authorization only when the origin
  // allows it (the library is not shown must-revalidate, so it is decided here).
  if (request.headers.authorization !== undefined && !['public', 's-maxage', 'must-revalidate'].some((d) => directives.has(d))) return 'authorization';
  // RFC 9111 lets a shared cache store the answer to a request with Cookie when the origin says
  // nothing; stale-if-error would then serve one user's page to others for a day. Only explicit
  // caching directives or Expires from the origin make such an answer shareable here.
  if (carriesIdentity(request) && directives.size === 0 && response.headers.expires === undefined) return 'credentials-unlabelled';
  // Vary: * can never be selected (RFC 9111 section 4.1); storing it only evicts useful entries.
  if (varyFields(response.headers).includes('*')) return 'vary-star';
  // One user's session cookie must not reach another (CACHE_ALLOW_SET_COOKIE=false).
  if (!config.allowSetCookie && response.headers['set-cookie'] !== undefined) return 'set-cookie';
  if (response.body.length > config.maxEntryBytes) return 'too-large';
  if (assessed.retentionMs < 1) return 'no-lifetime';
  return undefined;
}

/** A 5xx or a 429 (shared/outcome.ts): not an answer a client should get in place of a good one. */
export function isErrorAnswer(status: number): boolean {
  return isServerError(status) || status === 429;
}
