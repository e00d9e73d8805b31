import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../scripts/build.js';
import { startAlbEmulator, type RunningEmulator } from '../local/emulator.js';
import { EnvironmentPool, type PoolOptions } from '../local/environments/pool.js';
import { poolKnobsFrom } from '../local/environments/pool-options.js';
import { localContext } from '../local/lambda-context.js';
import { parseAccessLogLine } from '../local/access-log/parse.js';

/**
 * Real HTTP through the local ALB emulator into real worker-thread execution environments, each
 * loading the built bundle, against a real origin that can hold requests (so "busy" is a fact, not
 * a race).
 */

const TICKING_BUNDLE = fileURLToPath(new URL('./fixtures/environments/ticking-handler.mjs', import.meta.url));
const HANGING_BUNDLE = fileURLToPath(new URL('./fixtures/environments/hanging-handler.mjs', import.meta.url));
const CONTEXT_BUNDLE = fileURLToPath(new URL('./fixtures/environments/context-handler.mjs', import.meta.url));
const THROWING_BUNDLE = fileURLToPath(new URL('./fixtures/environments/throwing-handler.mjs', import.meta.url));

/** An origin whose /hold/* requests wait until `release()`; everything else answers at once, cacheable. */
async function startGatedOrigin() {
  const received: string[] = [];
  const held: Array<() => void> = [];
  const answer = (req: IncomingMessage, res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60' }).end(`origin body for ${req.url}`);
  const server = createServer((req, res) => {
    received.push(req.url ?? '');
    req.resume();
    if (req.url?.startsWith('/hold/')) held.push(() => answer(req, res));
    else answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    /** Resolves once `n` requests have reached the origin. */
    async reached(n: number) {
      while (received.length < n) await new Promise((r) => setTimeout(r, 5));
    },
    release: () => held.splice(0).forEach((go) => go()),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let bundleDir: string;
let bundleFile: string;
let origin: Awaited<ReturnType<typeof startGatedOrigin>>;
const running: RunningEmulator[] = [];

beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'envs-bundle-'));
  bundleFile = (await buildBundle(bundleDir)).file;
  origin = await startGatedOrigin();
}, 60_000);
afterEach(async () => {
  origin.release();
  await Promise.all(running.splice(0).map((e) => e.close()));
  origin.received.length = 0;
});
afterAll(async () => {
  await origin.close();
  await rm(bundleDir, { recursive: true, force: true });
});

async function emulatorWithPool(options: Partial<PoolOptions> = {}, accessLogPath?: string, timeoutMs = 20_000) {
  const pool = new EnvironmentPool({
    bundleFile,
    env: { ORIGIN_URL: origin.url, CACHE_STORE: 'memory', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    maxEnvironments: 2,
    reapEveryMs: 0,
    ...options,
  });
  const emulator = await startAlbEmulator({ target: pool, port: 0, timeoutMs, accessLogPath });
  running.push(emulator);
  return { pool, emulator };
}

/** Resolves once a 1 ms interval in this (running) thread has ticked `n` times. */
function ticksOfARunningInterval(n: number): Promise<void> {
  return new Promise((resolve) => {
    let ticks = 0;
    const interval = setInterval(() => {
      ticks += 1;
      if (ticks < n) return;
      clearInterval(interval);
      resolve();
    }, 1);
  });
}

async function get(url: string) {
  const res = await request(url);
  const body = await res.body.text();
  return { status: res.statusCode, cacheStatus: String(res.headers['cache-status'] ?? ''), body, headers: res.headers };
}

describe('a pool of execution environments behind the local ALB', () => {
  it('reuses an idle environment without a cold start, and gives a concurrent request its own environment with its own cache', async () => {
    const { pool, emulator } = await emulatorWithPool();

    const first = await get(`${emulator.url}/a`);
    expect(first.cacheStatus).toMatch(/fwd=uri-miss/);
    const again = await get(`${emulator.url}/a`);
    expect(again.cacheStatus).toMatch(/; hit/); // the same, reused environment: its cache has /a
    expect(pool.stats()).toMatchObject({ environments: 1, coldStarts: 1, invocations: 2 });

    // Keep that environment busy, then ask for /a again: it lands in a second, cold environment.
    const holding = get(`${emulator.url}/hold/1`);
    await origin.reached(2);
    const elsewhere = await get(`${emulator.url}/a`);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.cacheStatus).toMatch(/fwd=uri-miss/); // stored by the other environment, a miss in this one
    expect(origin.received.filter((u) => u === '/a')).toHaveLength(2);
    expect(pool.stats()).toMatchObject({ environments: 2, coldStarts: 2, busy: 1 });
    origin.release();
    expect((await holding).status).toBe(200);
    expect(pool.stats()).toMatchObject({ environments: 2, coldStarts: 2, busy: 0, invocations: 4, throttles: 0 });
  });

  it('answers a request beyond MAX_ENVIRONMENTS=2 as ALB does when Lambda throttles, without reaching the origin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envs-log-'));
    try {
      const { pool, emulator } = await emulatorWithPool({ maxEnvironments: 2 }, join(dir, 'access.log'));
      const held = [get(`${emulator.url}/hold/1`), get(`${emulator.url}/hold/2`)];
      await origin.reached(2);
      const third = await get(`${emulator.url}/third`);
      expect(third.status).toBe(502);
      expect(third.headers.server).toBe('awselb/2.0');
      expect([...origin.received].sort()).toEqual(['/hold/1', '/hold/2']);
      expect(pool.stats()).toMatchObject({ environments: 2, busy: 2, throttles: 1 });
      origin.release();
      expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);

      await emulator.close();
      running.splice(running.indexOf(emulator), 1);
      const entries = (await readFile(join(dir, 'access.log'), 'utf8')).trim().split('\n').map(parseAccessLogLine);
      const throttled = entries.flatMap((p) => (p.ok && p.entry.request.includes('/third') ? [p.entry] : []));
      expect(throttled).toHaveLength(1);
      expect(throttled[0]).toMatchObject({ elbStatusCode: 502, targetStatusCode: null, errorReason: 'LambdaThrottling', targetProcessingTime: -1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reaps an environment idle for ENV_IDLE_TIMEOUT_S and starts the next request cold', async () => {
    let clock = 1_000_000;
    const { pool, emulator } = await emulatorWithPool({ idleTimeoutMs: 60_000, now: () => clock });
    expect((await get(`${emulator.url}/r`)).status).toBe(200);
    clock += 59_999;
    expect(await pool.reap()).toBe(0);
    expect(pool.stats()).toMatchObject({ environments: 1, reaped: 0 });
    clock += 2;
    expect(await pool.reap()).toBe(1);
    expect(pool.stats()).toMatchObject({ environments: 0, reaped: 1, coldStarts: 1 });
    expect((await get(`${emulator.url}/r`)).status).toBe(200);
    expect(pool.stats()).toMatchObject({ environments: 1, coldStarts: 2 });
  });

  it('runs no code in an environment between requests: its timers stand still while it is frozen', async () => {
    const { pool, emulator } = await emulatorWithPool({ bundleFile: TICKING_BUNDLE, maxEnvironments: 1 });
    const ticksSeenBy = async (path: string) => {
      const res = await get(`${emulator.url}${path}`);
      expect(res.status, res.body).toBe(200);
      return (JSON.parse(res.body) as { ticks: number }).ticks;
    };
    const start = await ticksSeenBy('/');
    // Control: thawed for a request, the environment's 1 ms interval does tick (/wait/50 answers only
    // after 50 of its ticks; if it never ticked, the invocation would time out with a 502).
    const thawed = await ticksSeenBy('/wait/50');
    expect(thawed - start).toBeGreaterThanOrEqual(50);
    // Frozen: while the same 1 ms interval ticks 50 times in this running thread, the environment's
    // does not (a timer due while frozen fires late after the thaw, at most once). Both spans are
    // counted in ticks of a running interval, never in milliseconds.
    await ticksOfARunningInterval(50);
    const frozen = await ticksSeenBy('/');
    expect(frozen - thawed).toBeLessThanOrEqual(1);
    expect(pool.stats()).toMatchObject({ environments: 1, coldStarts: 1, invocations: 3 });
  });

  it('discards an environment whose invocation timed out (502), so the next request starts cold', async () => {
    const { pool, emulator } = await emulatorWithPool({ bundleFile: HANGING_BUNDLE, maxEnvironments: 1 }, undefined, 300);
    expect((await get(`${emulator.url}/ok`)).status).toBe(200);
    const timedOut = await get(`${emulator.url}/hang`);
    expect(timedOut.status).toBe(502);
    expect(timedOut.headers['x-local-alb-error']).toMatch(/timed out after 300 ms/);
    expect(pool.stats()).toMatchObject({ environments: 0, coldStarts: 1 });
    expect((await get(`${emulator.url}/ok`)).status).toBe(200);
    expect(pool.stats()).toMatchObject({ environments: 1, coldStarts: 2 });
  });

  it('keeps an environment whose handler threw (a 502): Lambda resets one only on a crash or a timeout (found by review)', async () => {
    const { pool, emulator } = await emulatorWithPool({ bundleFile: THROWING_BUNDLE, maxEnvironments: 1 });
    expect((await get(`${emulator.url}/throw`)).status).toBe(502);
    const next = await get(`${emulator.url}/ok`);
    expect(next.body).toBe('calls=2');
    expect(pool.stats()).toMatchObject({ environments: 1, coldStarts: 1 });
  });

  it('discards an environment that crashed, so the next request starts cold', async () => {
    const { pool, emulator } = await emulatorWithPool({ bundleFile: THROWING_BUNDLE, maxEnvironments: 1 });
    expect((await get(`${emulator.url}/crash`)).status).toBe(502);
    const next = await get(`${emulator.url}/ok`);
    expect(next.body).toBe('calls=1');
    expect(pool.stats()).toMatchObject({ environments: 1, coldStarts: 2 });
  });

  it('hands the handler the same Lambda context as an in-process run, with the pool\'s memory size and a live countdown', async () => {
    const { emulator } = await emulatorWithPool({ bundleFile: CONTEXT_BUNDLE, memoryMb: 1024 });
    const seen = JSON.parse((await get(`${emulator.url}/`)).body) as Record<string, unknown>;
    const inProcess = localContext(Date.now() + 20_000, String(seen.awsRequestId), 1024);
    const { getRemainingTimeInMillis: _r, done: _d, fail: _f, succeed: _s, ...fields } = inProcess;
    expect(seen).toMatchObject({ ...fields, logStreamName: 'local-environment', callbacks: ['function', 'function', 'function'] });
    expect(seen.memoryLimitInMB).toBe('1024');
    expect(seen.remainingMs).toBeGreaterThan(0);
  });

  it('counts billed GB-seconds as init plus every duration, rounded up per ms, times the memory size', async () => {
    const { pool, emulator } = await emulatorWithPool({ memoryMb: 1024 });
    await get(`${emulator.url}/g`);
    const s = pool.stats();
    expect(s.billedMs).toBeGreaterThanOrEqual(Math.ceil(s.initMsTotal));
    expect(s.gbSeconds).toBeCloseTo(s.billedMs / 1000, 6);
  });
});

describe('the pool knobs', () => {
  it('default to 10 environments, 300 s idle, 256 MB (the template default) and name the variable they refuse', () => {
    expect(poolKnobsFrom({}, {})).toEqual({ maxEnvironments: 10, idleTimeoutMs: 300_000, memoryMb: 256 });
    expect(poolKnobsFrom({ 'max-environments': '3' }, { MAX_ENVIRONMENTS: '7' }).maxEnvironments).toBe(3);
    expect(() => poolKnobsFrom({}, { MAX_ENVIRONMENTS: '0' })).toThrow(/MAX_ENVIRONMENTS: got "0", expected an integer 1\.\.1000/);
    expect(() => poolKnobsFrom({ 'max-environments': 'x' }, {})).toThrow(/--max-environments/);
    expect(() => poolKnobsFrom({}, { ENV_IDLE_TIMEOUT_S: '-1' })).toThrow(/ENV_IDLE_TIMEOUT_S: got "-1", expected an integer 1\.\.86400/);
    expect(() => poolKnobsFrom({}, { FUNCTION_MEMORY_MB: '20000' })).toThrow(/FUNCTION_MEMORY_MB: got "20000", expected an integer 128\.\.10240/);
  });

  it('are judged by the same limits when the pool is built in code', () => {
    const pool = (knobs: object) => () => new EnvironmentPool({ bundleFile: 'unused.mjs', env: {}, reapEveryMs: 0, ...knobs });
    expect(pool({ maxEnvironments: 1001 })).toThrow(/maxEnvironments: got 1001, expected an integer 1\.\.1000/);
    expect(pool({ memoryMb: 20_000 })).toThrow(/memoryMb: got 20000, expected an integer 128\.\.10240/);
    expect(pool({ idleTimeoutMs: 500 })).toThrow(/idleTimeoutMs: got 500, expected an integer 1000\.\.86400000/);
    expect(pool({ maxEnvironments: 1000, memoryMb: 10_240, idleTimeoutMs: 1000 })).not.toThrow();
  });
});
