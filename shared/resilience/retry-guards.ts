/**
 * The overload guards of one container: retry budgets and failure memory per route key, a container-
 * wide ceiling, and the origin-down signal; they only ever stop retries and hedges.
 */
import { LRUCache } from 'lru-cache';
import type { OutcomeClass } from '../http/outcome.js';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';

/**
 * Route keys a container remembers. The first path segment is chosen by the client, so the keys
 * must be bounded; a key evicted and seen again simply starts with a full bucket.
 */
export const MAX_ROUTE_KEYS = 64;

/**
 * Client requests of one route in a row that ended failed before that route's retries and hedges
 * stop, for its paths not known to work. One: Lambda runs one request at a time per container, so a
 * container sees only its share of a route's traffic and must learn from its own first failed
 * request (at three, each of the bench's 64 fresh environments spent its bucket on an outage: 1.67
 * origin requests per client request). While the route fails with answers that are not gateway
 * errors, every other path keeps its retries, a new one too while one path alone makes up the run
 * (else one always-500 path took the retries of every healthy path sharing its first segment,
 * `/api/broken` and `/api/items/<id>`; two failing paths are an app-wide failure, 500 everywhere);
 * a gateway error in the run stops every path, as an outage must (known paths retrying into it sent
 * 1.50 origin requests per client request in the bench's outage, against 1.24). A path whose own
 * last request failed has no retries until one of its requests succeeds. A 20%-flaky origin leaves
 * a request failed 0.03% of the time at 5 attempts.
 */
export const ROUTE_FAILING_AFTER = 1;

/** Paths whose last request's outcome a container remembers (an LRU, as the route keys). */
export const MAX_REMEMBERED_PATHS = 256;

/**
 * Client requests in a row, on any route, that ended with a gateway error (connect error, reset,
 * timeout, 502/503/504) before the whole origin counts as down and no route retries.
 */
export const ORIGIN_DOWN_AFTER = 3;

/** What the guards say about one more attempt (a retry or a hedge) of a request. */
export type RetryVerdict = 'allowed' | 'budget' | 'route-failing' | 'origin-down';

/** The guards' view of a route: `healthy`, its own requests failing, or the whole origin down. */
export type GuardState = 'healthy' | 'route-failing' | 'origin-down';

interface RouteState {
  readonly budget: RetryBudget;
  failuresInARow: number;
  /** One of those failures was a gateway error (the origin unwell, not one endpoint): every path stops. */
  gatewayInRun: boolean;
  /** The first path of the run, and whether another path failed in it too (a route-wide failure). */
  runPath: string | undefined;
  manyPathsInRun: boolean;
}

/**
 * The overload guards of one container. They only ever stop retries and hedges, never a first
 * attempt (as gRPC's retry throttling does): a first attempt is what the client would have sent
 * without the proxy, and it is also the probe that ends an outage, so the first request after
 * the origin is back succeeds.
 *
 * Everything counts client requests, not attempts, and is kept per route key, so a path that
 * always fails spends its own retry tokens and stops only its own retries. A container-wide
 * ceiling (the same ratio over all requests) keeps all routes together within the budget however
 * many keys there are, and gateway errors on several routes in a row stop every route's retries.
 * The forwarder reports one outcome per client request with `observe`.
 */
export class RetryGuards {
  private readonly routes: LRUCache<string, RouteState>;
  /** `key path` -> how that path's last request ended. */
  private readonly paths = new LRUCache<string, 'failed' | 'succeeded'>({ max: MAX_REMEMBERED_PATHS });
  private readonly ceiling: RetryBudget;
  private gatewayErrorsInARow = 0;
  /** Route keys of the current run of gateway errors. */
  private readonly gatewayKeys = new Set<string>();
  private denied = 0;

  constructor(private readonly options: RetryBudgetOptions) {
    this.routes = new LRUCache({ max: MAX_ROUTE_KEYS });
    this.ceiling = new RetryBudget(options);
  }


  /** Call once when a client request starts: it pays into its route's bucket and the ceiling. */
  begin(key: string): void {
    this.route(key).budget.deposit();
    this.ceiling.deposit();
  }

  /** The state of a request's route and path now (as decided by the requests already finished). */
  state(key: string, path = ''): GuardState {
    if (this.originDown()) return 'origin-down';
    const last = this.paths.peek(`${key} ${path}`);
    if (last === 'failed') return 'route-failing';
    const route = this.routes.peek(key);
    if ((route?.failuresInARow ?? 0) < ROUTE_FAILING_AFTER) return 'healthy';
    // Beside an endpoint that answers 500s, every other path keeps its retries (one known to fail
    // has none, above), within the route's budget; not in an outage (a gateway error in the run).
    if (route!.gatewayInRun) return 'route-failing';
    // A path never seen keeps them only while one path alone fails (one broken endpoint).
    return last === 'succeeded' || !route!.manyPathsInRun ? 'healthy' : 'route-failing';
  }

  /** Whether `tryRetry` would allow a retry now, without taking a token (whether to cap an attempt for one). */
  wouldRetry(key: string, path = ''): boolean {
    return this.verdict(key, path) === 'allowed';
  }

  /** Asks for one retry or hedge of a request of `key` (and `path`); takes a token when allowed. */
  tryRetry(key: string, path = ''): RetryVerdict {
    const verdict = this.verdict(key, path);
    if (verdict === 'budget') this.denied += 1;
    if (verdict === 'allowed') {
      this.route(key).budget.tryWithdraw();
      this.ceiling.tryWithdraw();
    }
    return verdict;
  }

  /** The outcome of one client request (its last attempt), or undefined when none was made. */
  observe(key: string, outcome: OutcomeClass | undefined, path = ''): void {
    if (!outcome) return;
    const route = this.route(key);
    // A 429 asks for less load from this route. A failure that another attempt could not change
    // and that says nothing of the origin's health (a 501, a body over ALB's limit) marks nothing.
    const failing = (outcome.failed && (outcome.retryable || outcome.gatewayError)) || outcome.throttled;
    if (failing) {
      this.paths.set(`${key} ${path}`, 'failed');
      route.failuresInARow += 1;
      route.gatewayInRun ||= outcome.gatewayError;
      if (route.runPath === undefined) route.runPath = path;
      else if (route.runPath !== path) route.manyPathsInRun = true;
    } else if (!outcome.failed) {
      this.paths.set(`${key} ${path}`, 'succeeded');
      route.failuresInARow = 0;
      route.gatewayInRun = false;
      route.runPath = undefined;
      route.manyPathsInRun = false;
    }
    if (outcome.gatewayError) {
      this.gatewayErrorsInARow += 1;
      this.gatewayKeys.add(key);
    } else if (!outcome.throttled) {
      // Any answer that is not a gateway error proves the origin is reachable.
      this.gatewayErrorsInARow = 0;
      this.gatewayKeys.clear();
    }
  }

  /** For logs, metrics and tests. */
  snapshot(): { ceilingTokens: number; denied: number; routes: number; originDown: boolean } {
    return { ceilingTokens: this.ceiling.snapshot().tokens, denied: this.denied, routes: this.routes.size, originDown: this.originDown() };
  }

  /** Tokens left in a route's bucket (tests). */
  routeTokens(key: string): number | undefined {
    return this.routes.peek(key)?.budget.snapshot().tokens;
  }

  /** What one more retry of `key` and `path` would be told now; takes nothing. */
  private verdict(key: string, path: string): RetryVerdict {
    const state = this.state(key, path);
    if (state !== 'healthy') return state;
    return this.route(key).budget.available() && this.ceiling.available() ? 'allowed' : 'budget';
  }

  private originDown(): boolean {
    if (this.gatewayErrorsInARow < ORIGIN_DOWN_AFTER) return false;
    // One route failing with 502s may be that route's own bug; several, or the only one there is, the origin's.
    return this.gatewayKeys.size >= 2 || this.routes.size <= 1;
  }

  private route(key: string): RouteState {
    let route = this.routes.get(key);
    if (!route) {
      route = { budget: new RetryBudget(this.options), failuresInARow: 0, gatewayInRun: false, runPath: undefined, manyPathsInRun: false };
      this.routes.set(key, route);
    }
    return route;
  }
}
