/**
 * `npm run bench -- --handler-js [--requests N]`: the handler's own JavaScript per request, with its
 * origin client answering at once in the same process, so no socket and no origin enter the figure.
 *
 * One handler instance as deployed (functions/retry-proxy/index.ts's wiring: middy, Powertools'
 * Lambda context, the log line and EMF document written to stdout, here a file) is driven sequentially
 * in a fresh process after a warm-up; then the same with each part switched off in turn and with all
 * three (bench/request-parts.ts). Wall and CPU microseconds per request, medians of `--runs` processes.
 * What a code change does to the handler's own work shows here without the loopback round trip, whose
 * cost moves from one machine (and one minute) to the next; across processes each microsecond here
 * costs several in wall time (docs/memory-and-cost.md).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../scripts/build.js';
import { runProbe } from './probe-process.js';
import { BREAKDOWN_ROWS, checkParts, PART_OFF, type RequestPart } from './request-parts.js';
import { invocationSource } from './probe-invocation.js';
import { median } from './stats.js';
import { countFlag, FlagError } from './count-flag.js';

const source = (file: string): string => pathToFileURL(join(REPO_ROOT, file)).href;

/** The child: the entry's wiring around a client that answers 200 at once; prints one JSON line. */
const DRIVER = `
const [middy, { injectLambdaContext }, { loadConfig }, { createProxyHandler }, { logger }] = await Promise.all([
  import('@middy/core').then((m) => m.default), import('@aws-lambda-powertools/logger/middleware'),
  import(${JSON.stringify(source('shared/config/config.ts'))}), import(${JSON.stringify(source('shared/handler/proxy-handler.ts'))}),
  import(${JSON.stringify(source('shared/telemetry/telemetry.ts'))})]);
const client = {
  async send() { return { status: 200, headers: { 'content-type': ['text/plain'], date: [new Date().toUTCString()] }, body: Buffer.from('ok') }; },
  async close() {},
};
const handler = middy(createProxyHandler(loadConfig(), { client })).use(injectLambdaContext(logger));
${invocationSource('/js')}const n = Number(process.argv[1]);
for (let i = 0; i < Math.max(500, n / 5); i++) await invoke();
let failed = 0;
const c0 = process.cpuUsage();
const t0 = performance.now();
let cacheStatus = '';
for (let i = 0; i < n; i++) {
  const result = await invoke();
  if (result.statusCode !== 200) failed++;
  cacheStatus = String(result.headers?.['cache-status'] ?? '');
}
const wallUs = ((performance.now() - t0) * 1000) / n;
const c = process.cpuUsage(c0);
process.stdout.write('\\nHANDLERJS ' + JSON.stringify({ wallUs, cpuUs: (c.user + c.system) / n, failed, cacheStatus }) + '\\n');
process.exit(0);
`;

export interface HandlerJsRow {
  readonly without: readonly RequestPart[];
  readonly wallUs: number;
  readonly cpuUs: number;
}

/** Each row of BREAKDOWN_ROWS, `runs` fresh processes of `requests` timed invocations each. */
export async function measureHandlerJs(runs = 3, requests = 20_000): Promise<HandlerJsRow[]> {
  const rows: HandlerJsRow[] = [];
  for (const without of BREAKDOWN_ROWS) {
    const env: NodeJS.ProcessEnv = { ...process.env, ORIGIN_URL: 'http://127.0.0.1:9', CACHE_STORE: 'memory' };
    delete env.POWERTOOLS_LOG_LEVEL;
    delete env.POWERTOOLS_METRICS_DISABLED;
    for (const part of without) Object.assign(env, PART_OFF[part].env);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      let printed = '';
      const seen = await runProbe<{ wallUs: number; cpuUs: number; failed: number; cacheStatus: string }>(DRIVER, 'HANDLERJS', [String(requests)], {
        env,
        cwd: REPO_ROOT,
        nodeFlags: ['--import', 'tsx'],
        onStdout: (stdout) => (printed = stdout),
      });
      if (seen.failed > 0) throw new Error(`${seen.failed} of ${requests} invocations did not answer 200`);
      checkParts(printed, without, requests, seen.cacheStatus);
      wall.push(seen.wallUs);
      cpu.push(seen.cpuUs);
    }
    rows.push({ without, wallUs: median(wall), cpuUs: median(cpu) });
  }
  return rows;
}

export function formatHandlerJs(rows: readonly HandlerJsRow[], runs: number): string {
  const base = rows[0]!;
  const name = (r: HandlerJsRow): string => (r.without.length === 0 ? 'as deployed' : `without ${r.without.map((p) => PART_OFF[p].what).join(', ')}`);
  return [
    `the handler's JavaScript per request, its origin client answering at once in the process (medians of ${runs} fresh processes per row)`,
    `  ${''.padEnd(44)}   wall      CPU   the part's cost (CPU)`,
    ...rows.map((r) => `  ${name(r).padEnd(44)} ${r.wallUs.toFixed(1).padStart(6)} us ${r.cpuUs.toFixed(1).padStart(6)} us${r === base ? '' : `  ${(base.cpuUs - r.cpuUs).toFixed(1).padStart(6)} us`}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '3' }, requests: { type: 'string', default: '20000' }, 'handler-js': { type: 'boolean' } }, strict: false });
  let runs: number, requests: number;
  try {
    runs = countFlag('--runs', values.runs);
    requests = countFlag('--requests', values.requests);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  process.stdout.write(`${formatHandlerJs(await measureHandlerJs(runs, requests), runs)}\n`);
  return 0;
}
