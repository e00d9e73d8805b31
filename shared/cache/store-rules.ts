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
export function assess(policies: Policies, key: string, request: OriginRequest, response: OriginResponse, staleIfErrorS: number, receivedAt?: number): Assessed {
  const parsed = responseDirectives(response.headers);
  const policy = policies.create(key, request, response, parsed, receivedAt);
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
  if (carriesIdentity(request) && !labelledShareable(request, response, parsed, deliberate)) return 'credentials-unlabelled';
  // Vary: * can never be selected (RFC 9111 section 4.1); storing it only evicts useful entries.
  if (varyFields(response.headers).includes('*')) return 'vary-star';
  // One user's session cookie must not reach another (CACHE_ALLOW_SET_COOKIE=false).
  if (!config.allowSetCookie && response.headers['set-cookie'] !== undefined) return 'set-cookie';
  if (response.body.length > config.maxEntryBytes) return 'too-large';
  if (assessed.retentionMs < 1) return 'no-lifetime';
  return undefined;
}

/**
 * Whether the origin labelled its answer to a request with Cookie or Authorization as one for
 * everyone: `public`, `s-maxage`, a lifetime it declared (`max-age` above 0 or a future Expires,
 * declaresLifetime), or, for a request with Cookie and no Authorization, a `Vary: Cookie` (each user
 * then has a variant of their own; the library never stores an Authorization answer it sees the
 * header of, so a Vary on it labels nothing). RFC 9111 lets a shared cache store such an answer on
 * much less, but whatever makes it reusable here without the origin (heuristic freshness from
 * Last-Modified, the configured stale-if-error) would hand one user's page to the next: the blanket
 * labels frameworks put on every response (`max-age=0`, `Expires: 0`, `no-cache`,
 * `must-revalidate`, `no-transform`) do not make it shareable.
 */
function labelledShareable(request: OriginRequest, response: OriginResponse, parsed: ResponseDirectives, deliberate: boolean): boolean {
  const { directives } = parsed;
  if (directives.has('public') || directives.has('s-maxage') || deliberate) return true;
  return request.headers.authorization === undefined && varyFields(response.headers).includes('cookie');
}

/** A 5xx or a 429 (shared/outcome.ts): not an answer a client should get in place of a good one. */
export function isErrorAnswer(status: number): boolean {
  return isServerError(status) || status === 429;
}
