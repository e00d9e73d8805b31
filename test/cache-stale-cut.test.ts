/**
 * A first attempt cut at ATTEMPT_TIMEOUT_MS for a stale copy must not lose the client the answer it
 * would have had: the copy is a fallback only when it stays servable until the deadline, and once an
 * attempt was cut for it, a retry's refusal does not take its place (found by a property hunt at the
 * default configuration: both cases gave the client a worse answer than no proxy).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createOriginClient, type OriginClient } from '../shared/origin/client.js';
import { createForwarder } from '../shared/resilience/forwarder.js';
import { createResponseCache, type ResponseCache } from '../shared/cache/response-cache.js';
import { deadline, getThing, useForwarderHarness } from './support/forwarder-harness.js';
import { runVirtual } from './support/virtual-time.js';

const harness = useForwarderHarness();
const clients: OriginClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A GET through the cache and forwarder at the defaults, on this test's origin. */
function proxy(): { get: () => ReturnType<ResponseCache['handle']> } {
  const config = loadConfig({ ORIGIN_URL: harness.origin.url });
  const client = createOriginClient({ origin: config.origin, connections: 8 });
  clients.push(client);
  const forward = createForwarder({ config, client });
  const cache = createResponseCache(config.cache, config.origin);
  return { get: () => runVirtual(cache.handle(getThing(), forward, deadline(54_500)), { maxMs: 70_000 }) };
}

const wait = (ms: number) => runVirtual(new Promise((resolve) => setTimeout(resolve, ms)), { maxMs: ms + 1000 });

describe('a first attempt cut for a stale copy', () => {
  it('stale-if-error=30, the copy 10 s old: its window closes before the deadline, so the first attempt is not cut and its 200 at 40 s answers', async () => {
    harness.origin.script(
      { status: 200, headers: { 'cache-control': 'max-age=0, stale-if-error=30' }, body: 'stored' },
      { status: 200, body: 'fresh', delayMs: 40_000 },
      { status: 503, body: 'busy' },
    );
    const p = proxy();
    expect((await p.get()).response?.body.toString()).toBe('stored');
    await wait(10_000);
    const started = Date.now();
    const second = await p.get();
    expect(second.response?.status).toBe(200);
    expect(second.response?.body.toString()).toBe('fresh');
    expect(Date.now() - started).toBeGreaterThanOrEqual(40_000);
  });

  it('the default 24 h window: the first attempt is cut at 25 s, the retry answers 404 -> the stale copy, not the 404', async () => {
    harness.origin.script(
      { status: 200, headers: { 'cache-control': 'max-age=0' }, body: 'stored' },
      { status: 200, body: 'fresh', delayMs: 40_000 },
      { status: 404, body: 'not here' },
    );
    const p = proxy();
    await p.get();
    const second = await p.get();
    expect(second.response?.status).toBe(200);
    expect(second.response?.body.toString()).toBe('stored');
    expect(second.cacheStatus).toContain('fwd=stale');
  });

  it('no attempt cut: a retry-free 404 of the origin stands over the stale copy (the origin\'s answer)', async () => {
    harness.origin.script({ status: 200, headers: { 'cache-control': 'max-age=0' }, body: 'stored' }, { status: 404, body: 'gone' });
    const p = proxy();
    await p.get();
    const second = await p.get();
    expect(second.response?.status).toBe(404);
  });

  it('a retry cut at its own timeout (as without a cache), then the origin\'s 404 -> the 404 reaches the client (found by review)', async () => {
    harness.origin.script(
      { status: 200, headers: { 'cache-control': 'max-age=0' }, body: 'stored' },
      { status: 503, body: 'busy' },
      { status: 200, body: 'fresh', delayMs: 40_000 },
      { status: 404, body: 'gone' },
    );
    const p = proxy();
    await p.get();
    const second = await p.get();
    expect(second.response?.status).toBe(404);
  });
});
