/**
 * The http-cache-semantics policies of a shared cache: created from our requests and responses,
 * restored from stored records, on the cache's own clock.
 */
import CachePolicy from 'http-cache-semantics';
import type { HeaderMap, OriginRequest, OriginResponse } from '../http/types.js';
import { responseDirectives, type ResponseDirectives } from '../http/cache-directives.js';
import { sha256, varyFields, varyValue } from './cache-key.js';
import { libraryResponse } from './library-view.js';
import { headerValues } from '../http/headers.js';
import { normalizeResponseHeaders } from './normalize.js';

export { CachePolicy };

export interface PolicyOptions {
  /** Clock of ages and freshness. */
  readonly now: () => number;
  /** CACHE_DEFAULT_TTL_S: freshness of a 200 that carries no caching headers at all; 0 = none. */
  readonly defaultTtlS: number;
  /** The origin's `host`, the one the origin client sends whatever the client's was. */
  readonly originHost: string;
}

/** Factory of `http-cache-semantics` policies seen from a shared cache, on one clock. */
export interface Policies {
  /**
   * The policy of a response the origin sent to `request`; `parsed`: its directives, when already
   * parsed. `receivedAt`: when its headers arrived, if before now (default now): its age counts
   * from then (RFC 9111 section 4.2.3's response_time), to the millisecond.
   */
  create(key: string, request: OriginRequest, response: Pick<OriginResponse, 'status' | 'headers'>, parsed?: ResponseDirectives, receivedAt?: number): CachePolicy;
  /** A stored policy (`toObject()` form); throws on a malformed object. */
  restore(object: CachePolicy.CachePolicyObject): CachePolicy;
  /** `request` as the library sees it; `fields` are the request headers a stored `Vary` names. */
  view(key: string, request: OriginRequest, fields: readonly string[]): CachePolicy.Request;
}

/**
 * Request headers the library reads but which must never be stored in clear: it only tests the
 * presence of Authorization, and compares Vary-nominated values for equality, so a digest serves.
 * Every Vary-nominated value is stored as a digest too (any header may carry a credential, an API
 * key say), but for the ones the library parses (READ_IN_CLEAR).
 */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** Request headers that drive the library's decisions besides Vary. */
const POLICY_REQUEST_HEADERS = ['cache-control', 'pragma', 'authorization'];

/** The request headers whose directives the library reads: never replaced by a digest. */
const READ_IN_CLEAR = new Set(['cache-control', 'pragma']);

/**
 * The library makes the caching decisions it gets right (`shared: true`: `private` is not stored,
 * `s-maxage` wins, freshness, age, Vary); library-view.ts changes what it sees where it is wrong.
 * This module translates our HeaderMap to its string headers, keeps secrets out of what it
 * stores, and runs it on our clock.
 */
export function createPolicies(options: PolicyOptions): Policies {
  // The library reads time through an overridable `now()` (documented for tests); one subclass per
  // cache keeps its clock out of every other instance.
  // While a policy is made for a response received earlier, the clock reads that time: the library
  // takes its response time (and the date of one without Date) from it, and ages it from then on.
  let receivedAt: number | undefined;
  class ClockedPolicy extends CachePolicy {
    now(): number {
      return receivedAt ?? options.now();
    }
  }
  const view = (key: string, request: OriginRequest, fields: readonly string[]): CachePolicy.Request => {
    const headers: CachePolicy.Headers = { host: options.originHost };
    for (const name of new Set([...POLICY_REQUEST_HEADERS, ...fields])) {
      const varies = fields.includes(name);
      const value = varies ? varyValue(headerValues(request.headers, name)) : headerValues(request.headers, name)?.join(', ');
      if (value !== undefined) headers[name] = SECRET_HEADERS.has(name) || (varies && !READ_IN_CLEAR.has(name)) ? `sha256:${sha256(value)}` : value;
    }
    // GET, also for HEAD: a stored GET response answers HEAD (RFC 9110 section 9.3.2).
    return { url: key, method: 'GET', headers };
  };
  return {
    create(key, request, response, parsed = responseDirectives(response.headers), at) {
      const headers = normalizeResponseHeaders(flattenResponseHeaders(response.headers), at ?? options.now());
      if (options.defaultTtlS > 0 && response.status === 200 && lacksCachingHeaders(headers) && !carriesIdentity(request)) {
        // Like nginx's proxy_cache_valid, but only for requests without credentials: an origin
        // that says nothing has not said a personalised answer may be shared.
        headers['cache-control'] = `max-age=${options.defaultTtlS}`;
      }
      const fields = varyFields(response.headers);
      const seen = view(key, request, fields);
      // store-rules.ts decides about Authorization itself (RFC 9111 section 3.5, with the
      // must-revalidate the library no longer sees); it stays only where Vary names it.
      if (!fields.includes('authorization')) delete seen.headers.authorization;
      receivedAt = at;
      try {
        return new ClockedPolicy(seen, libraryResponse(response.status, headers, response.headers, parsed), { shared: true });
      } finally {
        receivedAt = undefined;
      }
    },
    restore: (object) => ClockedPolicy.fromObject(object),
    view,
  };
}

/** The library parses single string values; repeated fields join with ", " (RFC 9110 section 5.3), Set-Cookie excepted. */
export function flattenResponseHeaders(headers: HeaderMap): CachePolicy.Headers {
  const out: CachePolicy.Headers = {};
  for (const [name, values] of Object.entries(headers)) {
    out[name] = name === 'set-cookie' ? [...values] : values.join(', ');
  }
  return out;
}

function lacksCachingHeaders(headers: CachePolicy.Headers): boolean {
  return headers['cache-control'] === undefined && headers.expires === undefined && headers.pragma === undefined;
}

/** The request says who is asking: an answer to it is only shared when the origin labels it. */
export function carriesIdentity(request: OriginRequest): boolean {
  return request.headers.authorization !== undefined || request.headers.cookie !== undefined;
}
