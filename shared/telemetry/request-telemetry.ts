/**
 * What one request leaves behind: one structured log line, one EMF document of its metrics, and the
 * warning of a dropped Set-Cookie.
 */
import type { ForwardResult, OriginRequest } from '../http/types.js';
import { withRouteDirective } from './route-metrics.js';
import { count, infoEnabled, logger, millis, SERVICE, takeEmf } from './telemetry.js';
import { printRequest, requestLine, type LineContext } from './request-line.js';

export interface RequestSummary {
  /** Undefined for an event too malformed to have a method and path. */
  readonly request: Pick<OriginRequest, 'method' | 'path'> | undefined;
  /**
   * The matching route's name, or `default`; undefined when the proxy answered before routing
   * (bad event, local health check, internal error): no per-route metrics then.
   */
  readonly route?: string;
  /** Also publish the per-route metrics (routes are configured; without, all would be `default`). */
  readonly routeMetrics?: boolean;
  readonly traceId: string | undefined;
  /** The forwarder's result; undefined when the origin was not asked (a cache hit, a bad event, a local health check). */
  readonly forwarded?: ForwardResult | undefined;
  /** The `Cache-Status` the client got; undefined when the request never reached the cache. */
  readonly cacheStatus?: string;
  /** The status the client gets. */
  readonly status: number;
  readonly totalMs: number;
  /** The invocation's Lambda context and whether it is the environment's cold start, for the log line. */
  readonly lambda?: { readonly context: LineContext; readonly coldStart: boolean };
}

/**
 * One structured log line and one EMF document per request, the per-route figures a second
 * directive of that document, both in one write to stdout (two lines: CloudWatch reads each line
 * as its own event, and EMF's from any line). Only the path is logged (a query may carry tokens),
 * never a body, a cookie or an authorization value.
 *
 * The line is Powertools Logger's, built by request-line.ts; the EMF document could ride inside it
 * (CloudWatch reads `_aws` at the root of any JSON line), but then its metric names (`Attempts`,
 * `Route`) would sit beside the line's fields of the same names in Logs Insights.
 */
export function recordRequest({ request, route, routeMetrics, traceId, forwarded, cacheStatus, status, totalMs, lambda }: RequestSummary): void {
  const d = forwarded?.decisions;
  const attempts = forwarded?.attempts ?? [];
  countRequest(attempts, d, status, totalMs);
  // The line is not even built when INFO is off (POWERTOOLS_LOG_LEVEL, sampling).
  const line = infoEnabled()
    ? requestLine(SERVICE, lambda?.context, lambda?.coldStart ?? false, {
        method: request?.method,
        path: request?.path,
        route,
        status,
        totalMs,
        traceId,
        attempts,
        cache: cacheStatus,
        originError: errorDetail(forwarded),
        ...(d ? { stop: d.stop, retriesStopped: d.retriesStopped, budgetDenied: d.budgetDenied, hedgesSent: d.hedgesSent, hedgesWon: d.hedgesWon } : {}),
      })
    : undefined;
  const emf = takeEmf();
  printRequest(line, emf && JSON.stringify(route !== undefined && routeMetrics ? withRouteDirective(emf, route) : emf));
}

/**
 * Why the origin gave no response, for the operator: the last attempt's system error as Node
 * reported it (`DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate`, `ECONNREFUSED: connect
 * ECONNREFUSED 10.0.0.5:8443`), which the client's Proxy-Status names only by its type. Not for a
 * request Node refused to send (http_request_error): its message may quote a header value.
 */
function errorDetail(forwarded: ForwardResult | undefined): string | undefined {
  const error = forwarded?.response === undefined ? forwarded?.error : undefined;
  return error && error.type !== 'http_request_error' ? error.detail : undefined;
}

/** The request's metrics, into the store (emf.ts) that `takeEmf` then empties. */
function countRequest(attempts: ForwardResult['attempts'], d: ForwardResult['decisions'] | undefined, status: number, totalMs: number): void {
  const retries = attempts.filter((a) => !a.hedge).length - 1;
  count('Requests');
  count(`Status${Math.floor(status / 100)}xx`);
  // Every attempt reached out to the origin, the cancelled loser of a hedge included.
  count('Attempts', attempts.length);
  if (retries > 0) count('Retries', retries);
  if (d) {
    if (d.hedgesSent > 0) count('HedgesSent', d.hedgesSent);
    if (d.hedgesWon > 0) count('HedgesWon', d.hedgesWon);
    if (d.budgetDenied > 0) count('RetriesDeniedByBudget', d.budgetDenied);
    // Retries or hedges the guards stopped: the route keeps failing, or the whole origin is down.
    if (d.retriesStopped === 'route-failing') count('RetriesStoppedRouteFailing');
    if (d.retriesStopped === 'origin-down') count('RetriesStoppedOriginDown');
    // OVERLOAD_SHEDDING=on answered without any origin attempt.
    if (d.stop === 'shed') count('RequestsShed');
  }
  for (const attempt of attempts) if (attempt.outcome !== 'cancelled') millis('OriginLatency', attempt.ms);
  millis('TotalLatency', totalMs);
}

/**
 * Single-value mode can carry one Set-Cookie (ALB's `headers` map): the others are lost, so each
 * loss is a warning and a `SetCookieDropped` metric (the count dropped), never silent.
 */
export function recordSetCookieDropped(request: Pick<OriginRequest, 'method' | 'path'>, setCookies: number): void {
  if (setCookies <= 1) return;
  logger.warn('single-value headers carry one Set-Cookie: the others were dropped; enable multi-value headers on the target group', {
    method: request.method,
    path: request.path,
    setCookies,
    dropped: setCookies - 1,
  });
  count('SetCookieDropped', setCookies - 1);
}
