/**
 * Figures of the response cache for the closing note, measured through the real handler
 * (`createProxyHandler`, ALB events in-process, real forwarder and undici pool) against a local
 * origin on 127.0.0.1 and, for S3, a local s3rver:
 *
 *   1. p50/p99 of a memory hit, an S3 hit, a miss (memory store) and a miss (S3 store);
 *   2. the success rate of GETs through an origin outage (503 for the middle half of the run),
 *      with stale-if-error on (CACHE_STALE_IF_ERROR_S=86400) and off (0), both runs side by side.
 *
 * Usage: npx tsx bench/cache-figures.ts [--seconds 60] [--rate 40]
 *   --seconds  length of the outage run (the outage is its middle half)      @default 60
 *   --rate     GETs per second per variant during the outage run               @default 40
 * Not a test: run it by hand. Figures depend on the machine.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { ALBEvent } from 'aws-lambda';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, rate: { type: 'string', default: '40' } } });
const RUN_S = Number(args.seconds);
const RATE = Number(args.rate);

// Before the first import of the telemetry module: one INFO log line per request and EMF metrics
// on stdout would swamp the figures.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';

const { createProxyHandler } = await import('../shared/handler/proxy-handler.js');
const { loadConfig } = await import('../shared/config/config.js');
const { buildAlbEvent } = await import('../local/alb-event-builder.js');
const { startS3rver } = await import('../local/s3rver.js');
const { summarize } = await import('./stats.js');

type Handler = ReturnType<typeof createProxyHandler>;

/** The origin: 4 KiB bodies, max-age=5; answers 503 while `down`. */
const origin = { down: false, requests: 0 };
const body = Buffer.alloc(4096, 'x');
const server: Server = createServer((req, res) => {
  origin.requests++;
  req.resume();
  if (origin.down) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('origin down');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=5', etag: '"v1"' }).end(body);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const originUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const s3 = await startS3rver({ buckets: ['cache-bench'] });

const handler = (env: Record<string, string>): Handler =>
  createProxyHandler(
    loadConfig({ ORIGIN_URL: originUrl, CACHE_BUCKET: 'cache-bench', CACHE_S3_ENDPOINT: s3.endpoint, CACHE_PREFIX: `${env.CACHE_STORE}-${Date.now()}/`, ...env }),
  );
const event = (target: string): ALBEvent =>
  buildAlbEvent({ method: 'GET', target, rawHeaders: ['host', 'bench.example', 'user-agent', 'cache-figures'], body: Buffer.alloc(0), clientIp: '127.0.0.1', listenerPort: 80, protocol: 'http' });
const send = async (h: Handler, target: string) => {
  const deadline = Date.now() + 55_000;
  return h(event(target), { getRemainingTimeInMillis: () => deadline - Date.now() });
};

/** Sequential latencies of `n` requests; `expect` checks every Cache-Status so a figure is what it claims. */
async function latencies(h: Handler, n: number, target: (i: number) => string, expect: RegExp): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const result = await send(h, target(i));
    out.push(performance.now() - started);
    const status = String(result.headers?.['cache-status'] ?? '');
    if (result.statusCode !== 200 || !expect.test(status)) throw new Error(`request ${i} for ${target(i)}: ${result.statusCode} ${status}`);
  }
  return out;
}

const rows: [string, number, ReturnType<typeof summarize>][] = [];
async function measure(name: string, h: Handler, n: number, target: (i: number) => string, expect: RegExp): Promise<void> {
  await latencies(h, Math.min(200, n), (i) => target(-1 - i), /./); // JIT, pools and connections first
  rows.push([name, n, summarize(await latencies(h, n, target, expect))]);
}

const memory = handler({ CACHE_STORE: 'memory' });
await send(memory, '/hit');
await measure('memory hit', memory, 5000, () => '/hit', /; hit;/);
await measure('miss, memory store', memory, 2000, (i) => `/miss-m/${i}`, /fwd=uri-miss; fwd-status=200; stored/);
const s3Store = handler({ CACHE_STORE: 's3', CACHE_S3_TIMEOUT_MS: '2000' });
await send(s3Store, '/hit');
await measure('S3 hit (local s3rver)', s3Store, 1000, () => '/hit', /; hit;/);
await measure('miss, S3 store', s3Store, 1000, (i) => `/miss-s/${i}`, /fwd=uri-miss; fwd-status=200; stored/);

console.log('\nLatency through the handler, ms (sequential requests)');
console.log('| case | n | p50 | p99 | max |');
console.log('|---|---|---|---|---|');
for (const [name, n, s] of rows) console.log(`| ${name} | ${n} | ${s.p50} | ${s.p99} | ${s.max} |`);

// Outage: both variants get the same paced GETs over 50 URLs; the origin is down for the middle half.
const variants = {
  'stale-if-error on': handler({ CACHE_STORE: 'memory', CACHE_STALE_IF_ERROR_S: '86400' }),
  'stale-if-error off': handler({ CACHE_STORE: 'memory', CACHE_STALE_IF_ERROR_S: '0' }),
};
const tally = Object.fromEntries(Object.keys(variants).map((k) => [k, { sent: 0, ok: 0, outageSent: 0, outageOk: 0, stale: 0 }]));
origin.requests = 0;
const started = Date.now();
const inFlight: Promise<void>[] = [];
console.log(`\nOutage run: ${RUN_S} s, origin answering 503 from ${RUN_S / 4} s to ${(3 * RUN_S) / 4} s, ${RATE} GET/s per variant`);
for (let tick = 0; Date.now() - started < RUN_S * 1000; tick++) {
  const elapsedS = (Date.now() - started) / 1000;
  origin.down = elapsedS >= RUN_S / 4 && elapsedS < (3 * RUN_S) / 4;
  const duringOutage = origin.down;
  for (const [name, h] of Object.entries(variants)) {
    const t = tally[name]!;
    t.sent++;
    if (duringOutage) t.outageSent++;
    inFlight.push(
      send(h, `/page/${tick % 50}`).then((r) => {
        const ok = r.statusCode >= 200 && r.statusCode < 400;
        if (ok) t.ok++;
        if (ok && duringOutage) t.outageOk++;
        if (ok && /fwd=stale; (fwd-status=5\d\d|ttl=-?\d+; detail=)/.test(String(r.headers?.['cache-status'] ?? ''))) t.stale++;
      }),
    );
  }
  await new Promise((r) => setTimeout(r, Math.max(0, started + ((tick + 1) * 1000) / RATE - Date.now())));
}
await Promise.all(inFlight);
console.log('| variant | GETs | success | success during the outage | served stale |');
console.log('|---|---|---|---|---|');
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(2)} %`;
for (const [name, t] of Object.entries(tally)) {
  console.log(`| ${name} | ${t.sent} | ${pct(t.ok, t.sent)} | ${pct(t.outageOk, t.outageSent)} (${t.outageSent} GETs) | ${t.stale} |`);
}
console.log(`origin requests during the outage run (retries included): ${origin.requests}`);

await s3.stop();
server.closeAllConnections();
server.close();
process.exit(0);
