/**
 * One user's answer never reaches another: a response to a request with Cookie or Authorization is
 * shared only when the origin labelled it so (public, s-maxage, a declared lifetime, or a Vary on
 * the credential). The blanket labels frameworks send on every page (max-age=0, Expires: 0,
 * no-cache, must-revalidate, no-transform) do not; before, any label did, and heuristic freshness or
 * the configured stale-if-error then served Alice's page to Bob and to anonymous clients. Nor may a
 * private answer or a 304 to a request with credentials remove the shared entry, nor a 304 that
 * changes Vary move one user's variant to everyone. A real origin renders a page per credential
 * and fails on demand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cacheHarness, type CacheHarness } from './support/cache-harness.js';
import type { OriginScript } from './support/test-origin.js';

let h: CacheHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MONTH_AGO = new Date(Date.now() - 30 * 86_400_000).toUTCString();

/** An origin that renders a page of whoever the credential names, with `headers`, until `fail()`. */
async function personal(headers: Record<string, string>): Promise<CacheHarness & { fail(): void }> {
  let down = false;
  const harness = await cacheHarness({ store: 'memory' }, (req) => {
    if (down) return { status: 503, body: 'down' };
    const who = String(req.headers.cookie ?? req.headers.authorization ?? 'anonymous');
    return { status: 200, headers: { 'content-type': 'text/plain', 'last-modified': MONTH_AGO, ...headers }, body: `page of ${who}` };
  });
  h = harness;
  return Object.assign(harness, { fail: () => (down = true) });
}

const body = (result: { response?: { body: Buffer } | undefined }): string | undefined => result.response?.body.toString();

/**
 * `/home` stored for an anonymous client, then stale; Bob's request (with a cookie) gets `bobSees`
 * from `answer`; then the origin fails, and the stored entry must still stand in for it.
 */
async function expectEntryKeptAfterBob(answer: OriginScript, bobSees: string): Promise<void> {
  let down = false;
  h = await cacheHarness({ store: 'memory' }, (req) => (down ? { status: 503, body: 'down' } : answer(req)));
  expect((await h.get('/home')).cacheStatus).toContain('stored');
  h.advance(120);
  expect(body(await h.get('/home', { cookie: 'session=bob' }))).toBe(bobSees);
  down = true;
  const anonymous = await h.get('/home');
  expect(anonymous.cacheStatus).toContain('fwd=stale');
  expect(body(anonymous)).toBe('public page');
}

describe('answers to a request with Cookie', () => {
  it.each([
    [{ 'cache-control': 'max-age=0' }],
    [{ expires: '0' }],
    [{ 'cache-control': 'no-transform' }],
    [{ 'cache-control': 'no-cache' }],
    [{ 'cache-control': 'must-revalidate' }],
  ])('with only %j are never stored: Bob and anonymous clients get their own page, and an error when the origin fails', async (headers) => {
    const origin = await personal(headers);
    const alice = await origin.get('/account', { cookie: 'session=alice' });
    expect(body(alice)).toBe('page of session=alice');
    expect(alice.cacheStatus).not.toContain('stored');
    expect(body(await origin.get('/account', { cookie: 'session=bob' }))).toBe('page of session=bob');
    origin.advance(60);
    origin.fail();
    // Nothing was stored, so nothing stands in for the failing origin (stale-if-error had Alice's page).
    for (const cookie of ['session=bob', undefined]) {
      const failed = await origin.get('/account', cookie ? { cookie } : {});
      expect(failed.response?.status).toBe(503);
      expect(body(failed)).not.toContain('alice');
    }
  });

  it.each([
    ['max-age=60', { 'cache-control': 'max-age=60' }],
    ['public (heuristic freshness, the origin says it is for everyone)', { 'cache-control': 'public' }],
    ['s-maxage=60', { 'cache-control': 's-maxage=60' }],
    ['a future Expires', { expires: new Date(Date.now() + 3_600_000).toUTCString() }],
  ])('labelled %s are shared as the origin said', async (_label, headers) => {
    const origin = await personal(headers);
    expect((await origin.get('/catalog', { cookie: 'session=alice' })).cacheStatus).toContain('stored');
    const bob = await origin.get('/catalog', { cookie: 'session=bob' });
    expect(bob.cacheStatus).toContain('hit');
    expect(body(bob)).toBe('page of session=alice');
  });

  it('with Vary: Cookie are stored per cookie, even with blanket labels: each user gets only their own', async () => {
    const origin = await personal({ 'cache-control': 'must-revalidate', vary: 'Cookie' });
    expect((await origin.get('/account', { cookie: 'session=alice' })).cacheStatus).toContain('stored');
    expect(body(await origin.get('/account', { cookie: 'session=bob' }))).toBe('page of session=bob');
    const again = await origin.get('/account', { cookie: 'session=alice' });
    expect(again.cacheStatus).toContain('hit');
    expect(body(again)).toBe('page of session=alice');
    expect(body(await origin.get('/account'))).toBe('page of anonymous');
  });
});

describe('answers to a request with Authorization', () => {
  it('with must-revalidate and no lifetime are not stored (heuristic freshness would serve them to anyone)', async () => {
    const origin = await personal({ 'cache-control': 'must-revalidate' });
    expect((await origin.get('/records', { authorization: 'Bearer alice' })).cacheStatus).not.toContain('stored');
    const anonymous = await origin.get('/records');
    expect(anonymous.cacheStatus).not.toContain('hit');
    expect(body(anonymous)).toBe('page of anonymous');
  });

  it('with must-revalidate and max-age are shared for that lifetime (RFC 9111 section 3.5)', async () => {
    const origin = await personal({ 'cache-control': 'must-revalidate, max-age=60' });
    expect((await origin.get('/records', { authorization: 'Bearer alice' })).cacheStatus).toContain('stored');
    const later = await origin.get('/records', { authorization: 'Bearer bob' });
    expect(later.cacheStatus).toContain('hit');
  });
});

describe('a private answer to a request with credentials', () => {
  it("does not remove the shared entry, nor everyone's stale-if-error fallback with it", async () => {
    await expectEntryKeptAfterBob((req) => {
      const personal = req.headers.cookie !== undefined;
      return { status: 200, headers: { 'cache-control': personal ? 'private, max-age=60' : 'max-age=60' }, body: personal ? 'your page' : 'public page' };
    }, 'your page');
  });

  it('from an anonymous request does remove it: the origin itself no longer shares the page', async () => {
    let privately = false;
    h = await cacheHarness({ store: 'memory' }, () => ({ status: 200, headers: { 'cache-control': privately ? 'private' : 'max-age=60' }, body: privately ? 'now private' : 'public page' }));
    expect((await h.get('/home')).cacheStatus).toContain('stored');
    h.advance(120);
    privately = true;
    expect(body(await h.get('/home'))).toBe('now private');
    expect((await h.get('/home')).cacheStatus).toContain('uri-miss');
  });
});


describe('a 304 to a request with credentials', () => {
  it('that changes Vary does not move one user’s variant to a key others share', async () => {
    h = await cacheHarness({ store: 'memory' }, (req) => {
      const who = String(req.headers.cookie ?? 'anonymous');
      if (req.headers['if-none-match'] === `"${who}"`) return { status: 304, headers: { etag: `"${who}"`, 'cache-control': 'max-age=60', vary: 'Accept-Encoding' } };
      return { status: 200, headers: { etag: `"${who}"`, 'cache-control': 'max-age=60', vary: 'Cookie' }, body: `page of ${who}` };
    });
    expect((await h.get('/account', { cookie: 'session=alice' })).cacheStatus).toContain('stored');
    h.advance(120);
    expect(body(await h.get('/account', { cookie: 'session=alice' }))).toBe('page of session=alice');
    for (const headers of [{ cookie: 'session=bob' }, {}] as Record<string, string>[]) {
      const other = await h.get('/account', headers);
      expect(other.cacheStatus).not.toContain('hit');
      expect(body(other)).not.toContain('alice');
    }
  });

  it("whose validator is not the stored one does not remove the shared entry (it may be that user's own)", async () => {
    const shared = new Date(Date.now() - 86_400_000).toUTCString();
    await expectEntryKeptAfterBob((req) => {
      if (req.headers.cookie !== undefined && req.headers['if-modified-since'] !== undefined) return { status: 304, headers: { 'last-modified': MONTH_AGO, 'cache-control': 'max-age=60' } };
      return { status: 200, headers: { 'last-modified': shared, 'cache-control': 'max-age=60' }, body: 'public page' };
    }, 'public page');
  });
});

describe('Vary and credentials', () => {
  it('Vary: Authorization labels nothing: an Authorization answer needs public, s-maxage or must-revalidate with a lifetime', async () => {
    const origin = await personal({ 'cache-control': 'must-revalidate', vary: 'Authorization' });
    expect((await origin.get('/records', { authorization: 'Bearer alice' })).cacheStatus).not.toContain('stored');
  });

  it('Vary-nominated values are stored as digests, but the request directives the library reads stay readable', async () => {
    h = await cacheHarness({ store: 'memory' }, () => ({ status: 200, headers: { 'cache-control': 'max-age=60', vary: 'Cache-Control' }, body: 'page' }));
    expect((await h.get('/p')).cacheStatus).toContain('stored');
    expect((await h.get('/p')).cacheStatus).toContain('hit');
    // The request's own no-cache and no-store still count under a Vary that names Cache-Control.
    expect((await h.get('/p', { 'cache-control': 'no-cache' })).cacheStatus).not.toContain('hit');
    expect((await h.get('/q', { 'cache-control': 'no-store' })).cacheStatus).not.toContain('stored');
  });
});
