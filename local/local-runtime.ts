/**
 * What `npm start` and `npm run invoke` share to run the function locally like Lambda would: quiet
 * telemetry defaults, the function timeout, and a simulated origin when ORIGIN_URL is unset.
 */
import { startSimulatedOrigin, type OriginOptions, type SimulatedOrigin } from './origin.js';

/**
 * Locally, metrics to stdout would drown the terminal and one log line per request is only wanted
 * when asked for (POWERTOOLS_LOG_LEVEL=INFO). AWS_LAMBDA_INITIALIZATION_TYPE is what Lambda sets in
 * an on-demand environment; Powertools Logger reads it, and without it every line says
 * `cold_start: false`. Call before importing the handler's modules: they read these at load time.
 */
export function applyLocalTelemetryDefaults(env: NodeJS.ProcessEnv = process.env): void {
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
}

/** FUNCTION_TIMEOUT_S (default 55, as the template) in ms; throws naming the variable when malformed. */
export function functionTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FUNCTION_TIMEOUT_S ?? '55';
  const seconds = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(seconds >= 1 && seconds <= 900)) throw new Error(`FUNCTION_TIMEOUT_S: got ${JSON.stringify(raw)}, expected an integer 1..900 (Lambda's range)`);
  return seconds * 1000;
}

/** A true|false variable of the local tools (unset or empty: false); anything else throws naming it. */
export function booleanVariable(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new Error(`${name}: got ${JSON.stringify(env[name])}, expected true or false`);
}

/** `read()`, or the process exits 2 with its error message: for configuration read at start-up. */
export function orExit<T>(read: () => T, usage?: string): T {
  try {
    return read();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage ?? ''}`);
    process.exit(2);
  }
}

/**
 * When ORIGIN_URL is unset, starts a simulated origin with `options`, points ORIGIN_URL at it and
 * returns it (the caller closes it); otherwise returns undefined.
 */
export async function simulatedOriginIfUnset(options: Partial<OriginOptions>, env: NodeJS.ProcessEnv = process.env): Promise<SimulatedOrigin | undefined> {
  if (env.ORIGIN_URL) return undefined;
  const origin = await startSimulatedOrigin(options);
  env.ORIGIN_URL = origin.url;
  return origin;
}
