/**
 * A scripted origin and forwarders on real origin clients to it, in virtual time: the setup the
 * lingering and hedging tests share (each test gets a fresh origin; clients are closed after it).
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { loadConfig } from '../../shared/config/config.js';
import type { Deadline, Forward, OriginRequest } from '../../shared/http/types.js';
import { createOriginClient, type OriginClient } from '../../shared/origin/client.js';
import { createForwarder } from '../../shared/resilience/forwarder.js';
import type { LatencyTracker } from '../../shared/resilience/latency-tracker.js';
import type { RetryGuards } from '../../shared/resilience/retry-guards.js';
import { startScriptedOrigin, type ScriptedOrigin } from './scripted-origin.js';
import { useRealTime, useVirtualTime } from './virtual-time.js';

export interface ForwarderHarness {
  /** This test's origin (a new one per test). */
  readonly origin: ScriptedOrigin;
  /** A forwarder for the configuration `env` on top of ORIGIN_URL, with optional guards and latency tracker. */
  forwarder(env?: Record<string, string>, parts?: { guards?: RetryGuards; latencies?: LatencyTracker }): Forward;
}

/** Registers the per-test setup and teardown; call once at the top of a test file. */
export function useForwarderHarness(): ForwarderHarness {
  let origin: ScriptedOrigin | undefined;
  const clients: OriginClient[] = [];
  beforeEach(async () => {
    origin = await startScriptedOrigin();
    useVirtualTime();
  });
  afterEach(async () => {
    useRealTime();
    vi.restoreAllMocks();
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await origin?.close();
  });
  return {
    get origin() {
      if (!origin) throw new Error('the harness origin exists only inside a test');
      return origin;
    },
    forwarder(env = {}, parts = {}) {
      const config = loadConfig({ ORIGIN_URL: this.origin.url, ...env });
      const client = createOriginClient({ origin: config.origin, connections: 8 });
      clients.push(client);
      return createForwarder({ config, client, ...(parts.guards ? { guards: parts.guards } : {}), ...(parts.latencies ? { latencies: parts.latencies } : {}) });
    },
  };
}

/** A deadline `ms` from now (virtual time). */
export function deadline(ms: number): Deadline {
  const end = Date.now() + ms;
  return { remainingMs: () => end - Date.now() };
}

/** A GET of /things/1 without headers or body. */
export const getThing = (): OriginRequest => ({ method: 'GET', path: '/things/1', rawQuery: '', headers: {}, body: Buffer.alloc(0) });
