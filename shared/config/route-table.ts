/**
 * The settings in force for each request: the matching route's fields over the global options.
 * Built once per container from the validated routes; `resolve` is a few string comparisons.
 */
import type { ProxyConfig } from '../config/config.js';
import { firstSegmentKey } from '../routes/route-key.js';
import { RouteMatcher } from '../routes/route-matcher.js';
import { DEFAULT_ROUTE_NAME, type RouteSpec } from '../routes/route-spec.js';

/** What the forwarder and the cache apply to one request. */
export interface RoutePolicy {
  /** The route's name, or `default` when no route matched. */
  readonly name: string;
  /** Undefined for the default policy. */
  readonly spec: RouteSpec | undefined;
  readonly attemptTimeoutMs: number;
  readonly retry: ProxyConfig['retry'];
  /** `undefined` when hedging is off (as `ProxyConfig['hedge']['after']`). */
  readonly hedgeAfter: 'auto' | number | undefined;
  readonly cache: { readonly off: boolean; readonly defaultTtlS: number; readonly staleIfErrorS: number };
}

/** The global options a route falls back to; `routes` omitted = none. */
export type RouteGlobals = Pick<ProxyConfig, 'attemptTimeoutMs' | 'retry' | 'hedge'> & {
  readonly cache?: Pick<ProxyConfig['cache'], 'defaultTtlS' | 'staleIfErrorS'>;
  readonly routes?: readonly RouteSpec[];
};

export class RouteTable {
  /** The policy of requests no route matches: the global options. */
  readonly fallback: RoutePolicy;
  /** One per route, in order. */
  readonly policies: readonly RoutePolicy[];
  private readonly matcher: RouteMatcher<RouteSpec & { readonly policy: RoutePolicy }>;

  constructor(globals: RouteGlobals) {
    this.fallback = policyOf(globals, undefined);
    this.policies = (globals.routes ?? []).map((spec) => policyOf(globals, spec));
    this.matcher = new RouteMatcher(this.policies.map((policy) => ({ ...policy.spec!, policy })));
  }

  resolve(request: { readonly method: string; readonly path: string }): RoutePolicy {
    return this.matcher.find(request.method, request.path)?.policy ?? this.fallback;
  }

  /**
   * The overload guards' key: the route's name, or for an unmatched request "/" and its first path
   * segment (bounded by the guards' LRU), as before routes existed. A name holds no "/", so route
   * `reports` and unmatched requests under /reports (another method) never share budget and state.
   */
  static guardKey(policy: RoutePolicy, path: string): string {
    return policy.spec ? policy.name : `/${firstSegmentKey(path)}`;
  }
}

function policyOf(globals: RouteGlobals, spec: RouteSpec | undefined): RoutePolicy {
  const hedge = spec?.hedgeAfterMs;
  const cache = spec?.cache;
  return {
    name: spec?.name ?? DEFAULT_ROUTE_NAME,
    spec,
    attemptTimeoutMs: spec?.attemptTimeoutMs ?? globals.attemptTimeoutMs,
    retry: {
      ...globals.retry,
      maxAttempts: spec?.maxAttempts ?? globals.retry.maxAttempts,
      statuses: spec?.retryStatuses ?? globals.retry.statuses,
      nonIdempotent: spec?.retryNonIdempotent ?? globals.retry.nonIdempotent,
      originHonoursIdempotencyKey: spec?.originHonoursIdempotencyKey ?? globals.retry.originHonoursIdempotencyKey,
    },
    hedgeAfter: hedge === undefined ? globals.hedge.after : hedge === 'off' ? undefined : hedge,
    cache: {
      off: cache === 'off',
      defaultTtlS: (cache !== 'off' ? cache?.defaultTtlS : undefined) ?? globals.cache?.defaultTtlS ?? 0,
      staleIfErrorS: (cache !== 'off' ? cache?.staleIfErrorS : undefined) ?? globals.cache?.staleIfErrorS ?? 0,
    },
  };
}
