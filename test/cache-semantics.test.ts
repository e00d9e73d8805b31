import { afterEach, describe, expect, inject, test } from 'vitest';
import { cacheHarness, type CacheHarness, type HarnessOptions } from './support/cache-harness.js';
import type { OriginScript, ReceivedRequest } from './support/test-origin.js';

/**
 * The HTTP caching behaviour of the response cache, the same for every store: each test runs
 * against the memory store, S3 (a real s3rver) and memory in front of S3.
 */

const stores = ['memory', 's3', 'tiered'] as const;

let harness: CacheHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe.each(stores)('response cache on %s', (store) => {
  const start = async (script: OriginScript, env: Record<string, string> = {}): Promise<CacheHarness> => {
    const options: HarnessOptions = { store, env, ...(store === 'memory' ? {} : { s3Endpoint: inject('s3Endpoint') }) };
    harness = await cacheHarness(options, script);
    return harness;
  };
  const bodyOf = (result: { response?: { body: Buffer } }) => result.response?.body.toString();
  /** Stores /s ('ok' with the given Cache-Control), then makes the origin answer failStatus from then on. */
  const storedThenFailing = async (cacheControl: string, failStatus: number, env: Record<string, string> = {}) => {
    let failing = false;
    const h = await start(() => (failing ? { status: failStatus } : { headers: { 'cache-control': cacheControl }, body: 'ok' }), env);
    await h.get('/s');
    failing = true;
    return h;
  };
  /** What an answer from the store carries, a hit or stale on error alike: the stored 200 and body, its Age, and where it came from. */
  const expectFromStore = (
    result: Awaited<ReturnType<CacheHarness['get']>>,
    want: { cacheStatus: string; body: string; source: 'cache' | 'stale'; age?: string },
  ) => {
    expect(result.cacheStatus).toBe(want.cacheStatus);
    expect(result.response?.status).toBe(200);
    expect(bodyOf(result)).toBe(want.body);
    if (want.age !== undefined) expect(result.response?.headers.age).toEqual([want.age]);
    expect(result.source).toBe(want.source);
  };
  /** Asks for path, lets the clock run the given seconds, and returns the answer to asking again. */
  const askAgainAfter = async (h: CacheHarness, path: string, seconds: number) => {
    await h.get(path);
    h.advance(seconds);
    return h.get(path);
  };
  const fresh60: OriginScript = (req) => ({ headers: { 'cache-control': 'max-age=60' }, body: `body of ${req.target}` });

  test('stores a cacheable GET and serves the next one from cache', async () => {
    const h = await start(fresh60);
    const first = await h.get('/a?x=%5B1%5D');
    expect(first.cacheStatus).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=200; stored');
    const second = await h.get('/a?x=%5B1%5D');
    expectFromStore(second, { cacheStatus: 'alb-retry-proxy; hit; ttl=60', body: 'body of /a?x=%5B1%5D', age: '0', source: 'cache' });
    expect(second.forwarded).toBeUndefined();
    expect(h.origin.requests).toHaveLength(1);
  });

  test('an invalid Expires is already expired: the next request goes to the origin (RFC 9111 section 5.3)', async () => {
    const h = await start(() => ({ headers: { expires: 'Thu, 01 Jan 2099 10:00:00 UTC' }, body: 'x' }));
    await h.get('/expires-utc');
    await h.get('/expires-utc');
    expect(h.origin.requests).toHaveLength(2);
  });

  test('Cache-Control directive names are case-insensitive: Max-Age=60 is stored and served', async () => {
    const h = await start(() => ({ headers: { 'cache-control': 'Max-Age=60' }, body: 'x' }));
    await h.get('/max-age-case');
    const second = await h.get('/max-age-case');
    expect(second.source).toBe('cache');
    expect(second.forwarded).toBeUndefined();
    expect(h.origin.requests).toHaveLength(1);
  });

  test('keys on the raw query as received', async () => {
    const h = await start(fresh60);
    await h.get('/a?x=%5B1%5D');
    const other = await h.get('/a?x=[1]');
    expect(other.cacheStatus).toContain('fwd=uri-miss');
    expect(h.origin.requests.map((r) => r.target)).toEqual(['/a?x=%5B1%5D', '/a?x=[1]']);
  });

  test('reports the age of a stored response and its remaining freshness', async () => {
    const h = await start(fresh60);
    const later = await askAgainAfter(h, '/a', 10);
    expect(later.response?.headers.age).toEqual(['10']);
    expect(later.cacheStatus).toBe('alb-retry-proxy; hit; ttl=50');
  });

  test('answers HEAD from a stored GET, without a body', async () => {
    const h = await start(fresh60);
    await h.get('/a');
    const head = await h.send('HEAD', '/a');
    expect(head.cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
    expect(head.response?.status).toBe(200);
    expect(head.response?.body.length).toBe(0);
    expect(h.origin.requests).toHaveLength(1);
  });

  test('does not store the answer to a HEAD, so a later GET still gets the body', async () => {
    const h = await start(fresh60);
    const head = await h.send('HEAD', '/a');
    expect(head.cacheStatus).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=200');
    const get = await h.get('/a');
    expect(bodyOf(get)).toBe('body of /a');
    expect(h.origin.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  test('selects among stored variants by the headers Vary names', async () => {
    const h = await start((req) => ({
      headers: { 'cache-control': 'max-age=60', vary: 'Accept-Language' },
      body: `hello in ${String(req.headers['accept-language'])}`,
    }));
    expect((await h.get('/v', { 'accept-language': 'en' })).cacheStatus).toContain('fwd=uri-miss; fwd-status=200; stored');
    expect((await h.get('/v', { 'accept-language': 'fr' })).cacheStatus).toContain('fwd=vary-miss; fwd-status=200; stored');
    const en = await h.get('/v', { 'accept-language': 'en' });
    const fr = await h.get('/v', { 'accept-language': 'fr' });
    const none = await h.get('/v');
    expect([en.cacheStatus, fr.cacheStatus]).toEqual(['alb-retry-proxy; hit; ttl=60', 'alb-retry-proxy; hit; ttl=60']);
    expect([bodyOf(en), bodyOf(fr)]).toEqual(['hello in en', 'hello in fr']);
    expect(none.cacheStatus).toContain('fwd=vary-miss');
    expect(bodyOf(none)).toBe('hello in undefined');
    expect(h.origin.requests).toHaveLength(3);
  });

  test('does not store a response to a request with Authorization unless the response allows it', async () => {
    const h = await start((req) => ({
      headers: { 'cache-control': req.target === '/public' ? 'public, max-age=60' : 'max-age=60' },
      body: 'secret stuff',
    }));
    const auth = { authorization: 'Bearer abc' };
    await h.get('/private', auth);
    const again = await h.get('/private', auth);
    expect(again.cacheStatus).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=200');
    await h.get('/public', auth);
    expect((await h.get('/public', auth)).cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
    expect(h.origin.requests.map((r) => r.target)).toEqual(['/private', '/private', '/public']);
  });

  test('does not store a response with Set-Cookie by default', async () => {
    const h = await start(() => ({ headers: { 'cache-control': 'public, max-age=60', 'set-cookie': 'session=1' }, body: 'x' }));
    await h.get('/c');
    expect((await h.get('/c')).cacheStatus).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=200');
    expect(h.origin.requests).toHaveLength(2);
  });

  test('stores a response with Set-Cookie when CACHE_ALLOW_SET_COOKIE is on, cookies intact', async () => {
    const h = await start(() => ({ headers: { 'cache-control': 'public, max-age=60', 'set-cookie': ['a=1', 'b=2'] }, body: 'x' }), {
      CACHE_ALLOW_SET_COOKIE: 'true',
    });
    await h.get('/c');
    const hit = await h.get('/c');
    expect(hit.cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
    expect(hit.response?.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  test.each([
    ['no-store', { 'cache-control': 'no-store, max-age=60' }, 200],
    ['private', { 'cache-control': 'private, max-age=60' }, 200],
    ['Vary: *', { 'cache-control': 'max-age=60', vary: '*' }, 200],
    ['a 500 without freshness', { 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT' }, 500],
  ] as const)('never stores %s', async (_name, headers, status) => {
    const h = await start(() => ({ status, headers, body: 'x' }));
    await h.get('/n');
    const again = await h.get('/n');
    expect(again.cacheStatus).toBe(`alb-retry-proxy; fwd=uri-miss; fwd-status=${status}`);
    expect(h.origin.requests).toHaveLength(2);
  });

  test.each([500, 503, 400])('stores a %i the origin gave explicit freshness (RFC 9111 section 3: its decision)', async (status) => {
    const h = await start(() => ({ status, headers: { 'cache-control': 'max-age=60' }, body: 'x' }));
    await h.get('/e');
    const again = await h.get('/e');
    expect(again.cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
    expect(again.response?.status).toBe(status);
    expect(h.origin.requests).toHaveLength(1);
  });

  test('gives heuristic freshness to a 501 (RFC 9110 section 15.1), never to a 500', async () => {
    const lastModified = new Date(Date.now() - 10 * 86_400_000).toUTCString();
    const h = await start((req) => ({ status: req.target === '/501' ? 501 : 500, headers: { 'last-modified': lastModified, date: new Date().toUTCString() }, body: 'x' }));
    await h.get('/501');
    expect((await h.get('/501')).cacheStatus).toContain('hit');
    await h.get('/500');
    expect((await h.get('/500')).cacheStatus).toContain('fwd=uri-miss');
  });

  test('an error without freshness never replaces a good stored response', async () => {
    let status = 200;
    const lastModified = new Date(Date.now() - 10 * 86_400_000).toUTCString();
    const h = await start(() => ({ status, headers: status === 200 ? { 'cache-control': 'max-age=60', etag: '"v1"' } : { 'last-modified': lastModified }, body: String(status) }));
    await h.get('/g');
    h.advance(120);
    status = 501;
    expect((await h.get('/g')).response?.status).toBe(501);
    status = 200;
    // The stale 200 is still stored (it is what the next request revalidates), the 501 is not.
    const after = await h.get('/g');
    expect(after.cacheStatus).toContain('fwd=stale');
    expect(h.origin.requests[2]?.headers['if-none-match']).toBe('"v1"');
  });

  test('answers a Range request from a complete stored response with a 206', async () => {
    const h = await start(() => ({ headers: { 'cache-control': 'max-age=60' }, body: '01234567890' }));
    await h.get('/r');
    const part = await h.get('/r', { range: 'bytes=-3' });
    expect(part.cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
    expect(part.response?.status).toBe(206);
    expect(bodyOf(part)).toBe('890');
    expect(part.response?.headers['content-range']).toEqual(['bytes 8-10/11']);
    expect(h.origin.requests).toHaveLength(1);
  });

  test('does not store when the client sends Cache-Control: no-store', async () => {
    const h = await start(fresh60);
    await h.get('/a', { 'cache-control': 'no-store' });
    expect((await h.get('/a')).cacheStatus).toContain('fwd=uri-miss');
  });

  test('revalidates a stale response with If-None-Match and serves it after a 304', async () => {
    const h = await start((req) =>
      req.headers['if-none-match'] === '"v1"'
        ? { status: 304, headers: { 'cache-control': 'max-age=60', etag: '"v1"' } }
        : { headers: { 'cache-control': 'max-age=60', etag: '"v1"', 'content-type': 'text/plain' }, body: 'version 1' },
    );
    const revalidated = await askAgainAfter(h, '/r', 120);
    expect(revalidated.cacheStatus).toBe('alb-retry-proxy; fwd=stale; fwd-status=304; stored; ttl=60');
    expect(revalidated.response?.status).toBe(200);
    expect(bodyOf(revalidated)).toBe('version 1');
    expect(revalidated.response?.headers['content-type']).toEqual(['text/plain']);
    expect(h.origin.requests[1]?.headers['if-none-match']).toBe('"v1"');
    const hit = await h.get('/r');
    expect(hit.cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
    expect(h.origin.requests).toHaveLength(2);
  });

  test('a 304 restarts the age: the Age the first response carried does not shorten the refreshed freshness', async () => {
    const h = await start((req) =>
      req.headers['if-none-match'] === '"v1"'
        ? { status: 304, headers: { etag: '"v1"' } }
        : { headers: { 'cache-control': 'max-age=60', etag: '"v1"', age: '50' }, body: 'version 1' },
    );
    expect((await h.get('/r')).response?.headers.age).toEqual(['50']);
    h.advance(11);
    const revalidated = await h.get('/r');
    expect(revalidated.cacheStatus).toBe('alb-retry-proxy; fwd=stale; fwd-status=304; stored; ttl=60');
    expect(revalidated.response?.headers.age).toEqual(['0']);
    h.advance(30);
    const hit = await h.get('/r');
    expect(hit.cacheStatus).toBe('alb-retry-proxy; hit; ttl=30');
    expect(hit.response?.headers.age).toEqual(['30']);
    expect(h.origin.requests).toHaveLength(2);
  });

  test('revalidates with If-Modified-Since when only Last-Modified is stored', async () => {
    const lastModified = 'Tue, 01 Oct 2024 10:00:00 GMT';
    const h = await start((req) =>
      req.headers['if-modified-since'] === lastModified
        ? { status: 304, headers: { 'cache-control': 'max-age=60', 'last-modified': lastModified } }
        : { headers: { 'cache-control': 'max-age=60', 'last-modified': lastModified }, body: 'dated' },
    );
    const revalidated = await askAgainAfter(h, '/d', 61);
    expect(h.origin.requests[1]?.headers['if-modified-since']).toBe(lastModified);
    expect(revalidated.cacheStatus).toContain('fwd=stale; fwd-status=304; stored');
    expect(bodyOf(revalidated)).toBe('dated');
  });

  test('serves the stored body once for a 304 with another validator, then fetches afresh', async () => {
    const h = await start((req) =>
      req.headers['if-none-match'] ? { status: 304, headers: { etag: '"v2"' } } : { headers: { 'cache-control': 'max-age=60', etag: '"v1"' }, body: 'v1' },
    );
    const odd = await askAgainAfter(h, '/r', 120);
    expect(odd.cacheStatus).toBe('alb-retry-proxy; fwd=stale; fwd-status=304; ttl=-60');
    expect(bodyOf(odd)).toBe('v1');
    expect((await h.get('/r')).cacheStatus).toContain('fwd=uri-miss');
  });

  test('refreshes the entry on a 304 that carries no validator (RFC 9110 section 15.4.5 does not require one)', async () => {
    const lastModified = 'Tue, 01 Oct 2024 10:00:00 GMT';
    const h = await start((req) =>
      req.headers['if-modified-since'] ? { status: 304, headers: { 'cache-control': 'max-age=60' } } : { headers: { 'cache-control': 'max-age=60', 'last-modified': lastModified }, body: 'dated' },
    );
    const revalidated = await askAgainAfter(h, '/d', 61);
    expect(revalidated.cacheStatus).toBe('alb-retry-proxy; fwd=stale; fwd-status=304; stored; ttl=60');
    expect(bodyOf(revalidated)).toBe('dated');
    expect((await h.get('/d')).cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
    expect(h.origin.requests).toHaveLength(2);
  });

  test.each([
    ['no-store in the request', { 'cache-control': 'no-cache, no-store' }],
    ['credentials and an unlabelled answer', { cookie: 'session=1' }],
  ])('keeps the stored entry (and its stale-if-error) when %s prevents storing a new answer', async (_why, headers) => {
    let labelled = true;
    let failing = false;
    const h = await start(() =>
      failing ? { status: 503, body: 'down' } : labelled ? { headers: { 'cache-control': 'max-age=1' }, body: 'shared' } : { body: 'personal' },
    );
    await h.get('/k');
    h.advance(5);
    labelled = false;
    await h.get('/k', headers);
    failing = true;
    const stale = await h.get('/k');
    expect(stale.cacheStatus).toContain('fwd=stale; fwd-status=503');
    expect(bodyOf(stale)).toBe('shared');
  });

  // A new answer that is not stored drops the stored entry only when the origin itself forbids
  // storing the URL; otherwise the old answer stays for stale-if-error. The last two are not
  // stored either (no-cache, a lifetime of 0, no validator: worth nothing), but forbid nothing.
  test.each([
    ['Cache-Control: no-store', { 'cache-control': 'no-store' }, false],
    ['Cache-Control: private', { 'cache-control': 'private="x"' }, false],
    // RFC 9213 section 2.1: a valid CDN-Cache-Control is what this cache obeys, not Cache-Control.
    ['CDN-Cache-Control: no-store', { 'cdn-cache-control': 'no-store', 'cache-control': 'public, max-age=60' }, false],
    ['no-store inside a quoted argument', { 'cache-control': 'no-cache="x, no-store", max-age=0' }, true],
    ['no-store as the start of an unknown directive', { 'cache-control': 'no-store-hint, no-cache, max-age=0' }, true],
  ])('after an answer with %s, the stored entry is kept: %s', async (_why, answer, kept) => {
    let answered = false;
    let failing = false;
    const h = await start(() =>
      failing ? { status: 503 } : { headers: answered ? answer : { 'cache-control': 'max-age=1' }, body: answered ? 'secret' : 'public' },
    );
    await h.get('/p');
    h.advance(5);
    answered = true;
    await h.get('/p');
    failing = true;
    const after = await h.get('/p');
    expect(after.cacheStatus).toBe(kept ? 'alb-retry-proxy; fwd=stale; fwd-status=503; ttl=-4' : 'alb-retry-proxy; fwd=uri-miss; fwd-status=503');
    expect(after.response?.status).toBe(kept ? 200 : 503);
    if (kept) expect(bodyOf(after)).toBe('public');
  });

  test('replaces a stale response the origin has changed', async () => {
    let version = 1;
    const h = await start(() => ({ headers: { 'cache-control': 'max-age=60', etag: `"v${version}"` }, body: `version ${version}` }));
    await h.get('/r');
    version = 2;
    h.advance(120);
    const changed = await h.get('/r');
    expect(changed.cacheStatus).toBe('alb-retry-proxy; fwd=stale; fwd-status=200; stored');
    expect(bodyOf(changed)).toBe('version 2');
    expect(bodyOf(await h.get('/r'))).toBe('version 2');
    expect(h.origin.requests).toHaveLength(2);
  });

  test('revalidates a fresh response when the client sends Cache-Control: no-cache', async () => {
    const h = await start((req) =>
      req.headers['if-none-match'] ? { status: 304, headers: { etag: '"e"' } } : { headers: { 'cache-control': 'max-age=60', etag: '"e"' }, body: 'e' },
    );
    await h.get('/a');
    const forced = await h.get('/a', { 'cache-control': 'no-cache' });
    expect(forced.cacheStatus).toBe('alb-retry-proxy; fwd=request; fwd-status=304; stored; ttl=60');
    expect(bodyOf(forced)).toBe('e');
  });

  test('a GET with a body bypasses the cache: one body\'s answer is never served for another', async () => {
    const h = await start((req) => ({ headers: { 'cache-control': 'max-age=60' }, body: `results for ${req.body.toString()}` }));
    const search = (query: string) => h.send('GET', '/_search', { 'content-type': 'application/json' }, Buffer.from(query));
    const cats = await search('{"query":"cats"}');
    const dogs = await search('{"query":"dogs"}');
    expect([bodyOf(cats), cats.cacheStatus]).toEqual(['results for {"query":"cats"}', 'alb-retry-proxy; fwd=bypass; fwd-status=200']);
    expect([bodyOf(dogs), dogs.cacheStatus]).toEqual(['results for {"query":"dogs"}', 'alb-retry-proxy; fwd=bypass; fwd-status=200']);
    expect(h.origin.requests).toHaveLength(2);
    // Without a body the URL is cached as usual.
    await h.get('/_search');
    expect((await h.get('/_search')).cacheStatus).toMatch(/hit/);
  });

  test('a successful POST invalidates what is stored for its URL', async () => {
    const h = await start((req) => (req.method === 'POST' ? { status: 201, body: 'created' } : fresh60(req)));
    await h.get('/items');
    expect((await h.get('/items')).cacheStatus).toContain('hit');
    const post = await h.send('POST', '/items', { 'content-type': 'text/plain' }, Buffer.from('new'));
    expect(post.cacheStatus).toBe('alb-retry-proxy; fwd=method; fwd-status=201');
    expect((await h.get('/items')).cacheStatus).toContain('fwd=uri-miss');
    expect(h.origin.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
  });

  test('a failed POST invalidates nothing', async () => {
    const h = await start((req) => (req.method === 'POST' ? { status: 500 } : fresh60(req)));
    await h.get('/items');
    await h.send('POST', '/items');
    expect((await h.get('/items')).cacheStatus).toContain('hit');
  });

  test('PUT, DELETE and PATCH invalidate, and so do Location and Content-Location on the origin', async () => {
    const h = await start((req) =>
      req.method === 'GET'
        ? fresh60(req)
        : { status: 200, headers: { location: '/items/1', 'content-location': `${h.origin.url.origin}/items/2?full` } },
    );
    const targets = ['/items/1', '/items/2?full', '/items/3'];
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      for (const target of targets) await h.get(target);
      await h.send(method, '/items/3');
      for (const target of targets) expect((await h.get(target)).cacheStatus, `${method} ${target}`).toContain('fwd=uri-miss');
    }
  });

  test('does not invalidate a Location on another origin', async () => {
    const h = await start((req) => (req.method === 'POST' ? { status: 303, headers: { location: 'http://elsewhere.example/items' } } : fresh60(req)));
    await h.get('/items');
    await h.send('POST', '/other');
    expect((await h.get('/items')).cacheStatus).toContain('hit');
  });

  test('serves the stale response when the origin answers 503', async () => {
    let failing = false;
    const h = await start((req) => (failing ? { status: 503, body: 'down' } : { headers: { 'cache-control': 'max-age=1' }, body: `ok ${req.target}` }));
    await h.get('/s');
    failing = true;
    h.advance(5);
    const stale = await h.get('/s');
    expectFromStore(stale, { cacheStatus: 'alb-retry-proxy; fwd=stale; fwd-status=503; ttl=-4', body: 'ok /s', age: '5', source: 'stale' });
    expect(stale.forwarded?.response?.status).toBe(503);
  });

  test('serves the stale response when the origin refuses connections', async () => {
    const h = await start(() => ({ headers: { 'cache-control': 'max-age=1' }, body: 'ok' }));
    await h.get('/s');
    await h.origin.stop();
    h.advance(30);
    const stale = await h.get('/s');
    expectFromStore(stale, { cacheStatus: 'alb-retry-proxy; fwd=stale; ttl=-29; detail=connection_refused', body: 'ok', source: 'stale' });
    expect(stale.forwarded?.attempts).toHaveLength(1);
    expect(stale.forwarded?.error?.type).toBe('connection_refused');
  });

  test('passes the failure on once the stale-if-error window is over', async () => {
    const h = await storedThenFailing('max-age=1', 503, { CACHE_STALE_IF_ERROR_S: '10' });
    h.advance(8);
    expect((await h.get('/s')).response?.status).toBe(200);
    h.advance(10);
    const late = await h.get('/s');
    expect(late.response?.status).toBe(503);
    // Kept no longer than it could serve: freshness plus the window.
    expect(late.cacheStatus).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=503');
  });

  test("follows the response's own stale-if-error over the configured window", async () => {
    const h = await storedThenFailing('max-age=1, stale-if-error=5', 503);
    h.advance(4);
    expect((await h.get('/s')).response?.status).toBe(200);
    h.advance(4);
    expect((await h.get('/s')).response?.status).toBe(503);
  });

  test('does not serve stale on error when the response says must-revalidate', async () => {
    const h = await storedThenFailing('max-age=1, must-revalidate', 502);
    h.advance(5);
    expect((await h.get('/s')).response?.status).toBe(502);
  });

  test('with CACHE_STALE_IF_ERROR_S=0 the failure goes to the client', async () => {
    const h = await storedThenFailing('max-age=1', 503, { CACHE_STALE_IF_ERROR_S: '0' });
    h.advance(2);
    expect((await h.get('/s')).response?.status).toBe(503);
  });

  test("answers the client's matching If-None-Match with 304 from a fresh stored response", async () => {
    const h = await start(() => ({ headers: { 'cache-control': 'max-age=60', etag: 'W/"e1"' }, body: 'tagged' }));
    await h.get('/t');
    const matched = await h.get('/t', { 'if-none-match': '"zz", "e1"' });
    expect(matched.cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
    expect(matched.response?.status).toBe(304);
    expect(matched.response?.headers.etag).toEqual(['W/"e1"']);
    expect(matched.response?.body.length).toBe(0);
    const unmatched = await h.get('/t', { 'if-none-match': '"other"' });
    expect(unmatched.response?.status).toBe(200);
  });

  test("takes the client's validators off a miss, stores the full response and answers 304", async () => {
    const h = await start((req: ReceivedRequest) =>
      req.headers['if-none-match'] ? { status: 304 } : { headers: { 'cache-control': 'max-age=60', etag: '"e1"' }, body: 'tagged' },
    );
    const first = await h.get('/t', { 'if-none-match': '"e1"' });
    expect(h.origin.requests[0]?.headers['if-none-match']).toBeUndefined();
    expect(first.response?.status).toBe(304);
    expect(first.cacheStatus).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=200; stored');
    expect(bodyOf(await h.get('/t'))).toBe('tagged');
  });

  test('leaves requests with If-Match or If-Range to the origin', async () => {
    const h = await start(fresh60);
    await h.get('/p');
    const conditional = await h.get('/p', { 'if-match': '"x"' });
    expect(conditional.cacheStatus).toBe('alb-retry-proxy; fwd=bypass; fwd-status=200');
    expect(h.origin.requests[1]?.headers['if-match']).toBe('"x"');
  });

  test('keeps a response without caching headers only to serve it on error', async () => {
    let failing = false;
    const h = await start(() => (failing ? { status: 500 } : { body: 'plain' }));
    await h.get('/plain');
    const second = await h.get('/plain');
    expect(second.cacheStatus).toBe('alb-retry-proxy; fwd=stale; fwd-status=200; stored');
    failing = true;
    expect(bodyOf(await h.get('/plain'))).toBe('plain');
    expect(h.origin.requests).toHaveLength(3);
  });

  test('CACHE_DEFAULT_TTL_S makes a response without caching headers fresh, unless the request had credentials', async () => {
    const h = await start(() => ({ body: 'plain' }), { CACHE_DEFAULT_TTL_S: '30' });
    await h.get('/plain');
    expect((await h.get('/plain')).cacheStatus).toBe('alb-retry-proxy; hit; ttl=30');
    await h.get('/mine', { cookie: 'session=abc' });
    expect((await h.get('/mine', { cookie: 'session=abc' })).cacheStatus).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=200');
  });

  test("never keeps a cookie-bearing request's unlabelled answer, so no other user gets it on error", async () => {
    let failing = false;
    const h = await start((req) => (failing ? { status: 503 } : { body: `page of ${String(req.headers.cookie)}` }));
    await h.get('/me', { cookie: 'session=alice' });
    failing = true;
    const bob = await h.get('/me', { cookie: 'session=bob' });
    expect(bob.response?.status).toBe(503);
    expect(bob.cacheStatus).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=503');
  });

  test('shares the answer to a cookie-bearing request when the origin labels it cacheable', async () => {
    const h = await start(() => ({ headers: { 'cache-control': 'max-age=60' }, body: 'same for all' }));
    await h.get('/news', { cookie: 'session=alice' });
    expect((await h.get('/news', { cookie: 'session=bob' })).cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
  });

  test('round-trips a binary body byte for byte', async () => {
    const bytes = Buffer.alloc(70_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 8)) & 0xff;
    const h = await start(() => ({ headers: { 'cache-control': 'max-age=60', 'content-type': 'application/octet-stream' }, body: bytes }));
    await h.get('/bin');
    const hit = await h.get('/bin');
    expect(hit.cacheStatus).toContain('hit');
    expect(hit.response?.body.equals(bytes)).toBe(true);
  });

  test('does not store a body over CACHE_MAX_ENTRY_BYTES', async () => {
    const h = await start(() => ({ headers: { 'cache-control': 'max-age=60' }, body: Buffer.alloc(2048) }), { CACHE_MAX_ENTRY_BYTES: '1024' });
    await h.get('/big');
    expect((await h.get('/big')).cacheStatus).toContain('fwd=uri-miss');
  });

  test('hands back a copy: changing a served response does not change the stored one', async () => {
    const h = await start(fresh60);
    await h.get('/a');
    const hit = await h.get('/a');
    hit.response!.headers['x-added'] = ['by the handler'];
    expect((await h.get('/a')).response?.headers['x-added']).toBeUndefined();
  });
});

describe('response cache with CACHE_STORE=off', () => {
  test('forwards every request and says so in Cache-Status', async () => {
    harness = await cacheHarness({ store: 'off' }, () => ({ headers: { 'cache-control': 'max-age=60' }, body: 'x' }));
    await harness.get('/a');
    const second = await harness.get('/a');
    expect(second.cacheStatus).toBe('alb-retry-proxy; fwd=bypass; fwd-status=200');
    expect(harness.origin.requests).toHaveLength(2);
  });

  test('names itself with CACHE_STATUS_NAME', async () => {
    harness = await cacheHarness({ store: 'memory', env: { CACHE_STATUS_NAME: 'edge-1' } }, () => ({ body: 'x' }));
    expect((await harness.get('/a')).cacheStatus).toMatch(/^edge-1; fwd=uri-miss/);
  });
});
