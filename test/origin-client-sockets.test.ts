/**
 * The origin client against raw TCP origins: an answer complete with its headers is kept when the
 * origin sends bytes after it, and a request that cannot be sent again never goes on a kept-alive
 * socket idle long enough to have been dropped, before or after a freeze (clock injected,
 * connections counted at the origin).
 */
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOriginClient, type OriginClient } from '../shared/origin/client.js';
import type { OriginRequest } from '../shared/http/types.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * A keep-alive origin that answers every request head with `answer`; counts connections and requests.
 * `dropConnections()` stands for a freeze in which a NAT or the origin forgot the open connections
 * without a word: the next bytes on one of them are met with a reset, never seen as a request.
 */
async function rawOrigin(answer: string) {
  const sockets = new Set<Socket>();
  const dropped = new Set<Socket>();
  const seen = { connections: 0, requests: [] as string[] };
  const server = createServer((socket) => {
    seen.connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      if (dropped.has(socket)) return socket.resetAndDestroy();
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
        const head = buffered.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.slice(end + 4 + length);
        seen.requests.push(head.split('\r\n')[0]!);
        socket.write(answer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  }));
  const dropConnections = (): void => sockets.forEach((socket) => dropped.add(socket));
  return { url: new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}`), seen, dropConnections };
}

function client(origin: URL, now?: () => number): OriginClient {
  const c = createOriginClient({ origin, ...(now ? { now } : {}) });
  closers.push(() => c.close());
  return c;
}

const request = (method: string, body = ''): OriginRequest => ({ method, path: '/x', rawQuery: '', headers: {}, body: Buffer.from(body) });
const attempt = { timeoutMs: 5_000 };

describe('an answer complete with its headers', () => {
  it('is kept when the origin sends body bytes after a HEAD answer (an origin bug nginx also tolerates)', async () => {
    const origin = await rawOrigin('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok');
    const response = await client(origin.url).send(request('HEAD'), attempt);
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toEqual(['2']);
    expect(response.body).toHaveLength(0);
  });
});

describe('a request that cannot be sent again after an idle spell', () => {
  it('goes on a new connection once no answer came for 4 s; within that, the kept-alive one is reused', async () => {
    const origin = await rawOrigin('HTTP/1.1 201 Created\r\ncontent-length: 0\r\nkeep-alive: timeout=5\r\n\r\n');
    let clock = 1_000_000;
    const c = client(origin.url, () => clock);
    await c.send(request('GET'), attempt);
    expect(origin.seen.connections).toBe(1);
    clock += 3_000;
    await c.send(request('POST', 'a'), attempt);
    // Answered 3 s ago: the kept-alive socket is fresh enough for a POST.
    expect(origin.seen.connections).toBe(1);
    clock += 4_001;
    await c.send(request('POST', 'b'), attempt);
    expect(origin.seen.connections).toBe(2);
    // A GET may meet a stale socket (it is sent again once if so): it keeps reusing.
    clock += 10_000;
    await c.send(request('GET'), attempt);
    expect(origin.seen.requests).toEqual(['GET /x HTTP/1.1', 'POST /x HTTP/1.1', 'POST /x HTTP/1.1', 'GET /x HTTP/1.1']);
    expect(origin.seen.connections).toBe(2);
  });
});

describe('a request that cannot be sent again after a freeze', () => {
  it('meets none of the sockets idle since before it, though another answer came since (a 502 for a POST the origin never saw)', async () => {
    const origin = await rawOrigin('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nkeep-alive: timeout=5\r\n\r\nok');
    let clock = 1_000_000;
    const c = client(origin.url, () => clock);
    // Before the freeze: two GETs at once leave two kept-alive sockets in the pool.
    await Promise.all([c.send(request('GET'), attempt), c.send(request('GET'), attempt)]);
    expect(origin.seen.connections).toBe(2);
    origin.dropConnections();
    clock += 10 * 60_000;
    // After the thaw: the first POST closes both and goes on a new connection, which is pooled...
    expect((await c.send(request('POST', 'a'), attempt)).status).toBe(200);
    expect(origin.seen.connections).toBe(3);
    // ...so the second, 1 s later (an answer came since), reuses it, not a socket idle for 10 minutes.
    clock += 1_000;
    const second = await c.send(request('POST', 'b'), attempt).then((r) => r.status, (e: { kind: string; sent: boolean }) => `${e.kind} sent=${e.sent}`);
    expect(second).toBe(200);
    expect(origin.seen.connections).toBe(3);
    expect(origin.seen.requests).toEqual(['GET /x HTTP/1.1', 'GET /x HTTP/1.1', 'POST /x HTTP/1.1', 'POST /x HTTP/1.1']);
  });
});

describe('a GET met by a dropped kept-alive socket', () => {
  it('is sent again once on a new connection, not on another socket dropped in the same freeze', async () => {
    const origin = await rawOrigin('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nkeep-alive: timeout=5\r\n\r\nok');
    const c = client(origin.url);
    await Promise.all([c.send(request('GET'), attempt), c.send(request('GET'), attempt)]);
    expect(origin.seen.connections).toBe(2);
    origin.dropConnections();
    const status = await c.send(request('GET'), attempt).then((r) => r.status, (e: { kind: string; sent: boolean }) => `${e.kind} sent=${e.sent}`);
    expect(status).toBe(200);
    expect(origin.seen.connections).toBe(3);
  });
});
