import type { ALBEvent, ALBResult } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { logger } from '../shared/telemetry/telemetry.js';
import { readEventFile } from '../local/event-file.js';
import { validateAlbResult } from '../local/alb-result-check.js';
import { startScriptedOrigin, type ScriptedOrigin } from './support/scripted-origin.js';
import { requestLines } from './support/request-lines.js';
import { runVirtual, useRealTime, useVirtualTime } from './support/virtual-time.js';

let origin: ScriptedOrigin;
beforeEach(async () => {
  origin = await startScriptedOrigin();
});
afterEach(async () => {
  useRealTime();
  await origin.close();
});

const context = (ms = 10_000) => {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};

function handlerWith(env: Record<string, string> = {}) {
  return createProxyHandler(loadConfig({ ORIGIN_URL: origin.url, RETRY_BASE_DELAY_MS: '0', CACHE_STORE: 'off', ...env }));
}

describe('the handler, end to end against a real origin', () => {
  it('replays a binary upload byte for byte and answers in the request header mode', async () => {
    origin.script({ status: 201, headers: { 'content-type': 'application/json' }, body: '{"stored":true}' });
    const event = await readEventFile('events/local__post-binary-upload.json');
    const result = await handlerWith()(event, context());
    const received = origin.received[0]!;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/echo/xray/upload?patient=1042');
    expect(received.body.equals(Buffer.from(event.body!, 'base64'))).toBe(true);
    expect(received.headers.host).toBe(`127.0.0.1:${origin.port}`);
    expect(received.headers['x-forwarded-for']).toBe('203.0.113.10');
    expect(received.headers['x-amzn-trace-id']).toBe('Root=1-673f1b2c-0123456789abcdef01234567');
    expect(result).toMatchObject({ statusCode: 201, statusDescription: '201 Created', isBase64Encoded: false, body: '{"stored":true}' });
    expect(result.multiValueHeaders).toBeUndefined();
    expect(validateAlbResult(result, false)).toBeUndefined();
  });

  it('passes gzip bytes through untouched in both directions', async () => {
    const event = await readEventFile('events/local__post-gzip-json.json');
    const gz = Buffer.from(event.body!, 'base64');
    origin.script({ status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gz });
    const result = await handlerWith()(event, context());
    expect(origin.received[0]!.body.equals(gz)).toBe(true);
    expect(origin.received[0]!.headers['content-encoding']).toBe('gzip');
    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body!, 'base64').equals(gz)).toBe(true);
  });

  it('keeps repeated query keys raw and answers multi-value with every Set-Cookie', async () => {
    origin.script({ status: 200, headers: { 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'], 'content-type': 'text/plain' }, body: 'ok' });
    const event = await readEventFile('events/local__get-multi-value-repeated.json');
    const result = await handlerWith()(event, context());
    expect(origin.received[0]!.url).toBe('/echo/search?species=dog&species=cat&q=r%C3%A9sum%C3%A9+2026&filter%5B%5D=a&filter%5B%5D=b');
    expect(origin.received[0]!.rawHeaders.filter((h, i, all) => i % 2 === 0 && h.toLowerCase() === 'accept').length).toBe(2);
    expect(result.headers).toBeUndefined();
    expect(result.multiValueHeaders?.['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(validateAlbResult(result, true)).toBeUndefined();
  });

  it('keeps the origin reason-free status description ALB expects, and the origin body for a final 5xx', async () => {
    origin.script({ status: 503, headers: { 'content-type': 'text/html' }, body: '<h1>HOSP down</h1>' });
    const result = await handlerWith({ RETRY_MAX_ATTEMPTS: '2' })(await readEventFile('events/powertools-lambda-python__albEvent.json'), context());
    expect(result.statusCode).toBe(503);
    expect(result.statusDescription).toBe('503 Service Unavailable');
    expect(result.body).toBe('<h1>HOSP down</h1>');
    expect(result.headers?.['proxy-status']).toBe('alb-retry-proxy; received-status=503; details="2 attempt(s); stop=attempts-exhausted"');
    expect(origin.received).toHaveLength(2);
  });

  it('answers 502 with Proxy-Status and no internal detail when the origin is unreachable', async () => {
    const url = origin.url;
    await origin.close();
    const handler = createProxyHandler(loadConfig({ ORIGIN_URL: url, RETRY_BASE_DELAY_MS: '0', RETRY_MAX_ATTEMPTS: '2', CACHE_STORE: 'off' }));
    const result = await handler(await readEventFile('events/aws-lambda-go__alb-lambda-target-request-headers-only.json'), context());
    expect(result.statusCode).toBe(502);
    expect(result.headers?.['proxy-status']).toMatch(/^alb-retry-proxy; error=connection_refused; details="2 attempt\(s\); stop=attempts-exhausted"$/);
    expect(result.body).not.toContain('127.0.0.1');
    origin = await startScriptedOrigin();
  });

  it('answers 504 itself before the function timeout when the origin hangs', async () => {
    origin.script({ hang: true });
    const handler = handlerWith({ DEADLINE_MARGIN_MS: '100' });
    const result = await handler(await readEventFile('events/powertools-lambda-python__albEvent.json'), context(400));
    expect(result.statusCode).toBe(504);
    expect(result.headers?.['proxy-status']).toContain('error=http_response_timeout');
  });

  it('answers a malformed event with a 400 naming the field, never a throw', async () => {
    const result = await handlerWith()({ httpMethod: 'GET', path: 'http://evil.example/' } as unknown as ALBEvent, context());
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('path');
    expect(origin.received).toHaveLength(0);
    // Cache-Status is on every response (docs/caching.md), this one answered before the cache.
    expect(result.headers?.['cache-status']).toBe('alb-retry-proxy; fwd=bypass');
  });

  it('forwards a path that begins "//" (an empty first segment) to the origin as ALB passed it: it is origin-form (found by review)', async () => {
    // A page that joins a base URL ending in "/" with "/static/app.js": without the proxy the origin serves it.
    const result = await handlerWith()({ httpMethod: 'GET', path: '//static/app.js', headers: { host: 'app.example.org' } } as unknown as ALBEvent, context());
    expect(result.statusCode).toBe(200);
    expect(origin.received.map((r) => r.url)).toEqual(['//static/app.js']);
    // And to the configured origin only, whatever the first segment looks like.
    await handlerWith()({ httpMethod: 'GET', path: '//evil.example/x', headers: {} } as unknown as ALBEvent, context());
    expect(origin.received.map((r) => [r.url, r.headers.host])).toEqual([['//static/app.js', `127.0.0.1:${origin.port}`], ['//evil.example/x', `127.0.0.1:${origin.port}`]]);
  });

  it.each(['a\x01b', 'a\x7fb', 'a\x1bb'])('answers a header value with a control character (%j) with a 400 naming the header, not a 502 from node:http (found by review)', async (value) => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const result = await handlerWith()({ httpMethod: 'GET', path: '/x', headers: { 'x-note': value } } as unknown as ALBEvent, context());
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('headers.x-note');
    expect(origin.received).toHaveLength(0);
    expect(warn.mock.calls.some(([, extra]) => JSON.stringify(extra).includes('headers.x-note'))).toBe(true);
  });

  it.each([
    ['x-forwarded-host', { 'x-forwarded-host': 'a\x01b' }],
    ['keep-alive', { 'keep-alive': 'timeout=5\x7f' }],
    ['a header its Connection names', { connection: 'x-debug', 'x-debug': 'a\x1bb' }],
    ['host (replaced by the origin host at the default)', { host: 'app.example.org\x7f' }],
  ])('forwards a request whose control character is in a header never sent (%s): ALB forwards such requests (found by review)', async (_label, headers) => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const result = await handlerWith()({ httpMethod: 'GET', path: '/x', headers: { 'x-forwarded-proto': 'https', ...headers } } as unknown as ALBEvent, context());
    expect(result.statusCode).toBe(200);
    expect(origin.received).toHaveLength(1);
  });

  it('forwards a header value with a tab and non-ASCII text', async () => {
    const result = await handlerWith()({ httpMethod: 'GET', path: '/x', headers: { 'x-note': 'a\tb R\u012bga' } } as unknown as ALBEvent, context());
    expect(result.statusCode).toBe(200);
    expect(origin.received[0]!.headers['x-note']).toBe(Buffer.from('a\tb R\u012bga').toString('latin1'));
  });

  it("labels what it answers itself in Cache-Status and the log line: bypass before the cache, internal-error after a failure", async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    let bad: ALBResult | undefined;
    let broken: ALBResult | undefined;
    const lines = await requestLines(async () => {
      bad = await handlerWith()({ httpMethod: 'GET', path: 'http://evil.example/' } as unknown as ALBEvent, context());
      // A failure inside the cache's handling: the cache may have been used, so not "bypass".
      const failing = createProxyHandler(loadConfig({ ORIGIN_URL: origin.url }), { cache: { handle: () => Promise.reject(new Error('boom')) } });
      broken = await failing(await readEventFile('events/powertools-lambda-python__albEvent.json'), context());
    });
    vi.restoreAllMocks();
    expect(bad?.headers?.['cache-status']).toBe('alb-retry-proxy; fwd=bypass');
    expect(broken?.statusCode).toBe(502);
    const status = broken?.multiValueHeaders?.['cache-status'] ?? [broken?.headers?.['cache-status']];
    expect(status).toEqual(['alb-retry-proxy; detail=internal-error']);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ status: 400, cache: 'alb-retry-proxy; fwd=bypass' });
    expect(lines[1]).toMatchObject({ status: 502, cache: 'alb-retry-proxy; detail=internal-error' });
  });

  it('forwards health checks by default, and answers them itself when HEALTH_CHECK_LOCAL=true', async () => {
    const event = await readEventFile('events/aws-lambda-rust-runtime__alb_no_host.json');
    await handlerWith()(event, context());
    expect(origin.received).toHaveLength(1);
    const local = await handlerWith({ HEALTH_CHECK_LOCAL: 'true' })(event, context());
    expect(local.statusCode).toBe(200);
    expect(origin.received).toHaveLength(1);
  });

  describe('a forwarded health check (HEALTH_CHECK_LOCAL=false)', () => {
    const healthCheck = () => readEventFile('events/aws-lambda-rust-runtime__alb_no_host.json');

    it('gets one attempt and no retries from an origin that answers 503, where a request gets five', async () => {
      origin.script({ status: 503, body: 'down' });
      const check = await handlerWith()(await healthCheck(), context());
      expect(check.statusCode).toBe(503);
      expect(origin.received).toHaveLength(1);
      const event = await readEventFile('events/local__get-binary.json');
      await handlerWith()(event, context());
      expect(origin.received).toHaveLength(6);
    });

    it('ends at HEALTH_CHECK_TIMEOUT_MS against an origin that never answers: 504 after one attempt', async () => {
      origin.script({ hang: true });
      // The function has 60 s left and ATTEMPT_TIMEOUT_MS is 25 s: only the option can end it.
      const check = await handlerWith({ HEALTH_CHECK_TIMEOUT_MS: '150' })(await healthCheck(), context(60_000));
      expect(check.statusCode).toBe(504);
      expect(origin.received).toHaveLength(1);
      expect(String(check.headers?.['proxy-status'])).toContain('1 attempt(s)');
      expect(check.headers?.['cache-status']).toBe('alb-retry-proxy; fwd=bypass');
    });

    it('is never answered from the cache: the origin decides every time', async () => {
      origin.script({ status: 200, headers: { 'cache-control': 'max-age=600' }, body: 'up' }, { status: 503, body: 'down' });
      const handler = handlerWith({ CACHE_STORE: 'memory' });
      expect((await handler(await healthCheck(), context())).statusCode).toBe(200);
      expect((await handler(await healthCheck(), context())).statusCode).toBe(503);
      expect(origin.received).toHaveLength(2);
    });
  });

  it('lets an always-500 path stop only its own retries: a healthy path then answers 200 at once', async () => {
    const handler = handlerWith({ RETRY_MAX_ATTEMPTS: '3' });
    const event = await readEventFile('events/powertools-lambda-python__albEvent.json');
    const at = (path: string) => ({ ...event, path });
    origin.script({ status: 500 });
    for (let i = 0; i < 10; i++) await handler(at('/status/500'), context());
    const seen = origin.received.length;
    // Three requests with retries, then one attempt per request: the path spent its own tokens only.
    expect(seen).toBeLessThanOrEqual(3 * 3 + 7);
    const broken = await handler(at('/status/500'), context());
    expect(broken.headers?.['proxy-status']).toContain('stop=route-failing');
    origin.script({ status: 200, body: 'hello' });
    const result = await handler(at('/echo'), context());
    expect(result.statusCode).toBe(200);
    expect(origin.received.length).toBe(seen + 2);
  });

  it('says in Proxy-Status when a hedge answered', async () => {
    const text = { 'content-type': 'text/plain' };
    origin.script({ status: 200, headers: text, body: 'slow', delayMs: 2000 }, { status: 200, headers: text, body: 'fast' });
    const event = await readEventFile('events/powertools-lambda-python__albEvent.json');
    useVirtualTime();
    const result = await runVirtual(handlerWith({ HEDGE_AFTER_MS: '50' })(event, context()));
    expect(result.body).toBe('fast');
    expect(result.headers?.['proxy-status']).toBe('alb-retry-proxy; received-status=200; details="1 attempt(s); stop=done; hedges=1; hedge-won=1"');
  });

  it('reports what the origin answered in Proxy-Status when a stale copy is served instead', async () => {
    let clock = Date.parse('2026-11-22T12:00:00Z');
    origin.script({ status: 200, headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=1' }, body: 'kept' });
    const handler = createProxyHandler(loadConfig({ ORIGIN_URL: origin.url, RETRY_BASE_DELAY_MS: '0', RETRY_MAX_ATTEMPTS: '2' }), { now: () => clock });
    // AWS's sample event carries a body on its GET, which the cache bypasses: the same GET without it.
    const event = { ...(await readEventFile('events/powertools-lambda-python__albEvent.json')), body: '', isBase64Encoded: false };
    await handler(event, context());
    clock += 10_000;
    origin.script({ status: 503, body: 'down' });
    const result = await handler(event, context());
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('kept');
    expect(result.headers?.['cache-status']).toContain('fwd=stale; fwd-status=503');
    expect(result.headers?.['proxy-status']).toBe('alb-retry-proxy; received-status=503; details="2 attempt(s); stop=attempts-exhausted"');
  });

  it('puts a Cache-Status on every response', async () => {
    const result = await handlerWith()(await readEventFile('events/powertools-lambda-python__albEvent.json'), context());
    expect(result.headers?.['cache-status']).toMatch(/^alb-retry-proxy; fwd=bypass/);
  });

  describe.each([false, true])('HEAD keeps the size (multi-value %s)', (multi) => {
    async function headEvent(): Promise<ALBEvent> {
      const file = multi ? 'events/local__get-multi-value-repeated.json' : 'events/local__head-echo.json';
      return { ...(await readEventFile(file)), httpMethod: 'HEAD' };
    }
    const lengthOf = (result: ALBResult) => (multi ? result.multiValueHeaders?.['content-length'] : [result.headers?.['content-length']]);

    it("keeps the origin's Content-Length and sends no body", async () => {
      origin.script({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'eleven byte' });
      const result = await handlerWith()(await headEvent(), context());
      expect(origin.received[0]!.method).toBe('HEAD');
      expect(lengthOf(result)).toEqual(['11']);
      expect(result.body).toBe('');
      expect(validateAlbResult(result, multi)).toBeUndefined();
    });

    it("answers from a stored GET with the stored body's length", async () => {
      origin.script({ status: 200, headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=60' }, body: 'stored body' });
      const handler = handlerWith({ CACHE_STORE: 'memory' });
      const event = await headEvent();
      await handler({ ...event, httpMethod: 'GET' }, context());
      const result = await handler(event, context());
      expect(origin.received).toHaveLength(1);
      expect(lengthOf(result)).toEqual(['11']);
      expect(result.body).toBe('');
    });
  });

  it.each([false, true])('never serves an http entry to https (multi-value %s)', async (multi) => {
    origin.script(
      { status: 301, headers: { location: 'https://public.example/home', 'cache-control': 'max-age=600' } },
      { status: 200, headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=600' }, body: 'home' },
    );
    const handler = handlerWith({ CACHE_STORE: 'memory' });
    const base = await readEventFile(multi ? 'events/local__get-multi-value-repeated.json' : 'events/local__head-echo.json');
    const withProto = (proto: string): ALBEvent =>
      multi
        ? { ...base, httpMethod: 'GET', multiValueHeaders: { ...base.multiValueHeaders, 'x-forwarded-proto': [proto] } }
        : { ...base, httpMethod: 'GET', headers: { ...base.headers, 'x-forwarded-proto': proto } };
    expect((await handler(withProto('http'), context())).statusCode).toBe(301);
    expect((await handler(withProto('https'), context())).statusCode).toBe(200);
    expect((await handler(withProto('http'), context())).statusCode).toBe(301);
    expect(origin.received).toHaveLength(2);
  });
});
