/**
 * A stored response is as old as the time since its headers arrived (RFC 9111 section 4.2.3's
 * response_time, as a browser counts it), not since its body ended. An origin that sends its headers
 * with `max-age=10` and the body 8 s later (HOSP's 2-20 s answers) had its page served as a fresh hit
 * until 18 s after it answered; a browser without the proxy asks again at 10 s. Default
 * configuration; a real origin on virtual time. Found by a property hunt.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { createOriginClient } from '../shared/origin/client.js';
import { albEvent, functionContext } from './support/handler-calls.js';
import { runVirtual, useRealTime, useVirtualTime } from './support/virtual-time.js';

let server: Server;
let url: string;
let served = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    const n = served++;
    const body = `page version ${n}`;
    // Headers (with Date) at once, the body 8 s later, as a slow origin streams a rendered page.
    res.sendDate = false;
    res.writeHead(200, { date: new Date().toUTCString(), 'cache-control': 'max-age=10', 'content-type': 'text/plain', 'content-length': String(body.length) });
    res.write(body.slice(0, 4));
    setTimeout(() => res.end(body.slice(4)), 8_000);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => useVirtualTime());
afterEach(() => useRealTime());

it('a response whose body took 8 s is not served as fresh past its max-age=10 counted from its headers', async () => {
  const config = loadConfig({ ORIGIN_URL: url });
  const client = createOriginClient({ origin: config.origin, connections: config.originMaxConnections, hostHeader: config.originHostHeader });
  const handler = createProxyHandler(config, { client });
  try {
    const t0 = Date.now();
    const first = await runVirtual(handler(albEvent('GET', '/ward/3'), functionContext()), { turns: 2 });
    expect([first.statusCode, first.body, Date.now() - t0]).toEqual([200, 'page version 0', 8_000]);
    // 15 s after the origin sent the page (its Date): 5 s past max-age=10.
    await runVirtual(new Promise((resolve) => setTimeout(resolve, 15_000 - (Date.now() - t0))), { turns: 1 });
    const second = await runVirtual(handler(albEvent('GET', '/ward/3'), functionContext()), { turns: 2 });
    // Without the proxy the browser asks the origin and gets version 1; the proxy answers version 0 as a fresh hit.
    expect({ body: second.body, cacheStatus: String(second.headers?.['cache-status']), age: second.headers?.age }).toEqual({
      body: 'page version 1',
      cacheStatus: expect.not.stringMatching(/; hit/),
      age: undefined,
    });
  } finally {
    await client.close();
  }
});

it('and within that max-age it is a hit, as old as the time since its headers', async () => {
  const config = loadConfig({ ORIGIN_URL: url });
  const client = createOriginClient({ origin: config.origin, connections: config.originMaxConnections, hostHeader: config.originHostHeader });
  const handler = createProxyHandler(config, { client });
  try {
    const t0 = Date.now();
    const first = await runVirtual(handler(albEvent('GET', '/ward/4'), functionContext()), { turns: 2 });
    expect(first.statusCode).toBe(200);
    await runVirtual(new Promise((resolve) => setTimeout(resolve, 9_000 - (Date.now() - t0))), { turns: 1 });
    const second = await runVirtual(handler(albEvent('GET', '/ward/4'), functionContext()), { turns: 2 });
    expect({ body: second.body, cacheStatus: String(second.headers?.['cache-status']), age: second.headers?.age }).toEqual({
      body: first.body,
      cacheStatus: expect.stringMatching(/; hit; ttl=1$/),
      age: '9',
    });
  } finally {
    await client.close();
  }
});
