/** The simulated origin's options from its flags and SIM_ORIGIN_* variables, for `npx tsx local/origin-cli.ts` and `npm start`. */
import { parseArgs } from 'node:util';
import type { OriginOptions } from './origin.js';
import { OriginOptionError, validateOriginOptions } from './origin-model.js';

/** Command-line flags of the simulated origin, and the option each sets. */
export const ORIGIN_FLAGS = {
  port: 'port',
  seed: 'seed',
  'failure-rate': 'failureRate',
  'latency-min': 'latencyMin',
  'latency-max': 'latencyMax',
  'tail-share': 'tailShare',
  'tail-factor': 'tailFactor',
  'cache-control': 'cacheControl',
  'failure-mode': 'failureMode',
  'body-bytes': 'bodyBytes',
} as const;
type Flag = keyof typeof ORIGIN_FLAGS;

/**
 * Simulated-origin options from flags (`--failure-rate 0.2`) and the environment
 * (`SIM_ORIGIN_FAILURE_RATE=0.2`); a flag wins. Throws an Error naming the flag on a bad value.
 * Shared by `local/origin-cli.ts` and `npm start` (which reads only the environment).
 */
export function originOptionsFrom(argv: string[], env: NodeJS.ProcessEnv): Partial<OriginOptions> {
  const parsed = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(ORIGIN_FLAGS).map((f) => [f, { type: 'string' as const }])),
    strict: true,
  }).values as Record<string, string | undefined>;
  const raw = (flag: Flag): string | undefined => parsed[flag] ?? env[variableOf(flag)];
  const num = (flag: Flag): number | undefined => {
    const v = raw(flag);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`--${flag} (${variableOf(flag)}): ${JSON.stringify(v)} is not a number`);
    return n;
  };
  const options: Partial<OriginOptions> = {
    port: num('port'),
    seed: num('seed'),
    failureRate: num('failure-rate'),
    tailShare: num('tail-share'),
    tailFactor: num('tail-factor'),
    bodyBytes: num('body-bytes'),
    cacheControl: raw('cache-control'),
    failureMode: raw('failure-mode') as OriginOptions['failureMode'] | undefined,
  };
  const min = num('latency-min');
  const max = num('latency-max');
  if (min !== undefined || max !== undefined) {
    options.latencyMs = { min: min ?? Math.min(20, max ?? 20), max: max ?? Math.max(200, min ?? 200) };
  }
  const chosen: Partial<OriginOptions> = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  try {
    validateOriginOptions(chosen);
  } catch (error) {
    // The origin names its option (failureRate); the user wrote a flag or a variable.
    if (!(error instanceof OriginOptionError)) throw error;
    const { option } = error;
    const flags = (Object.keys(ORIGIN_FLAGS) as Flag[]).filter((f) => ORIGIN_FLAGS[f] === option || (option === 'latencyMs' && f.startsWith('latency-')));
    if (flags.length === 0) throw error;
    throw new Error(`${flags.map((f) => `--${f} (${variableOf(f)})`).join(' / ')}: ${error.problem}`);
  }
  return chosen;
}

/** The variable a flag can also come from: `--failure-rate` <- SIM_ORIGIN_FAILURE_RATE. */
export function variableOf(flag: string): string {
  return `SIM_ORIGIN_${flag.toUpperCase().replaceAll('-', '_')}`;
}
