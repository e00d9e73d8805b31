/**
 * The retry loop of one client request: attempts and hedges within the deadline, asking the guards
 * before each retry, reporting one outcome per request.
 */
import type { ProxyConfig } from '../config/config.js';
import { runRound, type RoundResult } from './hedged-attempt.js';
import { answered, errorOf, stopOf, withLingered } from './exchange-end.js';
import { Lingering, LINGERED, lingerAfter } from './lingering.js';
import { Cancellation, sleepFor } from './cancellation.js';
import type {
  AttemptRecord,
  CancelSignal,
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
import type { LatencyTracker } from './latency-tracker.js';
import { createRouteTiming, MIN_ATTEMPT_MS } from './route-timing.js';
import type { OriginClient } from '../origin/client.js';
import type { AdaptiveThrottle } from './adaptive-throttle.js';
import { RetryGuards } from './retry-guards.js';
import { SAFE_METHODS } from '../http/methods.js';
import { RetryPolicy, retryAfterMs, type Judgement } from './retry-policy.js';
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
  /** Backoff; `signal` ends it early (the lingering first attempt answered). @default setTimeout-based (fake timers apply) */
  readonly sleep?: (ms: number, signal?: CancelSignal) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

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
  const retryPolicyOf = (route: RoutePolicy): RetryPolicy =>
    retryPolicies.get(route) ?? retryPolicies.set(route, new RetryPolicy(route.retry)).get(route)!;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const { latenciesOf, minAttemptMs, hedgeDelay } = createRouteTiming(options.latencies, config.hedge);

  return async function forward(request: OriginRequest, deadline: Deadline, forwardOptions: ForwardOptions = {}): Promise<ForwardResult> {
    const route = routes.resolve(request);
    const policy = retryPolicyOf(route);
    const key = RouteTable.guardKey(route, request.path);
    guards?.begin(key);
    const attempts: AttemptRecord[] = [];
    let [attemptNo, budgetDenied] = [0, 0];
    // Hedges launched are counted as each starts: a retry beside a lingering hedged round knows them (HEDGE_MAX per request).
    let [hedgesSent, hedgesWon, hedgesLaunched] = [0, 0, 0];
    let backoff = policy.backoff();
    let last: Judgement | undefined;
    let lastResponse: OriginResponse | undefined;
    // When each response's headers arrived: the one returned may have waited (ForwardResult.heldMs).
    const receivedAt = new WeakMap<OriginResponse, number>();
    // A hedge's refusal a failed round held back: the answer only if no response nor stale copy comes.
    let heldRefusal: Judgement | undefined;
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
    // The first attempt of a safe request, still running past ATTEMPT_TIMEOUT_MS (lingering.ts).
    let lingering: Lingering<Judgement> | undefined;
    // The backoff before a retry, and the guards' word on it: why none follows, or undefined. With a
    // lingering first attempt, whose answer may end the sleep, the token is taken after it.
    const pause = async (delay: number): Promise<StopReason | undefined> => {
      const refused = (): StopReason | undefined => (mayRetry() ? undefined : (retriesStopped ?? 'budget'));
      if (!lingering || !(guards?.wouldRetry(key, request.path) ?? true)) {
        const stop = refused();
        if (!stop && delay > 0) await sleep(delay);
        return stop;
      }
      if (delay > 0) {
        const wake = new Cancellation();
        const woke = await lingering.race(sleep(delay, wake.signal));
        wake.abort(undefined);
        if (woke === LINGERED) return 'done';
      }
      return refused();
    };

    const finish = async (stop: StopReason, error?: ForwardError): Promise<ForwardResult> => {
      // Only a retry's success ends the first attempt: a 429 or 409 may be the origin refusing the
      // duplicate of the request it is still answering, and a 404 is no better than its answer.
      const retryWon = last?.final === true && answered(last);
      if (lingering && retryWon) await lingering.cancel();
      const lingered = lingering && (await lingering.done);
      if (lingered && !retryWon) {
        // The loop ended without a success: the first attempt may still bring an answer.
        ({ last, stop, error } = withLingered({ last, stop, error }, lingered.judged));
        if (last === lingered.judged && 'response' in last.outcome) lastResponse = last.outcome.response;
        if (last.final && answered(last) && lingered.decidingMs !== undefined) latenciesOf(route)?.add(lingered.decidingMs);
      }
      // A lingering hedged round's hedges, and the attempts its answer cancelled.
      if (lingered) attempts.push(...lingered.cancelled);
      hedgesSent += lingered ? lingered.hedgesSent : 0;
      if (lingered?.hedgeWon && last === lingered.judged) hedgesWon += 1;
      heldRefusal ??= lingered?.heldRefusal;
      if (!lastResponse && heldRefusal && !forwardOptions.staleFallback && 'response' in heldRefusal.outcome) {
        [last, lastResponse, error] = [heldRefusal, heldRefusal.outcome.response, undefined];
        hedgesWon += 1;
      }
      // The one outcome of this client request, for the guards (and the throttle, when on).
      const outcome = last?.class;
      guards?.observe(key, outcome, request.path);
      if (outcome && !outcome.gatewayError && !outcome.throttled) throttle?.accepted();
      const decisions: ForwardDecisions = { stop, budgetDenied, hedgesSent, hedgesWon, ...(retriesStopped ? { retriesStopped } : {}) };
      // The origin's last response as is, when there was one; else why there was none.
      const heldMs = lastResponse ? now() - (receivedAt.get(lastResponse) ?? now()) : 0;
      if (lastResponse) return { response: lastResponse, attempts, decisions, ...(heldMs > 0 ? { heldMs } : {}) };
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
      // ATTEMPT_TIMEOUT_MS cuts an attempt only for a retry or a stale copy to follow it: one nothing can
      // follow (the last, a POST once sent, retries the guards stopped, too little time after it) may take
      // the whole deadline, as without the proxy. A first attempt is cut for a stale copy only: a safe
      // request's retries go beside it, and a PUT's must not (two of one change at once).
      const retryFollows = (afterMs = route.attemptTimeoutMs): boolean =>
        round < route.retry.maxAttempts &&
        policy.mayRepeat(request, true) &&
        deadline.remainingMs() - afterMs >= minMs &&
        (guards?.wouldRetry(key, request.path) ?? true);
      const hedgeAfterMs = hedgeDelay(request, route);
      // One cut time for the whole round, decided as it starts: a hedge launched later ends with the
      // attempt it hedges, so that the retry the cut stands for still fits.
      const roundOf = (signal: CancelSignal | undefined, cut: boolean, onOriginalFailed?: () => void) => {
        const cutAt = cut ? now() + route.attemptTimeoutMs : Infinity;
        const timeoutMs = (): number => Math.min(cutAt - now(), deadline.remainingMs());
        return runRound(request, {
          client, onOriginalFailed, hedgeAfterMs, now, ...(signal ? { signal } : {}),
          timeoutMs: () => Math.max(1, timeoutMs()),
          judge: (outcome) => {
            if ('response' in outcome) receivedAt.set(outcome.response, now() - (outcome.response.bodyMs ?? 0));
            return policy.judge(request, outcome);
          },
          maxHedges: Math.max(0, config.hedge.max - hedgesLaunched),
          mayHedge: () => hedgesLaunched < config.hedge.max && timeoutMs() >= minMs && mayRetry() && ++hedgesLaunched > 0,
          nextAttemptNumber: () => ++attemptNo,
          onAttempt: (record) => attempts.push(record),
        });
      };
      let result: RoundResult<Judgement>;
      // A safe request's first attempt (hedged or not) is not cut for its retry: the retry goes beside it.
      // Not with a stale copy to serve instead: a hung origin must give way to it at the cut.
      if (round === 1 && SAFE_METHODS.has(request.method) && !forwardOptions.staleFallback && retryFollows()) {
        const first = await lingerAfter(route.attemptTimeoutMs, (signal, onFirstFailed) => roundOf(signal, false, onFirstFailed));
        if (first instanceof Lingering) {
          lingering = first;
          const delay = backoff.duration;
          backoff = backoff.next(undefined);
          if (delay + minMs > deadline.remainingMs()) return finish('deadline');
          const stopped = await pause(delay);
          if (stopped) return finish(stopped);
          continue;
        }
        result = first;
      } else {
        const controller = lingering ? new Cancellation() : undefined;
        // Beside the running first attempt, a retry is not cut (no third goes beside them) until that has failed.
        const beside = lingering?.running === true;
        const running = roundOf(controller?.signal, forwardOptions.staleFallback === true || (round > 1 && !beside && retryFollows()));
        const stopCut = beside ? lingering!.cutOnFailure(controller!, now() + route.attemptTimeoutMs, () => retryFollows(backoff.duration), now) : undefined;
        const raced = lingering ? await lingering.race(running) : await running;
        stopCut?.();
        // The first attempt answered first: this round is cancelled, its attempts and hedges recorded.
        if (raced === LINGERED) {
          controller!.abort(new Error('another attempt won'));
          const lost = await running;
          attempts.push(...lost.cancelled);
          hedgesSent += lost.hedgesSent;
          return finish('done');
        }
        result = raced;
      }
      // The deciding attempt ended last (the cancelled ones are added below): its answer's latency feeds hedging.
      const decidingMs = attempts[attempts.length - 1]?.ms;
      last = result.judged;
      if (decidingMs !== undefined && answered(last)) latenciesOf(route)?.add(decidingMs);
      attempts.push(...result.cancelled);
      hedgesSent += result.hedgesSent;
      if (result.hedgeWon) hedgesWon += 1;
      heldRefusal ??= result.heldRefusal;
      const { outcome, decision } = last;
      if ('response' in outcome) lastResponse = outcome.response;
      if (!decision.retry) return finish(stopOf(last));
      if (round >= route.retry.maxAttempts) return finish('attempts-exhausted');
      let delay = backoff.duration;
      backoff = backoff.next(undefined);
      const after = 'response' in outcome ? retryAfterMs(outcome.response, now()) : undefined;
      if (after !== undefined) {
        if (after > route.retry.maxDelayMs) return finish('retry-after-too-long');
        delay = after;
      }
      if (delay + minMs > deadline.remainingMs()) return finish('deadline');
      const stopped = await pause(delay);
      if (stopped) return finish(stopped);
    }
  };
}
