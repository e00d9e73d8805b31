/**
 * `npm run invoke -- events/<file>.json [more.json ...]`: a docker-free `sam local invoke`.
 *
 * Runs the function's handler (the same middy-wrapped export the bundle deploys) on each recorded
 * event and prints the ALB result JSON to stdout. With no ORIGIN_URL, a simulated origin that never
 * fails is started so the events have something to reach (its URL goes to stderr). FUNCTION_MEMORY_MB
 * (256, as the template) is the context's memory size, as in the pool's environments.
 *
 * Exit codes: 0 all invoked, 2 bad arguments or an event file that could not be read (the other
 * files are still invoked).
 */
import { readEventFile } from './event-file.js';
import { localContext } from './lambda-context.js';
import { memoryMbFrom } from './environments/pool-options.js';
import { applyLocalTelemetryDefaults, functionTimeoutMs, orExit, simulatedOriginIfUnset } from './local-runtime.js';

const files = process.argv.slice(2).filter((a) => a !== '--');
if (files.length === 0 || files.includes('--help') || files.includes('-h')) {
  process.stderr.write('usage: npm run invoke -- events/<file>.json [...]\n(ORIGIN_URL and the other function variables apply; unset ORIGIN_URL starts a simulated origin)\n');
  process.exit(files.length === 0 ? 2 : 0);
}

applyLocalTelemetryDefaults();
const timeoutMs = orExit(functionTimeoutMs);
// The context's memoryLimitInMB, as the pool's environments get it (same variable, same check).
const memoryMb = orExit(() => memoryMbFrom());
const origin = await simulatedOriginIfUnset({ failureRate: 0, latencyMs: { min: 0, max: 0 } });
if (origin) process.stderr.write(`ORIGIN_URL not set: using a simulated origin at ${origin.url}\n`);

let status = 0;
try {
  // Imported only now: the handler's modules read POWERTOOLS_* and the config at load time.
  const { handler } = await import('../functions/retry-proxy/index.js');
  for (const [i, file] of files.entries()) {
    try {
      const event = await readEventFile(file);
      const result = await handler(event, localContext(Date.now() + timeoutMs, `invoke-${i + 1}`, memoryMb));
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } catch (error) {
      process.stderr.write(`${file}: ${(error as Error).message}\n`);
      status = 2;
    }
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  status = 2;
} finally {
  await origin?.close();
}
process.exit(status);
