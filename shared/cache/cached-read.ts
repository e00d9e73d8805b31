/**
 * GET and HEAD through the cache: serve a fresh stored response, else forward (conditionally),
 * then refresh on 304, serve stale on error, or store the new response.
 */
import type { ProxyConfig } from '../config/config.js';
import type { ForwardOptions, ForwardResult, OriginRequest, OriginResponse, Served } from '../http/types.js';
import { isStaleServable } from '../http/outcome.js';
import { responseDirectives, type ResponseDirectives } from '../http/cache-directives.js';
import { count } from '../telemetry/telemetry.js';
import { cacheKey, varyFields } from './cache-key.js';
import type { CacheStatus } from './cache-status.js';
import { hasValidators, notModified, notModifiedResponse, withValidators } from './conditional.js';
import { slotFields, type EntryIndex, type Lookup } from './entry-index.js';
import { freshnessLeftS, servableOnError } from './freshness.js';
import { carriesIdentity, flattenResponseHeaders, type CachePolicy, type Policies } from './policy.js';
import type { EntryRecord } from './record.js';
import { reusable } from './reuse.js';
import { assess, storeRefusal, type Assessed } from './store-rules.js';
import { mergeNotModified, servedResponse, storableHeaders } from './stored-response.js';

export interface CachedReadContext {
  readonly config: ProxyConfig['cache'];
  readonly origin: URL;
  readonly index: EntryIndex;
  readonly policies: Policies;
  readonly now: () => number;
  /** Time the store may take now: CACHE_S3_TIMEOUT_MS, less if the deadline is nearer. */
  readonly storeTimeoutMs: () => number;
  /** Time left before the request's deadline. */
  readonly remainingMs: () => number;
}

export interface ReadOutcome {
  readonly served: Served;
  readonly status: CacheStatus;
}

/**
 * GET and HEAD through the cache: a fresh stored response answers without the origin; otherwise
 * the request is forwarded, conditional when a validator is stored; a 304 refreshes the stored
 * response, a failure (no response, 500, 502, 503 or 504) is answered with the stale one while stale-if-error
 * allows, and a storable GET response is stored.
 */
export async function cachedRead(
  context: CachedReadContext,
  request: OriginRequest,
  send: (request: OriginRequest, options?: ForwardOptions) => Promise<ForwardResult>,
): Promise<ReadOutcome> {
  const { index, policies, config } = context;
  const key = cacheKey(context.origin, request, config.keyHost);
  const lookup = await index.find(key, request, context.storeTimeoutMs);
  const withoutClientValidators = withValidators(request);

  const stored = lookup.entry && restored(policies, lookup.entry);
  const fields = stored ? varyFields(stored.entry.headers) : [];
  if (stored && reusable(stored.policy, policies.view(key, request, fields), stored.parsed.directives)) {
    count('CacheHit');
    const response = servedResponse(stored.entry, stored.policy, request);
    return { served: { response, source: 'cache' }, status: { hit: true, ttl: freshnessLeftS(stored.policy) } };
  }

  // stale-while-revalidate is treated as a synchronous revalidation: Lambda freezes the container
  // once the response is returned, so background work would not reliably run.
  const validators = stored?.policy.revalidationHeaders(policies.view(key, withoutClientValidators, fields));
  // A stale copy to fall back on: a hung origin is given up on at ATTEMPT_TIMEOUT_MS rather than the
  // deadline. Only one servable until the deadline: a first attempt cut for a copy whose window then
  // closes would lose the origin's answer for nothing.
  const staleFallback = stored !== undefined && servableOnError(stored.policy, stored.parsed.directives, config.staleIfErrorS, context.remainingMs());
  let result = await send(withValidators(request, validators), { staleFallback });
  // Too large for ALB without the client's own validators (taken off so a full answer could be
  // stored): the origin may answer those with a 304 ALB can carry, as it would without the cache.
  const ownValidators = result.response === undefined && result.error?.type === 'http_response_body_size' && hasValidators(request);
  if (ownValidators) result = await send(request, { staleFallback });
  const response = result.response;
  const status: CacheStatus = {
    fwd: stored ? (stored.policy.stale() ? 'stale' : 'request') : lookup.outcome === 'found' ? 'miss' : lookup.outcome,
    fwdStatus: response?.status,
    detail: response ? undefined : result.error?.type,
  };

  // The origin's answer to the client's own conditional request goes to it as is (a 304 of its validators is no refresh of ours).
  if (ownValidators && !isStaleServable(response?.status)) return { served: fromOrigin(result), status };
  // RFC 5861 section 4: 500, 502, 503, 504 or no response; a 501 or 505 is the origin's answer. Also
  // any other failure after the first attempt was cut for the stale copy (without one it lingers, so
  // its timeout is the cut, and the error): a retry's 404 or 429 does not undo it, the cut
  // attempt's answer is lost. A later attempt's timeout is the cut any retry gets, stale copy or not.
  const cutForStale = staleFallback && result.attempts.some((a) => a.n === 1 && a.outcome === 'http_response_timeout') && (response?.status ?? 500) >= 400;
  if (stored && (isStaleServable(response?.status) || cutForStale)) {
    if (!servableOnError(stored.policy, stored.parsed.directives, config.staleIfErrorS)) return { served: fromOrigin(result), status };
    count('CacheStale');
    const served = servedResponse(stored.entry, stored.policy, request);
    return { served: { response: served, source: 'stale', forwarded: result }, status: { ...status, ttl: freshnessLeftS(stored.policy) } };
  }
  if (stored && response?.status === 304) return refresh(context, request, lookup, stored, result, status);
  count('CacheMiss');
  if (response === undefined) return { served: fromOrigin(result), status };

  let storedNow = false;
  // After a failed read nothing is written: what is stored is unknown (lookup.failed). Nor for a
  // Range request, unless answered in full: the key holds no Range, so a 416 (with the blanket
  // max-age=0 of many frameworks) would be every client's answer, and the stale copy too.
  if (request.method === 'GET' && !lookup.failed && (request.headers.range === undefined || response.status === 200)) {
    const storable: OriginResponse = { ...response, headers: storableHeaders(response.headers) };
    // As old as it is: the time since its headers arrived (its body, a retry held beside a lingering first attempt).
    const assessed = assess(context.policies, key, request, storable, config.staleIfErrorS, result.heldMs ? context.now() - result.heldMs : undefined);
    const entry = toEntry(context, key, request, storable, assessed, stored?.entry);
    // A request with credentials stores only into the shape the URL already has: one user's answer
    // that varies otherwise (under a Vary: Cookie added for a session) would replace the entry, or
    // the marker naming the variants, that everyone else is served, and any client can send a cookie.
    const held = slotFields(lookup);
    const reshapes = entry !== undefined && carriesIdentity(request) && held !== undefined && held.join() !== varyFields(entry.headers).join();
    if (entry && !reshapes) storedNow = await index.save(entry, request, lookup, context.storeTimeoutMs());
    // The origin now forbids storing this URL's answer: the old one goes too. A refusal the
    // request caused (its no-store, credentials, a Range) must not, or any client could delete
    // the entry and with it the stale-if-error fallback of everyone else: an answer to a request
    // with Cookie or Authorization may be `private` because of them (a logged-in user's page).
    else if (stored && !carriesIdentity(request) && responseForbidsStoring(assessed.parsed, storable.headers)) await index.remove(key, context.storeTimeoutMs());
    if (storedNow) count('CacheStored');
  }
  const toClient = hasValidators(request) && notModified(request, response, false) ? notModifiedResponse(response) : response;
  return { served: { response: toClient, source: 'origin', forwarded: result }, status: { ...status, stored: storedNow } };
}

/** A 304 to our conditional request: the stored response, its headers updated, answers (RFC 9111 section 4.3.4). */
async function refresh(
  context: CachedReadContext,
  request: OriginRequest,
  lookup: Lookup,
  stored: Restored,
  result: ForwardResult,
  status: CacheStatus,
): Promise<ReadOutcome> {
  const notModifiedHeaders = result.response!.headers;
  const { key } = stored.entry;
  const view = context.policies.view(key, request, varyFields(stored.entry.headers));
  const revalidated = stored.policy.revalidatedPolicy(view, { status: 304, headers: flattenResponseHeaders(notModifiedHeaders) });
  const { matches } = revalidated;
  count('CacheRevalidated');
  // The library matches a 304 only when it repeats the stored validator, but RFC 9110 section
  // 15.4.5 does not require a 304 to carry Last-Modified: one that carries no validator answers
  // the conditional request built from this very entry.
  const carriesValidator = notModifiedHeaders.etag !== undefined || notModifiedHeaders['last-modified'] !== undefined;
  const headers = mergeNotModified(stored.entry.headers, notModifiedHeaders);
  // A 304 that changes Vary would move this variant (one user's, under Vary: Cookie) to a key
  // other requests share: the stored entry is not updated from it either.
  const varyChanged = varyFields(headers).join() !== varyFields(stored.entry.headers).join();
  if ((!matches && carriesValidator) || varyChanged) {
    // A 304 whose validator is not the stored one updates nothing (section 4.3.4); the stored
    // body is all there is to send, but it is dropped so the next request fetches a full one.
    // Not on a request with credentials: the validator may be that user's own, and any client can
    // send a cookie, so it must not delete everyone's entry and stale-if-error fallback.
    if (!carriesIdentity(request)) await context.index.remove(key, context.storeTimeoutMs());
    // The 304's cookies are the origin's answer to this request, whatever its validator says.
    const served = withCookies(servedResponse(stored.entry, stored.policy, request), notModifiedHeaders);
    return { served: { response: served, source: 'revalidated', forwarded: result }, status: { ...status, ttl: freshnessLeftS(stored.policy) } };
  }
  const merged: OriginResponse = { status: stored.entry.status, headers, body: stored.entry.body };
  const refreshed = toEntry(context, key, request, merged, assess(context.policies, key, request, merged, context.config.staleIfErrorS));
  const saved = refreshed ? await context.index.save(refreshed, request, lookup, context.storeTimeoutMs()) : false;
  // Not storable as merged (a Set-Cookie on the 304, say): the client still gets the merged headers,
  // the 304's Set-Cookie included, on the stored body; the stored entry stays as it was.
  const entry = refreshed ?? { ...stored.entry, headers };
  const policy = refreshed ? context.policies.restore(refreshed.policy) : revalidated.policy;
  return {
    served: { response: servedResponse(entry, policy, request), source: 'revalidated', forwarded: result },
    status: { ...status, stored: saved, ttl: freshnessLeftS(policy) },
  };
}

/** A stored entry with its policy and the directives of its headers, each made once per request. */
interface Restored {
  readonly entry: EntryRecord;
  readonly policy: CachePolicy;
  readonly parsed: ResponseDirectives;
}

/**
 * The stored entry restored, or undefined when the library cannot read the policy any more
 * (written by another library version): a miss, and the response fetched now replaces it.
 */
function restored(policies: Policies, entry: EntryRecord): Restored | undefined {
  try {
    return { entry, policy: policies.restore(entry.policy), parsed: responseDirectives(entry.headers) };
  } catch {
    count('CacheRecordUnreadable');
    return undefined;
  }
}

/**
 * The record to store for a GET response (its headers already as stored, `assessed` by
 * store-rules.ts), or undefined when it must not be stored.
 */
function toEntry(context: CachedReadContext, key: string, request: OriginRequest, response: OriginResponse, assessed: Assessed, replacing?: EntryRecord): EntryRecord | undefined {
  if (storeRefusal(request, response, assessed, context.config, replacing, context.now()) !== undefined) return undefined;
  const { policy } = assessed;
  return { kind: 'entry', key, status: response.status, headers: response.headers, body: response.body, policy: policy.toObject(), expiresAt: context.now() + assessed.retentionMs };
}

/**
 * The response itself says a shared cache must not keep it (RFC 9111 sections 5.2.2.5, 5.2.2.7,
 * 4.1), in the directives this cache obeys: a valid CDN-Cache-Control's, else Cache-Control's.
 */
function responseForbidsStoring(parsed: ResponseDirectives, headers: OriginResponse['headers']): boolean {
  return parsed.directives.has('no-store') || parsed.directives.has('private') || varyFields(headers).includes('*');
}

/** `response` with the Set-Cookie fields of `from` added (a 304 whose other fields do not apply). */
function withCookies(response: OriginResponse, from: OriginResponse['headers']): OriginResponse {
  const cookies = from['set-cookie'];
  if (cookies === undefined) return response;
  return { ...response, headers: { ...response.headers, 'set-cookie': [...(response.headers['set-cookie'] ?? []), ...cookies] } };
}

/** The origin's own answer (or its absence), as the forwarder reported it. */
function fromOrigin(result: ForwardResult): Served {
  return { response: result.response, source: result.response ? 'origin' : 'none', forwarded: result };
}
