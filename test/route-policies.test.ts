/**
 * Each route field's effect, end to end: the handler (as Lambda runs it) against a real local
 * origin, one request on a route that sets the field and one on a path no route matches.
 */
import type { ALBEvent, ALBResult } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { logger } from '../shared/telemetry/telemetry.js';
import { startScriptedOrigin, type ScriptedOrigin, type Step } from './support/scripted-origin.js';
import { requestLines } from './support/request-lines.js';
import { runVirtual, useRealTime, useVirtualTime } from './support/virtual-time.js';

let origin: ScriptedOrigin;
beforeEach(async () => {
  origin = await startScriptedOrigin();
});
afterEach(async () => {
  useRealTime();
  vi.restoreAllMocks();
  logger.setLogLevel('SILENT');
  await origin.close();
});

const context = (ms = 10_000) => {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};

const event = (method: string, path: string, headers: Record<string, string> = {}, body = ''): ALBEvent => ({
  requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/hosp/0123456789abcdef' } },
  httpMethod: method,
  path,
  queryStringParameters: {},
  headers: { host: 'hosp.example', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-port': '443', 'x-forwarded-proto': 'https', ...headers },
  body,
  isBase64Encoded: false,
});

function handlerWith(routes: unknown[], env: Record<string, string> = {}, now?: () => number) {
  const config = loadConfig({ ORIGIN_URL: origin.url, RETRY_BASE_DELAY_MS: '0', CACHE_STORE: 'off', ROUTES: JSON.stringify(routes), ...env });
  return createProxyHandler(config, now ? { now } : {});
}

const text = { 'content-type': 'text/plain' };

/** The origin's answers to its next requests, in order (the scripted origin counts from its start). */
function answer(...steps: Step[]): void {
  const withText = steps.map((step) => ({ ...step, headers: { ...text, ...step.headers } }));
  origin.script(...Array<Step>(origin.received.length).fill(withText[0]!), ...withText);
}

/** Requests the origin received since `from`. */
const since = (from: number) => origin.received.length - from;

describe('route fields, against a real origin', () => {
  it('maxAttempts: the route makes its own number of attempts', async () => {
    answer({ status: 503 });
    const handler = handlerWith([{ name: 'lookup', match: '/lookup/*', maxAttempts: 2 }], { RETRY_MAX_ATTEMPTS: '4' });
    const routed = await handler(event('GET', '/lookup/7'), context());
    expect(routed.statusCode).toBe(503);
    expect(since(0)).toBe(2);
    await handler(event('GET', '/other'), context());
    expect(since(2)).toBe(4);
  });

  it('attemptTimeoutMs: a slow report finishes on its route while the global timeout sends a retry beside others', async () => {
    // The 400 ms origin delay races the 100 ms and 5000 ms attempt timeouts in virtual time. A GET's
    // first attempt is not cut for its retry: at 100 ms the retry goes beside it, and it answers first.
    useVirtualTime();
    answer({ status: 200, body: 'report', delayMs: 400 });
    const handler = handlerWith([{ name: 'reports', match: '/reports/**', attemptTimeoutMs: 5000 }], { ATTEMPT_TIMEOUT_MS: '100', RETRY_MAX_ATTEMPTS: '2' });
    const report = await runVirtual(handler(event('GET', '/reports/2026/q1'), context()));
    expect(report.statusCode).toBe(200);
    expect(report.body).toBe('report');
    expect(since(0)).toBe(1);
    const started = Date.now();
    const other = await runVirtual(handler(event('GET', '/lookup/1'), context()));
    expect(other.statusCode).toBe(200);
    expect(since(1)).toBe(2);
    expect(Date.now() - started).toBe(400);
  });

  it('retryStatuses: the route retries the statuses it lists', async () => {
    const handler = handlerWith([{ name: 'search', match: '/api/search', retryStatuses: [429] }]);
    answer({ status: 429 }, { status: 200, body: 'found' });
    expect((await handler(event('GET', '/api/search'), context())).statusCode).toBe(200);
    expect(since(0)).toBe(2);
    answer({ status: 429 }, { status: 200 });
    expect((await handler(event('GET', '/api/other'), context())).statusCode).toBe(429);
    expect(since(2)).toBe(1);
  });

  it('retryNonIdempotent: a declared POST is repeated, an undeclared one never', async () => {
    const handler = handlerWith([{ name: 'search', match: '/api/search', methods: ['POST'], retryNonIdempotent: true }]);
    answer({ status: 503 }, { status: 200, body: 'results' });
    const search = await handler(event('POST', '/api/search', { 'content-type': 'application/json' }, '{"q":"x"}'), context());
    expect(search.statusCode).toBe(200);
    expect(origin.received.map((r) => r.body.toString())).toEqual(['{"q":"x"}', '{"q":"x"}']);
    answer({ status: 503 }, { status: 201 });
    const booking = await handler(event('POST', '/bookings', { 'content-type': 'application/json' }, '{"slot":1}'), context());
    expect(booking.statusCode).toBe(503);
    expect(booking.headers?.['proxy-status']).toContain('stop=not-idempotent');
    expect(since(2)).toBe(1);
  });

  it('originHonoursIdempotencyKey: only then does an Idempotency-Key make a POST retryable', async () => {
    const handler = handlerWith([{ name: 'payments', match: '/payments', originHonoursIdempotencyKey: true }]);
    const keyed = { 'idempotency-key': 'k-1', 'content-type': 'application/json' };
    answer({ status: 502 }, { status: 201 });
    expect((await handler(event('POST', '/payments', keyed, '{}'), context())).statusCode).toBe(201);
    expect(since(0)).toBe(2);
    answer({ status: 502 }, { status: 201 });
    expect((await handler(event('POST', '/bookings', keyed, '{}'), context())).statusCode).toBe(502);
    expect(since(2)).toBe(1);
  });

  it('hedgeAfterMs: the route hedges a slow GET; "off" turns a global hedge off', async () => {
    // The 50 ms hedge delay races the origin's 1500 ms and 300 ms delays in virtual time.
    useVirtualTime();
    const handler = handlerWith(
      [
        { name: 'lookup', match: '/lookup/*', hedgeAfterMs: 50 },
        { name: 'export', match: '/export/**', hedgeAfterMs: 'off' },
      ],
      { HEDGE_AFTER_MS: 'off' },
    );
    answer({ status: 200, headers: text, body: 'slow', delayMs: 1500 }, { status: 200, headers: text, body: 'fast' });
    const hedged = await runVirtual(handler(event('GET', '/lookup/1'), context()));
    expect(hedged.body).toBe('fast');
    expect(hedged.headers?.['proxy-status']).toContain('hedge-won=1');
    expect(since(0)).toBe(2);

    const globalOn = handlerWith([{ name: 'export', match: '/export/**', hedgeAfterMs: 'off' }], { HEDGE_AFTER_MS: '50' });
    answer({ status: 200, headers: text, body: 'slow', delayMs: 300 }, { status: 200, headers: text, body: 'fast' });
    const unhedged = await runVirtual(globalOn(event('GET', '/export/all'), context()));
    expect(unhedged.body).toBe('slow');
    expect(unhedged.headers?.['proxy-status']).toBeUndefined();
    expect(since(2)).toBe(1);
  });

  it('names the route in Proxy-Status details and in the request log line', async () => {
    const handler = handlerWith([{ name: 'lookup', match: '/lookup/*' }]);
    let result: ALBResult | undefined;
    let other: ALBResult | undefined;
    const lines = await requestLines(async () => {
      answer({ status: 503 }, { status: 200 });
      result = await handler(event('GET', '/lookup/1'), context());
      answer({ status: 503 }, { status: 200 });
      other = await handler(event('GET', '/elsewhere'), context());
    });
    expect(result?.headers?.['proxy-status']).toBe('alb-retry-proxy; received-status=200; details="route=lookup; 2 attempt(s); stop=done"');
    expect(other?.headers?.['proxy-status']).toContain('details="route=default; 2 attempt(s)');
    expect(lines.map((l) => [l.path, l.route])).toEqual([
      ['/lookup/1', 'lookup'],
      ['/elsewhere', 'default'],
    ]);
  });
});

describe('route cache settings, against a real origin', () => {
  const cached = (routes: unknown[], env: Record<string, string> = {}) => {
    let clock = Date.UTC(2026, 0, 1);
    const handler = handlerWith(routes, { CACHE_STORE: 'memory', ...env }, () => clock);
    return { handler, advance: (s: number) => void (clock += s * 1000) };
  };

  it('"off": the route\'s answers are neither stored nor served from cache', async () => {
    const { handler } = cached([{ name: 'live', match: '/live/**', cache: 'off' }]);
    answer({ status: 200, headers: { 'cache-control': 'max-age=60' }, body: 'x' });
    for (const path of ['/live/beds', '/live/beds', '/catalog/1', '/catalog/1']) await handler(event('GET', path), context());
    expect(origin.received.map((r) => r.url)).toEqual(['/live/beds', '/live/beds', '/catalog/1']);
  });

  it('"off" on a route of unsafe methods: its POSTs still invalidate what another route stored', async () => {
    const { handler } = cached([{ name: 'beds-write', match: '/api/beds/**', methods: ['POST'], cache: 'off' }]);
    answer({ status: 200, headers: { 'cache-control': 'max-age=60' }, body: 'bed 1 free' });
    await handler(event('GET', '/api/beds/1'), context());
    await handler(event('GET', '/api/beds/1'), context());
    await handler(event('POST', '/api/beds/1', { 'content-type': 'application/json' }, '{"take":true}'), context());
    await handler(event('GET', '/api/beds/1'), context());
    expect(origin.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/beds/1', 'POST /api/beds/1', 'GET /api/beds/1']);
  });

  it('defaultTtlS: the route caches answers without cache headers for that long, others not', async () => {
    const { handler, advance } = cached([{ name: 'codes', match: '/codes/*', cache: { defaultTtlS: 30 } }], { CACHE_DEFAULT_TTL_S: '0' });
    answer({ status: 200, body: 'icd' });
    for (const path of ['/codes/a', '/codes/a', '/other', '/other']) await handler(event('GET', path), context());
    expect(origin.received.map((r) => r.url)).toEqual(['/codes/a', '/other', '/other']);
    advance(31);
    await handler(event('GET', '/codes/a'), context());
    expect(origin.received.map((r) => r.url)).toEqual(['/codes/a', '/other', '/other', '/codes/a']);
  });

  it('staleIfErrorS: the route serves stale on error only as long as it says', async () => {
    const { handler, advance } = cached([{ name: 'fresh-only', match: '/fresh/**', cache: { staleIfErrorS: 0 } }], { RETRY_MAX_ATTEMPTS: '1' });
    answer({ status: 200, headers: { 'cache-control': 'max-age=10' }, body: 'good' });
    await handler(event('GET', '/fresh/x'), context());
    await handler(event('GET', '/kept/x'), context());
    advance(60);
    answer({ status: 503, body: 'down' });
    const fresh = await handler(event('GET', '/fresh/x'), context());
    const kept = await handler(event('GET', '/kept/x'), context());
    expect([fresh.statusCode, fresh.body]).toEqual([503, 'down']);
    expect([kept.statusCode, kept.body]).toEqual([200, 'good']);
  });
});

describe("a route's guard state is its own (found by review)", () => {
  it.each(['rep', 'reports'])('route %s (for /reports/**, GET) retries its GET after an unmatched POST under /reports failed', async (name) => {
    const handler = createProxyHandler(
      loadConfig({ ORIGIN_URL: origin.url, RETRY_BASE_DELAY_MS: '0', CACHE_STORE: 'off', ROUTES: JSON.stringify([{ name, match: '/reports/**', methods: ['GET'] }]) }),
    );
    // The POST matches no route (the route lists GET): route `default`, keyed by its first segment. A 503.
    origin.script({ status: 503 }, { status: 503 }, { status: 200, body: 'report' });
    expect((await handler(event('POST', '/reports/render', text, '{}'), context())).statusCode).toBe(503);
    const from = origin.received.length;
    const got = await handler(event('GET', '/reports/2026/q1'), context());
    expect({ status: got.statusCode, originRequests: since(from) }).toEqual({ status: 200, originRequests: 2 });
  });
});
