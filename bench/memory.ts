/**
 * `npm run bench -- --memory [--sizes 0,16,32,64,128] [--body-bytes N] [--entry FILE]`: peak RSS of
 * one execution environment, as deployed, per memory-cache size.
 *
 * The built bundle in a fresh plain-Node process, one handler instance driven
 * sequentially (logging and EMF metrics on), until its memory cache is full at
 * CACHE_MEMORY_MAX_BYTES (sizes in MiB) and has evicted as much again. The origin answers every GET
 * with a cacheable body of `--body-bytes` (a new URL per request, so every answer is stored); the
 * probe checks that the last one is then served from the cache. Size 0 is the function without a
 * cache: what the code, Node and the keep-alive sockets take.
 *
 * Peak RSS is `process.resourceUsage().maxRSS`, what Lambda reports as "Max Memory Used". No heap
 * flags are passed, so V8 is not pressed to collect early: the figures are an upper bound of what
 * the same cache needs in a smaller function.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBundle } from '../scripts/build.js';
import { runProbe } from './probe-process.js';

const MIB = 1024 * 1024;

/** The child: fills the cache through the handler, sampling RSS; prints one MEMORY line. */
const PROBE = `
const { handler } = await import(process.argv[1]);
const maxBytes = Number(process.argv[2]);
const bodyBytes = Number(process.argv[3]);
// Each invocation gets the template's 55 s from its own start, as Lambda's context does.
const context = { functionName: 'bench', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '512', awsRequestId: 'bench',
  deadline: 0, getRemainingTimeInMillis() { return this.deadline - Date.now(); } };
const invoke = (e) => { context.deadline = Date.now() + 55000; return handler(e, context); };
const event = (path) => ({ requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/bench/0123456789abcdef' } },
  httpMethod: 'GET', path, queryStringParameters: {}, headers: { host: 'bench', 'x-forwarded-proto': 'https' }, body: '', isBase64Encoded: false });
const baseline = process.memoryUsage().rss;
// Twice the cache's size in bodies (at least 500 requests): full, then as much evicted again.
const requests = Math.max(500, Math.ceil((2 * maxBytes) / bodyBytes));
let peakHeap = 0, peakExternal = 0;
for (let i = 0; i < requests; i++) {
  const result = await invoke(event('/m/' + i));
  if (result.statusCode !== 200) throw new Error('request ' + i + ' answered ' + result.statusCode);
  if (i % 200 === 0) {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExternal = Math.max(peakExternal, m.external);
  }
}
const again = await invoke(event('/m/' + (requests - 1)));
const status = String(again.headers?.['cache-status'] ?? '');
const peakRss = process.resourceUsage().maxRSS * 1024;
// What stays alive (the cache itself): collected after the peak was read, so the peak is unchanged.
globalThis.gc();
const m = process.memoryUsage();
process.stdout.write('\\nMEMORY ' + JSON.stringify({ requests, baseline, peakRss, rss: m.rss, retained: m.heapUsed + m.external,
  heapUsed: m.heapUsed, peakHeap: Math.max(peakHeap, m.heapUsed), peakExternal: Math.max(peakExternal, m.external),
  lastIsHit: maxBytes === 0 || /;\\s*hit/.test(status), cacheStatus: status }) + '\\n');
process.exit(0);
`;

export interface MemoryFigure {
  /** CACHE_MEMORY_MAX_BYTES. */
  readonly cacheBytes: number;
  readonly requests: number;
  /** Peak resident set of the process, bytes ("Max Memory Used"). */
  readonly peakRssBytes: number;
  /** RSS right after the import, before any request. */
  readonly startRssBytes: number;
  readonly peakHeapBytes: number;
  /** Memory outside the V8 heap (`external`, which includes every Buffer: the bodies). */
  readonly peakExternalBytes: number;
  /** Heap and buffers still alive after a full collection at the end: the cache and the code. */
  readonly retainedBytes: number;
}

/** `entry`: an already built bundle (another commit's) instead of building this checkout. */
export async function measureMemory(sizesMiB: readonly number[], bodyBytes: number, entry?: string): Promise<MemoryFigure[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'retry-proxy-memory-'));
  const body = Buffer.alloc(bodyBytes, 'x');
  const origin = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=3600', 'content-length': body.length });
    res.end(body);
  });
  try {
    const file = entry ? resolve(entry) : (await buildBundle(outdir)).file;
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const port = (origin.address() as { port: number }).port;
    const figures: MemoryFigure[] = [];
    for (const mib of sizesMiB) {
      const cacheBytes = Math.round(mib * MIB);
      const env: NodeJS.ProcessEnv = { ...process.env, ORIGIN_URL: `http://127.0.0.1:${port}`, CACHE_STORE: 'memory', CACHE_MEMORY_MAX_BYTES: String(cacheBytes) };
      delete env.POWERTOOLS_LOG_LEVEL;
      delete env.POWERTOOLS_METRICS_DISABLED;
      const seen = await runProbe<{ requests: number; baseline: number; peakRss: number; peakHeap: number; peakExternal: number; retained: number; lastIsHit: boolean; cacheStatus: string }>(
        PROBE,
        'MEMORY',
        [pathToFileURL(file).href, String(cacheBytes), String(bodyBytes)],
        { env, timeoutMs: 900_000, nodeFlags: ['--expose-gc'] },
      );
      if (!seen.lastIsHit) throw new Error(`with CACHE_MEMORY_MAX_BYTES=${cacheBytes} the last response was not served from the cache (Cache-Status: ${seen.cacheStatus})`);
      figures.push({ cacheBytes, requests: seen.requests, peakRssBytes: seen.peakRss, startRssBytes: seen.baseline, peakHeapBytes: seen.peakHeap, peakExternalBytes: seen.peakExternal, retainedBytes: seen.retained });
    }
    return figures;
  } finally {
    origin.close();
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The smallest Lambda memory size (in steps of 64 from 128) whose `headroom` share holds `rssBytes`.
 * Lambda's "MB" are MiB (its REPORT line's Max Memory Used is the same unit).
 */
export function smallestMemoryMb(rssBytes: number, headroom = 0.75): number {
  const needMb = rssBytes / MIB / headroom;
  return Math.max(128, Math.ceil(needMb / 64) * 64);
}

export function formatMemory(figures: readonly MemoryFigure[], bodyBytes: number): string {
  const mb = (b: number): string => `${(b / MIB).toFixed(1)} MiB`.padStart(10);
  return [
    `peak RSS of one environment, memory cache filled then evicting (bodies of ${bodyBytes} bytes, Node ${process.version})`,
    `  CACHE_MEMORY_MAX_BYTES   requests   RSS at start   peak RSS   peak heap   peak buffers   retained   smallest MemorySize (RSS <= 75%)`,
    ...figures.map(
      (f) =>
        `  ${`${(f.cacheBytes / MIB).toFixed(0)} MiB`.padEnd(22)} ${String(f.requests).padStart(8)}   ${mb(f.startRssBytes)}   ${mb(f.peakRssBytes)} ${mb(f.peakHeapBytes)}   ${mb(f.peakExternalBytes)} ${mb(f.retainedBytes)}     ${smallestMemoryMb(f.peakRssBytes)} MB`,
    ),
  ].join('\n');
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { sizes: { type: 'string', default: '0,16,32,64,128' }, 'body-bytes': { type: 'string', default: '16384' }, entry: { type: 'string' }, memory: { type: 'boolean' } }, strict: false });
  const sizes = String(values.sizes).split(',').map(Number);
  if (sizes.some((s) => !Number.isFinite(s) || s < 0)) {
    process.stderr.write(`--sizes: expected MiB values >= 0 separated by commas, got ${JSON.stringify(values.sizes)}\n`);
    return 2;
  }
  const bodyBytes = Number(values['body-bytes']);
  if (!Number.isSafeInteger(bodyBytes) || bodyBytes < 1 || bodyBytes > 1_000_000) {
    process.stderr.write(`--body-bytes: expected an integer from 1 to 1000000, got ${JSON.stringify(values['body-bytes'])}\n`);
    return 2;
  }
  process.stdout.write(`${formatMemory(await measureMemory(sizes, bodyBytes, typeof values.entry === 'string' ? values.entry : undefined), bodyBytes)}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`memory bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
