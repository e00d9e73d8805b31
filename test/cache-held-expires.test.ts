/**
 * A held response whose freshness comes from Expires (an absolute time), sent with and without
 * Date: the time it waited in the proxy counts once in its age (the stored Age grows, and a
 * missing Date becomes its arrival time), so Expires still means arrival + 60 s (found by review
 * of 2b60f43, which counted it twice when Date was missing: the library then measures Expires from
 * the time the policy is made).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createOriginClient, type OriginClient } from '../shared/origin/client.js';
import { createForwarder } from '../shared/resilience/forwarder.js';
import { createResponseCache } from '../shared/cache/response-cache.js';
import { deadline, getThing } from './support/forwarder-harness.js';
import { runVirtual, useRealTime, useVirtualTime } from './support/virtual-time.js';

let server: Server | undefined;
let client: OriginClient | undefined;
let requests = 0;

/** First request hangs; every later one: 404 with Expires 60 s after it is sent, Date only when `sendDate`. */
async function start(sendDate: boolean): Promise<string> {
  requests = 0;
  server = createServer((req, res) => {
    requests += 1;
    if (requests === 1) return; // hung first attempt
    res.sendDate = sendDate;
    res.writeHead(404, { expires: new Date(Date.now() + 60_000).toUTCString(), 'content-length': '2' });
    res.end('nf');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(() => useVirtualTime());
afterEach(async () => {
  useRealTime();
  await client?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe.each([true, false])('held 404 with Expires = arrival + 60 s, Date sent: %s (default config)', (sendDate) => {
  it('10 s after it was stored (about 40 s after it arrived) it is still fresh: a hit', async () => {
    const url = await start(sendDate);
    const config = loadConfig({ ORIGIN_URL: url });
    client = createOriginClient({ origin: config.origin, connections: 8 });
    const forward = createForwarder({ config, client });
    const cache = createResponseCache(config.cache, config.origin);

    const first = await runVirtual(cache.handle(getThing(), forward, deadline(54_500)), { maxMs: 70_000 });
    expect(first.response?.status).toBe(404);
    expect(first.forwarded?.heldMs).toBeGreaterThanOrEqual(29_000);
    expect(first.cacheStatus).toContain('stored');

    await runVirtual(new Promise((resolve) => setTimeout(resolve, 10_000)), { maxMs: 11_000 });
    const second = await runVirtual(cache.handle(getThing(), forward, deadline(54_500)), { maxMs: 70_000 });
    // Expires is ~20 s away still: the stored 404 must answer, with an Age of about 40 s.
    expect(second.cacheStatus).toMatch(/hit/);
    expect(second.source).toBe('cache');
  });
});
