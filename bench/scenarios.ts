/**
 * What the bench runs: the contenders and the scenarios, each scenario a simulated-origin setting,
 * a request mix, a size and the contenders it compares. Everything random is seeded.
 */
import { mulberry32, type OriginOptions } from '../local/origin.js';
import type { LoadRequest } from './load.js';
import type { NginxVariant } from './nginx.js';

export interface Contender {
  id: string;
  label: string;
  description: string;
  kind: 'direct' | 'nginx' | 'ours' | 'in-process';
  nginx?: NginxVariant;
  /** Function environment of an "ours" or in-process contender (on top of the shipped defaults). */
  env?: Record<string, string>;
}

export const CONTENDERS: readonly Contender[] = [
  { id: 'direct', label: 'direct', kind: 'direct', description: 'Clients call the simulated origin themselves: the baseline.' },
  {
    id: 'nginx-maxfails1', label: 'nginx (seed config, max_fails=1)', kind: 'nginx', nginx: { maxFails: 1, useStale: false },
    description: 'nginx as the HOSP team configured it: origin listed 5 times, default max_fails=1 (a failed try marks that peer down for 10 s).',
  },
  {
    id: 'nginx', label: 'nginx (max_fails=0)', kind: 'nginx', nginx: { maxFails: 0, useStale: false },
    description: 'The same with max_fails=0 so peers are never marked down: the fair comparison.',
  },
  {
    id: 'nginx-stale', label: 'nginx (max_fails=0, use_stale)', kind: 'nginx', nginx: { maxFails: 0, useStale: true },
    description: 'max_fails=0 plus proxy_cache_use_stale error timeout http_500..504: the fair comparison for outages.',
  },
  { id: 'ours', label: 'ours (cache off)', kind: 'ours', env: { CACHE_STORE: 'off' }, description: 'The proxy behind the local ALB emulator (npm start), CACHE_STORE=off, other settings as shipped.' },
  {
    id: 'ours-cache', label: 'ours (cache on)', kind: 'ours', env: { CACHE_STORE: 'memory' },
    description: 'CACHE_STORE=memory with the shipped stale-if-error (CACHE_STALE_IF_ERROR_S=86400).',
  },
  {
    id: 'ours-cache-nostale', label: 'ours (cache on, no stale-if-error)', kind: 'ours', env: { CACHE_STORE: 'memory', CACHE_STALE_IF_ERROR_S: '0' },
    description: 'CACHE_STORE=memory with CACHE_STALE_IF_ERROR_S=0: caching without serving stale on error.',
  },
  {
    id: 'ours-hedge', label: 'ours (hedging auto)', kind: 'ours', env: { CACHE_STORE: 'off', HEDGE_AFTER_MS: 'auto' },
    description: 'CACHE_STORE=off, HEDGE_AFTER_MS=auto: a GET slower than the recent p95 gets a parallel attempt.',
  },
  {
    id: 'in-process', label: 'ours, handler in-process', kind: 'in-process', env: { CACHE_STORE: 'off' },
    description: 'createProxyHandler called in the bench process with ALB events, no HTTP in front (on AWS the ALB->Lambda hop is AWS\'s). ONE instance serves every request at once (shared cache and guards): what the handler alone adds, not how Lambda runs it.',
  },
];

export interface Scenario {
  id: string;
  label: string;
  description: string;
  /** Simulated origin settings for the measured requests (on top of the origin defaults). */
  origin: Partial<OriginOptions>;
  requests: { full: number; quick: number };
  /** Most requests in flight at once. */
  concurrency: number;
  /** Paced scenarios send at this rate (see `LoadOptions.ratePerSec`); the others as fast as answered. */
  ratePerSec?: number;
  contenders: string[];
  /** The i-th request; `rand` is seeded per run, so every contender gets the same request sequence. */
  make(i: number, rand: () => number): LoadRequest;
  /**
   * Function environment of the proxy contenders (ours, in-process) in this scenario, on top of
   * theirs: what the operator configured for this origin's API, such as its routes.
   */
  env?: Record<string, string>;
  /** Splits the figures by request group (see bench/groups.ts); the name of a request's group. */
  groupOf?(request: LoadRequest): string;
  /** The origin answers 503 to everything between these shares of the requests sent. */
  outage?: { from: number; to: number };
  /**
   * The window in --quick runs, when it must differ: enough requests must follow the outage for
   * the "after recovery" figure to mean something.
   */
  quickOutage?: { from: number; to: number };
}

/** Share of the broken-endpoint scenario's requests that go to the always-failing path. */
const BROKEN_SHARE = 0.2;
/** The always-500 path of the broken-endpoint scenario. */
const BROKEN_PATH = '/status/500';

const item = (rand: () => number, pool: number) => ({ method: 'GET', path: `/catalog/item-${Math.floor(rand() * pool)}` });

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'healthy', label: 'healthy',
    description: 'Fast (1-2 ms) 1 KB responses, no failures: what each proxy adds, and requests/s at 32 concurrent requests.',
    origin: { failureRate: 0, latencyMs: { min: 1, max: 2 } },
    requests: { full: 5000, quick: 300 }, concurrency: 32,
    contenders: ['direct', 'nginx', 'ours', 'ours-cache', 'in-process'],
    make: (_i, rand) => item(rand, 1000),
  },
  {
    id: 'flaky', label: 'flaky',
    description: '20% of origin answers are an independent 500/502/503/504; latency 20-200 ms. Theory with 5 tries: 1 - 0.2^5 = 99.968% success.',
    origin: { failureRate: 0.2, latencyMs: { min: 20, max: 200 } },
    requests: { full: 5000, quick: 200 }, concurrency: 32,
    contenders: ['direct', 'nginx-maxfails1', 'nginx', 'ours', 'ours-cache', 'in-process'],
    make: (_i, rand) => item(rand, 1000),
  },
  {
    id: 'broken', label: 'broken endpoint',
    description: 'The flaky origin (20% independent 5xx, 20-200 ms), and one request in five to /status/500, a path that always fails: does the broken path cost the healthy ones their retries?',
    origin: { failureRate: 0.2, latencyMs: { min: 20, max: 200 } },
    requests: { full: 5000, quick: 200 }, concurrency: 32,
    contenders: ['direct', 'nginx', 'ours'],
    make: (_i, rand) => (rand() < BROKEN_SHARE ? { method: 'GET', path: BROKEN_PATH } : item(rand, 1000)),
    groupOf: (request) => (request.path === BROKEN_PATH ? 'broken' : 'healthy'),
  },
  {
    id: 'outage', label: 'outage',
    description: 'Cacheable GETs (Cache-Control: max-age=1, 40 URLs) sent at a steady 150/s; the origin answers 503 to everything from 35% to 70% of the run (7 s in the full run).',
    origin: { failureRate: 0, latencyMs: { min: 20, max: 200 }, cacheControl: 'max-age=1' },
    requests: { full: 3000, quick: 600 }, concurrency: 64, ratePerSec: 150,
    contenders: ['direct', 'nginx', 'nginx-stale', 'ours', 'ours-cache-nostale', 'ours-cache'],
    make: (_i, rand) => item(rand, 40),
    outage: { from: 0.35, to: 0.7 },
    quickOutage: { from: 0.2, to: 0.4 },
  },
  {
    id: 'longtail', label: 'long tail',
    description: 'Latency 20-200 ms, but 3% of responses 20x slower (0.4-4 s), like the 2-20 s HOSP answers scaled down 100x.',
    origin: { failureRate: 0, latencyMs: { min: 20, max: 200 }, tailShare: 0.03, tailFactor: 20 },
    requests: { full: 3000, quick: 200 }, concurrency: 32,
    contenders: ['direct', 'nginx', 'ours', 'ours-hedge'],
    make: (_i, rand) => item(rand, 1000),
  },
  {
    id: 'slow', label: 'slow answers',
    description:
      'Latency 20-200 ms with 10% of answers 3x slower (60-600 ms), no failures, and the proxy\'s ATTEMPT_TIMEOUT_MS at 250 ms: the 25 s ' +
      'default scaled down 100x as the latencies are, so HOSP\'s 26-60 s answers. GETs and PUTs (unique x-request-id) half each: an answer ' +
      'slower than the attempt timeout must still arrive, and a PUT reach the origin once.',
    origin: { failureRate: 0, latencyMs: { min: 20, max: 200 }, tailShare: 0.1, tailFactor: 3 },
    requests: { full: 2000, quick: 200 }, concurrency: 32,
    contenders: ['direct', 'nginx', 'ours'],
    env: { ATTEMPT_TIMEOUT_MS: '250' },
    groupOf: (request) => request.method,
    make: (i, rand) =>
      i % 2 === 0
        ? item(rand, 1000)
        : { method: 'PUT', path: `/catalog/item-${Math.floor(rand() * 1000)}`, headers: { 'content-type': 'application/json', 'x-request-id': `put-${i}` }, body: JSON.stringify({ price: i }) },
  },
  {
    id: 'post', label: 'POST safety',
    description:
      'POSTs with a unique x-request-id through an origin that fails 20% (half 5xx, half connection reset). Every other one is a search ' +
      '(POST /api/search), which the proxy\'s route declares repeatable (retryNonIdempotent); the others are orders (POST /orders), which no ' +
      'route declares: how many succeeded, and how many reached the origin more than once, per kind.',
    origin: { failureRate: 0.2, failureMode: 'mixed', latencyMs: { min: 20, max: 200 } },
    requests: { full: 2000, quick: 150 }, concurrency: 32,
    contenders: ['direct', 'nginx', 'ours'],
    env: { ROUTES: JSON.stringify([{ name: 'search', match: '/api/search', methods: ['POST'], retryNonIdempotent: true }]) },
    groupOf: (request) => (request.path === '/api/search' ? 'search (declared repeatable)' : 'orders (undeclared)'),
    make: (i) =>
      i % 2 === 0
        ? {
            method: 'POST',
            path: '/api/search',
            headers: { 'content-type': 'application/json', 'x-request-id': `search-${i}` },
            body: JSON.stringify({ query: `item-${i % 97}`, page: 1 }),
          }
        : {
            method: 'POST',
            path: '/orders',
            headers: { 'content-type': 'application/json', 'x-request-id': `order-${i}` },
            body: JSON.stringify({ order: i, item: `item-${i % 97}` }),
          },
  },
];

/** The seeded request-sequence generator of one run. */
export const requestRandom = (seed: number) => mulberry32(seed ^ 0x5eed);
