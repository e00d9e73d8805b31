import type { ALBEvent, ALBResult } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildAlbEvent } from '../local/alb-event-builder.js';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { logger, metrics } from '../shared/telemetry/telemetry.js';
import { validateAlbResult } from '../local/alb-result-check.js';
import { startScriptedOrigin, type ScriptedOrigin } from './support/scripted-origin.js';

/**
 * What the origin says reaches the client with its meaning intact (issue 12), through the real
 * handler against a real origin, in both ALB header modes: redirects and cookies name the address
 * the client used, the Host the origin gets is the configured one, and nothing is lost silently.
 */
let origin: ScriptedOrigin;
beforeEach(async () => {
  origin = await startScriptedOrigin();
});
afterEach(async () => {
  await origin.close();
  vi.restoreAllMocks();
});

const context = () => {
  const end = Date.now() + 10_000;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};
const handlerWith = (env: Record<string, string> = {}) =>
  createProxyHandler(loadConfig({ ORIGIN_URL: origin.url, RETRY_BASE_DELAY_MS: '0', CACHE_STORE: 'memory', ...env }));

describe.each([false, true])('through the handler (multi-value headers %s)', (multiValue) => {
  /** The event ALB sends for a request to the public address; `host: undefined` leaves Host out. */
  function event(method: string, target: string, options: { host?: string | undefined; proto?: 'http' | 'https'; headers?: string[] } = {}): ALBEvent {
    const host = 'host' in options ? options.host : 'app.example.org';
    const rawHeaders = [...(host === undefined ? [] : ['Host', host]), 'User-Agent', 'test', ...(options.headers ?? [])];
    return buildAlbEvent(
      { method, target, rawHeaders, body: Buffer.alloc(0), clientIp: '203.0.113.10', listenerPort: 443, protocol: options.proto ?? 'https' },
      { multiValue },
    );
  }
  /** Every value of a response header, in either mode. */
  const values = (result: ALBResult, name: string): string[] => {
    if (multiValue) return (result.multiValueHeaders?.[name] ?? []).map(String);
    const value = result.headers?.[name];
    return value === undefined ? [] : [String(value)];
  };
  const send = async (handler: ReturnType<typeof handlerWith>, e: ALBEvent) => {
    const result = await handler(e, context());
    expect(validateAlbResult(result, multiValue)).toBeUndefined();
    return result;
  };

  describe('Location, Content-Location and Refresh', () => {
    it("point at the client's scheme and Host instead of the origin's address", async () => {
      origin.script({
        status: 302,
        headers: {
          location: `${origin.url}/login?next=%2Fward`,
          'content-location': `${origin.url}/login`,
          refresh: `3; url=${origin.url}/home`,
        },
      });
      const result = await send(handlerWith(), event('GET', '/ward'));
      expect(values(result, 'location')).toEqual(['https://app.example.org/login?next=%2Fward']);
      expect(values(result, 'content-location')).toEqual(['https://app.example.org/login']);
      expect(values(result, 'refresh')).toEqual(['3; url=https://app.example.org/home']);
    });

    it("become relative when the request has no Host, and another host's URL is left alone", async () => {
      origin.script({ status: 302, headers: { location: `${origin.url}/a?b=1` } }, { status: 301, headers: { location: 'https://sso.example/auth' } });
      expect(values(await send(handlerWith(), event('GET', '/x', { host: undefined })), 'location')).toEqual(['/a?b=1']);
      expect(values(await send(handlerWith(), event('GET', '/y')), 'location')).toEqual(['https://sso.example/auth']);
    });

    it("are stored as the origin sent them: a cached redirect names each client's own Host", async () => {
      origin.script({ status: 301, headers: { location: `${origin.url}/new`, 'cache-control': 'max-age=600' } });
      const handler = handlerWith();
      const first = await send(handler, event('GET', '/old', { host: 'a.example' }));
      const second = await send(handler, event('GET', '/old', { host: 'b.example:8443' }));
      expect(origin.received).toHaveLength(1);
      expect(values(second, 'cache-status')[0]).toContain('hit');
      expect(values(first, 'location')).toEqual(['https://a.example/new']);
      expect(values(second, 'location')).toEqual(['https://b.example:8443/new']);
    });

    it("still invalidate the origin's URL: a POST whose Location names a stored page drops it", async () => {
      const page = { status: 200, headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=600' }, body: 'v1' };
      origin.script(page, { status: 303, headers: { location: `${origin.url}/page` } }, { ...page, body: 'v2' });
      const handler = handlerWith();
      await send(handler, event('GET', '/page'));
      const posted = await send(handler, event('POST', '/form'));
      expect(values(posted, 'location')).toEqual(['https://app.example.org/page']);
      expect((await send(handler, event('GET', '/page'))).body).toBe('v2');
      expect(origin.received).toHaveLength(3);
    });

    it('REWRITE_REDIRECTS=false passes them as the origin sent them', async () => {
      origin.script({ status: 302, headers: { location: `${origin.url}/login` } });
      const result = await send(handlerWith({ REWRITE_REDIRECTS: 'false' }), event('GET', '/'));
      expect(values(result, 'location')).toEqual([`${origin.url}/login`]);
    });
  });

  describe('header names and values JavaScript objects or latin1 would bend', () => {
    it('passes a header named after an Object.prototype member both ways, and drops only __proto__', async () => {
      origin.script({ headers: { constructor: 'from-origin', tostring: 'also', 'content-type': 'text/plain' }, body: 'ok' });
      const result = await send(handlerWith(), event('GET', '/proto', { headers: ['Constructor', 'from-client', '__proto__', 'x', 'hasOwnProperty', 'y'] }));
      expect(result.statusCode).toBe(200);
      expect(values(result, 'constructor')).toEqual(['from-origin']);
      expect(values(result, 'tostring')).toEqual(['also']);
      const seen = origin.received[0]!.headers;
      expect([seen.constructor, seen.hasownproperty]).toEqual(['from-client', 'y']);
      expect(origin.received[0]!.rawHeaders.map((h) => h.toLowerCase())).not.toContain('__proto__');
    });

    it("sends a non-ASCII header value as the client's UTF-8 bytes, as ALB decoded it", async () => {
      origin.script({ body: 'ok' });
      const result = await send(handlerWith(), event('GET', '/city', { headers: ['X-City', 'Rīga', 'X-Cafe', 'café'] }));
      expect(result.statusCode).toBe(200);
      const raw = origin.received[0]!.rawHeaders;
      const bytesOf = (name: string) => Buffer.from(raw[raw.findIndex((h) => h.toLowerCase() === name) + 1]!, 'latin1');
      expect(bytesOf('x-city').toString('utf8')).toBe('Rīga');
      expect(bytesOf('x-cafe')).toEqual(Buffer.from('café', 'utf8'));
    });
  });

  describe('Connection naming request headers', () => {
    it("cannot take ALB's headers from the origin, and the cache matches on what the origin got", async () => {
      const handler = handlerWith();
      const vary = { 'cache-control': 'max-age=60', vary: 'Accept-Language', 'content-type': 'text/plain' };
      origin.script({ headers: vary, body: 'default' }, { headers: vary, body: 'fr' });
      // The client names ALB's own headers and Accept-Language in Connection.
      const hop = await send(handler, event('GET', '/ward', { headers: ['Connection', 'keep-alive, X-Forwarded-Proto, X-Forwarded-For, X-Amzn-Trace-Id, Accept-Language', 'Accept-Language', 'fr'] }));
      expect(hop.statusCode).toBe(200);
      const seen = origin.received[0]!.headers;
      expect(seen['x-forwarded-proto']).toBe('https');
      expect(seen['x-forwarded-for']).toBe('203.0.113.10');
      expect(seen['x-amzn-trace-id']).toMatch(/^Root=/);
      expect(seen['accept-language']).toBeUndefined();
      // The answer made without Accept-Language is not another French client's.
      const french = await send(handler, event('GET', '/ward', { headers: ['Accept-Language', 'fr'] }));
      expect(Buffer.from(french.body ?? '', french.isBase64Encoded ? 'base64' : 'utf8').toString()).toBe('fr');
      expect(origin.received).toHaveLength(2);
      const plain = await send(handler, event('GET', '/ward'));
      expect(values(plain, 'cache-status')[0]).toContain('hit');
      expect(Buffer.from(plain.body ?? '', plain.isBase64Encoded ? 'base64' : 'utf8').toString()).toBe('default');
    });
  });

  describe('Set-Cookie', () => {
    it("scoped to the origin's host name is scoped to the client's host name, other domains untouched", async () => {
      origin.script({ status: 200, headers: { 'set-cookie': ['sid=1; Domain=127.0.0.1; Path=/; HttpOnly'] } });
      const result = await send(handlerWith(), event('GET', '/login', { host: 'app.example.org:8443' }));
      expect(values(result, 'set-cookie')).toEqual(['sid=1; Domain=app.example.org; Path=/; HttpOnly']);
      origin.script({ status: 200, headers: { 'set-cookie': ['sid=1; Domain=example.org'] } });
      expect(values(await send(handlerWith(), event('GET', '/login')), 'set-cookie')).toEqual(['sid=1; Domain=example.org']);
    });

    it('REWRITE_COOKIE_DOMAIN=false passes the Domain as sent', async () => {
      origin.script({ status: 200, headers: { 'set-cookie': ['sid=1; Domain=127.0.0.1'] } });
      const result = await send(handlerWith({ REWRITE_COOKIE_DOMAIN: 'false' }), event('GET', '/login'));
      expect(values(result, 'set-cookie')).toEqual(['sid=1; Domain=127.0.0.1']);
    });

    it(multiValue ? 'every one of several reaches the client, nothing is reported dropped' : 'several: the last reaches the client, the loss is a warning and a SetCookieDropped metric', async () => {
      origin.script({ status: 200, headers: { 'set-cookie': ['a=1; Path=/', 'b=2; Domain=127.0.0.1', 'c=3'] } });
      const warn = vi.spyOn(logger, 'warn');
      const added = vi.spyOn(metrics, 'add');
      const result = await send(handlerWith(), event('GET', '/login'));
      const emitted = Object.fromEntries(added.mock.calls.map(([name, , value]) => [name, value]));
      const dropped = warn.mock.calls.filter(([message]) => String(message).includes('Set-Cookie'));
      if (multiValue) {
        expect(values(result, 'set-cookie')).toEqual(['a=1; Path=/', 'b=2; Domain=app.example.org', 'c=3']);
        expect(dropped).toHaveLength(0);
        expect(emitted.SetCookieDropped).toBeUndefined();
      } else {
        expect(values(result, 'set-cookie')).toEqual(['c=3']);
        expect(dropped).toHaveLength(1);
        expect(dropped[0]![1]).toMatchObject({ path: '/login', setCookies: 3, dropped: 2 });
        expect(emitted.SetCookieDropped).toBe(2);
      }
    });
  });

  describe('the Host the origin gets (ORIGIN_HOST_HEADER)', () => {
    it("is ORIGIN_URL's by default, or the literal name configured", async () => {
      await send(handlerWith(), event('GET', '/a'));
      await send(handlerWith({ ORIGIN_HOST_HEADER: 'public.example' }), event('GET', '/b'));
      expect(origin.received.map((r) => r.headers.host)).toEqual([`127.0.0.1:${origin.port}`, 'public.example']);
    });

    it("is the client's with client, which then keys the cache: each Host its own entry", async () => {
      origin.script({ status: 200, headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=600' }, body: 'page' });
      const handler = handlerWith({ ORIGIN_HOST_HEADER: 'client', ALLOWED_HOSTS: 'a.example,b.example' });
      await send(handler, event('GET', '/p', { host: 'a.example' }));
      await send(handler, event('GET', '/p', { host: 'b.example' }));
      const again = await send(handler, event('GET', '/p', { host: 'A.example' }));
      expect(origin.received.map((r) => r.headers.host)).toEqual(['a.example', 'b.example']);
      expect(values(again, 'cache-status')[0]).toContain('hit');
    });

    it('answers an unlisted Host 421 without reaching the origin or the cache', async () => {
      origin.script({ status: 200, headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=600' }, body: 'page' });
      const handler = handlerWith({ ORIGIN_HOST_HEADER: 'client', ALLOWED_HOSTS: 'a.example' });
      await send(handler, event('GET', '/p', { host: 'a.example' }));
      const refused = await send(handler, event('GET', '/p', { host: 'evil.example' }));
      expect(refused.statusCode).toBe(421);
      expect(refused.statusDescription).toBe('421 Misdirected Request');
      expect(values(refused, 'proxy-status')[0]).toContain('error=http_request_denied');
      // Never reached the cache: bypassed, as every response the proxy answers before it.
      expect(values(refused, 'cache-status')).toEqual(['alb-retry-proxy; fwd=bypass']);
      expect(origin.received).toHaveLength(1);
      // The same list guards the default mode too.
      const listed = await send(handlerWith({ ALLOWED_HOSTS: 'a.example' }), event('GET', '/q', { host: 'b.example' }));
      expect(listed.statusCode).toBe(421);
      expect(origin.received).toHaveLength(1);
    });
  });

  describe('Set-Cookie on a 304', () => {
    it("reaches the client when the proxy answers the client's own validators with a 304 from the origin's 200", async () => {
      // Express's defaults: a weak ETag on every response; the page sets a session cookie.
      origin.script({ status: 200, headers: { etag: 'W/"abc"', 'set-cookie': 'sid=new; Path=/; HttpOnly', 'content-type': 'text/html' }, body: '<p>hi</p>' });
      const result = await send(handlerWith(), event('GET', '/page', { headers: ['If-None-Match', 'W/"abc"'] }));
      expect(result.statusCode).toBe(304);
      expect(values(result, 'set-cookie')).toEqual(['sid=new; Path=/; HttpOnly']);
      expect(values(result, 'etag')).toEqual(['W/"abc"']);
      // What describes the body it does not carry is left off, as the origin would.
      expect(values(result, 'content-type')).toEqual([]);
    });

    it("reaches the client when the origin sets it on a 304 to the cache's revalidation; the stored entry never keeps it", async () => {
      origin.script(
        { status: 200, headers: { etag: '"v1"', 'cache-control': 'max-age=0', 'content-type': 'text/plain' }, body: 'body' },
        { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=0', 'set-cookie': 'seen=1; Path=/' } },
        { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=0' } },
        { status: 304, headers: { etag: '"v2"', 'set-cookie': 'other=2; Path=/' } },
      );
      const handler = handlerWith();
      await send(handler, event('GET', '/doc'));
      const second = await send(handler, event('GET', '/doc'));
      expect(origin.received[1]!.headers['if-none-match']).toBe('"v1"');
      expect([second.statusCode, second.body, values(second, 'set-cookie')]).toEqual([200, 'body', ['seen=1; Path=/']]);
      // The next client is not given the first one's cookie.
      const third = await send(handler, event('GET', '/doc'));
      expect([third.statusCode, third.body, values(third, 'set-cookie')]).toEqual([200, 'body', []]);
      // A 304 whose validator is not the stored one updates nothing, but its cookie is still the answer's.
      const fourth = await send(handler, event('GET', '/doc'));
      expect([fourth.statusCode, fourth.body, values(fourth, 'set-cookie'), values(fourth, 'etag')]).toEqual([200, 'body', ['other=2; Path=/'], ['"v1"']]);
    });
  });
});
