/**
 * The simulated origin in its own process (`local/origin-cli.ts`), driven over its control
 * endpoints. Its own process keeps its event loop off the load generator's, so neither slows the other.
 */
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { OriginOptions, OriginStats } from '../local/origin.js';
import { spawnTracked } from './processes.js';

const CLI = fileURLToPath(new URL('../local/origin-cli.ts', import.meta.url));

export interface OriginProcess {
  url: string;
  port: number;
  configure(patch: Partial<OriginOptions>): Promise<void>;
  resetStats(): Promise<void>;
  stats(): Promise<OriginStats>;
  stop(): Promise<void>;
}

export async function startOriginProcess(seed: number): Promise<OriginProcess> {
  const proc = spawnTracked(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--seed', String(seed)], { name: 'simulated origin' });
  let url: string;
  try {
    url = (await proc.ready(/simulated origin listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000))[1]!;
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await request(`${url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`simulated origin ${method} ${path} answered ${res.statusCode}: ${text}`);
    return JSON.parse(text) as unknown;
  };
  return {
    url,
    port: Number(new URL(url).port),
    configure: async (patch) => { await call('POST', '/__configure', patch); },
    resetStats: async () => { await call('POST', '/__reset'); },
    stats: async () => (await call('GET', '/__stats')) as OriginStats,
    stop: () => proc.stop(),
  };
}
