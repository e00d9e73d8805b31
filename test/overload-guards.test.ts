import { afterEach, describe, expect, it, vi } from 'vitest';
import { OriginError } from '../shared/http/errors.js';
import { classifyOutcome, type OutcomeClass } from '../shared/http/outcome.js';
import { MAX_ROUTE_KEYS, RetryGuards } from '../shared/resilience/retry-guards.js';
import { firstSegmentKey } from '../shared/routes/route-key.js';
import { LatencyTracker } from '../shared/resilience/latency-tracker.js';
import { RetryBudget } from '../shared/resilience/retry-budget.js';
import { retryAfterMs } from '../shared/resilience/retry-policy.js';
import type { OriginResponse } from '../shared/http/types.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('RetryBudget', () => {
  it('starts full, empties under sustained retries, and refills with requests', () => {
    const budget = new RetryBudget({ ratio: 0.5, capacity: 3 });
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, true, false]);
    expect(budget.snapshot()).toEqual({ tokens: 0, denied: 1 });
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(false);
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
  });

  it('never holds more than its capacity', () => {
    const budget = new RetryBudget({ ratio: 1, capacity: 2 });
    for (let i = 0; i < 100; i++) budget.deposit();
    expect(budget.snapshot().tokens).toBe(2);
  });

  it('allows every retry with ratio 0 (budget off)', () => {
    const budget = new RetryBudget({ ratio: 0, capacity: 0 });
    expect(Array.from({ length: 10 }, () => budget.tryWithdraw()).every(Boolean)).toBe(true);
  });
});

describe('RetryGuards', () => {
  const guards = () => new RetryGuards({ ratio: 0.5, capacity: 3 });
  const failed500: OutcomeClass = { retryable: true, gatewayError: false, throttled: false, staleServable: true, failed: true };
  const refused: OutcomeClass = { retryable: true, gatewayError: true, throttled: false, staleServable: true, failed: true };
  const ok: OutcomeClass = { retryable: false, gatewayError: false, throttled: false, staleServable: false, failed: false };

  it('keys routes by the first path segment', () => {
    expect(firstSegmentKey('/things/1')).toBe('things');
    expect(firstSegmentKey('/status')).toBe('status');
    expect(firstSegmentKey('/')).toBe('');
  });

  it('lets a path that keeps failing spend only its own tokens, then stops only its own retries', () => {
    const g = guards();
    for (let i = 0; i < 10; i++) {
      g.begin('broken');
      g.tryRetry('broken');
      g.observe('broken', failed500);
    }
    expect(g.state('broken')).toBe('route-failing');
    expect(g.tryRetry('broken')).toBe('route-failing');
    g.begin('echo');
    expect(g.state('echo')).toBe('healthy');
    expect(g.tryRetry('echo')).toBe('allowed');
    expect(g.routeTokens('echo')).toBeGreaterThanOrEqual(2);
  });

  it('refuses a retry when the route bucket or the container-wide ceiling is empty', () => {
    const g = new RetryGuards({ ratio: 0.5, capacity: 2 });
    g.begin('a');
    expect([g.tryRetry('a'), g.tryRetry('a'), g.tryRetry('a')]).toEqual(['allowed', 'allowed', 'budget']);
    // Route b has a full bucket of its own, but the ceiling was spent by a.
    g.begin('b');
    expect(g.tryRetry('b')).toBe('budget');
    expect(g.snapshot().denied).toBe(2);
  });

  it('takes gateway errors on several routes in a row as the whole origin down, until one answer', () => {
    const g = guards();
    for (const key of ['a', 'b', 'c']) {
      g.begin(key);
      g.observe(key, refused);
    }
    expect(g.state('d')).toBe('origin-down');
    expect(g.tryRetry('d')).toBe('origin-down');
    g.begin('d');
    g.observe('d', ok);
    expect(g.state('d')).toBe('healthy');
    // The origin is back; route a's own last request failed, so its retries wait for one of its
    // requests to succeed (its path's own failure): that first attempt is never refused.
    expect(g.state('a')).toBe('route-failing');
    g.begin('a');
    g.observe('a', ok);
    expect(g.state('a')).toBe('healthy');
  });

  it.each([
    ['an endpoint answering 500s', 'keeps', 'healthy'],
    ['a gateway error (an outage)', 'loses', 'route-failing'],
  ] as const)('after %s, a path that worked or was never seen %s its retries; the failed path has none', (_what, _verb, known) => {
    const g = guards();
    g.observe('api', ok, '/api/items');
    g.observe('api', known === 'healthy' ? failed500 : refused, '/api/broken');
    // A path never seen is as one that worked (ids in paths are mostly new): in an outage (a gateway
    // error) it gets its first attempt only, so an outage on new paths is stopped at once.
    expect([g.state('api', '/api/broken'), g.state('api', '/api/items'), g.state('api', '/api/new')]).toEqual(['route-failing', known, known]);
    // A success of the route ends the run; the broken path stays marked until it succeeds itself.
    g.observe('api', ok, '/api/items');
    expect([g.state('api', '/api/broken'), g.state('api', '/api/new')]).toEqual(['route-failing', 'healthy']);
    g.observe('api', ok, '/api/broken');
    expect(g.state('api', '/api/broken')).toBe('healthy');
  });

  it('marks nothing for a failure another attempt could not change and that says nothing of the origin (a 501, a body over the limit)', () => {
    const g = guards();
    const notImplemented = classifyOutcome({ response: { status: 501, headers: {}, body: Buffer.alloc(0) } }, new Set([500, 502, 503, 504]));
    const tooLarge = classifyOutcome({ error: new OriginError('http_response_body_size', true, 'over 1 MB') }, new Set([500, 502, 503, 504]));
    for (const outcome of [notImplemented, tooLarge]) {
      expect(outcome.failed).toBe(true);
      g.observe('api', outcome, '/api/x');
      expect(g.state('api', '/api/x')).toBe('healthy');
    }
  });

  it('does not take 502s from one route among several as the origin down', () => {
    const g = guards();
    g.begin('other');
    g.observe('other', ok);
    for (let i = 0; i < 5; i++) {
      g.begin('bad');
      g.observe('bad', refused);
    }
    expect(g.state('other')).toBe('healthy');
    expect(g.state('bad')).toBe('route-failing');
  });

  it('remembers at most MAX_ROUTE_KEYS routes', () => {
    const g = guards();
    for (let i = 0; i < 500; i++) g.begin(`k${i}`);
    expect(g.snapshot().routes).toBe(MAX_ROUTE_KEYS);
  });
});

describe('classifyOutcome', () => {
  const statuses = new Set([500, 502, 503, 504]);
  const of = (status: number) => classifyOutcome({ response: { status, headers: {}, body: Buffer.alloc(0) } }, statuses);
  it('keeps retryable, origin unhealthy and stale-servable apart', () => {
    expect(of(500)).toMatchObject({ retryable: true, gatewayError: false, staleServable: true });
    expect(of(503)).toMatchObject({ retryable: true, gatewayError: true, staleServable: true });
    expect(of(501)).toMatchObject({ retryable: false, gatewayError: false, staleServable: false, failed: true });
    expect(of(429)).toMatchObject({ retryable: false, throttled: true, gatewayError: false });
    expect(of(200)).toMatchObject({ retryable: false, failed: false });
    const reset = classifyOutcome({ error: new OriginError('connection_terminated', true, 'reset') }, statuses);
    expect(reset).toMatchObject({ retryable: true, gatewayError: true, staleServable: true });
    const tooBig = classifyOutcome({ error: new OriginError('http_response_body_size', true, 'big') }, statuses);
    expect(tooBig).toMatchObject({ retryable: false, gatewayError: false });
  });
  it('does not retry a 5xx the origin gave explicit freshness, but still counts it as failed', () => {
    const fresh = (headers: Record<string, string[]>) => classifyOutcome({ response: { status: 503, headers, body: Buffer.alloc(0) } }, statuses);
    expect(fresh({ 'cache-control': ['max-age=60'] })).toMatchObject({ retryable: false, failed: true, gatewayError: true });
    expect(fresh({ expires: ['Thu, 01 Jan 2099 00:00:00 GMT'] })).toMatchObject({ retryable: false });
    expect(fresh({ 'cdn-cache-control': ['s-maxage=5'] })).toMatchObject({ retryable: false });
    expect(fresh({ 'cache-control': ['no-cache'], 'last-modified': ['Thu, 01 Jan 2015 00:00:00 GMT'] })).toMatchObject({ retryable: true });
    // Blanket anti-caching headers are no deliberate answer: still retried.
    expect(fresh({ 'cache-control': ['max-age=0'] })).toMatchObject({ retryable: true });
    expect(fresh({ 'cache-control': ['no-cache, max-age=60'] })).toMatchObject({ retryable: true });
    expect(fresh({ expires: ['Thu, 19 Nov 1981 08:52:00 GMT'] })).toMatchObject({ retryable: true });
  });
});

describe('LatencyTracker', () => {
  it('gives nearest-rank percentiles of the last samples only', () => {
    const tracker = new LatencyTracker(100);
    for (let i = 1; i <= 100; i++) tracker.add(i);
    expect(tracker.percentile(50)).toBe(50);
    expect(tracker.percentile(95)).toBe(95);
    for (let i = 0; i < 100; i++) tracker.add(1000);
    expect(tracker.percentile(50)).toBe(1000);
    expect(new LatencyTracker().percentile(95)).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  const with503 = (value?: string): OriginResponse => ({ status: 503, headers: value === undefined ? {} : { 'retry-after': [value] }, body: Buffer.alloc(0) });
  it('reads seconds, HTTP dates, and nothing else', () => {
    const now = Date.parse('Sun, 22 Nov 2026 12:00:00 GMT');
    expect(retryAfterMs(with503('3'), now)).toBe(3000);
    expect(retryAfterMs(with503('Sun, 22 Nov 2026 12:00:02 GMT'), now)).toBe(2000);
    expect(retryAfterMs(with503('Sun, 22 Nov 2026 11:00:00 GMT'), now)).toBe(0);
    expect(retryAfterMs(with503('soon'), now)).toBeUndefined();
    expect(retryAfterMs(with503(), now)).toBeUndefined();
  });
});
