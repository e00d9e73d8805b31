/** The ALB handler: one ALB event in, one ALB result out, through host check, cache, forwarder and rewrite. */
import type { ALBEvent, ALBResult } from 'aws-lambda';
import { parseAlbEvent, usesMultiValueHeaders, type ParsedAlbEvent } from '../alb/event.js';
import { toAlbResult } from '../alb/result.js';
import { createResponseCache, type CacheResult, type ResponseCache } from '../cache/index.js';
import type { ProxyConfig } from '../config/config.js';
import { EventError } from '../http/errors.js';
import { createForwarder } from '../resilience/forwarder.js';
import type { Deadline, ForwardResult } from '../http/types.js';
import { LatencyTracker } from '../resilience/latency-tracker.js';
import { createOriginClient, type OriginClient } from '../origin/client.js';
import { RetryGuards } from '../resilience/retry-guards.js';
import { recordRequest, recordSetCookieDropped, type RequestSummary } from '../telemetry/request-telemetry.js';
import { takeColdStart, type LineContext } from '../telemetry/request-line.js';
import { annotated, errorResponse, type ProxyResponse } from './responses.js';
import { logger } from '../telemetry/telemetry.js';
import { hostAllowed } from '../http/host-policy.js';
import { clientAddress, rewriteResponseHeaders } from '../http/origin-rewrite.js';
import { AdaptiveThrottle } from '../resilience/adaptive-throttle.js';
import { formatCacheStatus } from '../cache/cache-status.js';
import { createHealthCheck } from '../resilience/health-check.js';
import { RouteTable } from '../config/route-table.js';

/** The part of the Lambda context the proxy uses (the local emulator provides the same); the rest names the log line's invocation. */
export interface InvocationContext extends LineContext {
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

  const BYPASSED = formatCacheStatus(name, { fwd: 'bypass', fwdStatus: undefined });
  const INTERNAL_ERROR = formatCacheStatus(name, { detail: 'internal-error' });

  return async function handler(event, context) {
    const started = now();
    const lambda = { context, coldStart: takeColdStart() };
    const multiValue = usesMultiValueHeaders(event);
    /** The one way out: ALB translation, then the log line and metrics of this request. */
    const respond = (response: ProxyResponse, request: ParsedAlbEvent['request'] | undefined, seen: Seen = {}): ALBResult => {
      // Answered before the cache (a bad event, an unlisted Host, the local health check): the cache
      // was bypassed, and Cache-Status says so on every response; the log line names the same.
      const cacheStatus = seen.cacheStatus ?? BYPASSED;
      if (response.headers['cache-status'] === undefined) response.headers['cache-status'] = [cacheStatus];
      const alb = toAlbResult(response, { multiValue, method: request?.method ?? 'GET', proxyName: name });
      recordRequest({ request, status: alb.statusCode, totalMs: now() - started, traceId: undefined, ...seen, cacheStatus, lambda });
      return alb;
    };
    let parsed: ParsedAlbEvent;
    try {
      parsed = parseAlbEvent(event);
    } catch (error) {
      if (!(error instanceof EventError)) return internalError(error, undefined);
      logger.warn('rejected malformed ALB event', { where: error.where, error: error.message });
      return respond(errorResponse(name, { status: 400, type: 'http_request_error', detail: error.message }, error.message), undefined);
    }
    const { request, traceId } = parsed;
    try {
      if (parsed.healthCheck && config.healthCheckLocal) {
        return respond({ status: 200, headers: { 'content-type': ['text/plain; charset=utf-8'] }, body: Buffer.from('OK\n') }, request);
      }
      if (!hostAllowed(config.allowedHosts, request.headers)) {
        // Before the cache and the origin: an unlisted Host must not create or read any entry.
        return respond(errorResponse(name, { status: 421, type: 'http_request_denied', detail: 'host not allowed' }, 'Host not served here'), request, { traceId });
      }
      const deadline: Deadline = { remainingMs: () => context.getRemainingTimeInMillis() - config.deadlineMarginMs };
      const route = routes.resolve(request).name;
      // Named in Proxy-Status only when routes are configured: without, every request is `default`.
      const shown = routes.policies.length > 0 ? route : undefined;
      // A forwarded health check probes the origin itself: never answered from the cache.
      const result: CacheResult = parsed.healthCheck ? healthCheckResult(await healthCheck(request, deadline)) : await cache.handle(request, forward, deadline);
      const { forwarded } = result;
      const response = result.response
        ? annotated(name, result.response, forwarded, shown)
        : errorResponse(name, forwarded?.error ?? { status: 502, type: 'proxy_internal_error', detail: 'no response' }, undefined, forwarded, shown);
      response.headers['cache-status'] = [...(response.headers['cache-status'] ?? []), result.cacheStatus];
      // On the way out, after the cache and invalidation saw the origin's headers as sent.
      const rewrite = { origin: config.origin, client: clientAddress(request.headers), ...config.rewrite };
      response.headers = rewriteResponseHeaders(response.headers, rewrite);
      if (!multiValue) recordSetCookieDropped(request, response.headers['set-cookie']?.length ?? 0);
      return respond(response, request, { route, routeMetrics: shown !== undefined, traceId, forwarded, cacheStatus: result.cacheStatus });
    } catch (error) {
      return internalError(error, request);
    }

    function internalError(error: unknown, request: ParsedAlbEvent['request'] | undefined): ALBResult {
      logger.error('internal error', { error: error instanceof Error ? error : String(error) });
      // Not `bypass`: the cache may have been read or written before the failure.
      return respond(errorResponse(name, { status: 502, type: 'proxy_internal_error', detail: 'internal error' }), request, { cacheStatus: INTERNAL_ERROR });
    }
  };

  function healthCheckResult(forwarded: ForwardResult): CacheResult {
    return { response: forwarded.response, source: forwarded.response ? 'origin' : 'none', forwarded, cacheStatus: BYPASSED };
  }
}

/** What the request log line and metrics learn beyond the request and its status. */
type Seen = Omit<RequestSummary, 'request' | 'status' | 'totalMs' | 'traceId' | 'lambda'> & { readonly traceId?: string | undefined };
