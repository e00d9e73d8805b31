/**
 * Runs the simulated HOSP origin as a process.
 *
 *   tsx local/origin-cli.ts --port 8081 --seed 7 --failure-rate 0.2 --cache-control max-age=5
 * Flags: --port --seed --failure-rate --latency-min --latency-max --tail-share --tail-factor
 * --cache-control --failure-mode --body-bytes. Each can also come from the environment
 * (`--failure-rate` <- `SIM_ORIGIN_FAILURE_RATE`); a flag wins. Drive it while it runs with
 * `POST /__configure` (JSON options), `POST /__reset`, and read `GET /__stats`.
 */
import { ORIGIN_FLAGS, originOptionsFrom, variableOf } from './origin-options.js';
import { startSimulatedOrigin, type SimulatedOrigin } from './origin.js';

function fail(problem: string): never {
  process.stderr.write(`${problem}\nusage: tsx local/origin-cli.ts ${Object.keys(ORIGIN_FLAGS).map((f) => `[--${f} V]`).join(' ')}\n`);
  process.exit(2);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  const flags = Object.keys(ORIGIN_FLAGS).map((f) => `  --${f} V  (or ${variableOf(f)})`);
  process.stdout.write(`usage: npx tsx local/origin-cli.ts [flags]\n${flags.join('\n')}\nWhile it runs: POST /__configure (JSON options), POST /__reset, GET /__stats.\n`);
  process.exit(0);
}

let origin: SimulatedOrigin;
try {
  origin = await startSimulatedOrigin(originOptionsFrom(process.argv.slice(2), process.env));
} catch (err) {
  fail(`cannot start the simulated origin: ${(err as Error).message}`);
}
process.stdout.write(`simulated origin listening on ${origin.url}\n`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  origin.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
