/**
 * A hedge refused by the origin (a 429 or 409 for the duplicate of what it is still answering)
 * neither ends the round nor replaces the original attempt's answer, and its latency is no success
 * sample (found by review; each case failed before its fix).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createForwarder } from '../shared/resilience/forwarder.js';
import { LatencyTracker } from '../shared/resilience/latency-tracker.js';
import type { Deadline, OriginRequest } from '../shared/http/types.js';
import { createOriginClient, type OriginClient } from '../shared/origin/client.js';
import { startScriptedOrigin, type ScriptedOrigin } from './support/scripted-origin.js';
import { runVirtual, useRealTime, useVirtualTime } from './support/virtual-time.js';

let origin: ScriptedOrigin;
const clients: OriginClient[] = [];
beforeEach(async () => {
  origin = await startScriptedOrigin();
  useVirtualTime();
});
afterEach(async () => {
  useRealTime();
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await origin.close();
});

const deadline = (ms: number): Deadline => {
  const end = Date.now() + ms;
  return { remainingMs: () => end - Date.now() };
};
const req = (): OriginRequest => ({ method: 'GET', path: '/things/1', rawQuery: '', headers: {}, body: Buffer.alloc(0) });

function forwarder(env: Record<string, string>, latencies?: LatencyTracker) {
  const config = loadConfig({ ORIGIN_URL: origin.url, ...env });
  const client = createOriginClient({ origin: config.origin, connections: 8 });
  clients.push(client);
  return createForwarder({ config, client, ...(latencies ? { latencies } : {}) });
}

describe("a hedge's refusal does not replace the first attempt's answer", () => {
  it('HEDGE_AFTER_MS=5000: first attempt 200 at 12 s, its hedge refused with 429 at once -> the 200 (as without the proxy)', async () => {
    origin.script({ status: 200, body: 'report', delayMs: 12_000 }, { status: 429, body: 'already working on it' });
    const latencies = new LatencyTracker();
    const forward = forwarder({ HEDGE_AFTER_MS: '5000' }, latencies);
    const result = await runVirtual(forward(req(), deadline(54_500)), { maxMs: 70_000 });
    // The refusal's ~0 ms must not enter the window of successful latencies (auto hedge delay, minimal attempt).
    expect(latencies.percentile(50) ?? 12_000).toBeGreaterThanOrEqual(11_000);
    expect(result.response?.status).toBe(200);
    expect(result.response?.body.toString()).toBe('report');
  });

  it('HEDGE_AFTER_MS=5000: first attempt 200 at 40 s (lingering), its hedge 409 at 6 s -> the 200', async () => {
    origin.script({ status: 200, body: 'report', delayMs: 40_000 }, { status: 409, body: 'conflict' }, { hang: true });
    const forward = forwarder({ HEDGE_AFTER_MS: '5000' });
    const result = await runVirtual(forward(req(), deadline(54_500)), { maxMs: 70_000 });
    expect(result.response?.status).toBe(200);
  });

  it('HEDGE_AFTER_MS=5000, RETRY_MAX_ATTEMPTS=1: first attempt 503 at 12 s, its hedge 429 -> the first attempt\'s 503, as without the proxy', async () => {
    origin.script({ status: 503, body: 'busy', delayMs: 12_000 }, { status: 429, body: 'already working on it' });
    const forward = forwarder({ HEDGE_AFTER_MS: '5000', RETRY_MAX_ATTEMPTS: '1' });
    const result = await runVirtual(forward(req(), deadline(54_500)), { maxMs: 70_000 });
    expect(result.response?.status).toBe(503);
  });

  it('unhedged, the same origin: the retry beside it does not replace the answer (the fixed behaviour, for contrast)', async () => {
    origin.script({ status: 200, body: 'report', delayMs: 40_000 }, { status: 429, body: 'already working on it' });
    const forward = forwarder({});
    const result = await runVirtual(forward(req(), deadline(54_500)), { maxMs: 70_000 });
    expect(result.response?.status).toBe(200);
  });
});
