import { describe, expect, test } from 'vitest';
import { formatDirectives, parseCdnCacheControl } from '../shared/http/cdn-cache-control.js';
import { declaresLifetime, hasExplicitFreshness, parseCacheControl, responseDirectives, revalidatesWhenStale } from '../shared/http/cache-directives.js';
import { libraryResponse, libraryStatus } from '../shared/cache/library-view.js';
import { createPolicies } from '../shared/cache/policy.js';
import { reusable } from '../shared/cache/reuse.js';
import { assess, isErrorAnswer, storeRefusal } from '../shared/cache/store-rules.js';
import type { HeaderMap, OriginResponse } from '../shared/http/types.js';
import { originRequest } from './support/cache-harness.js';

const map = (headers: Record<string, string>): HeaderMap => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
const flat = (headers: Record<string, string>) => ({ ...headers });

describe('CDN-Cache-Control is a Structured Field Dictionary (RFC 9213 section 2.1)', () => {
  test.each([
    ['max-age=3600', [['max-age', '3600']]],
    ['foobar, max-age=3600', [['foobar', true], ['max-age', '3600']]],
    ['private', [['private', true]]],
    ['max-age=2147483648', [['max-age', '2147483648']]],
    ['no-cache="set-cookie", x;p=1', [['no-cache', 'set-cookie'], ['x', true]]],
    // Inner lists are Dictionary members too (RFC 8941 section 3.2); no directive we know takes one.
    ['max-age=60, foo=(a "b");p, bar=()', [['max-age', '60'], ['foo', true], ['bar', true]]],
    // structured-headers 2.1.0 reads a Date (RFC 9651) only as the field's last member.
    ['max-age=60, d=:AQID:, s=%"caf%c3%a9", t=@1659578233', [['max-age', '60'], ['d', true], ['s', true], ['t', true]]],
    ['no-store=?0', [['no-store', '?0']]],
    ['max-age=1, max-age=5', [['max-age', '5']]],
    ['foo="a, max-age=1.0", max-age=5', [['foo', 'a, max-age=1.0'], ['max-age', '5']]],
  ])('%s parses', (value, expected) => {
    expect([...parseCdnCacheControl(value)!]).toEqual(expected);
  });
  test.each([
    ['an unknown type', 'max-age=10000, &&&&&'],
    ['a string where max-age needs an integer', 'max-age="10000"'],
    ['space before =', 'max-age =100'],
    ['space after =', 'max-age= 100'],
    ['upper-case keys', 'MaX-aGe=3600'],
    ['a trailing comma', 'max-age=1,'],
    ['an empty value', ''],
    // RFC 8941 section 3.3.2: 10.0 is a Decimal, though the parser reads it as the number 10.
    ['a decimal where max-age needs an integer', 'max-age=10.0'],
    ['a decimal s-maxage after other members', 'private, s-maxage=-1.0'],
    ['a decimal with a fraction', 'stale-if-error=1.5'],
    // RFC 8941 section 3.3.3: sf-string is printable ASCII only.
    ['a string with a non-ASCII character', 'max-age=60, foo="é"'],
    ['an integer of 16 digits', 'max-age=1234567890123456'],
  ])('%s makes the whole field invalid', (_name, value) => {
    expect(parseCdnCacheControl(value)).toBeUndefined();
  });
  test('written back as Cache-Control', () => {
    expect(formatDirectives(parseCdnCacheControl('max-age=60, no-cache="a b"')!)).toBe('max-age=60, no-cache="a b"');
  });
});

describe('the directives this cache obeys', () => {
  test('a valid CDN-Cache-Control replaces Cache-Control', () => {
    const rd = responseDirectives(map({ 'cdn-cache-control': 'max-age=10', 'cache-control': 'no-store' }));
    expect(rd.targeted).toBe(true);
    expect([...rd.directives]).toEqual([['max-age', '10']]);
  });
  test('an invalid one falls back to Cache-Control', () => {
    const rd = responseDirectives(map({ 'cdn-cache-control': 'max-age="10"', 'cache-control': 'No-Store' }));
    expect(rd.targeted).toBe(false);
    expect([...rd.directives]).toEqual([['no-store', true]]);
  });
  test('Cache-Control: names lower-cased, quoted values unquoted, the first of a repeated name wins', () => {
    expect([...parseCacheControl('Max-Age=5, no-cache="a, b", max-age=9')]).toEqual([['max-age', '5'], ['no-cache', 'a, b']]);
  });
  test.each([['must-revalidate'], ['proxy-revalidate'], ['s-maxage=5']])('%s: revalidate once stale', (cc) => {
    expect(revalidatesWhenStale(parseCacheControl(cc))).toBe(true);
  });
  test('max-age alone may be served stale', () => expect(revalidatesWhenStale(parseCacheControl('max-age=5'))).toBe(false));
  test('Expires is explicit freshness, unless CDN-Cache-Control is in force', () => {
    const h = map({ expires: 'Thu, 01 Jan 2099 00:00:00 GMT' });
    expect(hasExplicitFreshness(responseDirectives(h), h)).toBe(true);
    const t = map({ expires: 'Thu, 01 Jan 2099 00:00:00 GMT', 'cdn-cache-control': 'public' });
    expect(hasExplicitFreshness(responseDirectives(t), t)).toBe(false);
  });
});

describe('a declared lifetime (the origin means its answer for a while)', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test.each([
    [{ 'cache-control': 'max-age=60' }, true],
    [{ 'cache-control': 'max-age=0' }, false],
    [{ 'cache-control': 's-maxage=0, max-age=60' }, false],
    [{ 'cache-control': 'no-cache, max-age=60' }, false],
    [{ 'cache-control': 'private, max-age=60' }, false],
    [{ expires: 'Thu, 01 Jan 2099 00:00:00 GMT' }, true],
    [{ expires: 'Thu, 19 Nov 1981 08:52:00 GMT' }, false],
    [{ expires: 'Thu, 01 Jan 2099 00:00:00 GMT', date: 'Fri, 01 Jan 2100 00:00:00 GMT' }, false],
    [{ expires: 'Thu, 01 Jan 2099 00:00:00 GMT', 'cdn-cache-control': 'public' }, false],
    [{ 'cdn-cache-control': 'max-age=5', 'cache-control': 'no-store' }, true],
    [{ 'last-modified': 'Thu, 01 Jan 2015 00:00:00 GMT' }, false],
  ])('%j: %s', (headers, expected) => {
    const h = map(headers as Record<string, string>);
    expect(declaresLifetime(responseDirectives(h), h, now)).toBe(expected);
  });
});

describe('what the cache library is shown', () => {
  test('CDN-Cache-Control stands in for Cache-Control, Expires and Pragma go', () => {
    const h = { 'cache-control': 'max-age=3600', expires: 'Thu, 01 Jan 2099 00:00:00 GMT', pragma: 'no-cache', 'cdn-cache-control': 'private' };
    expect(libraryResponse(200, flat(h), map(h), responseDirectives(map(h))).headers).toEqual({ 'cache-control': 'private', 'cdn-cache-control': 'private' });
  });
  test('must-revalidate and proxy-revalidate are hidden (applied by reuse.ts)', () => {
    const h = { 'cache-control': 'max-age=60, must-revalidate, proxy-revalidate' };
    expect(libraryResponse(200, flat(h), map(h), responseDirectives(map(h))).headers['cache-control']).toBe('max-age=60');
  });
  test('no-store next to must-understand is ignored for an understood status only', () => {
    const h = { 'cache-control': 'must-understand, no-store, max-age=60' };
    expect(libraryResponse(200, flat(h), map(h), responseDirectives(map(h))).headers['cache-control']).toBe('must-understand, max-age=60');
    expect(libraryResponse(599, flat(h), map(h), responseDirectives(map(h))).headers['cache-control']).toBe('must-understand, no-store, max-age=60');
  });
  test('Set-Cookie is not shown (CACHE_ALLOW_SET_COOKIE decides)', () => {
    const h = { 'cache-control': 'max-age=60', 'set-cookie': 'a=1' };
    expect(libraryResponse(200, flat(h), map(h), responseDirectives(map(h))).headers['set-cookie']).toBeUndefined();
  });
  test('a CACHE_DEFAULT_TTL_S max-age added to the normalised headers survives', () => {
    expect(libraryResponse(200, { 'cache-control': 'max-age=30' }, {}, responseDirectives({})).headers['cache-control']).toBe('max-age=30');
  });
  test.each([
    [503, { 'cache-control': 'max-age=60' }, 200],
    [400, { expires: 'Thu, 01 Jan 2099 00:00:00 GMT' }, 200],
    [599, { 'cache-control': 'max-age=60, must-understand' }, 599],
    [500, { 'last-modified': 'Thu, 01 Jan 2015 00:00:00 GMT' }, 500],
    [206, { 'cache-control': 'max-age=60' }, 206],
    [404, {}, 404],
  ])('a %i with %j is shown as a %i', (status, headers, shown) => {
    const h = map(headers as Record<string, string>);
    expect(libraryStatus(status, responseDirectives(h), h)).toBe(shown);
  });
});

describe('decisions after the library', () => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const policies = createPolicies({ now: () => clock, defaultTtlS: 0, originHost: 'o' });
  const response = (status: number, headers: Record<string, string>): OriginResponse => ({ status, headers: map(headers), body: Buffer.from('x') });
  const config = { allowSetCookie: false, maxEntryBytes: 1000, staleIfErrorS: 100 };

  test('a fresh must-revalidate response is reused; once stale it is not, even for max-stale', () => {
    clock = Date.parse('2026-01-01T00:00:00Z');
    const r = response(200, { 'cache-control': 'max-age=10, must-revalidate' });
    const policy = policies.create('k', originRequest('GET', '/'), r);
    const view = policies.view('k', originRequest('GET', '/', { 'cache-control': 'max-stale=1000' }), []);
    expect(reusable(policy, view, responseDirectives(r.headers).directives)).toBe(true);
    clock += 20_000;
    expect(reusable(policy, view, responseDirectives(r.headers).directives)).toBe(false);
    const plain = response(200, { 'cache-control': 'max-age=10' });
    clock -= 20_000;
    const plainPolicy = policies.create('k', originRequest('GET', '/'), plain);
    clock += 20_000;
    // Without must-revalidate, a client's max-stale lets the stale response through.
    expect(plainPolicy.stale()).toBe(true);
    expect(reusable(plainPolicy, view, responseDirectives(plain.headers).directives)).toBe(true);
  });

  test('Authorization: stored only with public, s-maxage or must-revalidate (RFC 9111 section 3.5)', () => {
    const request = originRequest('GET', '/', { authorization: 'Basic x' });
    const refusal = (cc: string) => {
      const r = response(200, { 'cache-control': cc });
      return storeRefusal(request, r, assess(policies, 'k', request, r, config.staleIfErrorS), config);
    };
    expect(refusal('max-age=60')).toBe('authorization');
    expect(refusal('max-age=60, must-revalidate')).toBeUndefined();
    expect(refusal('public, max-age=60')).toBeUndefined();
  });

  test('an error without explicit freshness never replaces a good stored response; with it, it may', () => {
    const request = originRequest('GET', '/');
    const heuristic = response(501, { 'last-modified': 'Thu, 01 Jan 2015 00:00:00 GMT', date: new Date(clock).toUTCString() });
    const a = assess(policies, 'k', request, heuristic, config.staleIfErrorS);
    expect(storeRefusal(request, heuristic, a, config)).toBeUndefined();
    expect(storeRefusal(request, heuristic, a, config, { status: 200 })).toBe('error-over-good');
    expect(storeRefusal(request, heuristic, a, config, { status: 503 })).toBeUndefined();
    const explicit = response(503, { 'cache-control': 'max-age=60' });
    expect(storeRefusal(request, explicit, assess(policies, 'k', request, explicit, config.staleIfErrorS), config, { status: 200 })).toBeUndefined();
    const zero = response(500, { 'cache-control': 'max-age=0', etag: '"e"' });
    expect(storeRefusal(request, zero, assess(policies, 'k', request, zero, config.staleIfErrorS), config, { status: 200 }, clock)).toBe('error-over-good');
  });

  test('1xx is never stored', () => {
    const request = originRequest('GET', '/');
    const interim = response(103, { 'cache-control': 'max-age=60' });
    expect(storeRefusal(request, interim, assess(policies, 'k', request, interim, config.staleIfErrorS), config)).toBe('interim');
  });

  test('errors are what shared/outcome.ts calls failed or throttled', () => {
    expect([200, 404, 429, 500, 501, 503].map(isErrorAnswer)).toEqual([false, false, true, true, true, true]);
  });
});
