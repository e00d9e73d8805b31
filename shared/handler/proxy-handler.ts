import type { ALBEvent, ALBResult } from 'aws-lambda';
import { parseAlbEvent, type ParsedAlbEvent } from '../alb/event.js';
import { toAlbResult } from '../alb/result.js';
import { createResponseCache, type ResponseCache } from '../cache/index.js';
import type { ProxyConfig } from '../config/config.js';
import { EventError } from '../http/errors.js';
import { createForwarder } from '../resilience/forwarder.js';
import type { Deadline, ForwardError, ForwardResult, HeaderMap, OriginResponse } from '../http/types.js';
import { LatencyTracker } from '../resilience/latency-tracker.js';
import { createOriginClient, type OriginClient } from '../origin/client.js';
import { proxyStatusHeader } from '../http/proxy-status.js';
import { RetryGuards } from '../resilience/retry-guards.js';
import { recordRequest, recordSetCookieDropped } from '../telemetry/request-telemetry.js';
import { logger } from '../telemetry/telemetry.js';
import { hostAllowed } from '../http/host-policy.js';
import { clientAddress, rewriteResponseHeaders } from '../http/origin-rewrite.js';
import { AdaptiveThrottle } from '../resilience/adaptive-throttle.js';
import { formatCacheStatus } from '../cache/cache-status.js';
import { createHealthCheck } from '../resilience/health-check.js';
import { RouteTable } from '../config/route-table.js';

/** The part of the Lambda context the proxy uses (the local emulator provides the same). */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export type AlbHandler = (event: ALBEvent, context: InvocationContext) => Promise<ALBResult>;

export interface ProxyHandlerDeps {
  /** @default a node:http keep-alive client bound to `config.origin` */
  readonly client?: OriginClient;
  /** @default `createResponseCache(config.cache, config.origin)` */
  readonly cache?: ResponseCache;
  /** @default Date.now */
  readonly now?: () => number;
  /** Uniform in [0, 1): the shedding draws of OVERLOAD_SHEDDING=on. @default Math.random */
  readonly random?: () => number;
}

/**
 * Builds the ALB handler: event -> origin request -> cache/attempts -> ALB result. Everything that
 * must survive warm invocations (connection pool, cache, retry guards, latencies) is
 * created here, once per container. The handler never throws: a bad event is a 400, anything
 * unexpected a 502 whose cause goes to the log, not to the client.
 */
export function createProxyHandler(config: ProxyConfig, deps: ProxyHandlerDeps = {}): AlbHandler {
  const now = deps.now ?? Date.now;
  const name = config.cache.statusName;
  const client = deps.client ?? createOriginClient({
    origin: config.origin,
    connections: config.originMaxConnections,
    hostHeader: config.originHostHeader,
  });
  const routes = new RouteTable(config);
  const forward = createForwarder({
    config,
    client,
    routes,
    // RETRY_BUDGET_RATIO=0 is handled by the budgets themselves (every retry allowed).
    guards: new RetryGuards({ ratio: config.budget.ratio, capacity: config.budget.minTokens }),
    ...(config.overloadShedding ? { throttle: new AdaptiveThrottle({ now, ...(deps.random ? { random: deps.random } : {}) }) } : {}),
    latencies: new LatencyTracker(),
    now,
  });
  const cache = deps.cache ?? createResponseCache(config.cache, config.origin, { now, routes });
  const healthCheck = createHealthCheck(config, client, now);

  return async function handler(event, context) {
    const started = now();
    let parsed: ParsedAlbEvent;
    try {
      parsed = parseAlbEvent(event);
    } catch (error) {
      const multiValue = typeof event === 'object' && event !== null && typeof event.multiValueHeaders === 'object' && event.multiValueHeaders !== null;
      if (!(error instanceof EventError)) return internalError(error, multiValue, undefined, started);
      logger.warn('rejected malformed ALB event', { where: error.where, error: error.message });
      const alb = toAlbResult(errorResponse(name, { status: 400, type: 'http_request_error', detail: error.message }, error.message), {
        multiValue,
        method: 'GET',
      });
      recordRequest({ request: undefined, traceId: undefined, status: alb.statusCode, totalMs: now() - started });
      return alb;
    }
    const { request, multiValue } = parsed;
    try {
      if (parsed.healthCheck && config.healthCheckLocal) {
        const alb = toAlbResult({ status: 200, headers: { 'content-type': ['text/plain; charset=utf-8'] }, body: Buffer.from('OK\n') }, { multiValue, method: request.method });
        recordRequest({ request, traceId: undefined, status: alb.statusCode, totalMs: now() - started });
        return alb;
      }
      if (!hostAllowed(config.allowedHosts, request.headers)) {
        // Before the cache and the origin: an unlisted Host must not create or read any entry.
        const alb = toAlbResult(errorResponse(name, { status: 421, type: 'http_request_denied', detail: 'host not allowed' }, 'Host not served here'), { multiValue, method: request.method });
        recordRequest({ request, traceId: parsed.traceId, status: alb.statusCode, totalMs: now() - started });
        return alb;
      }
      const deadline: Deadline = { remainingMs: () => context.getRemainingTimeInMillis() - config.deadlineMarginMs };
      const route = routes.resolve(request).name;
      // Named in Proxy-Status only when routes are configured: without, every request is `default`.
      const shown = routes.policies.length > 0 ? route : undefined;
      // A forwarded health check probes the origin itself: never answered from the cache.
      const result = parsed.healthCheck
        ? { ...(await healthCheck(request, deadline)), cacheStatus: formatCacheStatus(name, { fwd: 'bypass', fwdStatus: undefined }) }
        : await cache.handle(request, forward, deadline);
      const response = result.response
        ? annotate(name, result.response, result, shown)
        : errorResponse(name, result.error ?? { status: 502, type: 'proxy_internal_error', detail: 'no response' }, undefined, result, shown);
      response.headers['cache-status'] = [...(response.headers['cache-status'] ?? []), result.cacheStatus];
      // On the way out, after the cache and invalidation saw the origin's headers as sent.
      const rewrite = { origin: config.origin, client: clientAddress(request.headers), ...config.rewrite };
      response.headers = rewriteResponseHeaders(response.headers, rewrite);
      if (!multiValue) recordSetCookieDropped(request, response.headers['set-cookie']?.length ?? 0);
      const alb = toAlbResult(response, { multiValue, method: request.method, proxyName: name });
      recordRequest({ request, route, routeMetrics: shown !== undefined, traceId: parsed.traceId, result, status: alb.statusCode, totalMs: now() - started });
      return alb;
    } catch (error) {
      return internalError(error, multiValue, request, started);
    }
  };

  function internalError(error: unknown, multiValue: boolean, request: ParsedAlbEvent['request'] | undefined, started: number): ALBResult {
    logger.error('internal error', { error: error instanceof Error ? error : String(error) });
    const alb = toAlbResult(errorResponse(name, { status: 502, type: 'proxy_internal_error', detail: 'internal error' }), {
      multiValue,
      method: request?.method ?? 'GET',
    });
    recordRequest({ request, traceId: undefined, status: alb.statusCode, totalMs: now() - started });
    return alb;
  }
}

/** A response on its way to the ALB translation; `headers` is replaced, never shared with a stored entry. */
interface ProxyResponse {
  status: number;
  headers: HeaderMap;
  body: Buffer;
}

/**
 * The origin's response, with a `Proxy-Status` member when the proxy did more than pass it
 * through (retried, or gave up): operators see at a glance why a 503 reached the client.
 */
function annotate(name: string, response: OriginResponse, result: ForwardResult, route: string | undefined): ProxyResponse {
  const headers: HeaderMap = { ...response.headers };
  const stop = result.decisions?.stop;
  if (result.attempts.length > 1 || (stop !== undefined && stop !== 'done' && stop !== 'not-retryable')) {
    // Retried, hedged or gave up: say so (a hedge shows as a second attempt). What the origin
    // last answered, which is not `response` when the cache served a stale copy on error.
    const last = [...result.attempts].reverse().find((a) => a.outcome !== 'cancelled')?.outcome;
    const member = proxyStatusHeader(name, {
      receivedStatus: typeof last === 'number' ? last : undefined,
      error: typeof last === 'string' ? last : undefined,
      details: describe(result, route),
    });
    headers['proxy-status'] = [...(headers['proxy-status'] ?? []), member];
  }
  return { status: response.status, headers, body: response.body };
}

/**
 * The proxy's own error reply. The body names the error type only: origin addresses and error
 * messages stay in the log (they can reveal internal hosts).
 */
function errorResponse(
  name: string,
  error: Omit<ForwardError, 'status'> & { status: number },
  publicDetail?: string,
  result?: ForwardResult,
  route?: string,
): ProxyResponse {
  const headers: HeaderMap = {
    'content-type': ['text/plain; charset=utf-8'],
    'proxy-status': [proxyStatusHeader(name, { error: error.type, details: result ? describe(result, route) : publicDetail })],
    'cache-control': ['no-store'],
  };
  const reason = { 400: 'Bad Request', 421: 'Misdirected Request', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' }[error.status as 400 | 421 | 502 | 503 | 504];
  const body = `${error.status} ${reason}: ${error.type}${publicDetail ? ` (${publicDetail})` : ''}\n`;
  return { status: error.status, headers, body: Buffer.from(body) };
}

/** Proxy-Status details: the route (when routes are configured), attempts and why they stopped. */
function describe(result: ForwardResult, route: string | undefined): string {
  const d = result.decisions;
  const tries = `${route !== undefined ? `route=${route}; ` : ''}${result.attempts.filter((a) => a.outcome !== 'cancelled').length} attempt(s)`;
  if (!d) return tries;
  const hedges = d.hedgesSent > 0 ? `; hedges=${d.hedgesSent}; hedge-won=${d.hedgesWon > 0 ? 1 : 0}` : '';
  const budget = d.budgetDenied > 0 ? `; budget-denied=${d.budgetDenied}` : '';
  const stopped = d.retriesStopped && d.retriesStopped !== d.stop ? `; retries-stopped=${d.retriesStopped}` : '';
  return `${tries}; stop=${d.stop}${hedges}${budget}${stopped}`;
}
