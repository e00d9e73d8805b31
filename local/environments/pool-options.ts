/**
 * The knobs of the pool of execution environments: their defaults, the one check of their limits
 * (for the pool's constructor and the flags and variables alike), and reading them from both.
 *
 * They are not function options (shared/config/options.ts): on AWS the same limits are the
 * function's reserved concurrency (template parameter ReservedConcurrency), Lambda's own idle
 * policy, and FunctionMemorySize.
 *
 *   --max-environments N / MAX_ENVIRONMENTS   reserved concurrency: environments at most     @default 10
 *   ENV_IDLE_TIMEOUT_S                        an idle environment is reaped after this       @default 300
 *   FUNCTION_MEMORY_MB                        memory size for the context and GB-seconds     @default 256 (the template's)
 */
import { DEFAULT_MEMORY_MB } from '../lambda-context.js';

export const POOL_DEFAULTS = { maxEnvironments: 10, idleTimeoutMs: 300_000, memoryMb: DEFAULT_MEMORY_MB, reapEveryMs: 10_000 } as const;

/** What each knob may be, in its own unit: reserved concurrency, an idle time of 1 s to a day, Lambda's memory sizes. */
export const POOL_LIMITS = { maxEnvironments: { min: 1, max: 1000 }, idleTimeoutMs: { min: 1000, max: 86_400_000 }, memoryMb: { min: 128, max: 10_240 } } as const;

/** Where a knob was read (a flag or a variable), so the error names it in its own unit. */
export interface KnobSource {
  readonly label: string;
  readonly raw: string;
  /** The knob's units per unit of `raw`: 1000 for seconds read into milliseconds. */
  readonly perUnit: number;
}

/** The one check of a knob against POOL_LIMITS: returns `value`, or throws naming the knob (or its source) and the range. */
export function checkPoolKnob(name: keyof typeof POOL_LIMITS, value: number, source?: KnobSource): number {
  const { min, max } = POOL_LIMITS[name];
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  const perUnit = source?.perUnit ?? 1;
  const got = source ? JSON.stringify(source.raw) : String(value);
  throw new Error(`${source?.label ?? name}: got ${got}, expected an integer ${min / perUnit}..${max / perUnit}`);
}

export interface PoolKnobs {
  readonly maxEnvironments: number;
  readonly idleTimeoutMs: number;
  readonly memoryMb: number;
}

/** Throws naming the flag or variable and the accepted form (the ranges are the pool's own, POOL_LIMITS). */
export function poolKnobsFrom(flags: { 'max-environments'?: string | undefined }, env: NodeJS.ProcessEnv = process.env): PoolKnobs {
  const maxLabel = flags['max-environments'] !== undefined ? '--max-environments' : 'MAX_ENVIRONMENTS';
  return {
    maxEnvironments: knob('maxEnvironments', flags['max-environments'] ?? env.MAX_ENVIRONMENTS, maxLabel),
    idleTimeoutMs: knob('idleTimeoutMs', env.ENV_IDLE_TIMEOUT_S, 'ENV_IDLE_TIMEOUT_S', 1000),
    memoryMb: memoryMbFrom(env),
  };
}

/** FUNCTION_MEMORY_MB alone (the context's memory size, also for `npm run invoke`, which has no pool); throws naming it. */
export function memoryMbFrom(env: NodeJS.ProcessEnv = process.env): number {
  return knob('memoryMb', env.FUNCTION_MEMORY_MB, 'FUNCTION_MEMORY_MB');
}

/** The knob from its text (perUnit: knob units per unit of the text), its default when unset. */
function knob(name: keyof typeof POOL_LIMITS, raw: string | undefined, label: string, perUnit = 1): number {
  if (raw === undefined || raw.trim() === '') return POOL_DEFAULTS[name];
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) * perUnit : NaN;
  return checkPoolKnob(name, value, { label, raw, perUnit });
}
