/**
 * `npm start`: the main job, locally, on embedded defaults: a local ALB emulator on PORT (default
 * 3000) with the retry proxy as its Lambda target.
 *
 * It runs as Lambda runs it: the bundle is built (esbuild, about a second), then a pool of
 * execution environments (worker threads, one request at a time each, created on demand up to
 * MAX_ENVIRONMENTS; docs/environments.md). `--single` runs one in-process handler for every request
 * instead: for debugging, not like production. With no ORIGIN_URL it also starts the
 * simulated HOSP origin (10% 5xx, latencies scaled down from 2-20 s), so
 *   curl -i localhost:3000/echo
 * works on a fresh clone. Prints where it listens, the config in force and a running success rate.
 *
 * Environment: every function variable (docs/configuration.md), plus PORT, ACCESS_LOG (a file to
 * append ALB-format access logs to), ALB_MULTI_VALUE_HEADERS (true|false), FUNCTION_TIMEOUT_S
 * (default 55, as the template), the pool's MAX_ENVIRONMENTS, ENV_IDLE_TIMEOUT_S, FUNCTION_MEMORY_MB
 * (local/environments/pool-options.ts) and SIM_ORIGIN_* for the simulated origin (see local/origin-cli.ts).
 * SIGUSR2 prints the pool's counters as one `pool stats #N {json}` line (the bench reads it).
 */
import { parseArgs } from 'node:util';
import { CONFIG_OPTIONS } from '../shared/config/options.js';
import { startAlbEmulator } from './emulator.js';
import { InProcessTarget } from './environments/in-process.js';
import { poolKnobsFrom } from './environments/pool-options.js';
import { applyLocalTelemetryDefaults, booleanVariable, functionTimeoutMs, orExit, simulatedOriginIfUnset } from './local-runtime.js';
import { originOptionsFrom } from './origin-options.js';
import { describeRoutes } from './route-summary.js';
import { SuccessMeter } from './success-meter.js';

const USAGE =
  'usage: npm start -- [--port N] [--access-log FILE] [--multi-value] [--single] [--max-environments N] [--bundle FILE]\n' +
  'Environment: ORIGIN_URL (unset: a simulated origin is started), the function variables (docs/configuration.md), SIM_ORIGIN_* for the simulated origin.\n';

const { values: flags } = orExit(() => parseArgs({
  options: {
    port: { type: 'string' },
    'access-log': { type: 'string' },
    'multi-value': { type: 'boolean' },
    single: { type: 'boolean' },
    'max-environments': { type: 'string' },
    bundle: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
}), USAGE);
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

applyLocalTelemetryDefaults();

const portText = flags.port ?? process.env.PORT ?? '3000';
// Number('') is 0, a random port: an empty PORT is a mistake, not a request for one.
const port = /^\s*\d+\s*$/.test(portText) ? Number(portText) : NaN;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`PORT: got ${JSON.stringify(flags.port ?? process.env.PORT)}, expected an integer 0..65535\n`);
  process.exit(2);
}
const multiValueHeaders = flags['multi-value'] ?? orExit(() => booleanVariable('ALB_MULTI_VALUE_HEADERS'));
const accessLogPath = flags['access-log'] ?? process.env.ACCESS_LOG;
const timeoutMs = orExit(functionTimeoutMs);
const timeoutS = timeoutMs / 1000;
const single = flags.single ?? false;
const knobs = orExit(() => poolKnobsFrom(flags));

const origin = await simulatedOriginIfUnset(orExit(() => originOptionsFrom([], process.env)));
if (origin) process.stdout.write(`simulated HOSP origin listening on ${origin.url}\n`);

// Imported only now: the handler's modules read POWERTOOLS_* at load time.
const { loadConfig } = await import('../shared/config/config.js');
const { createProxyHandler } = await import('../shared/handler/proxy-handler.js');
let config;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`configuration error: ${(error as Error).message}\n`);
  await origin?.close();
  process.exit(2);
}
const pool = single ? undefined : await startPool();
const meter = new SuccessMeter(process.stdout, 2000, pool && (() => pool.describe()));
const emulator = await startAlbEmulator({
  // --single: the one handler, invoked as the pool invokes an environment (timeout, failures, memory size).
  target: pool ?? new InProcessTarget(createProxyHandler(config), knobs.memoryMb),
  port,
  multiValueHeaders,
  timeoutMs,
  accessLogPath,
  onRequest: (status, ms) => meter.add(status, ms),
}).catch(async (error: NodeJS.ErrnoException) => {
  // A port already taken (another npm start, a dev server on 3000): say so and how to pick another.
  const why = error.code === 'EADDRINUSE' ? `port ${port} is already in use; stop what listens there, or choose another with --port N or PORT=N` : error.message;
  process.stderr.write(`cannot start the ALB emulator: ${why}\n`);
  await pool?.close();
  await origin?.close();
  process.exit(2);
});
let statsPrinted = 0;
process.on('SIGUSR2', () => {
  if (pool) process.stdout.write(`pool stats #${++statsPrinted} ${JSON.stringify(pool.stats())}\n`);
});

process.stdout.write(`config in force:\n${describeConfig()}\n`);
process.stdout.write(`${describeRoutes(config.routes, (process.env.ROUTES ?? '').trim() !== '')}\n`);
process.stdout.write(
  `ALB emulator listening on ${emulator.url} (${multiValueHeaders ? 'multi' : 'single'}-value headers, function timeout ${timeoutS} s${accessLogPath ? `, access log ${accessLogPath}` : ''})\n` +
    (pool
      ? `function: a pool of execution environments, one request at a time each, at most ${knobs.maxEnvironments} (idle ones reaped after ${knobs.idleTimeoutMs / 1000} s, ${knobs.memoryMb} MB)\n`
      : 'function: --single, ONE in-process handler serving every request at once (shared cache and guards): NOT like production\n') +
    // /echo is the simulated origin's; a real origin has its own paths.
    (origin ? `try: curl -i ${emulator.url}/echo\n` : `try: curl -i ${emulator.url}/ (proxied to ${process.env.ORIGIN_URL})\n`),
);
meter.start();

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  meter.stop();
  await emulator.close();
  await origin?.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

/** Builds the bundle (unless --bundle names one) and starts an empty pool: environments start on demand. */
async function startPool() {
  const { EnvironmentPool } = await import('./environments/pool.js');
  let bundleFile = flags.bundle;
  if (!bundleFile) {
    const { buildBundle } = await import('../scripts/build.js');
    const started = Date.now();
    bundleFile = (await buildBundle()).file;
    process.stdout.write(`built ${bundleFile} in ${Date.now() - started} ms\n`);
  }
  return new EnvironmentPool({ bundleFile, env: { ...process.env }, ...knobs });
}

function describeConfig(): string {
  return CONFIG_OPTIONS.map((o) => {
    const set = process.env[o.name];
    const value = set === undefined || set === '' ? o.default : set;
    return `  ${o.name}=${value}${set !== undefined && set !== '' && set !== o.default ? '  (set)' : ''}`;
  }).join('\n');
}
