/**
 * What one client's request does to the shared cache at the default configuration, through the real
 * handler (ALB event in, ALB result out) against a real local origin: a Range request answered 416
 * stores nothing for everyone else, a conditional GET of a representation too large for ALB still
 * gets its 304, and a HEAD of a stored 204 carries no Content-Length (found by review; each failed before).
 */
import type { ALBEvent } from 'aws-lambda';
import { afterEach, describe, expect, test } from 'vitest';
import { buildAlbEvent } from '../local/alb-event-builder.js';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { startTestOrigin, type OriginScript, type TestOrigin } from './support/test-origin.js';

let origin: TestOrigin | undefined;
afterEach(async () => {
  await origin?.stop();
  origin = undefined;
});

const context = () => {
  const end = Date.now() + 10_000;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};
const event = (method: string, target: string, headers: string[] = []): ALBEvent =>
  buildAlbEvent(
    { method, target, rawHeaders: ['Host', 'app.example.org', ...headers], body: Buffer.alloc(0), clientIp: '203.0.113.10', listenerPort: 443, protocol: 'https' },
    { multiValue: false },
  );
/** The handler at the defaults (CACHE_STORE=memory) or with the cache off, on a fresh origin. */
const handlerOn = async (script: OriginScript, env: Record<string, string> = {}, now: () => number = Date.now) => {
  origin = await startTestOrigin(script);
  return createProxyHandler(loadConfig({ ORIGIN_URL: origin.url.origin, RETRY_BASE_DELAY_MS: '0', ...env }), { now });
};

describe("a browser's conditional GET for a representation larger than ALB can carry", () => {
  // The browser holds "big-v1" (a 2 MB bundle from before the migration, or fetched another way);
  // the origin answers its If-None-Match with a 304, which ALB carries fine.
  const script: OriginScript = (req) =>
    req.headers['if-none-match'] === '"big-v1"'
      ? { status: 304, headers: { etag: '"big-v1"', 'cache-control': 'max-age=0' } }
      : { headers: { etag: '"big-v1"', 'cache-control': 'max-age=0', 'content-type': 'application/javascript' }, body: Buffer.alloc(2_000_000, 97) };

  test.each([
    ['off', { CACHE_STORE: 'off' }],
    ['memory (default)', {}],
  ])('is answered 304, as without the cache (CACHE_STORE=%s)', async (_name, env) => {
    const handler = await handlerOn(script, env);
    const result = await handler(event('GET', '/static/app.js', ['If-None-Match', '"big-v1"']), context());
    expect(result.statusCode).toBe(304);
    // The origin must get the client's validator (else it can only send the body that cannot be returned).
    expect(origin!.requests.map((r) => r.headers['if-none-match'])).toContain('"big-v1"');
  });
});

describe('a HEAD answered from a stored 204', () => {
  test('carries no Content-Length, as the origin does not (RFC 9110 section 8.6: MUST NOT on a 204)', async () => {
    const handler = await handlerOn(() => ({ status: 204, headers: { 'cache-control': 'max-age=60' } }));
    const fromOrigin = await handler(event('HEAD', '/ping'), context());
    await handler(event('GET', '/ping'), context());
    const fromCache = await handler(event('HEAD', '/ping'), context());
    expect(String(fromCache.headers?.['cache-status'])).toMatch(/; hit; /);
    expect(fromOrigin.headers?.['content-length']).toBeUndefined();
    expect(fromCache.headers?.['content-length']).toBeUndefined();
  });
});

describe('a Range request the origin answers 416', () => {
  // A static-file origin that labels every answer cacheable (a middleware setting Cache-Control
  // before the file server, as Go's ServeContent kept it on errors before Go 1.23, or nginx
  // `add_header ... always`), and answers a range beyond the end with 416.
  const file = Buffer.from('%PDF-1.7 a small document');
  const script: OriginScript = (req) => {
    const range = req.headers.range;
    if (range !== undefined && /^bytes=(\d+)-/.exec(range) && Number(/^bytes=(\d+)-/.exec(range)![1]) >= file.length) {
      return { status: 416, headers: { 'cache-control': 'public, max-age=3600', 'content-range': `bytes */${file.length}` } };
    }
    return { headers: { 'cache-control': 'public, max-age=3600', 'content-type': 'application/pdf', 'accept-ranges': 'bytes' }, body: file };
  };

  test('is not served to the next client, who asked for the whole document', async () => {
    const handler = await handlerOn(script);
    const rangeClient = await handler(event('GET', '/docs/report.pdf', ['Range', 'bytes=999999-']), context());
    expect(rangeClient.statusCode).toBe(416);
    const nextClient = await handler(event('GET', '/docs/report.pdf'), context());
    expect(nextClient.statusCode).toBe(200);
  });

  test('does not replace the good stored answer', async () => {
    let clock = Date.now();
    const handler = await handlerOn(script, {}, () => clock);
    expect((await handler(event('GET', '/docs/report.pdf'), context())).statusCode).toBe(200);
    // The stored 200 has gone stale (the origin's max-age): the next Range request goes to the origin.
    clock += 3_601_000;
    expect((await handler(event('GET', '/docs/report.pdf', ['Range', 'bytes=999999-']), context())).statusCode).toBe(416);
    const nextClient = await handler(event('GET', '/docs/report.pdf'), context());
    expect(nextClient.statusCode).toBe(200);
  });
});

describe('a Range request the origin answers 416 with blanket max-age=0', () => {
  test('does not take the place of the good page that stale-if-error serves when the origin is down', async () => {
    const file = Buffer.from('the page');
    let down = false;
    const handler = await handlerOn((req) => {
      if (down) return { status: 503, body: 'down' };
      if (req.headers.range !== undefined) return { status: 416, headers: { 'cache-control': 'max-age=0', 'content-range': `bytes */${file.length}` } };
      return { headers: { 'cache-control': 'max-age=0', 'content-type': 'text/plain' }, body: file };
    });
    expect((await handler(event('GET', '/page'), context())).statusCode).toBe(200);
    expect((await handler(event('GET', '/page', ['Range', 'bytes=999999-']), context())).statusCode).toBe(416);
    down = true;
    const duringOutage = await handler(event('GET', '/page'), context());
    expect(`${duringOutage.statusCode} ${duringOutage.body}`).toBe('200 the page');
  });
});
