/**
 * The retry loop of one client request: attempts and hedges within the deadline, asking the guards
 * before each retry, reporting one outcome per request.
 */
import type { ProxyConfig } from '../config/config.js';
import { runRound } from './hedged-attempt.js';
import type {
  AttemptRecord,
  Deadline,
  Forward,
  ForwardDecisions,
  ForwardError,
  ForwardOptions,
  ForwardResult,
  OriginRequest,
  OriginResponse,
  StopReason,
} from '../http/types.js';
import { LatencyTracker } from './latency-tracker.js';
import type { OriginClient } from '../origin/client.js';
import type { AdaptiveThrottle } from './adaptive-throttle.js';
import { RetryGuards } from './retry-guards.js';
import { SAFE_METHODS } from '../http/methods.js';
import { RetryPolicy, retryAfterMs, type AttemptOutcome, type Judgement } from './retry-policy.js';
import { RouteTable, type RoutePolicy, type RouteGlobals } from '../config/route-table.js';

export interface ForwarderOptions {
  readonly config: Pick<ProxyConfig, 'attemptTimeoutMs' | 'retry' | 'hedge'> & Pick<RouteGlobals, 'routes'>;
  readonly client: OriginClient;
  /** The per-route settings over `config`. @default `new RouteTable(config)` */
  readonly routes?: RouteTable;
  /**
   * Retry budgets and health per route key, shared by all requests of the container; they see one
   * outcome per client request and only ever stop retries and hedges. Omitted: no guards.
   */
  readonly guards?: RetryGuards;
  /**
   * OVERLOAD_SHEDDING=on: may shed a request before its first attempt, and learns from each
   * request's outcome whether the origin accepted it. Omitted: no first attempt is ever refused.
   */
  readonly throttle?: AdaptiveThrottle;
  /**
   * Recent origin latencies (adaptive hedging, "can this attempt still finish") of requests no
   * route matches; each configured route then keeps its own, so a slow report route does not
   * raise a fast lookup route's hedge delay. Omitted: none for any route.
   */
  readonly latencies?: LatencyTracker;
  /** @default setTimeout-based sleep (fake timers apply) */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * An attempt starts only with at least this long left, or the `MIN_ATTEMPT_PERCENTILE` of recent
 * successful attempts if that is longer: one that cannot finish only adds load.
 */
const MIN_ATTEMPT_MS = 50;

/**
 * Low, not the median: with HOSP's 2-20 s answers the median (about 11 s) skipped every retry with
 * less than that left, though nearly half of the answers come within 10 s. A retry cut short by the
 * deadline costs the client nothing (the earlier answer stands) and the origin one request.
 */
const MIN_ATTEMPT_PERCENTILE = 10;

/** Samples needed before HEDGE_AFTER_MS=auto starts hedging. */
const AUTO_HEDGE_MIN_SAMPLES = 20;

/**
 * The retry loop: attempts (hedged when configured) until one is final, the attempts run out, the
 * deadline leaves no room for another, or the guards stop retries (budget spent, route failing,
 * origin down). The first attempt is always made. Never throws for origin failures: the result
 * carries the origin's last response or a `ForwardError`.
 */
export function createForwarder(options: ForwarderOptions): Forward {
  const { config, client, guards, throttle } = options;
  const routes = options.routes ?? new RouteTable(config);
  // One retry policy per route, built on first use.
  const retryPolicies = new Map<RoutePolicy, RetryPolicy>();
  const retryPolicyOf = (route: RoutePolicy): RetryPolicy => {
    let policy = retryPolicies.get(route);
    if (!policy) retryPolicies.set(route, (policy = new RetryPolicy(route.retry)));
    return policy;
  };
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  const routeLatencies = new Map<RoutePolicy, LatencyTracker>();
  const latenciesOf = (route: RoutePolicy): LatencyTracker | undefined => {
    if (!options.latencies || !route.spec) return options.latencies;
    let tracker = routeLatencies.get(route);
    if (!tracker) routeLatencies.set(route, (tracker = new LatencyTracker()));
    return tracker;
  };

  const minAttemptMs = (route: RoutePolicy): number => {
    const latencies = latenciesOf(route);
    return Math.min(route.attemptTimeoutMs, Math.max(MIN_ATTEMPT_MS, (latencies?.count ?? 0) >= AUTO_HEDGE_MIN_SAMPLES ? latencies!.percentile(MIN_ATTEMPT_PERCENTILE)! : 0));
  };

  const hedgeDelay = (request: OriginRequest, route: RoutePolicy): number | undefined => {
    const { max, percentile, minDelayMs } = config.hedge;
    const after = route.hedgeAfter;
    if (after === undefined || max === 0 || !SAFE_METHODS.has(request.method)) return undefined;
    if (after !== 'auto') return after;
    const latencies = latenciesOf(route);
    if (!latencies || latencies.count < AUTO_HEDGE_MIN_SAMPLES) return undefined;
    return Math.max(minDelayMs, latencies.percentile(percentile)!);
  };

  return async function forward(request: OriginRequest, deadline: Deadline, forwardOptions: ForwardOptions = {}): Promise<ForwardResult> {
    const route = routes.resolve(request);
    const policy = retryPolicyOf(route);
    const key = RouteTable.guardKey(route, request.path);
    guards?.begin(key);
    const attempts: AttemptRecord[] = [];
    let attemptNo = 0;
    let budgetDenied = 0;
    let hedgesSent = 0;
    let hedgesWon = 0;
    let backoff = policy.backoff();
    let last: Judgement | undefined;
    let lastResponse: OriginResponse | undefined;
    // The shortest attempt worth starting, as of this round (latency samples change between rounds).
    let minMs = MIN_ATTEMPT_MS;

    // Asked before every retry and hedge; remembers why the guards said no.
    let retriesStopped: 'route-failing' | 'origin-down' | undefined;
    const mayRetry = (): boolean => {
      const verdict = guards?.tryRetry(key, request.path) ?? 'allowed';
      if (verdict === 'budget') budgetDenied += 1;
      else if (verdict !== 'allowed') retriesStopped = verdict;
      return verdict === 'allowed';
    };

    const finish = (stop: StopReason, error?: ForwardError): ForwardResult => {
      // The one outcome of this client request, for the guards (and the throttle, when on).
      const outcome = last?.class;
      guards?.observe(key, outcome, request.path);
      if (outcome && !outcome.gatewayError && !outcome.throttled) throttle?.accepted();
      const decisions: ForwardDecisions = {
        stop,
        budgetDenied,
        hedgesSent,
        hedgesWon,
        ...(retriesStopped ? { retriesStopped } : {}),
      };
      // The origin's last response as is, when there was one; else why there was none.
      if (lastResponse) return { response: lastResponse, attempts, decisions };
      // Out of time when not even a minimal attempt fits any more: a timeout then was the deadline's.
      return { error: error ?? errorOf(last?.outcome, deadline.remainingMs() < minMs), attempts, decisions };
    };

    if (throttle && !throttle.admit()) {
      return finish('shed', { status: 503, type: 'http_request_denied', detail: 'shed: the origin accepted under half the recent requests (OVERLOAD_SHEDDING=on)' });
    }
    for (let round = 1; ; round++) {
      minMs = minAttemptMs(route);
      const remaining = deadline.remainingMs();
      if (remaining < (round === 1 ? 1 : minMs)) {
        return finish('deadline', { status: 504, type: 'http_response_timeout', detail: `deadline reached after ${round - 1} attempt(s)` });
      }
      // ATTEMPT_TIMEOUT_MS cuts an attempt short only for a retry or a stale copy to follow it: one
      // that cannot be followed (the last attempt, a POST once sent, retries stopped by the guards,
      // too little time left after it) may take the whole deadline, as it would without the proxy.
      const mayCut = (): boolean =>
        forwardOptions.staleFallback === true ||
        (round < route.retry.maxAttempts &&
          policy.mayRepeat(request, true) &&
          deadline.remainingMs() - route.attemptTimeoutMs >= minMs &&
          (guards?.wouldRetry(key, request.path) ?? true));
      const result = await runRound(request, {
        client,
        timeoutMs: () => Math.max(1, Math.min(mayCut() ? route.attemptTimeoutMs : Infinity, deadline.remainingMs())),
        judge: (outcome) => policy.judge(request, outcome),
        hedgeAfterMs: hedgeDelay(request, route),
        maxHedges: config.hedge.max,
        mayHedge: () => {
          if (deadline.remainingMs() < minMs) return false;
          return mayRetry();
        },
        nextAttemptNumber: () => ++attemptNo,
        onAttempt: (record) => attempts.push(record),
        now,
      });
      // The deciding attempt ended last (the cancelled ones are added below): its latency, when
      // it was an answer, feeds adaptive hedging.
      const decidingMs = attempts[attempts.length - 1]?.ms;
      last = result.judged;
      if (decidingMs !== undefined && !last.class.failed) latenciesOf(route)?.add(decidingMs);
      attempts.push(...result.cancelled);
      hedgesSent += result.hedgesSent;
      if (result.hedgeWon) hedgesWon += 1;
      const { outcome, decision } = last;
      if ('response' in outcome) lastResponse = outcome.response;

      if (!decision.retry) return finish(decision.reason === 'not-idempotent' ? 'not-idempotent' : decision.reason === 'success' ? 'done' : 'not-retryable');
      if (round >= route.retry.maxAttempts) return finish('attempts-exhausted');

      let delay = backoff.duration;
      backoff = backoff.next(undefined);
      const after = 'response' in outcome ? retryAfterMs(outcome.response, now()) : undefined;
      if (after !== undefined) {
        if (after > route.retry.maxDelayMs) return finish('retry-after-too-long');
        delay = after;
      }
      if (delay + minMs > deadline.remainingMs()) {
        return finish('deadline');
      }
      if (!mayRetry()) return finish(retriesStopped ?? 'budget');
      if (delay > 0) await sleep(delay);
    }
  };
}

/** The 502/504 for an exchange that ended without any origin response. */
function errorOf(last: AttemptOutcome | undefined, deadlineCut: boolean): ForwardError {
  if (!last || 'response' in last) {
    return { status: 502, type: 'proxy_internal_error', detail: 'no attempt was made' };
  }
  const { error } = last;
  const timeout = error.kind === 'http_response_timeout' || error.kind === 'connection_timeout';
  return {
    status: timeout ? 504 : 502,
    type: error.kind,
    detail: deadlineCut && timeout ? `deadline reached: ${error.message}` : error.message,
  };
}
