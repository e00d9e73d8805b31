/**
 * "Ours": the proxy behind the local ALB emulator, started exactly like `npm start`
 * (`local/start.ts` in its own process).
 *
 * One fresh process per run, so no retry-guard, budget or cache
 * state leaks from one run into the next. It runs the function as a pool of execution environments
 * (one request at a time each) from a bundle the bench built once; the pool's counters are read
 * with SIGUSR2 (`pool stats #N {json}` on its stdout).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_OPTIONS } from '../shared/config/options.js';
import type { PoolStats } from '../local/environments/pool.js';
import { spawnTracked } from './processes.js';

export const START_SCRIPT = fileURLToPath(new URL('../local/start.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Variables the emulator reads besides the function's own; never inherited from the caller's shell. */
const EMULATOR_VARS = ['PORT', 'ACCESS_LOG', 'ALB_MULTI_VALUE_HEADERS', 'FUNCTION_TIMEOUT_S', 'MAX_ENVIRONMENTS', 'ENV_IDLE_TIMEOUT_S', 'FUNCTION_MEMORY_MB'];

/**
 * The environment of one run: the caller's environment without any proxy setting (a RETRY_* left
 * in a shell would silently change the figures), then the variant's settings. Logs and metrics off,
 * like nginx's `access_log off`, so both sides are measured without per-request log writes.
 */
export function oursEnv(originUrl: string, variant: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [...CONFIG_OPTIONS.map((o) => o.name), ...EMULATOR_VARS]) delete env[name];
  return {
    ...env,
    ORIGIN_URL: originUrl,
    PORT: '0',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...variant,
  };
}

export interface RunningOurs {
  url: string;
  /** The pool's counters now. */
  poolStats(): Promise<PoolStats>;
  stop(): Promise<void>;
}

export interface OursPool {
  /** The built bundle the environments load (built once per bench run). */
  bundleFile: string;
  /** The cap: at or above the scenario's concurrency, so the figures measure the proxy, not the cap. */
  maxEnvironments: number;
}

/** Why "ours" cannot run here, or `undefined` when it can. */
export function oursUnavailable(): string | undefined {
  return existsSync(START_SCRIPT) ? undefined : `local/start.ts not found (the ALB emulator of \`npm start\`)`;
}

export async function startOurs(originUrl: string, variant: Record<string, string>, pool: OursPool): Promise<RunningOurs> {
  const poolArgs = ['--bundle', pool.bundleFile, '--max-environments', String(pool.maxEnvironments)];
  const proc = spawnTracked(process.execPath, ['--import', 'tsx', START_SCRIPT, ...poolArgs], {
    name: 'local/start.ts',
    cwd: REPO_ROOT,
    env: oursEnv(originUrl, variant),
  });
  try {
    const m = await proc.ready(/ALB emulator listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
    let asked = 0;
    const poolStats = async (): Promise<PoolStats> => {
      const n = ++asked;
      proc.child.kill('SIGUSR2');
      const line = await proc.ready(new RegExp(`pool stats #${n} (\\{.*\\})`), 10_000);
      return JSON.parse(line[1]!) as PoolStats;
    };
    return { url: m[1]!, poolStats, stop: () => proc.stop() };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
