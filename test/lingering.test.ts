/**
 * The lingering first attempt (forwarder.ts, lingering.ts) at its edges: the loop stopping at the
 * linger point, the first attempt answering during the backoff before its retry, a stale copy
 * waiting, and a retry refused beside it (found by review; each case failed before its fix).
 */
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { RetryGuards } from '../shared/resilience/retry-guards.js';
import { albEvent, functionContext, timedCall } from './support/handler-calls.js';
import { runVirtual } from './support/virtual-time.js';
import { deadline, getThing, useForwarderHarness } from './support/forwarder-harness.js';

const harness = useForwarderHarness();
const req = getThing;

describe('the loop stops at the linger point and the lingering attempt then times out', () => {
  it('answers 504 (the attempt timed out), not 502 "no attempt was made", and the guards see the failure', async () => {
    harness.origin.script({ hang: true });
    const guards = new RetryGuards({ ratio: 0.5, capacity: 10 });
    // 250 ms deadline, 150 ms attempt timeout: a retry fits at the start (250 - 150 >= 50), but at
    // 150 ms the fixed 100 ms backoff + 50 ms minimum no longer fits in the 100 ms left.
    const forward = harness.forwarder({ ATTEMPT_TIMEOUT_MS: '150', RETRY_BACKOFF: 'fixed', RETRY_BASE_DELAY_MS: '100' }, { guards });
    const result = await runVirtual(forward(req(), deadline(250)));
    expect(result.attempts.map((a) => a.outcome)).toEqual(['http_response_timeout']);
    expect(harness.origin.received).toHaveLength(1);
    expect(result.error?.detail).not.toBe('no attempt was made');
    expect(result.error?.status).toBe(504);
    // The request's one outcome (a gateway error) reached the guards: its path now counts as failing.
    expect(guards.state('/things', '/things/1')).toBe('route-failing');
  });
});

describe('the first attempt answers during the backoff sleep before its retry', () => {
  it('takes no retry token for a retry it never sent', async () => {
    harness.origin.script({ status: 200, body: 'slow', delayMs: 300 });
    const guards = new RetryGuards({ ratio: 0.5, capacity: 10 });
    const forward = harness.forwarder({ ATTEMPT_TIMEOUT_MS: '150', RETRY_BACKOFF: 'fixed', RETRY_BASE_DELAY_MS: '1000' }, { guards });
    const result = await runVirtual(forward(req(), deadline(15_000)));
    expect(result.response?.status).toBe(200);
    expect(harness.origin.received).toHaveLength(1);
    expect(guards.routeTokens('/things')).toBe(10);
  });

  it('leaves no timer running once forward has returned (Lambda freezes the container)', async () => {
    harness.origin.script({ status: 200, body: 'slow', delayMs: 300 });
    const forward = harness.forwarder({ ATTEMPT_TIMEOUT_MS: '150', RETRY_BACKOFF: 'fixed', RETRY_BASE_DELAY_MS: '1000' });
    const result = await runVirtual(forward(req(), deadline(15_000)));
    expect(result.response?.status).toBe(200);
    expect(vi.getTimerCount()).toBe(0);
  });
});

const [context, timed] = [() => functionContext(), timedCall];
const event = (path: string) => albEvent('GET', path);

describe('a stale-if-error copy on a healthy route (staleFallback)', () => {
  it('comes once the retries have failed (about 25 s), not when the hung first attempt reaches the deadline', async () => {
    harness.origin.script(
      { status: 200, headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=0, stale-if-error=600' }, body: 'stored' },
      { hang: true },
      { status: 503, body: 'overloaded' },
    );
    const handler = createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url }));
    expect((await timed(handler(event('/ward/3'), context()))).status).toBe(200);
    const stale = await timed(handler(event('/ward/3'), context()));
    expect(stale.body).toBe('stored');
    // Cut at 25 s for the retry (ForwardOptions.staleFallback: "every attempt keeps ATTEMPT_TIMEOUT_MS"),
    // whose 503s end the exchange at once: the stale copy at about 25 s, as at 1919641.
    expect(stale.ms).toBeLessThan(27_000);
  });
});

describe('the retry sent beside a slow first attempt gets a final answer that is not a success', () => {
  const text = { 'content-type': 'text/plain' };
  it.each([429, 409])('waits for the first attempt\'s 200 (35 s) rather than answer the duplicate\'s %i', async (status) => {
    // The origin runs one report per user at a time: the duplicate sent beside the first is refused at once.
    harness.origin.script({ status: 200, headers: text, body: 'report', delayMs: 35_000 }, { status, headers: text, body: 'already running' });
    const result = await timedCall(createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url }))(albEvent('GET', '/reports/monthly'), functionContext()));
    expect(result).toEqual({ status: 200, body: 'report', ms: 35_000 });
    expect(harness.origin.received).toHaveLength(2);
  });

  it('answers the retry\'s 404 when the first attempt never answers (at the deadline, as the browser would have waited)', async () => {
    harness.origin.script({ hang: true }, { status: 404, headers: text, body: 'no such report' });
    const result = await timedCall(createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url }))(albEvent('GET', '/reports/gone'), functionContext()));
    expect({ status: result.status, body: result.body }).toEqual({ status: 404, body: 'no such report' });
    // The first attempt ran until the deadline (55 s less DEADLINE_MARGIN_MS).
    expect(result.ms).toBe(54_500);
    expect(harness.origin.received).toHaveLength(2);
  });

  it('still ends the first attempt when the retry succeeds', async () => {
    harness.origin.script({ hang: true }, { status: 200, headers: text, body: 'fresh' });
    const result = await timedCall(createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url }))(albEvent('GET', '/reports/b'), functionContext()));
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: 'fresh' });
    expect(result.ms).toBeLessThan(30_000);
  });
});

describe('the first attempt brings a retryable failure after its retry was refused', () => {
  const text = { 'content-type': 'text/plain' };
  it('answers the first attempt\'s own 503, the browser\'s answer without the proxy, not the duplicate\'s 409 (found by review)', async () => {
    harness.origin.script({ status: 503, headers: text, body: 'report failed', delayMs: 30_000 }, { status: 409, headers: text, body: 'already running' });
    const result = await timedCall(createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url }))(albEvent('GET', '/reports/monthly'), functionContext()));
    expect(harness.origin.received).toHaveLength(2);
    expect(result).toEqual({ status: 503, body: 'report failed', ms: 30_000 });
  });

  it('still answers a retry\'s success that comes after the first attempt\'s 503', async () => {
    harness.origin.script({ status: 503, headers: text, body: 'first failed', delayMs: 30_000 }, { status: 200, headers: text, body: 'retry ok', delayMs: 15_000 });
    const result = await timedCall(createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url }))(albEvent('GET', '/reports/weekly'), functionContext()));
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: 'retry ok' });
    // Sent at 25 s (plus its backoff), answered 15 s later: after the first attempt's 503 at 30 s.
    expect(result.ms).toBeGreaterThanOrEqual(40_000);
  });
});

describe('a retry left alone once the lingering first attempt failed (found by review)', () => {
  const text = { 'content-type': 'text/plain' };
  it.each([
    ['answers 503 at 26 s', { status: 503, headers: text, body: 'busy', delayMs: 26_000 }],
    ['is reset at 26 s', { reset: true, delayMs: 26_000 }],
  ])('first attempt %s, its retry hangs: the retry is cut at 25 s for a third attempt, which answers', async (_what, first) => {
    harness.origin.script(first, { hang: true }, { status: 200, headers: text, body: 'fine' });
    const result = await timedCall(createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url }))(albEvent('GET', '/reports/a'), functionContext()));
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: 'fine' });
    expect(harness.origin.received).toHaveLength(3);
  });

  it('says why a first attempt\'s retryable 503 was not retried when it stands over its retry\'s 409 (not stop=done)', async () => {
    harness.origin.script({ status: 503, headers: text, body: 'report failed', delayMs: 30_000 }, { status: 409, headers: text, body: 'already running' });
    const handler = createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url }));
    const result = await runVirtual(handler(albEvent('GET', '/reports/monthly'), functionContext()), { turns: 2 });
    expect(result.statusCode).toBe(503);
    expect(String(result.headers?.['proxy-status'])).toMatch(/stop=not-retryable/);
  });
});

describe('the cut of a retry beside the lingering first attempt (found by review)', () => {
  const text = { 'content-type': 'text/plain' };
  it('is not made while the first attempt runs: the retry\'s 200, 27 s after it was sent, still arrives', async () => {
    harness.origin.script({ hang: true }, { status: 200, headers: text, body: 'retry ok', delayMs: 27_000 });
    const result = await timedCall(createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url }))(albEvent('GET', '/reports/slow'), functionContext()));
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: 'retry ok' });
    expect(harness.origin.received).toHaveLength(2);
  });

  it('is made, for a third attempt, once the first attempt has failed (a route of attemptTimeoutMs 5000)', async () => {
    const routes = JSON.stringify([{ name: 'search', match: '/search/**', attemptTimeoutMs: 5000 }]);
    harness.origin.script({ status: 503, headers: text, body: 'busy', delayMs: 11_000 }, { hang: true }, { status: 200, headers: text, body: 'third ok' });
    const handler = createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url, ROUTES: routes }));
    const result = await runVirtual(handler(albEvent('GET', '/search/y'), functionContext()), { turns: 2 });
    expect({ status: result.statusCode, body: result.body, sent: harness.origin.received.length }).toEqual({ status: 200, body: 'third ok', sent: 3 });
    // The cut retry is recorded as timed out, not as cancelled by another's answer.
    expect(String(result.headers?.['proxy-status'])).toMatch(/3 attempt\(s\); stop=done/);
  });
});

describe('the cut of a retry beside a failed first attempt when no third could be sent (found by review)', () => {
  it('is not made: the retry\'s 200, due just before the deadline, is answered', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // full-jitter backoffs: 50 ms, then 100 ms
    const text = { 'content-type': 'text/plain' };
    // Deadline 54.5 s. First: 503 at 54.44 s (60 ms left, under the next backoff and a minimal attempt). Retry sent at 25.05 s, its 200 at 54.47 s.
    harness.origin.script(
      { status: 503, headers: text, body: 'first failed', delayMs: 54_440 },
      { status: 200, headers: text, body: 'retry ok', delayMs: 29_420 },
      { status: 200, headers: text, body: 'third ok' },
    );
    const result = await runVirtual(createProxyHandler(loadConfig({ ORIGIN_URL: harness.origin.url }))(albEvent('GET', '/reports/late'), functionContext()), { turns: 2 });
    expect(harness.origin.received).toHaveLength(2);
    expect({ status: result.statusCode, body: result.body }).toEqual({ status: 200, body: 'retry ok' });
  });
});
