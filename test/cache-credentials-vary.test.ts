/**
 * An answer to a request with Cookie or Authorization never changes how a URL varies for everyone
 * else. Origins that add `Vary: Cookie` only when a session is in play (Django's session middleware,
 * Rails) answer a logged-in user's request with a per-user variant; storing it wrote a Vary marker
 * at the URL's primary slot, over the entry every anonymous client was served and its stale-if-error
 * fallback, and any client can send a cookie (with `Cache-Control: no-cache`, even over a fresh
 * entry). Such an answer still reaches its user, and is stored where the URL already varies the same
 * way or holds nothing yet. Found by a review.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { cacheHarness, type CacheHarness } from './support/cache-harness.js';

let h: CacheHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const body = (result: { response?: { body: Buffer } | undefined }): string | undefined => result.response?.body.toString();

/** The anonymous page with `anonymous` headers; a request with a cookie or Authorization gets its own page with `personal` headers. */
async function origin(store: 'memory' | 's3', anonymous: Record<string, string>, personal: Record<string, string>): Promise<CacheHarness & { fail(): void; calls(): number }> {
  let down = false;
  let calls = 0;
  const harness = await cacheHarness({ store, ...(store === 's3' ? { s3Endpoint: inject('s3Endpoint') } : {}) }, (req) => {
    calls += 1;
    if (down) return { status: 503, body: 'down' };
    const who = req.headers.cookie ?? req.headers.authorization;
    return who === undefined ? { status: 200, headers: anonymous, body: 'public page' } : { status: 200, headers: personal, body: `page of ${String(who)}` };
  });
  h = harness;
  return Object.assign(harness, { fail: () => (down = true), calls: () => calls });
}

describe('an answer that varies otherwise, to a request with credentials', () => {
  it.each(['memory', 's3'] as const)('keeps the anonymous entry and its stale-if-error fallback (%s)', async (store) => {
    const o = await origin(store, { 'cache-control': 'max-age=60' }, { 'cache-control': 'max-age=60', vary: 'Cookie' });
    expect((await o.get('/home')).cacheStatus).toContain('stored');
    o.advance(120);
    const bob = await o.get('/home', { cookie: 'session=bob' });
    expect(body(bob)).toBe('page of session=bob');
    expect(bob.cacheStatus).not.toContain('stored');
    o.fail();
    const anonymous = await o.get('/home');
    expect(anonymous.cacheStatus).toContain('fwd=stale');
    expect(body(anonymous)).toBe('public page');
  });

  it('with Cache-Control: no-cache over a fresh entry leaves everyone else their hits', async () => {
    const o = await origin('memory', { 'cache-control': 'max-age=600' }, { 'cache-control': 'max-age=60', vary: 'Cookie' });
    expect((await o.get('/home')).cacheStatus).toContain('stored');
    expect(body(await o.get('/home', { cookie: 'session=bob', 'cache-control': 'no-cache' }))).toBe('page of session=bob');
    const before = o.calls();
    const anonymous = await o.get('/home');
    expect(anonymous.cacheStatus).toContain('hit');
    expect(body(anonymous)).toBe('public page');
    expect(o.calls()).toBe(before);
  });

  it('adding a field to the Vary of the URL keeps its variants reachable', async () => {
    const o = await origin('memory', { 'cache-control': 'max-age=600', vary: 'Accept-Encoding' }, { 'cache-control': 'max-age=60', vary: 'Accept-Encoding, Cookie' });
    expect((await o.get('/home', { 'accept-encoding': 'gzip' })).cacheStatus).toContain('stored');
    expect(body(await o.get('/home', { 'accept-encoding': 'gzip', cookie: 'session=bob', 'cache-control': 'no-cache' }))).toBe('page of session=bob');
    const anonymous = await o.get('/home', { 'accept-encoding': 'gzip' });
    expect(anonymous.cacheStatus).toContain('hit');
    expect(body(anonymous)).toBe('public page');
  });

  it('with Authorization (s-maxage, Vary: Authorization) keeps the anonymous entry too', async () => {
    const o = await origin('memory', { 'cache-control': 'max-age=600' }, { 'cache-control': 's-maxage=60', vary: 'Authorization' });
    expect((await o.get('/records')).cacheStatus).toContain('stored');
    expect(body(await o.get('/records', { authorization: 'Bearer bob', 'cache-control': 'no-cache' }))).toBe('page of Bearer bob');
    expect((await o.get('/records')).cacheStatus).toContain('hit');
  });
});

describe('what such answers still do', () => {
  it('are stored per cookie where the URL holds nothing yet: each user gets only their own', async () => {
    const o = await origin('memory', { 'cache-control': 'max-age=60', vary: 'Cookie' }, { 'cache-control': 'max-age=60', vary: 'Cookie' });
    expect((await o.get('/account', { cookie: 'session=bob' })).cacheStatus).toContain('stored');
    const again = await o.get('/account', { cookie: 'session=bob' });
    expect(again.cacheStatus).toContain('hit');
    expect(body(again)).toBe('page of session=bob');
    const alice = await o.get('/account', { cookie: 'session=alice' });
    expect(alice.cacheStatus).not.toContain('hit');
    expect(body(alice)).toBe('page of session=alice');
  });

  it('are stored as a variant where the URL already varies on the cookie, beside the anonymous one', async () => {
    const o = await origin('memory', { 'cache-control': 'max-age=60', vary: 'Cookie' }, { 'cache-control': 'max-age=60', vary: 'Cookie' });
    expect((await o.get('/home')).cacheStatus).toContain('stored');
    expect((await o.get('/home', { cookie: 'session=bob' })).cacheStatus).toContain('stored');
    expect(body(await o.get('/home', { cookie: 'session=bob' }))).toBe('page of session=bob');
    const anonymous = await o.get('/home');
    expect(anonymous.cacheStatus).toContain('hit');
    expect(body(anonymous)).toBe('public page');
  });

  it('an anonymous answer that varies otherwise still replaces the entry: the origin changed how the URL varies', async () => {
    let vary: string | undefined;
    h = await cacheHarness({ store: 'memory' }, () => ({ status: 200, headers: { 'cache-control': 'max-age=60', ...(vary ? { vary } : {}) }, body: vary ?? 'plain' }));
    expect((await h.get('/home')).cacheStatus).toContain('stored');
    h.advance(120);
    vary = 'Accept-Encoding';
    expect((await h.get('/home', { 'accept-encoding': 'br' })).cacheStatus).toContain('stored');
    const variant = await h.get('/home', { 'accept-encoding': 'br' });
    expect(variant.cacheStatus).toContain('hit');
    expect(body(variant)).toBe('Accept-Encoding');
  });
});
