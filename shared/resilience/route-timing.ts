/**
 * Per-route timing from recent origin latencies: the shortest attempt worth starting and the hedge
 * delay of HEDGE_AFTER_MS=auto, each route with its own latency window.
 */
import type { ProxyConfig } from '../config/config.js';
import type { RoutePolicy } from '../config/route-table.js';
import { SAFE_METHODS } from '../http/methods.js';
import type { OriginRequest } from '../http/types.js';
import { LatencyTracker } from './latency-tracker.js';

/**
 * An attempt starts only with at least this long left, or the `MIN_ATTEMPT_PERCENTILE` of recent
 * successful attempts if that is longer: one that cannot finish only adds load.
 */
export const MIN_ATTEMPT_MS = 50;

/**
 * Low, not the median: with HOSP's 2-20 s answers the median (about 11 s) skipped every retry with
 * less than that left, though nearly half of the answers come within 10 s. A retry cut short by the
 * deadline costs the client nothing (the earlier answer stands) and the origin one request.
 */
const MIN_ATTEMPT_PERCENTILE = 10;

/** Samples needed before HEDGE_AFTER_MS=auto starts hedging. */
const AUTO_HEDGE_MIN_SAMPLES = 20;

export interface RouteTiming {
  /** The route's latency window: its own for a configured route, else `shared` (undefined: none kept). */
  latenciesOf(route: RoutePolicy): LatencyTracker | undefined;
  /** The shortest attempt worth starting on the route now. */
  minAttemptMs(route: RoutePolicy): number;
  /** The hedge delay of a request, or undefined when it is not hedged. */
  hedgeDelay(request: OriginRequest, route: RoutePolicy): number | undefined;
}

/** `shared`: the latencies of requests no configured route matches (each route keeps its own). */
export function createRouteTiming(shared: LatencyTracker | undefined, hedge: ProxyConfig['hedge']): RouteTiming {
  const routeLatencies = new Map<RoutePolicy, LatencyTracker>();
  const latenciesOf = (route: RoutePolicy): LatencyTracker | undefined => {
    if (!shared || !route.spec) return shared;
    let tracker = routeLatencies.get(route);
    if (!tracker) routeLatencies.set(route, (tracker = new LatencyTracker()));
    return tracker;
  };

  const minAttemptMs = (route: RoutePolicy): number => {
    const latencies = latenciesOf(route);
    return Math.min(route.attemptTimeoutMs, Math.max(MIN_ATTEMPT_MS, (latencies?.count ?? 0) >= AUTO_HEDGE_MIN_SAMPLES ? latencies!.percentile(MIN_ATTEMPT_PERCENTILE)! : 0));
  };

  const hedgeDelay = (request: OriginRequest, route: RoutePolicy): number | undefined => {
    const { max, percentile, minDelayMs } = hedge;
    const after = route.hedgeAfter;
    if (after === undefined || max === 0 || !SAFE_METHODS.has(request.method)) return undefined;
    if (after !== 'auto') return after;
    const latencies = latenciesOf(route);
    if (!latencies || latencies.count < AUTO_HEDGE_MIN_SAMPLES) return undefined;
    return Math.max(minDelayMs, latencies.percentile(percentile)!);
  };

  return { latenciesOf, minAttemptMs, hedgeDelay };
}
