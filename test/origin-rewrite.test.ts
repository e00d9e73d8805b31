import { describe, expect, it } from 'vitest';
import { hostAllowed, keyHost, originHost } from '../shared/http/host-policy.js';
import type { HeaderMap } from '../shared/http/types.js';
import { clientAddress, rewriteCookieDomain, rewriteRefresh, rewriteResponseHeaders, rewriteUrl, type ClientAddress } from '../shared/http/origin-rewrite.js';

const origin = new URL('http://hosp.internal:8443');
const client: ClientAddress = { scheme: 'https', host: 'app.example.org' };
const unknown: ClientAddress = { scheme: undefined, host: undefined };

describe('rewriting a URL, a Refresh and a Set-Cookie Domain', () => {
  // One table for the three: the rewrite differs, the check does not.
  const rewrites = { URL: rewriteUrl, Refresh: rewriteRefresh, 'Set-Cookie': rewriteCookieDomain };
  it.each([
    ['URL', 'http://hosp.internal:8443/home?next=%2Fa#top', 'https://app.example.org/home?next=%2Fa#top'],
    ['URL', 'HTTP://HOSP.INTERNAL:8443/Home', 'https://app.example.org/Home'],
    ['URL', 'http://hosp.internal:8443', 'https://app.example.org/'],
    ['URL', 'http://hosp.internal:8443?x=1', 'https://app.example.org/?x=1'],
    ['URL', '//hosp.internal:8443/a', 'https://app.example.org/a'],
    ['Refresh', '5; url=http://hosp.internal:8443/next', '5; url=https://app.example.org/next'],
    ['Refresh', '0;URL=\'http://hosp.internal:8443/next\'', "0;URL='https://app.example.org/next'"],
    ['Refresh', '3, http://hosp.internal:8443/n', '3, https://app.example.org/n'],
    ['Refresh', '5; url=http://other.example/next', '5; url=http://other.example/next'],
    ['Refresh', '5', '5'],
    ['Set-Cookie', 'sid=1; Domain=hosp.internal; Path=/; HttpOnly', 'sid=1; Domain=app.example.org; Path=/; HttpOnly'],
    ['Set-Cookie', 'sid=1; path=/; domain=.HOSP.internal', 'sid=1; path=/; domain=app.example.org'],
    ['Set-Cookie', 'sid=1; Domain=example.org; Path=/', 'sid=1; Domain=example.org; Path=/'],
    ['Set-Cookie', 'sid=1; Domain=sub.hosp.internal', 'sid=1; Domain=sub.hosp.internal'],
    ['Set-Cookie', 'domain=hosp.internal; Path=/', 'domain=hosp.internal; Path=/'],
    ['Set-Cookie', 'sid=1; Path=/', 'sid=1; Path=/'],
  ] as const)('%s %s -> %s', (field, value, expected) => {
    expect(rewrites[field](value, origin, client)).toBe(expected);
  });
});

describe("rewriting the origin's own URLs", () => {
  it.each([
    ['another port', 'http://hosp.internal:8080/home'],
    ['another scheme', 'https://hosp.internal:8443/home'],
    ['another host', 'http://elsewhere.example/home'],
    ['a host that only starts like the origin', 'http://hosp.internal.evil:8443/x'],
    ['credentials in the authority', 'http://user@hosp.internal:8443/x'],
    ['a relative path', '/home'],
    ['a path with // inside', '/a//hosp.internal:8443/'],
    ['not a URL', 'hello world'],
    ['an empty value', ''],
  ])('leaves %s alone', (_why, value) => {
    expect(rewriteUrl(value, origin, client)).toBe(value);
  });

  it('implies the default port both ways', () => {
    expect(rewriteUrl('http://hosp.internal:80/x', new URL('http://hosp.internal'), client)).toBe('https://app.example.org/x');
    expect(rewriteUrl('https://hosp.internal/x', new URL('https://hosp.internal:443'), client)).toBe('https://app.example.org/x');
  });

  it('keeps the port the client used, and becomes relative when the scheme or the host is unknown', () => {
    expect(rewriteUrl('http://hosp.internal:8443/x', origin, { scheme: 'http', host: 'localhost:3000' })).toBe('http://localhost:3000/x');
    expect(rewriteUrl('http://hosp.internal:8443/x?y', origin, unknown)).toBe('/x?y');
    expect(rewriteUrl('http://hosp.internal:8443/x', origin, { scheme: 'https', host: undefined })).toBe('/x');
    expect(rewriteUrl('http://hosp.internal:8443/x', origin, { scheme: undefined, host: 'app.example.org' })).toBe('/x');
  });

  it.each([
    'http://hosp.internal:8443//evil.example/',
    'http://hosp.internal:8443\\evil.example/',
    'http://hosp.internal:8443/\\evil.example/',
    'http://hosp.internal:8443/\t/evil.example/',
  ])('never turns %j into a relative URL a browser reads as another host', (value) => {
    expect(rewriteUrl(value, origin, unknown)).toBe(value);
    expect(new URL(rewriteUrl(value, origin, client)).host).toBe('app.example.org');
  });
});

describe('Set-Cookie Domain', () => {
  it("drops the client's port, and the Domain itself when the client's host is unknown (host-only cookie)", () => {
    expect(rewriteCookieDomain('a=1; Domain=hosp.internal', origin, { scheme: 'http', host: 'localhost:3000' })).toBe('a=1; Domain=localhost');
    expect(rewriteCookieDomain('a=1; Domain=hosp.internal; Secure', origin, unknown)).toBe('a=1; Secure');
  });
});

describe('rewriteResponseHeaders', () => {
  const stored: HeaderMap = {
    location: ['http://hosp.internal:8443/a'],
    'content-location': ['http://hosp.internal:8443/b'],
    refresh: ['1; url=http://hosp.internal:8443/c'],
    'set-cookie': ['a=1; Domain=hosp.internal', 'b=2; Domain=other.example'],
    link: ['<http://hosp.internal:8443/d>; rel=next'],
  };

  it('rewrites only the four fields, into a new map', () => {
    const copy = structuredClone(stored);
    const out = rewriteResponseHeaders(stored, { origin, client });
    expect(out).toEqual({
      location: ['https://app.example.org/a'],
      'content-location': ['https://app.example.org/b'],
      refresh: ['1; url=https://app.example.org/c'],
      'set-cookie': ['a=1; Domain=app.example.org', 'b=2; Domain=other.example'],
      link: ['<http://hosp.internal:8443/d>; rel=next'],
    });
    expect(stored).toEqual(copy);
  });

  it('REWRITE_REDIRECTS=false and REWRITE_COOKIE_DOMAIN=false turn each part off', () => {
    const noRedirects = rewriteResponseHeaders(stored, { origin, client, redirects: false });
    expect(noRedirects.location).toEqual(stored.location);
    expect(noRedirects['set-cookie']![0]).toBe('a=1; Domain=app.example.org');
    const noCookies = rewriteResponseHeaders(stored, { origin, client, cookieDomain: false });
    expect(noCookies.location).toEqual(['https://app.example.org/a']);
    expect(noCookies['set-cookie']).toEqual(stored['set-cookie']);
  });
});

describe("the client's address", () => {
  it('comes from x-forwarded-proto and a well-formed Host only', () => {
    expect(clientAddress({ 'x-forwarded-proto': ['HTTPS'], host: ['App.Example.org:8443'] })).toEqual({ scheme: 'https', host: 'app.example.org:8443' });
    expect(clientAddress({ 'x-forwarded-proto': ['ftp'], host: ['evil.example/path'] })).toEqual({ scheme: undefined, host: undefined });
    expect(clientAddress({ host: ['a.example', 'b.example'] }).host).toBeUndefined();
    expect(clientAddress({ host: ['[::1]:3000'] }).host).toBe('[::1]:3000');
  });
});

describe('the host policy', () => {
  const allowed = new Set(['app.example.org']);

  it('accepts listed names on any port, no Host at all, and everything without a list', () => {
    expect(hostAllowed(allowed, { host: ['APP.example.org'] })).toBe(true);
    expect(hostAllowed(allowed, { host: ['app.example.org:8443'] })).toBe(true);
    expect(hostAllowed(allowed, { host: ['app.example.org.'] })).toBe(true);
    expect(hostAllowed(allowed, {})).toBe(true);
    expect(hostAllowed(undefined, { host: ['anything.example'] })).toBe(true);
  });

  it('refuses unlisted, malformed and repeated Hosts', () => {
    expect(hostAllowed(allowed, { host: ['evil.example'] })).toBe(false);
    expect(hostAllowed(allowed, { host: ['app.example.org.evil.example'] })).toBe(false);
    expect(hostAllowed(allowed, { host: ['app.example.org/x'] })).toBe(false);
    expect(hostAllowed(allowed, { host: ['app.example.org', 'app.example.org'] })).toBe(false);
  });

  it('sends the origin its own host, the client Host, or the literal name', () => {
    const headers = { host: ['App.example.org'] };
    expect(originHost({ mode: 'origin' }, origin, headers)).toBe('hosp.internal:8443');
    expect(originHost({ mode: 'client' }, origin, headers)).toBe('app.example.org');
    expect(originHost({ mode: 'client' }, origin, {})).toBe('hosp.internal:8443');
    expect(originHost({ mode: 'literal', host: 'public.example' }, origin, headers)).toBe('public.example');
    expect(keyHost(headers)).toBe('app.example.org');
    expect(keyHost({})).toBe('-');
  });
});
