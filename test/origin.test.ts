import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import { Agent, request } from 'undici';
import { binaryBody, startSimulatedOrigin, type OriginOptions, type SimulatedOrigin } from '../local/origin.js';

const started: SimulatedOrigin[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((o) => o.close()));
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

/** An origin without latency, so tests run fast; failures only where a test asks for them. */
async function origin(options: Partial<OriginOptions> = {}): Promise<SimulatedOrigin> {
  const o = await startSimulatedOrigin({ latencyMs: { min: 0, max: 0 }, failureRate: 0, ...options });
  started.push(o);
  return o;
}

async function get(url: string, init: Parameters<typeof request>[1] = {}) {
  const res = await request(url, init);
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

async function statusSequence(o: SimulatedOrigin, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await get(`${o.url}/item/${i}`)).status);
  return statuses;
}

describe('simulated origin', () => {
  test('the same seed gives the same status sequence, another seed a different one', async () => {
    const [a, b, c] = await Promise.all([origin({ seed: 42, failureRate: 0.3 }), origin({ seed: 42, failureRate: 0.3 }), origin({ seed: 43, failureRate: 0.3 })]);
    const [sa, sb, sc] = [await statusSequence(a!, 100), await statusSequence(b!, 100), await statusSequence(c!, 100)];
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    expect(new Set(sa).size).toBeGreaterThan(1);
  });

  test('injects failures at the configured rate, within binomial bounds, from the configured statuses', async () => {
    const o = await origin({ seed: 7, failureRate: 0.2 });
    const agent = new Agent({ connections: 16 });
    agents.push(agent);
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < 2000) {
        const i = next++;
        statuses.push((await get(`${o.url}/r/${i}`, { dispatcher: agent })).status);
      }
    }));
    const failures = statuses.filter((s) => s >= 500);
    // Expected 400, standard deviation ~17.9: +-6 sd never flakes and still catches a wrong rate.
    expect(failures.length).toBeGreaterThan(292);
    expect(failures.length).toBeLessThan(508);
    expect(new Set(failures)).toEqual(new Set([500, 502, 503, 504]));
    const stats = o.stats();
    expect(stats.requests).toBe(2000);
    expect(stats.failuresInjected).toBe(failures.length);
    expect(stats.byStatus['200']).toBe(2000 - failures.length);
    expect(stats.arrivals).toHaveLength(2000);
  });

  test('answers 503 to everything during an outage and recovers when it ends', async () => {
    const o = await origin();
    expect((await get(`${o.url}/a`)).status).toBe(200);
    o.configure({ outage: true });
    expect((await get(`${o.url}/a`)).status).toBe(503);
    expect((await get(`${o.url}/echo`, { method: 'POST', body: 'x' })).status).toBe(503);
    o.configure({ outage: false });
    expect((await get(`${o.url}/a`)).status).toBe(200);
    const stats = o.stats();
    expect(stats.duringOutage).toBe(2);
    expect(stats.byStatus).toEqual({ 200: 2, 503: 2 });
    expect(stats.failuresInjected).toBe(0);
  });

  test('outage windows apply only between their start and end', async () => {
    const o = await origin({ outageWindows: [{ startMs: 0, endMs: 3_600_000 }] });
    expect((await get(`${o.url}/a`)).status).toBe(503);
    o.configure({ outageWindows: [{ startMs: 3_600_000, endMs: 7_200_000 }] });
    expect((await get(`${o.url}/a`)).status).toBe(200);
  });

  test('reset mode drops the connection without a response', async () => {
    const o = await origin({ failureRate: 1, failureMode: 'reset' });
    await expect(get(`${o.url}/a`)).rejects.toMatchObject({ code: expect.stringMatching(/UND_ERR_SOCKET|ECONNRESET/) });
    expect(o.stats()).toMatchObject({ requests: 1, resets: 1, failuresInjected: 1, byStatus: {} });
  });

  test('mixed mode injects both resets and every configured status', async () => {
    const o = await origin({ seed: 3, failureRate: 1, failureMode: 'mixed' });
    const outcomes = new Set<string>();
    for (let i = 0; i < 200; i++) {
      // A fresh connection each time: a reset closes the socket it happens on.
      outcomes.add(await get(`${o.url}/m/${i}`, { reset: true }).then((r) => String(r.status), () => 'reset'));
    }
    expect(outcomes).toEqual(new Set(['reset', '500', '502', '503', '504']));
    expect(o.stats().resets).toBeGreaterThan(60);
    expect(o.stats().resets).toBeLessThan(140);
  });

  test('echo returns exactly what the origin received', async () => {
    const o = await origin();
    const body = Buffer.from([0xff, 0x00, 0xfe, 0x0d, 0x0a, 0x80]);
    const res = await get(`${o.url}/echo/a%2Fb?x=%20y&x=2&empty=`, { method: 'PUT', body, headers: { 'x-custom': 'one', 'content-type': 'application/x-thing' } });
    const echo = JSON.parse(res.body.toString('utf8'));
    expect(res.status).toBe(200);
    expect(echo).toMatchObject({ method: 'PUT', path: '/echo/a%2Fb', query: 'x=%20y&x=2&empty=', bodyBase64: body.toString('base64') });
    expect(echo.headers).toMatchObject({ 'x-custom': 'one', 'content-type': 'application/x-thing' });
  });

  test('binary answers deterministic bytes that are not UTF-8', async () => {
    const o = await origin();
    const res = await get(`${o.url}/binary?size=3000`);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.body.equals(binaryBody(3000))).toBe(true);
    expect(new Set(res.body).size).toBe(256);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(res.body)).toThrow();
    expect((await get(`${o.url}/binary?size=-1`)).status).toBe(400);
  });

  test('answers 304 to a matching If-None-Match and 200 to a stale one', async () => {
    const o = await origin({ cacheControl: 'max-age=5', bodyBytes: 2048 });
    const first = await get(`${o.url}/doc`);
    const etag = first.headers.etag as string;
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(2048);
    expect(first.headers['cache-control']).toBe('max-age=5');
    expect(first.headers['last-modified']).toEqual(expect.any(String));
    const revalidated = await get(`${o.url}/doc`, { headers: { 'if-none-match': `"other", ${etag}` } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toHaveLength(0);
    expect(revalidated.headers.etag).toBe(etag);
    expect((await get(`${o.url}/doc`, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    expect((await get(`${o.url}/other`)).headers.etag).not.toBe(etag);
  });

  test('status and retry-after endpoints answer what their path says', async () => {
    const o = await origin();
    expect((await get(`${o.url}/status/418`)).status).toBe(418);
    expect((await get(`${o.url}/status/204`)).status).toBe(204);
    const later = await get(`${o.url}/retry-after/3`);
    expect(later.status).toBe(503);
    expect(later.headers['retry-after']).toBe('3');
  });

  test('redirects to its own absolute address, and sets a cookie scoped to its own host name', async () => {
    const o = await origin();
    const moved = await get(`${o.url}/redirect?to=/echo/next%3Fa%3D1`);
    expect(moved.status).toBe(302);
    expect(moved.headers.location).toBe(`${o.url}/echo/next?a=1`);
    expect((await get(`${o.url}/redirect`)).headers.location).toBe(`${o.url}/echo`);
    expect((await get(`${o.url}/redirect?to=//evil.example/`)).status).toBe(400);
    const cookies = await get(`${o.url}/cookies`);
    expect(cookies.headers['set-cookie']).toEqual(['session=s1; Domain=127.0.0.1; Path=/; HttpOnly', 'theme=dark; Path=/']);
  });

  test('counts POSTs (any change) by x-request-id, or by body hash without one, and reports duplicates', async () => {
    const o = await origin();
    const post = (body: string, id?: string) => get(`${o.url}/orders`, { method: 'POST', body, headers: id ? { 'x-request-id': id } : {} });
    await post('1', 'a');
    await post('2', 'a');
    await post('3', 'b');
    await post('same');
    await post('same');
    await get(`${o.url}/orders`);
    // PUT and DELETE change something too (the slow bench scenario counts PUTs that arrived twice).
    await get(`${o.url}/orders/1`, { method: 'PUT', body: '{}', headers: { 'x-request-id': 'c' } });
    await get(`${o.url}/orders/1`, { method: 'DELETE', headers: { 'x-request-id': 'c' } });
    const hash = `sha256:${createHash('sha256').update('same').digest('hex')}`;
    const stats = o.stats();
    expect(stats.requestIds).toEqual({ a: 2, b: 1, c: 2, [hash]: 2 });
    expect(stats.duplicates).toBe(3);
    expect(stats.byMethod).toEqual({ POST: 5, GET: 1, PUT: 1, DELETE: 1 });
  });

  test('control endpoints read stats and reconfigure over HTTP without counting themselves', async () => {
    const o = await origin();
    await get(`${o.url}/x`);
    const stats = JSON.parse((await get(`${o.url}/__stats`)).body.toString('utf8'));
    expect(stats).toMatchObject({ requests: 1, byStatus: { 200: 1 } });
    const ok = await get(`${o.url}/__configure`, { method: 'POST', body: JSON.stringify({ failureRate: 1, failureStatuses: [502] }) });
    expect(ok.status).toBe(200);
    expect((await get(`${o.url}/x`)).status).toBe(502);
    const bad = await get(`${o.url}/__configure`, { method: 'POST', body: JSON.stringify({ failureRate: 2 }) });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString('utf8')).error).toMatch(/failureRate.*0\.\.1/);
    expect((await get(`${o.url}/__reset`, { method: 'POST' })).status).toBe(200);
    expect(o.stats().requests).toBe(0);
  });

  test('rejects unknown or malformed options with a message naming the option', async () => {
    await expect(startSimulatedOrigin({ failureRate: -0.1 })).rejects.toThrow(/failureRate/);
    await expect(startSimulatedOrigin({ latencyMs: { min: 10, max: 5 } })).rejects.toThrow(/latencyMs/);
    await expect(startSimulatedOrigin({ failureRatio: 0.1 } as Partial<OriginOptions>)).rejects.toThrow(/unknown option failureRatio/);
  });

  test('origin-cli starts from flags, serves, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/origin-cli.ts', '--port', '0', '--seed', '5', '--failure-rate', '0', '--latency-max', '0', '--latency-min', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const m = /simulated origin listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`origin-cli exited with ${code} before listening: ${out}`)));
    });
    expect((await get(`${url}/x`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  test('origin-cli refuses a bad flag value with exit code 2 and names the flag', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/origin-cli.ts', '--failure-rate', '1.5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toMatch(/--failure-rate \(SIM_ORIGIN_FAILURE_RATE\): got 1\.5, expected number 0\.\.1/);
  });
});
