/**
 * The S3 store's failures, made by a proxy in front of a real s3rver that answers chosen calls with
 * S3's own error documents, against a client with one attempt per call as deployed: a read that
 * failed writes nothing (an error page cannot replace the good answer it missed, a Vary marker cannot
 * be replaced), and a tiered container's old marker cannot undo another container's invalidation.
 */
import { afterEach, describe, expect, inject, test } from 'vitest';
import { createEntryIndex } from '../shared/cache/entry-index.js';
import { createMemoryStore } from '../shared/cache/store/memory.js';
import type { CacheStore } from '../shared/cache/store/types.js';
import { s3rverClient } from '../local/s3rver.js';
import { cacheHarness, originRequest, roomyDeadline, type CacheHarness } from './support/cache-harness.js';
import { startS3FaultProxy, type S3FaultProxy } from './support/s3-fault-proxy.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function throttledHarness(script: Parameters<typeof cacheHarness>[1]): Promise<{ h: CacheHarness; proxy: S3FaultProxy; throttleNextGet(): void }> {
  const proxy = await startS3FaultProxy(inject('s3Endpoint'));
  cleanups.push(() => proxy.stop());
  // One attempt per call, as the deployed store's client: the SDK's default 3 would hide a single SlowDown.
  const s3Client = s3rverClient(proxy.endpoint, { maxAttempts: 1 });
  cleanups.push(() => s3Client.destroy());
  const h = await cacheHarness({ store: 's3', s3Client }, script);
  cleanups.push(() => h.close());
  return {
    h,
    proxy,
    throttleNextGet() {
      let once = true;
      proxy.rule = (method) => (method === 'GET' && once ? ((once = false), { status: 503, code: 'SlowDown' }) : undefined);
    },
  };
}

const answer = (r: { response?: { status: number; body: Buffer } | undefined; cacheStatus: string }) => `${r.response?.status} ${r.response?.body.toString()} | ${r.cacheStatus}`;

describe('the S3 store after a failed read', () => {
  test('stores nothing, so an error page never replaces the good answer the read missed', async () => {
    let reply: { status: number; cacheControl?: string; body: string } = { status: 200, cacheControl: 'max-age=60', body: 'good' };
    const { h, throttleNextGet } = await throttledHarness(() => ({ status: reply.status, headers: reply.cacheControl ? { 'cache-control': reply.cacheControl } : {}, body: reply.body }));
    await h.get('/page');
    h.advance(120);
    throttleNextGet();
    reply = { status: 500, cacheControl: 'max-age=0', body: 'error page' };
    // The read was throttled: the origin's 500 goes to the client, and is not stored.
    expect(answer(await h.get('/page'))).toBe('500 error page | alb-retry-proxy; fwd=miss; fwd-status=500');
    reply = { status: 503, body: 'down' };
    // The origin is down now: the good answer, stale, is still there to serve.
    expect(answer(await h.get('/page'))).toMatch(/^200 good \| alb-retry-proxy; fwd=stale; fwd-status=503; ttl=-\d+$/);
  });

  test("keeps a Vary URL's marker, so one throttled read does not lose every other variant", async () => {
    const { h, throttleNextGet } = await throttledHarness((r) => ({ headers: { 'cache-control': 'max-age=600', vary: 'Accept' }, body: `for ${String(r.headers.accept)}` }));
    for (const accept of ['a', 'b', 'c']) await h.get('/v', { accept });
    throttleNextGet();
    expect((await h.get('/v', { accept: 'a' })).cacheStatus).toBe('alb-retry-proxy; fwd=miss; fwd-status=200');
    for (const accept of ['a', 'b', 'c']) expect((await h.get('/v', { accept })).cacheStatus, accept).toMatch(/^alb-retry-proxy; hit; ttl=\d+$/);
  });
});

describe('the tiered store', () => {
  test("never writes back a marker another container has invalidated", async () => {
    let version = 'v1';
    const h = await cacheHarness({ store: 'tiered', s3Endpoint: inject('s3Endpoint') }, (r) =>
      r.method === 'POST' ? { status: 204 } : { headers: { 'cache-control': 'max-age=86400', vary: 'Accept' }, body: `${version} for ${String(r.headers.accept)}` });
    cleanups.push(() => h.close());
    const day = 86_400;
    const get = async (cache: CacheHarness['cache'], accept: string) => answer(await cache.handle(originRequest('GET', '/p', { accept }), h.forward, roomyDeadline));
    const a = h.cache;
    await get(a, 'a');
    h.advance(1.5 * day);
    await get(a, 'b');
    // Another container invalidates the URL (RFC 9111 section 4.4): the marker goes from S3, not from a's memory.
    await h.sibling().handle(originRequest('POST', '/p'), h.forward, roomyDeadline);
    version = 'v2';
    h.advance(0.6 * day);
    // a stores a new variant; its memory's marker is older than the entry, so a marker is written.
    await get(a, 'c');
    // A new container must not be given the invalidated v1 variant.
    expect(await get(h.sibling(), 'b')).toMatch(/^200 v2 for b \| alb-retry-proxy; fwd=(uri|vary)-miss; fwd-status=200; stored$/);
  });
});

describe('a Vary lookup', () => {
  test('gives its two reads one budget: the time left is asked again before the second', async () => {
    const memory = createMemoryStore({ maxBytes: 1_000_000, now: Date.now });
    const budgets: number[] = [];
    const recording: CacheStore = { ...memory, get: (id, timeoutMs) => (budgets.push(timeoutMs), memory.get(id, timeoutMs)) };
    const index = createEntryIndex(recording, Date.now);
    const request = originRequest('GET', '/v', { accept: 'a' });
    const entry = { kind: 'entry' as const, key: 'k', status: 200, headers: { vary: ['Accept'] }, body: Buffer.from('x'), policy: {} as never, expiresAt: Date.now() + 60_000 };
    expect(await index.save(entry, request, await index.find('k', request, () => 300), 300)).toBe(true);
    budgets.length = 0;
    let left = 300;
    const found = await index.find('k', request, () => (left -= 120));
    expect(found.outcome).toBe('found');
    expect(budgets).toEqual([180, 60]);
  });
});
