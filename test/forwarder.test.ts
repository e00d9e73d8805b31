import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../shared/config/config.js';
import { createForwarder, type ForwarderOptions } from '../shared/resilience/forwarder.js';
import type { Deadline, OriginRequest } from '../shared/http/types.js';
import { createOriginClient, type OriginClient } from '../shared/origin/client.js';
import { RetryGuards } from '../shared/resilience/retry-guards.js';
import { LatencyTracker } from '../shared/resilience/latency-tracker.js';
import { startScriptedOrigin, type ScriptedOrigin } from './support/scripted-origin.js';
import { runVirtual, useRealTime, useVirtualTime } from './support/virtual-time.js';

let origin: ScriptedOrigin;
const clients: OriginClient[] = [];

beforeEach(async () => {
  origin = await startScriptedOrigin();
});
afterEach(async () => {
  useRealTime();
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await origin.close();
});

function setup(env: Record<string, string> = {}, extra: Partial<ForwarderOptions> = {}, url = origin.url) {
  const config = loadConfig({ ORIGIN_URL: url, RETRY_BASE_DELAY_MS: '0', ...env });
  const client = createOriginClient({ origin: config.origin, connections: 8, ...(env.MAX_BODY ? { maxBodyBytes: Number(env.MAX_BODY) } : {}) });
  clients.push(client);
  const sleeps: number[] = [];
  const forward = createForwarder({ config, client, sleep: async (ms) => void sleeps.push(ms), ...extra });
  return { forward, sleeps, config };
}

const deadline = (ms = 15_000): Deadline => {
  const end = Date.now() + ms;
  return { remainingMs: () => end - Date.now() };
};

const req = (method = 'GET', headers: Record<string, string[]> = {}, body = Buffer.alloc(0)): OriginRequest => ({
  method,
  path: '/things/1',
  rawQuery: 'a=%5B1%5D&b=c+d',
  headers,
  body,
});

describe('retries', () => {
  it('retries 5xx until the origin answers 200, and the origin sees each attempt', async () => {
    origin.script({ status: 503 }, { status: 502 }, { status: 200, body: 'fine' });
    const { forward } = setup();
    const result = await forward(req(), deadline());
    expect(result.response?.status).toBe(200);
    expect(result.response?.body.toString()).toBe('fine');
    expect(result.attempts.map((a) => a.outcome)).toEqual([503, 502, 200]);
    expect(origin.received).toHaveLength(3);
    expect(origin.received.every((r) => r.url === '/things/1?a=%5B1%5D&b=c+d')).toBe(true);
  });

  it('gives the client the last origin response as is after RETRY_MAX_ATTEMPTS attempts', async () => {
    origin.script({ status: 500, reason: 'Kaputt', headers: { 'x-origin': 'yes' }, body: 'last words' });
    const { forward } = setup({ RETRY_MAX_ATTEMPTS: '4' });
    const result = await forward(req(), deadline());
    expect(origin.received).toHaveLength(4);
    expect(result.response?.status).toBe(500);
    expect(result.response?.headers['x-origin']).toEqual(['yes']);
    expect(result.response?.body.toString()).toBe('last words');
    expect(result.decisions?.stop).toBe('attempts-exhausted');
  });

  it('does not retry statuses outside RETRY_STATUSES', async () => {
    origin.script({ status: 404 }, { status: 200 });
    const { forward } = setup();
    const result = await forward(req(), deadline());
    expect(result.response?.status).toBe(404);
    expect(origin.received).toHaveLength(1);
  });

  it('retries a custom status list (429) and not 500 when configured so', async () => {
    origin.script({ status: 429 }, { status: 500 }, { status: 200 });
    const { forward } = setup({ RETRY_STATUSES: '429' });
    const result = await forward(req(), deadline());
    expect(result.response?.status).toBe(500);
    expect(origin.received).toHaveLength(2);
  });

  it('retries a connection reset for GET', async () => {
    origin.script({ reset: true }, { status: 200, body: 'ok' });
    const { forward } = setup();
    const result = await forward(req(), deadline());
    expect(result.attempts[0]?.outcome).toBe('connection_terminated');
    expect(result.response?.status).toBe(200);
  });

  it('sends the retry of a GET whose first attempt hangs beside it at the attempt timeout; the first answer wins', async () => {
    useVirtualTime();
    origin.script({ hang: true }, { status: 200, body: 'ok' });
    const { forward } = setup({ ATTEMPT_TIMEOUT_MS: '150' });
    const started = Date.now();
    const result = await runVirtual(forward(req(), deadline()));
    expect(result.attempts.map((a) => [a.n, a.outcome])).toEqual([[2, 200], [1, 'cancelled']]);
    expect(result.response?.status).toBe(200);
    // The retry's answer came as soon as it was sent, at the attempt timeout (virtual time moves in 1 ms steps).
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(160);
  });

  it('keeps a GET\'s first attempt that is merely slow: its answer after the attempt timeout still wins', async () => {
    useVirtualTime();
    origin.script({ status: 200, body: 'slow', delayMs: 400 }, { hang: true });
    const latencies = new LatencyTracker();
    const { forward } = setup({ ATTEMPT_TIMEOUT_MS: '150' }, { latencies });
    const result = await runVirtual(forward(req(), deadline()));
    expect(result.response?.body.toString()).toBe('slow');
    // Its latency is a sample like any answer's (it sets the shortest attempt worth starting).
    expect(latencies.count).toBe(1);
    expect(latencies.percentile(50)).toBeGreaterThanOrEqual(400);
    // The retry beside it is not cut while the first runs (no third may go beside them): the first's answer cancelled it.
    expect(result.attempts.map((a) => [a.n, a.outcome])).toEqual([[1, 200], [2, 'cancelled']]);
    expect(result.decisions?.stop).toBe('done');
  });

  it('answers with the slow first attempt\'s own final answer (a 404) when it comes before its retry\'s', async () => {
    useVirtualTime();
    origin.script({ status: 404, body: 'gone', delayMs: 400 }, { hang: true });
    const { forward } = setup({ ATTEMPT_TIMEOUT_MS: '300', RETRY_MAX_ATTEMPTS: '2' });
    const result = await runVirtual(forward(req(), deadline()));
    expect(result.response?.status).toBe(404);
    expect(result.decisions?.stop).toBe('done');
    expect(result.attempts.map((a) => [a.n, a.outcome])).toEqual([[1, 404], [2, 'cancelled']]);
  });

  it('counts a slow body against the attempt timeout of an attempt that is cut (a PUT\'s retry)', async () => {
    useVirtualTime();
    // A PUT's first attempt is never cut (no retry may run beside it); its retries are, when another can follow.
    origin.script({ status: 503, body: 'busy' }, { status: 200, body: 'x'.repeat(100), slowBodyMs: 1000 }, { status: 200, body: 'quick' });
    const { forward } = setup({ ATTEMPT_TIMEOUT_MS: '150' });
    const result = await runVirtual(forward(req('PUT', {}, Buffer.from('v')), deadline()));
    expect(result.attempts.map((a) => a.outcome)).toEqual([503, 'http_response_timeout', 200]);
    expect(result.response?.body.toString()).toBe('quick');
  });

  it('answers 502 with the error type when the origin never answers at all', async () => {
    const closed = await startScriptedOrigin();
    const url = closed.url;
    await closed.close();
    const { forward } = setup({ RETRY_MAX_ATTEMPTS: '3' }, {}, url);
    const result = await forward(req(), deadline());
    expect(result.response).toBeUndefined();
    expect(result.error).toMatchObject({ status: 502, type: 'connection_refused' });
    expect(result.attempts).toHaveLength(3);
  });

  it('accepts a HEAD whose Content-Length announces more than ALB can carry (there is no body)', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '2000000', 'content-type': 'application/octet-stream' });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      const { forward } = setup({}, {}, `http://127.0.0.1:${port}`);
      const result = await forward(req('HEAD'), deadline());
      expect(result.response?.status).toBe(200);
      expect(result.response?.headers['content-length']).toEqual(['2000000']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('does not retry a body larger than ALB can return', async () => {
    origin.script({ status: 200, body: Buffer.alloc(5000, 1) });
    const { forward } = setup({ MAX_BODY: '4096' });
    const result = await forward(req(), deadline());
    expect(result.error).toMatchObject({ status: 502, type: 'http_response_body_size' });
    expect(origin.received).toHaveLength(1);
  });
});

describe('idempotency', () => {
  it('never repeats a POST the origin answered with 503', async () => {
    origin.script({ status: 503 }, { status: 200 });
    const { forward } = setup();
    const result = await forward(req('POST', {}, Buffer.from('{"a":1}')), deadline());
    expect(result.response?.status).toBe(503);
    expect(result.decisions?.stop).toBe('not-idempotent');
    expect(origin.received).toHaveLength(1);
  });

  it('never repeats a POST whose connection broke after it was sent', async () => {
    origin.script({ reset: true }, { status: 200 });
    const { forward } = setup();
    const result = await forward(req('PATCH', {}, Buffer.from('x')), deadline());
    expect(result.error?.type).toBe('connection_terminated');
    expect(origin.received).toHaveLength(1);
  });

  it('does not retry a POST for its Idempotency-Key alone: the origin may ignore the header (RFC 9110 9.2.2)', async () => {
    origin.script({ status: 503 }, { status: 201 });
    const { forward } = setup();
    const result = await forward(req('POST', { 'idempotency-key': ['k-1'] }, Buffer.from('x')), deadline());
    expect(result.response?.status).toBe(503);
    expect(result.decisions?.stop).toBe('not-idempotent');
    expect(origin.received).toHaveLength(1);
  });

  it('retries a POST that carries an Idempotency-Key when ORIGIN_HONOURS_IDEMPOTENCY_KEY=true, with the same body bytes', async () => {
    origin.script({ status: 503 }, { status: 201 });
    const body = Buffer.from([0, 255, 1, 254]);
    const { forward } = setup({ ORIGIN_HONOURS_IDEMPOTENCY_KEY: 'true' });
    const result = await forward(req('POST', { 'idempotency-key': ['k-1'] }, body), deadline());
    expect(result.response?.status).toBe(201);
    expect(origin.received.map((r) => r.body)).toEqual([body, body]);
  });

  it('retries POST after a response when RETRY_NON_IDEMPOTENT=true', async () => {
    origin.script({ status: 500 }, { status: 200 });
    const { forward } = setup({ RETRY_NON_IDEMPOTENT: 'true' });
    expect((await forward(req('POST', {}, Buffer.from('x')), deadline())).response?.status).toBe(200);
    expect(origin.received).toHaveLength(2);
  });

  it('retries a POST refused before anything was sent', async () => {
    const closed = await startScriptedOrigin();
    const url = closed.url;
    await closed.close();
    const { forward } = setup({ RETRY_MAX_ATTEMPTS: '3' }, {}, url);
    const result = await forward(req('POST', {}, Buffer.from('x')), deadline());
    expect(result.attempts.map((a) => a.outcome)).toEqual(['connection_refused', 'connection_refused', 'connection_refused']);
  });

  it('retries PUT and DELETE after a 503 (idempotent by RFC 9110)', async () => {
    origin.script({ status: 503 }, { status: 204 });
    const { forward } = setup();
    expect((await forward(req('DELETE'), deadline())).response?.status).toBe(204);
  });
});

describe('backoff and Retry-After', () => {
  it('waits exactly RETRY_BASE_DELAY_MS between tries in fixed mode (the nginx box: 3 s)', async () => {
    origin.script({ status: 503 });
    const { forward, sleeps } = setup({ RETRY_BACKOFF: 'fixed', RETRY_BASE_DELAY_MS: '3000' });
    await forward(req(), deadline(60_000));
    expect(sleeps).toEqual([3000, 3000, 3000, 3000]);
  });

  it('uses exponential backoff with full jitter, capped at RETRY_MAX_DELAY_MS', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    origin.script({ status: 503 });
    const { forward, sleeps } = setup({ RETRY_BASE_DELAY_MS: '100', RETRY_MAX_DELAY_MS: '300', RETRY_MAX_ATTEMPTS: '5' });
    await forward(req(), deadline(60_000));
    // min(300, 100 * 2^n) * 0.5 for n = 0..3
    expect(sleeps).toEqual([50, 100, 150, 150]);
  });

  it('honours Retry-After in seconds when it fits', async () => {
    origin.script({ status: 503, headers: { 'retry-after': '2' } }, { status: 200 });
    const { forward, sleeps } = setup();
    const result = await forward(req(), deadline(60_000));
    expect(sleeps).toEqual([2000]);
    expect(result.response?.status).toBe(200);
  });

  it('returns the 503 at once when Retry-After asks for more than RETRY_MAX_DELAY_MS', async () => {
    origin.script({ status: 503, headers: { 'retry-after': '120' } }, { status: 200 });
    const { forward, sleeps } = setup();
    const result = await forward(req(), deadline(60_000));
    expect(result.response?.status).toBe(503);
    expect(result.decisions?.stop).toBe('retry-after-too-long');
    expect(sleeps).toEqual([]);
  });
});

describe('deadline', () => {
  it('answers 504 itself when the deadline runs out during an attempt', async () => {
    origin.script({ hang: true });
    const { forward } = setup({ ATTEMPT_TIMEOUT_MS: '20000' });
    const result = await forward(req(), deadline(300));
    expect(result.error).toMatchObject({ status: 504, type: 'http_response_timeout' });
    expect(result.error?.detail).toMatch(/deadline/);
    expect(origin.received).toHaveLength(1);
  });

  it('starts no attempt when no time is left', async () => {
    const { forward } = setup();
    const result = await forward(req(), { remainingMs: () => 0 });
    expect(result.error?.status).toBe(504);
    expect(origin.received).toHaveLength(0);
  });

  it('does not sleep into the deadline: stops with the last response instead', async () => {
    origin.script({ status: 503 });
    const { forward, sleeps } = setup({ RETRY_BACKOFF: 'fixed', RETRY_BASE_DELAY_MS: '5000' });
    const result = await forward(req(), deadline(2000));
    expect(result.response?.status).toBe(503);
    expect(result.decisions?.stop).toBe('deadline');
    expect(sleeps).toEqual([]);
  });
});

describe('hedging', () => {
  // Hedge delays race origin delays: decided in virtual time, never by the machine's speed.
  beforeEach(useVirtualTime);
  afterEach(useRealTime);

  it('sends a hedge when the first attempt is slow, takes its answer and aborts the loser', async () => {
    origin.script({ status: 200, body: 'slow', delayMs: 3000 }, { status: 200, body: 'fast' });
    const { forward } = setup({ HEDGE_AFTER_MS: '50' });
    const result = await runVirtual(forward(req(), deadline()));
    expect(result.response?.body.toString()).toBe('fast');
    expect(result.decisions).toMatchObject({ hedgesSent: 1, hedgesWon: 1 });
    expect(result.attempts.find((a) => a.n === 1)?.outcome).toBe('cancelled');
    await vi.waitFor(() => expect(origin.aborted()).toBe(1));
  });

  it('never hedges a non-idempotent request', async () => {
    origin.script({ status: 200, body: 'slow', delayMs: 300 });
    const { forward } = setup({ HEDGE_AFTER_MS: '10' });
    const result = await runVirtual(forward(req('POST', {}, Buffer.from('x')), deadline()));
    expect(result.response?.body.toString()).toBe('slow');
    expect(origin.received).toHaveLength(1);
    expect(result.decisions?.hedgesSent).toBe(0);
  });

  it('waits for the hedge when the first attempt fails while the hedge runs', async () => {
    origin.script({ status: 503, delayMs: 200 }, { status: 200, body: 'hedge', delayMs: 300 });
    const { forward } = setup({ HEDGE_AFTER_MS: '50' });
    const result = await runVirtual(forward(req(), deadline()));
    expect(result.response?.body.toString()).toBe('hedge');
    expect(origin.received).toHaveLength(2);
  });

  it("keeps the origin's 503 over a hedge's broken connection when both fail", async () => {
    origin.script({ status: 503, body: 'busy', delayMs: 100 }, { reset: true, delayMs: 250 });
    const { forward } = setup({ HEDGE_AFTER_MS: '20', RETRY_MAX_ATTEMPTS: '1' });
    const result = await runVirtual(forward(req(), deadline()));
    expect(result.attempts.map((a) => a.outcome).sort()).toEqual([503, 'connection_terminated']);
    expect(result.response?.status).toBe(503);
    expect(result.error).toBeUndefined();
  });

  it('sends at most HEDGE_MAX hedges per request, not per retry round (found by review: 5 hedges, 10 origin requests)', async () => {
    origin.script({ status: 503, delayMs: 100 });
    const { forward } = setup({ HEDGE_AFTER_MS: '50', RETRY_BASE_DELAY_MS: '0' });
    const result = await runVirtual(forward(req(), deadline()));
    expect(result.decisions?.hedgesSent).toBe(1);
    // RETRY_MAX_ATTEMPTS=5 attempts and the one hedge.
    expect(origin.received).toHaveLength(6);
  });

  it('leaves a hedged GET\'s first attempt uncut at ATTEMPT_TIMEOUT_MS: it lingers, its hedge and then a retry beside it (found by review: a 504)', async () => {
    origin.script({ status: 200, body: 'slow report', delayMs: 30_000 }, { hang: true });
    const { forward } = setup({ HEDGE_AFTER_MS: '5000' });
    const result = await runVirtual(forward(req(), deadline(55_000)), { maxMs: 70_000 });
    expect(result.response?.body.toString()).toBe('slow report');
    // The first attempt, its hedge at 5 s, and at 25 s one retry beside them, which its answer cancelled.
    expect(origin.received).toHaveLength(3);
    expect(result.decisions).toMatchObject({ hedgesSent: 1, hedgesWon: 0 });
  });

  it('still retries beside a hung first attempt whose hedge failed (found by review: the hedge\'s 503 at the deadline)', async () => {
    origin.script({ hang: true }, { status: 503, body: 'busy' }, { status: 200, body: 'ok' });
    const { forward } = setup({ HEDGE_AFTER_MS: '2000' });
    const result = await runVirtual(forward(req(), deadline(55_000)), { maxMs: 70_000 });
    expect(result.response?.body.toString()).toBe('ok');
    expect(origin.received).toHaveLength(3);
    // The hung first attempt, cancelled by the retry's answer, is recorded.
    expect(result.attempts.map((a) => a.outcome).sort()).toEqual([200, 503, 'cancelled'].sort());
  });

  it('does not hedge with auto delay before it has seen enough latencies', async () => {
    origin.script({ status: 200, body: 'slow', delayMs: 200 });
    const { forward } = setup({ HEDGE_AFTER_MS: 'auto' });
    await runVirtual(forward(req(), deadline()));
    expect(origin.received).toHaveLength(1);
  });

  it('keeps the latencies of each route apart: fast unmatched requests do not set a route\'s auto hedge delay', async () => {
    const latencies = new LatencyTracker();
    for (let i = 0; i < 20; i++) latencies.add(5);
    const routes = JSON.stringify([{ name: 'reports', match: '/reports/**', hedgeAfterMs: 'auto' }]);
    const { forward } = setup({ HEDGE_AFTER_MS: 'auto', HEDGE_MIN_DELAY_MS: '1', ROUTES: routes }, { latencies });
    origin.script({ status: 200, body: 'slow', delayMs: 300 });
    const report = await runVirtual(forward({ ...req(), path: '/reports/2026' }, deadline()));
    expect(report.decisions?.hedgesSent).toBe(0);
    const other = await runVirtual(forward(req(), deadline()));
    expect(other.decisions?.hedgesSent).toBe(1);
  });
});

describe('overload safety', () => {
  it('stops retrying when the retry budget is spent, so load stays near one request per request', async () => {
    origin.script({ status: 503 });
    const guards = new RetryGuards({ ratio: 0.1, capacity: 2 });
    const { forward } = setup({}, { guards });
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await forward(req(), deadline()));
    // 20 first attempts, then the guards stop retries: at most 20 + 2 + 2 origin requests.
    expect(origin.received.length).toBeLessThanOrEqual(24);
    expect(results.some((r) => r.decisions?.stop === 'budget' || r.decisions?.stop === 'origin-down')).toBe(true);
  });

  it('never refuses a first attempt: after an outage the first request succeeds', async () => {
    origin.script({ status: 503 });
    const guards = new RetryGuards({ ratio: 0.5, capacity: 10 });
    const { forward } = setup({}, { guards });
    for (let i = 0; i < 10; i++) await forward(req(), deadline());
    expect(guards.state('/things')).toBe('origin-down');
    const before = origin.received.length;
    const down = await forward(req(), deadline());
    // While down: one attempt per request, no retries.
    expect(origin.received.length).toBe(before + 1);
    expect(down.decisions).toMatchObject({ stop: 'origin-down', retriesStopped: 'origin-down' });
    origin.script({ status: 200, body: 'back' });
    const result = await forward(req(), deadline());
    expect(result.response?.status).toBe(200);
    expect(guards.state('/things')).toBe('healthy');
  });
});

/** A real origin answering 500 where `fails(url)`, else 200, and a forwarder with guards in front of it. */
async function failingByPath(fails: (url: string) => boolean, env: Record<string, string> = {}) {
  const server = createServer((request, response) => {
    const fail = fails(request.url!);
    response.writeHead(fail ? 500 : 200).end(fail ? 'no' : 'yes');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const guards = new RetryGuards({ ratio: 0.5, capacity: 10 });
  const { forward } = setup(env, { guards }, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    forward,
    guards,
    at: (path: string): OriginRequest => ({ ...req(), path }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('retry guards per route, against a real origin that fails by path', () => {
  it('lets a healthy path keep its retries beside a broken path of the same first segment', async () => {
    // /api/broken always 500s; /api/items fails one request in five, and gets 200 when retried.
    let items = 0;
    const { forward, guards, at, close } = await failingByPath((url) => url.startsWith('/api/broken') || (url.startsWith('/api/items') && items++ % 5 === 0));
    try {
      const results = [];
      for (let i = 0; i < 50; i++) {
        await forward(at('/api/broken'), deadline());
        results.push(await forward(at('/api/items'), deadline()));
      }
      // Even the first /api/items request, right after the broken path failed and on a path not yet
      // seen, got its retries (the broken path's 500s are no outage): every one succeeded; with no
      // proxy 10 of the 50 would have failed, and with the route marked as a whole, 10 did.
      expect(results[0]!.attempts).toHaveLength(2);
      expect(results.filter((r) => r.response?.status !== 200)).toEqual([]);
      // The broken path stopped retrying after its first failure: 4 retries, then 1 attempt each.
      expect(guards.state('/api', '/api/broken')).toBe('route-failing');
    } finally {
      await close();
    }
  });

  it('keeps the retries of paths never seen before beside a broken path (ids in paths: /api/items/<id>; found by review)', async () => {
    // /api/broken always 500s; each /api/items/<n> is new, and every other attempt at one fails.
    let items = 0;
    const { forward, at, close } = await failingByPath((url) => url.startsWith('/api/broken') || (url.startsWith('/api/items/') && items++ % 2 === 0));
    try {
      const results = [];
      for (let i = 0; i < 40; i++) {
        await forward(at('/api/broken'), deadline());
        results.push(await forward(at(`/api/items/${i}`), deadline()));
      }
      expect(results.filter((r) => r.response?.status !== 200)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('lets a broken path spend only its own retry tokens: the other paths keep retrying', async () => {
    // Prepare: /broken always 500s; /flaky fails one request in four (about what a 20%-flaky origin needs).
    let flaky = 0;
    const { forward, guards, at, close } = await failingByPath((url) => url.startsWith('/broken') || (url.startsWith('/flaky') && flaky++ % 4 === 0), { RETRY_MAX_ATTEMPTS: '3' });
    try {
      // Act: four broken requests for every flaky one.
      const flakyResults = [];
      for (let i = 0; i < 40; i++) {
        for (let j = 0; j < 4; j++) await forward(at('/broken/x'), deadline());
        flakyResults.push(await forward(at('/flaky/y'), deadline()));
      }
      // Assess: the flaky path always got its retry; the broken one stopped retrying.
      expect(flakyResults.map((r) => r.decisions?.stop).filter((s) => s !== 'done')).toEqual([]);
      expect(guards.state('/broken', '/broken/x')).toBe('route-failing');
      expect(guards.state('/flaky', '/flaky/y')).toBe('healthy');
    } finally {
      await close();
    }
  });
});

describe('keep-alive sockets the origin closed (a frozen container wakes up)', () => {
  /**
   * Answers the first request of each connection with keep-alive, and destroys a reused connection
   * as soon as a second request arrives on it: what a client sees writing to a socket the origin
   * closed while the container was frozen.
   */
  async function startStaleOrigin() {
    const { createServer } = await import('node:net');
    const seen: string[] = [];
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      let requests = 0;
      socket.on('data', (data) => {
        requests += 1;
        seen.push(data.toString('latin1').split(' ')[0]!);
        if (requests > 1) return socket.destroy();
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    return {
      url: `http://127.0.0.1:${port}`,
      seen,
      connections: () => connections,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  const GET = { method: 'GET', path: '/', rawQuery: '', headers: {}, body: Buffer.alloc(0) };

  /** A one-connection client to the stale origin, its connection made and kept alive by a first GET; then `run`. */
  async function afterOneGet(run: (client: ReturnType<typeof createOriginClient>, stale: Awaited<ReturnType<typeof startStaleOrigin>>) => Promise<void>) {
    const stale = await startStaleOrigin();
    const client = createOriginClient({ origin: new URL(stale.url), connections: 1 });
    try {
      expect((await client.send(GET, { timeoutMs: 2_000 })).status).toBe(200);
      await run(client, stale);
    } finally {
      await client.close();
      await stale.close();
    }
  }

  it('sends a GET again on a fresh connection when its reused socket turns out closed', async () => {
    await afterOneGet(async (client, stale) => {
      const second = await client.send(GET, { timeoutMs: 2_000 });
      expect(second.status).toBe(200);
      expect(second.body.toString()).toBe('ok');
      expect(stale.connections()).toBe(2);
    });
  });

  it('never sends a POST twice: the closed reused socket is reported as sent', async () => {
    await afterOneGet(async (client, stale) => {
      const post = { method: 'POST', path: '/', rawQuery: '', headers: {}, body: Buffer.from('{}') };
      const error = await client.send(post, { timeoutMs: 2_000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'connection_terminated', sent: true });
      expect(stale.seen).toEqual(['GET', 'POST']);
      expect(stale.connections()).toBe(1);
    });
  });
});

describe('the time an attempt needs before it starts', () => {
  /** 503 then 200, with `leftMs` of deadline, in a container that has seen HOSP's 2-20 s answers. */
  const afterHospLatencies = (leftMs: number) => {
    const latencies = new LatencyTracker();
    for (let i = 0; i < 20; i++) latencies.add(2_000 + i * 950);
    const { forward } = setup({}, { latencies });
    origin.script({ status: 503 }, { status: 200, body: 'ok' });
    return forward(req(), deadline(leftMs));
  };

  it("retries with 10 s left once the container has seen HOSP's 2-20 s answers (its median, 11 s, skipped that retry)", async () => {
    const result = await afterHospLatencies(10_000);
    expect(result.response?.status).toBe(200);
    expect(result.attempts.map((a) => a.outcome)).toEqual([503, 200]);
  });

  it('still starts no attempt with less left than the fastest tenth of them took', async () => {
    const result = await afterHospLatencies(1_500);
    // The earlier answer stands: the client gets the 503, not a 504.
    expect(result.response?.status).toBe(503);
    expect(result.decisions?.stop).toBe('deadline');
    expect(origin.received).toHaveLength(1);
  });
});
