/**
 * The emulator's local-only knobs for the pool of execution environments, read from flags and the
 * environment. They are not function options (shared/config-options.ts): on AWS the same limits are
 * the function's reserved concurrency (template parameter ReservedConcurrency), Lambda's own idle
 * policy, and FunctionMemorySize.
 *
 *   --max-environments N / MAX_ENVIRONMENTS   reserved concurrency: environments at most     @default 10
 *   ENV_IDLE_TIMEOUT_S                        an idle environment is reaped after this       @default 300
 *   FUNCTION_MEMORY_MB                        memory size for the context and GB-seconds     @default 256 (the template's)
 */
import { POOL_DEFAULTS } from './pool.js';

export interface PoolKnobs {
  readonly maxEnvironments: number;
  readonly idleTimeoutMs: number;
  readonly memoryMb: number;
}

/** Throws naming the flag or variable and the accepted form. */
export function poolKnobsFrom(flags: { 'max-environments'?: string | undefined }, env: NodeJS.ProcessEnv = process.env): PoolKnobs {
  const max = flags['max-environments'] ?? env.MAX_ENVIRONMENTS;
  const idle = env.ENV_IDLE_TIMEOUT_S;
  const memory = env.FUNCTION_MEMORY_MB;
  return {
    maxEnvironments: integer(max, flags['max-environments'] !== undefined ? '--max-environments' : 'MAX_ENVIRONMENTS', 1, 1000, POOL_DEFAULTS.maxEnvironments),
    idleTimeoutMs: integer(idle, 'ENV_IDLE_TIMEOUT_S', 1, 86_400, POOL_DEFAULTS.idleTimeoutMs / 1000) * 1000,
    memoryMb: integer(memory, 'FUNCTION_MEMORY_MB', 128, 10_240, POOL_DEFAULTS.memoryMb),
  };
}

function integer(raw: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw new Error(`${name}: got ${JSON.stringify(raw)}, expected an integer ${min}..${max}`);
  return value;
}
