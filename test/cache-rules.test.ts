import { describe, expect, test } from 'vitest';
import { cacheKey, variantId, varyFields, varyValue } from '../shared/cache/cache-key.js';
import { formatCacheStatus } from '../shared/cache/cache-status.js';
import { notModified, withValidators } from '../shared/cache/conditional.js';
import { invalidatedKeys } from '../shared/cache/invalidation.js';
import type { OriginResponse } from '../shared/http/types.js';
import { originRequest } from './support/cache-harness.js';

const origin = new URL('http://hosp.internal:8080');
const ok = (headers: Record<string, string>, status = 200): OriginResponse => ({
  status,
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
  body: Buffer.from('x'),
});

describe("the client's conditional headers", () => {
  const tagged = ok({ etag: '"a,b"', 'last-modified': 'Tue, 01 Oct 2024 10:00:00 GMT' });

  test.each([
    ['the same strong tag', { 'if-none-match': '"a,b"' }, true],
    ['a weak form of the tag (weak comparison)', { 'if-none-match': 'W/"a,b"' }, true],
    ['one tag of a list, commas inside tags', { 'if-none-match': '"x", "a,b"' }, true],
    ['*', { 'if-none-match': '*' }, true],
    ['another tag', { 'if-none-match': '"a"' }, false],
    ['If-None-Match that fails, even with a later If-Modified-Since', { 'if-none-match': '"zz"', 'if-modified-since': 'Wed, 02 Oct 2024 10:00:00 GMT' }, false],
    ['If-Modified-Since at Last-Modified', { 'if-modified-since': 'Tue, 01 Oct 2024 10:00:00 GMT' }, true],
    ['If-Modified-Since before Last-Modified', { 'if-modified-since': 'Mon, 30 Sep 2024 10:00:00 GMT' }, false],
    ['an unparseable If-Modified-Since', { 'if-modified-since': 'yesterday' }, false],
  ])('%s: not modified = %s', (_name, headers, expected) => {
    expect(notModified(originRequest('GET', '/', headers), tagged, true)).toBe(expected);
    expect(notModified(originRequest('GET', '/', headers), tagged, false)).toBe(expected);
  });

  test('without Last-Modified, If-Modified-Since is compared with a stored response\'s Date (RFC 9111 section 4.3.2)', () => {
    const dated = ok({ date: 'Tue, 01 Oct 2024 10:00:00 GMT' });
    expect(notModified(originRequest('GET', '/', { 'if-modified-since': 'Tue, 01 Oct 2024 10:00:00 GMT' }), dated, true)).toBe(true);
    expect(notModified(originRequest('GET', '/', { 'if-modified-since': 'Mon, 30 Sep 2024 10:00:00 GMT' }), dated, true)).toBe(false);
  });

  test('without Last-Modified, an answer the origin just sent is never taken as not modified since a date', () => {
    // A client clock ahead of the origin's would otherwise turn a changed page into a 304.
    const dated = ok({ date: 'Tue, 01 Oct 2024 10:00:00 GMT' });
    expect(notModified(originRequest('GET', '/', { 'if-modified-since': 'Wed, 02 Oct 2024 10:00:00 GMT' }), dated, false)).toBe(false);
  });

  test('only a 200 becomes a 304', () => {
    expect(notModified(originRequest('GET', '/', { 'if-none-match': '*' }), ok({ etag: '"a"' }, 404), true)).toBe(false);
  });

  test('are replaced by the cache validators, and only those', () => {
    const request = originRequest('GET', '/', { 'if-none-match': '"client"', 'if-modified-since': 'x', accept: 'text/html' });
    const sent = withValidators(request, { 'if-none-match': '"stored"', accept: 'ignored' });
    expect(sent.headers).toEqual({ 'if-none-match': ['"stored"'], accept: ['text/html'] });
    expect(request.headers['if-none-match']).toEqual(['"client"']);
  });
});

describe('cache keys', () => {
  test('are the origin URL with the raw path and query, whatever the method', () => {
    expect(cacheKey(origin, originRequest('HEAD', '/a%2Fb?x=%5B1%5D&y=+'))).toBe('v2 - http://hosp.internal:8080/a%2Fb?x=%5B1%5D&y=+');
    expect(cacheKey(origin, originRequest('GET', '/a'))).toBe('v2 - http://hosp.internal:8080/a');
    expect(cacheKey(origin, originRequest('GET', '/a', { 'x-forwarded-proto': 'https' }))).toBe('v2 https http://hosp.internal:8080/a');
    expect(cacheKey(origin, originRequest('GET', '/a', { 'x-forwarded-proto': 'HTTP' }))).toBe('v2 http http://hosp.internal:8080/a');
  });

  test("hold the client's Host only when it reaches the origin (ORIGIN_HOST_HEADER=client)", () => {
    const request = originRequest('GET', '/a', { 'x-forwarded-proto': 'https', host: 'App.example.org' });
    expect(cacheKey(origin, request)).toBe('v2 https http://hosp.internal:8080/a');
    expect(cacheKey(origin, request, true)).toBe('v2 https app.example.org http://hosp.internal:8080/a');
    expect(cacheKey(origin, originRequest('GET', '/a', { host: 'www.example.org' }), true)).toBe('v2 - www.example.org http://hosp.internal:8080/a');
    expect(cacheKey(origin, originRequest('GET', '/a'), true)).toBe('v2 - - http://hosp.internal:8080/a');
  });

  test('variants differ by the nominated header values, including absent versus empty', () => {
    const fields = varyFields(ok({ vary: 'Accept-Language, accept-encoding' }).headers);
    expect(fields).toEqual(['accept-encoding', 'accept-language']);
    const id = (headers: Record<string, string>) => variantId('k', 'g', fields, originRequest('GET', '/', headers).headers);
    expect(id({ 'accept-language': 'en' })).toBe(id({ 'accept-language': 'en', cookie: 'c' }));
    expect(id({ 'accept-language': 'en' })).not.toBe(id({ 'accept-language': 'fr' }));
    expect(id({})).not.toBe(id({ 'accept-language': '' }));
    expect(variantId('k', 'g2', fields, {})).not.toBe(variantId('k', 'g', fields, {}));
  });

  test('a nominated value is compared with whitespace around list commas dropped, lines joined', () => {
    expect(varyValue(['1,2'])).toBe('1, 2');
    expect(varyValue([' 1 , 2 '])).toBe('1, 2');
    expect(varyValue(['1', '2'])).toBe('1, 2');
    expect(varyValue(['1 2'])).toBe('1 2');
    expect(varyValue(undefined)).toBeUndefined();
    const id = (value: string) => variantId('k', 'g', ['foo'], originRequest('GET', '/', { foo: value }).headers);
    expect(id(' 1, 2 ')).toBe(id('1,2'));
  });
});

describe('invalidation after unsafe methods', () => {
  test.each([
    ['POST 201 with Location', 'POST', ok({ location: '/items/9?v=1' }, 201), ['/items', '/items/9?v=1']],
    ['DELETE 204', 'DELETE', ok({}, 204), ['/items']],
    ['PUT 303 with an absolute Content-Location on the origin', 'PUT', ok({ 'content-location': 'http://hosp.internal:8080/x' }, 303), ['/items', '/x']],
    ['a custom method', 'PURGE', ok({}), ['/items']],
    ['POST 404', 'POST', ok({}, 404), []],
    ['POST 500', 'POST', ok({}, 500), []],
    ['GET', 'GET', ok({ location: '/y' }), []],
    ['OPTIONS', 'OPTIONS', ok({}), []],
    ['a Location on another origin', 'POST', ok({ location: 'https://hosp.internal/z' }, 201), ['/items']],
    ['a protocol-relative Location', 'POST', ok({ location: '//elsewhere/z' }, 201), ['/items']],
  ])('%s', (_name, method, response, paths) => {
    const keys = invalidatedKeys(origin, originRequest(method, '/items'), response);
    expect(keys).toEqual(paths.flatMap((p) => ['http', 'https', '-'].map((scheme) => `v2 ${scheme} http://hosp.internal:8080${p}`)));
  });

  test("with the Host in the key: only that Host's entries, and a Location naming that Host is on the origin", () => {
    const request = originRequest('POST', '/items', { host: 'app.example.org' });
    const keys = invalidatedKeys(origin, request, ok({ location: 'https://app.example.org/items/9', 'content-location': 'http://other.example/x' }, 201), true);
    expect(keys).toEqual(['/items', '/items/9'].flatMap((p) => ['http', 'https', '-'].map((scheme) => `v2 ${scheme} app.example.org http://hosp.internal:8080${p}`)));
  });

  test('resolve against the origin even for a request path starting with //', () => {
    expect(invalidatedKeys(origin, originRequest('POST', '//evil/a'), ok({ location: 'b' }, 201)).filter((k) => k.startsWith('v2 https '))).toEqual([
      'v2 https http://hosp.internal:8080//evil/a',
      'v2 https http://hosp.internal:8080//evil/b',
    ]);
  });
});

describe('Cache-Status', () => {
  test('lists the RFC 9211 parameters in order', () => {
    expect(formatCacheStatus('c', { hit: true, ttl: 41.6 })).toBe('c; hit; ttl=42');
    expect(formatCacheStatus('c', { fwd: 'stale', fwdStatus: 304, stored: true, ttl: 60 })).toBe('c; fwd=stale; fwd-status=304; stored; ttl=60');
    expect(formatCacheStatus('c', { fwd: 'stale', detail: 'connection_refused', ttl: -3 })).toBe('c; fwd=stale; ttl=-3; detail=connection_refused');
  });

  test('quotes a detail that is not a token', () => {
    expect(formatCacheStatus('c', { fwd: 'miss', detail: '5 attempts' })).toBe('c; fwd=miss; detail="5 attempts"');
  });
});
