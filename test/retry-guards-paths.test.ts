/**
 * The retry guards by path, through the handler (found by review): an app answering 500 on every
 * path (its database down, no gateway error) with ids in the paths, over fresh environments.
 *
 * Each path is new (/api/items/<id>), at the default configuration, over several fresh execution
 * environments (each a new handler, so a full bucket of RETRY_BUDGET_MIN_TOKENS=10). Without the
 * proxy: 1 origin request per client request. The budget's promise (docs/configuration.md):
 * "about 1 + ratio" = 1.5.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { startScriptedOrigin, type ScriptedOrigin } from './support/scripted-origin.js';
import { useRealTime, useVirtualTime } from './support/virtual-time.js';
import { albEvent, functionContext, timedCall } from './support/handler-calls.js';

let origin: ScriptedOrigin;
beforeEach(async () => {
  origin = await startScriptedOrigin({ status: 500, headers: { 'content-type': 'text/plain' }, body: 'db down' });
  useVirtualTime();
});
afterEach(async () => {
  useRealTime();
  await origin.close();
});

describe('an app-wide 500 (every path), fresh environments, default configuration', () => {
  it('stays within about 1 + RETRY_BUDGET_RATIO origin requests per client request (new paths retried beside one broken endpoint only)', async () => {
    const environments = 3;
    const perEnvironment = 20;
    let id = 0;
    const statuses: number[] = [];
    for (let e = 0; e < environments; e++) {
      const handler = createProxyHandler(loadConfig({ ORIGIN_URL: origin.url }));
      for (let i = 0; i < perEnvironment; i++) {
        const result = await timedCall(handler(albEvent('GET', `/api/items/${id++}`), functionContext()));
        statuses.push(result.status);
      }
    }
    // Every client gets the 500, with or without the proxy.
    expect(statuses.every((s) => s === 500)).toBe(true);
    const perClientRequest = origin.received.length / (environments * perEnvironment);
    expect(perClientRequest).toBeLessThanOrEqual(1.5);
  }, 120_000);
});
