/**
 * `npm run bench -- --cold-start [--s3] [--bare] [--without PARTS] [--breakdown]`: what a cold start
 * of the built bundle and each warm request cost, in memory mode, and optionally in other modes.
 *
 * `--s3` also in S3 mode (against s3rver, the S3 chunks loaded by the first request); `--without
 * log,metrics,cache` (any of them) also with those parts of each request switched off, `--bare` the
 * same as `--without log,metrics,cache`; `--breakdown` the per-request figures with each part off in
 * turn, then all three, in one table (the difference from the first row is what that part costs).
 *
 * - bundle bytes loaded at cold start: the entry and the chunks it imports statically (the S3 client's
 *   chunks are loaded only when an S3 store is created, so they do not count);
 * - import time of the entry, timed inside a fresh plain-Node process (the way Lambda's init imports
 *   the handler), as a ratio of a bare `node -e 0` start timed from outside;
 * - first-request time: the handler's first invocation in that process, against a local origin;
 * - per request: then `--requests` sequential invocations of that one handler instance (logging and EMF
 *   metrics on, as deployed), beside as many direct undici round trips to the same origin from the same
 *   process, in alternating blocks (means after warm-up, each run's own figure, then the median). The
 *   handler's own cost is its time minus the direct round trip's (what it adds on top of the origin
 *   round trip it contains), shown as a ratio of that round trip; the whole invocation's time over
 *   the direct one beside it (issue 16's "<= 1.5x a direct round trip" reads as either), and the same
 *   against direct node:http keep-alive requests (the client the handler itself uses), which tells
 *   the handler's own work from the difference between the two clients. Then the CPU per request of
 *   each side (`process.cpuUsage`, the whole process): work the handler does, apart from waking up.
 * - steady (`--steady N`, default STEADY_AFTER; 0 skips it): after N more requests on each side, the
 *   same requests timed again. The warm window is a fresh process's first requests, and V8 is
 *   still compiling the hot path then; a container that has served a few thousand requests runs
 *   at the steady figure. Memory mode only: in S3 mode every request waits on s3rver.
 *
 * Medians of `--runs` fresh processes (default 9). The bundle is built into a temporary directory,
 * unless `--entry FILE` names an already built one (e.g. an older commit's, for before/after figures).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { buildBundle } from '../scripts/build.js';
import { runProbe } from './probe-process.js';
import { PROBE } from './cold-start-probe.js';
import { formatBreakdown, formatColdStart, windowFigures, type ColdStartFigures, type ColdStartStore, type ProbeTimes } from './cold-start-report.js';
import { median } from './stats.js';
import { countFlag } from './count-flag.js';
import { BREAKDOWN_ROWS, checkParts, parseParts, PART_OFF, REQUEST_PARTS, type RequestPart } from './request-parts.js';

export { formatColdStart, type ColdStartFigures, type ColdStartStore };

const run = promisify(execFile);

const S3_BUCKET = 'bench-cold-start';

/** The function's S3 settings for s3rver: its fixed credentials (see local/s3rver.ts), path-style via CACHE_S3_ENDPOINT. */
function s3Env(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): NodeJS.ProcessEnv {
  return {
    CACHE_BUCKET: S3_BUCKET,
    CACHE_S3_ENDPOINT: endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * Requests on each side before the steady window: by then V8 has optimized the hot path (the
 * handler's ratio stops falling after about 2000 requests of a process on this machine).
 */
export const STEADY_AFTER = 2500;

const UNDICI = pathToFileURL(createRequire(import.meta.url).resolve('undici')).href;

export interface ColdStartOptions {
  /**
   * Time this already built bundle instead of building this checkout (to compare with an older
   * build); its bytes are then the entry file's alone.
   */
  readonly entry?: string | undefined;
  /** @default 'memory' */
  readonly store?: ColdStartStore;
  /** Parts of each request switched off. @default none, as deployed */
  readonly without?: readonly RequestPart[];
  /**
   * Also time the requests again after this many more on each side (the steady figures); 0: not.
   * @default 0
   */
  readonly steadyAfter?: number;
}

export async function measureColdStart(runs = 9, requests = 500, options: ColdStartOptions = {}): Promise<ColdStartFigures> {
  const { entry, store = 'memory', without = [], steadyAfter = 0 } = options;
  const outdir = mkdtempSync(join(tmpdir(), 'retry-proxy-cold-start-'));
  const origin = createServer((_req, res) => res.end('ok'));
  // Imported only here: s3rver and the SDK are heavy, and memory mode needs neither.
  const support = store === 's3' ? await import('../local/s3rver.js') : undefined;
  const s3 = support ? await support.startS3rver({ buckets: [S3_BUCKET] }) : undefined;
  try {
    const bundle = entry ? prebuilt(entry) : await buildBundle(outdir);
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const port = (origin.address() as { port: number }).port;
    const env: NodeJS.ProcessEnv = { ...process.env, ORIGIN_URL: `http://127.0.0.1:${port}`, CACHE_STORE: store, ...(s3 && support ? s3Env(s3.endpoint, support.S3RVER_CREDENTIALS) : {}) };
    delete env.POWERTOOLS_LOG_LEVEL;
    delete env.POWERTOOLS_METRICS_DISABLED;
    for (const part of without) Object.assign(env, PART_OFF[part].env);
    const imports: number[] = [];
    const firsts: number[] = [];
    const bare: number[] = [];
    const warm: ProbeTimes[] = [];
    const steady: ProbeTimes[] = [];
    for (let i = 0; i < runs; i++) {
      let printed = '';
      const started = performance.now();
      await run(process.execPath, ['-e', '0']);
      bare.push(performance.now() - started);
      const seen = await runProbe<ProbeTimes & { imported: number; first: number; status: number; second: string; failed: number; steady?: ProbeTimes }>(
        PROBE,
        'COLDSTART',
        [pathToFileURL(bundle.file).href, UNDICI, String(requests), store === 's3' ? 'unique' : 'same', String(steadyAfter)],
        { env, onStdout: (stdout) => (printed = stdout) },
      );
      checkParts(printed, without, requests, seen.second);
      if (seen.status !== 200) throw new Error(`the first request answered ${seen.status}, not 200`);
      if (seen.failed > 0) throw new Error(`${seen.failed} of the ${seen.steady ? 2 * requests : requests} timed requests did not answer 200`);
      imports.push(seen.imported);
      firsts.push(seen.first);
      warm.push(seen);
      if (seen.steady) steady.push(seen.steady);
    }
    const importMs = median(imports);
    const bareNodeMs = median(bare);
    // In S3 mode the first request loads the S3 client's chunks (not the SDK's own lazy ones).
    const loaded = store === 's3' ? bundle.firstS3Request : bundle.coldStart;
    return {
      store,
      without,
      coldStartBytes: loaded.reduce((sum, f) => sum + f.bytes, 0),
      coldStartFiles: loaded.length,
      allBytes: bundle.outputs.reduce((sum, f) => sum + f.bytes, 0),
      importMs,
      bareNodeMs,
      importRatio: importMs / bareNodeMs,
      firstRequestMs: median(firsts),
      ...windowFigures(warm),
      ...(steady.length > 0 ? { steady: { after: steadyAfter, ...windowFigures(steady) } } : {}),
      runs,
    };
  } finally {
    origin.close();
    await s3?.stop();
    rmSync(outdir, { recursive: true, force: true });
  }
}

function prebuilt(entry: string): { file: string; coldStart: { bytes: number }[]; firstS3Request: { bytes: number }[]; outputs: { bytes: number }[] } {
  const file = resolve(entry);
  const bytes = statSync(file).size;
  return { file, coldStart: [{ bytes }], firstS3Request: [{ bytes }], outputs: [{ bytes }] };
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '9' }, requests: { type: 'string', default: '500' }, steady: { type: 'string', default: String(STEADY_AFTER) }, entry: { type: 'string' }, s3: { type: 'boolean', default: false }, bare: { type: 'boolean', default: false }, without: { type: 'string' }, breakdown: { type: 'boolean', default: false }, 'cold-start': { type: 'boolean' } }, strict: false });
  let runs: number, requests: number, steadyAfter: number;
  let without: RequestPart[] | undefined;
  try {
    runs = countFlag('--runs', values.runs);
    requests = countFlag('--requests', values.requests);
    steadyAfter = countFlag('--steady', values.steady, 0, 'a whole number of requests (0: no steady window)');
    if (values.without !== undefined) without = parseParts(String(values.without));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const entry = typeof values.entry === 'string' ? values.entry : undefined;
  const deployed = await measureColdStart(runs, requests, { entry, steadyAfter });
  process.stdout.write(`${formatColdStart(deployed)}\n`);
  if (values.s3) process.stdout.write(`${formatColdStart(await measureColdStart(runs, requests, { entry, store: 's3' }))}\n`);
  if (values.bare) process.stdout.write(`${formatColdStart(await measureColdStart(runs, requests, { entry, without: REQUEST_PARTS, steadyAfter }))}\n`);
  if (without) process.stdout.write(`${formatColdStart(await measureColdStart(runs, requests, { entry, without, steadyAfter }))}\n`);
  if (values.breakdown) {
    const rows = [deployed];
    for (const parts of BREAKDOWN_ROWS.slice(1)) rows.push(await measureColdStart(runs, requests, { entry, without: parts, steadyAfter }));
    process.stdout.write(`${formatBreakdown(rows)}\n`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`cold-start bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
