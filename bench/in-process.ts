/**
 * The handler timed in-process: the ALB events the local emulator would build, passed straight to
 * the function's handler with no HTTP in front. On AWS the ALB -> Lambda hop belongs to AWS; this
 * row shows what the function itself adds on top of the origin.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildAlbEvent } from '../local/alb-event-builder.js';
import type { LoadRequest, Transport } from './load.js';
import { cacheOutcome, proxyStop } from './cache-status.js';
import { oursEnv } from './ours.js';
import { SingleInstanceMeter } from './pool-figures.js';
import type { PoolStats } from '../local/environments/pool.js';

type HandlerModule = typeof import('../shared/handler/proxy-handler.js');
type ConfigModule = typeof import('../shared/config/config.js');

const HANDLER_MODULE = fileURLToPath(new URL('../shared/handler/proxy-handler.ts', import.meta.url));
const CONFIG_MODULE = fileURLToPath(new URL('../shared/config/config.ts', import.meta.url));

/** The function timeout the synthetic context counts down from (the emulator's and the template's 55 s). */
const FUNCTION_TIMEOUT_MS = 55_000;

export function inProcessUnavailable(): string | undefined {
  return existsSync(HANDLER_MODULE) ? undefined : 'shared/handler/proxy-handler.ts not found (createProxyHandler)';
}

/**
 * A transport that calls the handler directly, configured like the emulator variant (same env).
 * Imported lazily: a half-built handler then costs this row only, not the whole bench.
 */
export async function inProcessTransport(originUrl: string, variant: Record<string, string>): Promise<Transport & { poolStats(): Promise<PoolStats> }> {
  const initStarted = performance.now();
  const { createProxyHandler } = (await import(pathToFileURL(HANDLER_MODULE).href)) as HandlerModule;
  const { loadConfig } = (await import(pathToFileURL(CONFIG_MODULE).href)) as ConfigModule;
  const handler = createProxyHandler(loadConfig(oursEnv(originUrl, variant)));
  // One instance, every request at once: billed as if each request had been its own invocation.
  const meter = new SingleInstanceMeter(performance.now() - initStarted);
  return {
    poolStats: async () => meter.stats(),
    send: async (req: LoadRequest) => {
      const rawHeaders = [['host', 'bench.example'], ['user-agent', 'alb-retry-proxy-bench'], ...Object.entries(req.headers ?? {})].flat();
      const event = buildAlbEvent({ method: req.method, target: req.path, rawHeaders, body: Buffer.from(req.body ?? ''), clientIp: '127.0.0.1', listenerPort: 80, protocol: 'http' });
      const deadline = Date.now() + FUNCTION_TIMEOUT_MS;
      const started = performance.now();
      const result = await handler(event, { getRemainingTimeInMillis: () => deadline - Date.now() });
      meter.add(performance.now() - started);
      const headers = result.headers ?? {};
      const header = (name: string) => (headers[name] === undefined ? undefined : String(headers[name]));
      return { status: result.statusCode, cache: cacheOutcome(header('cache-status'), undefined), stop: proxyStop(header('proxy-status')) };
    },
    close: async () => undefined,
  };
}
