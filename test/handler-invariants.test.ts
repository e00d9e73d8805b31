/**
 * Properties of the whole handler (ALB event in, ALB result out) at the shipped configuration (cache
 * on, in memory) and drawn knobs: HEDGE_AFTER_MS off|2000, CACHE_STORE memory|off, RETRY_MAX_ATTEMPTS
 * 1-5, OVERLOAD_SHEDDING, CACHE_DEFAULT_TTL_S 0|3, a route policy on the path (its attempts, attempt
 * timeout, cache off or its own TTL and stale-if-error, retry statuses), single- or multi-value ALB
 * events (lower- or mixed-case names). Random origin scripts (statuses 2xx/3xx/4xx/5xx with random
 * cache headers, Set-Cookie, Vary: Accept-Language, Retry-After, Last-Modified, redirects with a
 * relative or absolute Location, bodies 0-5 s or 20-40 s slower than their headers, resets, hangs,
 * delays) and random short sequences of client requests on one path (queries with repeated names and
 * encoded values, Accept-Language, If-None-Match, If-Modified-Since), in virtual time (fast-check),
 * against a real local origin.
 *
 * For every client request of a run:
 * (a) a POST reaches the origin exactly once (the origin reads every body before answering or resetting);
 * (b) a PUT or DELETE never has two copies open at the origin at once;
 * (c) never worse than no proxy: when the answer the origin would have given the browser (the next step
 *     of the script) is a 2xx/3xx within the deadline, the client gets a 2xx/3xx, or a stored answer that
 *     (d) allows; a status the origin never sent reaches the client only as a 502/504 of the proxy, or a
 *     304 to its own conditional request;
 * (d) a stored answer is served only while fresh by its headers (its age counted from when the origin
 *     answered; heuristic freshness, 10% of its Last-Modified age, where RFC 9111 4.2.2 allows it; the
 *     configured TTLs), right after the origin's 304, or as stale-if-error (within its window) while the
 *     origin fails in this very invocation (the browser's request, the first sent, failed, and no 2xx/3xx
 *     came before the proxy answered: a hedge's or retry's held 404/429 does not count, a stale copy
 *     answers before it); never after an unsafe request the origin answered 2xx/3xx (RFC 9111 section
 *     4.4); never on a route with its cache off; under Vary only to a request of the same language;
 * (e) after each invocation no timer of the proxy is pending and no origin request is open;
 * (f) the ALB result is well formed: integer statusCode, "<code> <reason>" description, string headers
 *     (multi-value ones for a multi-value event), isBase64Encoded with a body that decodes, the origin's
 *     body byte for byte (none for HEAD), Content-Length matching it;
 * (g) the origin gets the path and query ALB passed (single-value: the last value of a name) and Accept-Language;
 * (h) an absolute Location naming the origin reaches the client on the client's host, a relative one unchanged;
 * (i) Set-Cookie reaches the client with its Domain rewritten, and is never served from the cache;
 * (j) a GET gets the body the origin sent it (never a HEAD's);
 * (k) Retry-After reaches the client with the refusal.
 *
 * Where the model allows more than the strict reading, and why: with OVERLOAD_SHEDDING=on the proxy's
 * own 503 (and a stale copy for a shed request) is allowed, since it sheds by design after one 429 or
 * reset; a slow body the proxy stopped reading counts as the origin failing (the stale copy may answer
 * at ATTEMPT_TIMEOUT_MS); an answer arriving in the very millisecond of its attempt's cut, or after the
 * proxy answered, counts as not in time (such ties still fail the model at a route's attemptTimeoutMs
 * on a few seeds, e.g. HANDLER_INVARIANT_SEED=7 at 10,000 runs; not a defect: the stale copy answers
 * at the cut by design).
 *
 * The origin is realistic where the properties need it: an ETag names one status's representation
 * ("v1-200", "v1-404"), and a 304 step ("unchanged") answers 304 only to an If-None-Match naming its
 * 200's tag, a 200 to anything else.
 *
 * Virtual time jumps from timer to timer with a fixed number of event-loop turns in between (real
 * loopback I/O settles within a few turns); HANDLER_INVARIANT_STEP=ms moves it one millisecond at a
 * time instead (as runVirtual does), to check that a counterexample does not depend on the jumps;
 * HANDLER_INVARIANT_CASE='<counterexample JSON>' replays one case with its trace.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ALBEvent, ALBResult } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { createOriginClient } from '../shared/origin/client.js';
import { albEvent, functionContext, timedCall } from './support/handler-calls.js';
import { runVirtual, useRealTime, useVirtualTime } from './support/virtual-time.js';

// ---------------------------------------------------------------------------------------------
// The scripted origin: the model's (open, peakOpen, restart), plus per-request times and outcomes,
// a sequence number on every answer (x-origin-seq, and `#n` at the end of its body) and per-method peaks.

interface Step {
  readonly status?: number;
  /** Cache-Control of the answer (absent: none). */
  readonly cacheControl?: string;
  readonly etag?: string;
  readonly delayMs?: number;
  readonly reset?: boolean;
  readonly hang?: boolean;
  readonly cookie?: boolean;
  readonly vary?: boolean;
  readonly retryAfter?: number;
  readonly location?: 'rel' | 'abs';
  readonly lastModified?: boolean;
  readonly slowBodyMs?: number;
}

interface Exchange {
  readonly seq: number;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly step: Step;
  readonly arrivedAt: number;
  readonly url: string;
  answeredAt?: number;
  finishedAt?: number;
  /** The proxy went away while a slow body was still coming. */
  cutBody?: boolean;
  /** The status sent, 'reset', or 'aborted' (the client went away first); undefined while open. */
  outcome?: number | 'reset' | 'aborted';
  /** What was sent: headers and body. */
  sent?: { headers: Record<string, string>; body: string };
}

interface Origin {
  readonly url: string;
  readonly log: Exchange[];
  open(method?: string): number;
  /** Most requests of `method` open at once since `markPeaks`. */
  peak(method: string): number;
  markPeaks(): void;
  pendingTimers(): number;
  restart(steps: readonly Step[]): void;
  close(): Promise<void>;
}

const NO_BODY = new Set([204, 304]);
const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
/**
 * The ETag an answer carries: the step's tag qualified by the status (one tag never names both an
 * error page and the page). A 304 step means "unchanged": it answers 304 to an If-None-Match naming
 * the tag of its 200, and that 200 to anything else.
 */
const etagOf = (tag: string | undefined, status: number): string | undefined => (tag === undefined ? undefined : tag.replace(/"$/, `-${status === 304 ? 200 : status}"`));
const opaque = (tag: string): string => tag.replace(/^W\//, '');
/** If-None-Match's weak comparison (RFC 9110 section 13.1.2). */
const matches = (ifNoneMatch: string | string[] | undefined, etag: string | undefined): boolean =>
  etag !== undefined && ifNoneMatch !== undefined && String(ifNoneMatch).split(',').some((t) => t.trim() === '*' || opaque(t.trim()) === opaque(etag));

async function startOrigin(): Promise<Origin> {
  let steps: readonly Step[] = [{ status: 200 }];
  const log: Exchange[] = [];
  const openBy = new Map<string, number>();
  const peakBy = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const bodyTimers = new WeakMap<ServerResponse, NodeJS.Timeout[]>();
  const server = createServer((req, res) => {
    const method = req.method!;
    openBy.set(method, (openBy.get(method) ?? 0) + 1);
    peakBy.set(method, Math.max(peakBy.get(method) ?? 0, openBy.get(method)!));
    let exchange: Exchange | undefined;
    res.on('close', () => {
      openBy.set(method, openBy.get(method)! - 1);
      if (exchange && exchange.outcome === undefined) exchange.outcome = 'aborted';
      if (exchange && exchange.step.slowBodyMs && exchange.method !== 'HEAD' && typeof exchange.outcome === 'number' && !NO_BODY.has(exchange.outcome) && exchange.finishedAt === undefined) exchange.cutBody = true;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seq = log.length;
      const step = steps[Math.min(seq, steps.length - 1)]!;
      const ex: Exchange = { seq, method, headers: req.headers, body: Buffer.concat(chunks).toString(), step, arrivedAt: Date.now(), url: req.url! };
      exchange = ex;
      log.push(ex);
      if (step.hang) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(res, ex);
      }, step.delayMs ?? 0);
      timers.add(timer);
      res.on('close', () => (clearTimeout(timer), timers.delete(timer)));
    });
    res.on('close', () => {
      for (const t of bodyTimers.get(res) ?? []) (clearTimeout(t), timers.delete(t));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  function markPeaks(): void {
    for (const m of peakBy.keys()) peakBy.set(m, openBy.get(m) ?? 0);
  }

  function answer(res: ServerResponse, ex: Exchange): void {
    ex.answeredAt = Date.now();
    const { step } = ex;
    if (step.reset) {
      ex.outcome = 'reset';
      res.socket?.destroy();
      return;
    }
    // A 304 step is "unchanged": 304 to a request whose If-None-Match names its ETag, else a 200.
    const inm = ex.headers['if-none-match'];
    const ims = Date.parse(String(ex.headers['if-modified-since'] ?? ''));
    const unchanged = inm !== undefined ? matches(inm, etagOf(step.etag, 200)) : step.lastModified === true && ims >= T0;
    const status = step.status === 304 && !unchanged ? 200 : (step.status ?? 200);
    const body = NO_BODY.has(status) ? '' : `${status} answer #${ex.seq}`;
    const headers: Record<string, string> = {
      date: new Date(Date.now()).toUTCString(),
      'x-origin-seq': String(ex.seq),
      'content-type': 'text/plain; charset=utf-8',
      ...(NO_BODY.has(status) ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
      ...(step.cacheControl !== undefined ? { 'cache-control': step.cacheControl } : {}),
      ...(step.etag !== undefined ? { etag: etagOf(step.etag, status)! } : {}),
      ...([301, 302, 307].includes(status) ? { location: step.location === 'abs' ? `http://127.0.0.1:${port}/moved?to=a%2Fb` : '/moved?to=a%2Fb' } : {}),
      ...(step.cookie ? { 'set-cookie': `sid=s${ex.seq}; Path=/; Domain=127.0.0.1; HttpOnly` } : {}),
      ...(step.vary ? { vary: 'Accept-Language' } : {}),
      ...(step.retryAfter !== undefined && [429, 503].includes(status) ? { 'retry-after': String(step.retryAfter) } : {}),
      ...(step.lastModified ? { 'last-modified': new Date(T0).toUTCString() } : {}),
    };
    res.sendDate = false;
    ex.outcome = status;
    ex.sent = { headers, body };
    res.writeHead(status, headers);
    if (ex.method === 'HEAD' || !step.slowBodyMs || body.length < 2) {
      res.end(ex.method === 'HEAD' ? undefined : body);
      return;
    }
    res.write(body.slice(0, 3));
    const t = setTimeout(() => {
      timers.delete(t);
      ex.finishedAt = Date.now();
      res.end(body.slice(3));
    }, step.slowBodyMs);
    timers.add(t);
    bodyTimers.set(res, [t]);
  }

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    open: (method) => (method ? (openBy.get(method) ?? 0) : [...openBy.values()].reduce((a, b) => a + b, 0)),
    peak: (method) => peakBy.get(method) ?? 0,
    markPeaks,
    pendingTimers: () => timers.size,
    restart(next) {
      steps = next;
      log.splice(0);
      markPeaks();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Virtual time.

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await turn();
};
const STEP_MS = process.env.HANDLER_INVARIANT_STEP === 'ms';
/** Event-loop turns between two timers (or two milliseconds with HANDLER_INVARIANT_STEP=ms). */
const TURNS = Number(process.env.HANDLER_INVARIANT_TURNS ?? (STEP_MS ? 2 : 12));

/** Settles `work`, moving virtual time from one pending timer to the next. */
async function settle<T>(work: Promise<T>, maxMs = 70_000): Promise<T> {
  let done = false;
  const watched = work.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  const start = Date.now();
  let idle = 0;
  while (!done) {
    for (let i = 0; i < TURNS && !done; i++) await turn();
    if (done) break;
    if (Date.now() - start > maxMs) throw new Error(`not settled after ${maxMs} ms of virtual time`);
    if (STEP_MS) await vi.advanceTimersByTimeAsync(1);
    else if (vi.getTimerCount() > 0) await vi.advanceTimersToNextTimerAsync();
    else if (++idle > 5000) throw new Error('not settled: no timer pending and no I/O progress');
  }
  return watched;
}

// ---------------------------------------------------------------------------------------------
// Cases.

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

interface ClientRequest {
  readonly method: Method;
  readonly ims?: boolean;
  readonly lang?: string;
  /** Query pairs as ALB passes them (percent-encoded). */
  readonly query?: [string, string][];
  /** Virtual time before it (after the previous invocation ended). */
  readonly gapMs: number;
  /** A GET or HEAD with If-None-Match (one of the origin's ETags). */
  readonly ifNoneMatch?: string;
}

interface Case {
  readonly steps: Step[];
  readonly requests: ClientRequest[];
  readonly hedgeAfter: 'off' | '2000';
  readonly store: 'memory' | 'off';
  readonly jitter: number;
  readonly maxAttempts: number;
  readonly shedding: 'on' | 'off';
  readonly ttl: number;
  readonly route?: { maxAttempts?: number; attemptTimeoutMs?: number; cache?: 'off' | { defaultTtlS?: number; staleIfErrorS?: number }; retryStatuses?: number[] };
  readonly multi: 'no' | 'lower' | 'mixed';
}

const msArb = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min, max }), fc.integer({ min: Math.ceil(min / 500), max: Math.floor(max / 500) }).map((k) => k * 500));

const ETAGS = ['"v1"', '"v2"', 'W/"v1"'];
/** What a browser holding one of the origin's pages sends. */
const CLIENT_TAGS = ['"v1-200"', '"v2-200"', 'W/"v1-200"'];

const cacheControlArb: fc.Arbitrary<string | undefined> = fc.option(
  fc
    .record({
      maxAge: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      sie: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
      extra: fc.constantFrom(undefined, 'no-store', 'public', 'must-revalidate', 'no-cache', 's-maxage=3'),
    })
    .map(({ maxAge, sie, extra }) =>
      [maxAge !== undefined ? `max-age=${maxAge}` : undefined, sie !== undefined ? `stale-if-error=${sie}` : undefined, extra].filter((x) => x !== undefined).join(', '),
    )
    .filter((s) => s.length > 0),
  { nil: undefined },
);

const answerArb: fc.Arbitrary<Step> = fc.record(
  {
    status: fc.constantFrom(200, 200, 201, 204, 301, 302, 307, 304, 404, 429, 500, 502, 503),
    cacheControl: cacheControlArb,
    etag: fc.option(fc.constantFrom(...ETAGS), { nil: undefined }),
    delayMs: msArb(0, 8000),
    cookie: fc.option(fc.constant(true), { nil: undefined, freq: 4 }),
    vary: fc.option(fc.constant(true), { nil: undefined, freq: 3 }),
    retryAfter: fc.option(fc.constantFrom(0, 1, 2, 5, 60), { nil: undefined, freq: 3 }),
    location: fc.constantFrom<'rel' | 'abs'>('rel', 'abs'),
    lastModified: fc.option(fc.constant(true), { nil: undefined, freq: 3 }),
    slowBodyMs: fc.option(fc.oneof(msArb(0, 5000), msArb(20000, 40000)), { nil: undefined, freq: 4 }),
  },
  { requiredKeys: ['status', 'delayMs'] },
).map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as Step);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: answerArb },
  { weight: 1, arbitrary: fc.record({ reset: fc.constant(true), delayMs: msArb(0, 8000) }) },
  { weight: 1, arbitrary: fc.constant({ hang: true }) },
);

const requestArb: fc.Arbitrary<ClientRequest> = fc
  .record({
    method: fc.constantFrom<Method>('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE'),
    gapMs: msArb(0, 8000),
    ifNoneMatch: fc.option(fc.constantFrom(...CLIENT_TAGS), { nil: undefined, freq: 3 }),
    ims: fc.boolean(),
    lang: fc.option(fc.constantFrom('en', 'fr'), { nil: undefined }),
    query: fc.option(fc.constantFrom<[string, string][]>([['a', '1'], ['a', '2']], [['q', 'x%20y%26z']], [['b', '%E2%82%AC'], ['a', '1'], ['b', '2']], [['k', '']]), { nil: undefined }),
  })
  .map((r) => {
    const safe = r.method === 'GET' || r.method === 'HEAD';
    const base: ClientRequest = { method: r.method, gapMs: r.gapMs, ...(r.lang ? { lang: r.lang } : {}), ...(r.query ? { query: r.query } : {}) };
    return { ...base, ...(safe && r.ifNoneMatch !== undefined ? { ifNoneMatch: r.ifNoneMatch } : {}), ...(safe && r.ims ? { ims: true } : {}) };
  });

const caseArb: fc.Arbitrary<Case> = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 8 }),
  requests: fc.array(requestArb, { minLength: 1, maxLength: 3 }),
  hedgeAfter: fc.constantFrom('off' as const, '2000' as const),
  store: fc.constantFrom('memory' as const, 'memory' as const, 'off' as const),
  jitter: fc.double({ min: 0, max: 0.999, noNaN: true }),
  maxAttempts: fc.integer({ min: 1, max: 5 }),
  shedding: fc.constantFrom<'on' | 'off'>('off', 'off', 'on'),
  ttl: fc.constantFrom(0, 0, 3),
  route: fc.option(
    fc.record(
      {
        maxAttempts: fc.integer({ min: 1, max: 5 }),
        attemptTimeoutMs: fc.constantFrom(3000, 10000, 40000),
        cache: fc.oneof(fc.constant<'off'>('off'), fc.record({ defaultTtlS: fc.integer({ min: 0, max: 4 }), staleIfErrorS: fc.integer({ min: 0, max: 6 }) }, { requiredKeys: [] })),
        retryStatuses: fc.constantFrom([502, 503, 504], [429, 500, 502, 503, 504], [500]),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
  multi: fc.constantFrom<'no' | 'lower' | 'mixed'>('no', 'no', 'lower', 'mixed'),
});

// ---------------------------------------------------------------------------------------------
// Running a case.

const PATH = '/ward/3';
/** template.yaml's 55 s less DEADLINE_MARGIN_MS (500). */
const DEADLINE_MS = 54_500;
/** An answer this long before the deadline is one the browser would have had without the proxy. */
const IN_TIME_MARGIN_MS = 20;
/** Rounding of ages (whole seconds in Age, the receipt a few ms after the origin's answer). */
const AGE_SLACK_MS = 50;

interface Invocation {
  readonly request: ClientRequest;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Origin log indexes [before, after) belong to this invocation. */
  readonly before: number;
  readonly after: number;
  readonly result: ALBResult;
  readonly ownTimers: number;
  readonly timersAfter: number;
  readonly openAfter: number;
  readonly peaks: Record<string, number>;
}

let origin: Origin;
beforeAll(async () => {
  origin = await startOrigin();
});
afterAll(async () => {
  await origin.close();
});
beforeEach(() => useVirtualTime());
afterEach(() => {
  useRealTime();
  vi.restoreAllMocks();
});

const IMS = new Date(T0).toUTCString();
function headersOf(r: ClientRequest): Record<string, string> {
  return {
    ...(r.ifNoneMatch !== undefined ? { 'if-none-match': r.ifNoneMatch } : {}),
    ...(r.ims ? { 'if-modified-since': IMS } : {}),
    ...(r.lang ? { 'accept-language': r.lang } : {}),
  };
}
const MIXED: Record<string, string> = { host: 'Host', 'x-forwarded-proto': 'X-Forwarded-Proto', 'content-type': 'Content-Type', 'if-none-match': 'If-None-Match', 'if-modified-since': 'If-Modified-Since', 'accept-language': 'Accept-Language' };
function eventOf(c: Case, r: ClientRequest, i: number): ALBEvent {
  const body = r.method === 'POST' || r.method === 'PUT' ? JSON.stringify({ request: i }) : '';
  const event = albEvent(r.method, PATH, body);
  const headers = { ...event.headers, ...headersOf(r) } as Record<string, string>;
  const pairs = r.query ?? [];
  if (c.multi === 'no') {
    event.headers = headers;
    event.queryStringParameters = Object.fromEntries(pairs);
    return event;
  }
  const mv: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) mv[c.multi === 'mixed' ? (MIXED[k] ?? k) : k] = [v];
  const mq: Record<string, string[]> = {};
  for (const [k, v] of pairs) (mq[k] ??= []).push(v);
  const { headers: _h, queryStringParameters: _q, ...rest } = event;
  return { ...rest, multiValueHeaders: mv, multiValueQueryStringParameters: mq } as ALBEvent;
}
/** The query the origin should get: ALB's pairs (single-value: the last value of a name). */
function expectedQuery(c: Case, r: ClientRequest): string {
  const pairs = r.query ?? [];
  if (c.multi === 'no') return Object.entries(Object.fromEntries(pairs)).map(([k, v]) => `${k}=${v}`).join('&');
  const groups = new Map<string, string[]>();
  for (const [k, v] of pairs) groups.set(k, [...(groups.get(k) ?? []), v]);
  return [...groups].flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`)).join('&');
}

async function run(c: Case): Promise<Invocation[]> {
  vi.spyOn(Math, 'random').mockReturnValue(c.jitter);
  vi.clearAllTimers();
  vi.setSystemTime(T0);
  origin.restart(c.steps);
  // HANDLER_INVARIANT_ENV='{"RETRY_NON_IDEMPOTENT":"true"}' (say) checks that a property can fail.
  const extra = JSON.parse(process.env.HANDLER_INVARIANT_ENV ?? '{}') as Record<string, string>;
  const routes = c.route ? JSON.stringify([{ name: 'ward', match: '/ward/**', ...c.route }]) : '';
  const config = loadConfig({
    ORIGIN_URL: origin.url,
    HEDGE_AFTER_MS: c.hedgeAfter,
    CACHE_STORE: c.store,
    RETRY_MAX_ATTEMPTS: String(c.maxAttempts),
    OVERLOAD_SHEDDING: c.shedding,
    CACHE_DEFAULT_TTL_S: String(c.ttl),
    ROUTES: routes,
    ...extra,
  });
  const client = createOriginClient({ origin: config.origin, connections: config.originMaxConnections, hostHeader: config.originHostHeader });
  const handler = createProxyHandler(config, { client });
  const out: Invocation[] = [];
  try {
    for (const [i, request] of c.requests.entries()) {
      vi.advanceTimersByTime(request.gapMs);
      origin.markPeaks();
      const before = origin.log.length;
      const startedAt = Date.now();
      const result = await settle(handler(eventOf(c, request, i), functionContext()));
      const endedAt = Date.now();
      const ownTimers = vi.getTimerCount() - origin.pendingTimers();
      // Loopback closes reach the origin within a few turns (no virtual time passes).
      await turns(20);
      const peaks = Object.fromEntries(['POST', 'PUT', 'DELETE'].map((m) => [m, origin.peak(m)]));
      out.push({ request, startedAt, endedAt, before, after: origin.log.length, result, ownTimers, timersAfter: vi.getTimerCount(), openAfter: origin.open(), peaks });
      // Whatever a broken invocation left behind must not count against the next one (clearAllTimers
      // also resets the clock).
      if (vi.getTimerCount() > 0) {
        const now = Date.now();
        vi.clearAllTimers();
        vi.setSystemTime(now);
      }
    }
  } finally {
    await client.close();
    await turns(10);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The properties.

const directive = (cc: string | undefined, name: string): number | true | undefined => {
  for (const part of (cc ?? '').split(',')) {
    const [k, v] = part.trim().split('=');
    if (k?.toLowerCase() === name) return v === undefined ? true : Number(v);
  }
  return undefined;
};
const num = (v: number | true | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
/** Freshness lifetime (ms) a shared cache may give an answer with this Cache-Control. */
function lifetimeMs(cc: string | undefined): number {
  if (directive(cc, 'no-cache') !== undefined || directive(cc, 'no-store') !== undefined) return 0;
  return 1000 * (num(directive(cc, 's-maxage')) ?? num(directive(cc, 'max-age')) ?? 0);
}
/** How long past freshness it may be served while the origin fails (ms): its own window, else 86400 s. */
function staleWindowMs(cc: string | undefined): number {
  const own = num(directive(cc, 'stale-if-error'));
  if (own !== undefined) return own * 1000;
  if (['no-cache', 'must-revalidate', 'proxy-revalidate', 's-maxage'].some((d) => directive(cc, d) !== undefined)) return 0;
  return 86_400_000;
}
const okStatus = (s: number): boolean => s >= 200 && s < 400;
/** The origin failing: no answer, or a 5xx RFC 5861 names. */
const failure = (ex: Exchange): boolean => ex.cutBody === true || ex.outcome === undefined || ex.outcome === 'reset' || ex.outcome === 'aborted' || [500, 502, 503, 504].includes(ex.outcome);
const conditionalHeaders = (h: IncomingHttpHeaders): boolean => h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined;

function decodedBody(r: ALBResult): string | undefined {
  if (typeof r.body !== 'string') return undefined;
  return r.isBase64Encoded ? Buffer.from(r.body, 'base64').toString() : r.body;
}

function flat(r: ALBResult): Record<string, unknown> {
  if (r.multiValueHeaders) return Object.fromEntries(Object.entries(r.multiValueHeaders).map(([k, v]) => [k, Array.isArray(v) && v.length === 1 ? String(v[0]) : v]));
  return (r.headers ?? {}) as Record<string, unknown>;
}
const HEURISTIC = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);
function violations(c: Case, runs: Invocation[]): string[] {
  const out: string[] = [];
  const log = origin.log;
  for (const [i, inv] of runs.entries()) {
    const p = (s: string): void => void out.push(`request ${i} (${inv.request.method}${inv.request.ifNoneMatch ? ` If-None-Match ${inv.request.ifNoneMatch}` : ''}): ${s}`);
    const { result: r, request } = inv;
    const mine = log.slice(inv.before, inv.after);
    const headers = flat(r);
    const cond = request.ifNoneMatch !== undefined || request.ims === true;

    // (f) well-formed ALB result
    if (!Number.isInteger(r.statusCode)) p(`(f) statusCode ${String(r.statusCode)}`);
    if (typeof r.statusDescription !== 'string' || !r.statusDescription.startsWith(`${r.statusCode} `)) p(`(f) statusDescription ${JSON.stringify(r.statusDescription)}`);
    if (c.multi === 'no' && r.multiValueHeaders !== undefined) p('(f) multiValueHeaders on a single-value event');
    if (c.multi === 'no' && r.headers === undefined) p('(f) no headers');
    if (c.multi !== 'no' && (r.multiValueHeaders === undefined || r.headers !== undefined)) p('(f) a multi-value event answered without multiValueHeaders only');
    for (const [k, v] of Object.entries(r.multiValueHeaders ?? {})) if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) p(`(f) multi header ${k} not a string array`);
    for (const [k, v] of Object.entries(headers)) if (Array.isArray(v) && k !== 'set-cookie') p(`(f) header ${k} has ${v.length} values`);
    for (const [k, v] of Object.entries(headers)) if (typeof v !== 'string' && !Array.isArray(v)) p(`(f) header ${k} is ${typeof v}`);
    if (typeof r.isBase64Encoded !== 'boolean') p('(f) isBase64Encoded is not a boolean');
    if (typeof r.body !== 'string') p('(f) body is not a string');
    if (r.isBase64Encoded && typeof r.body === 'string' && Buffer.from(r.body, 'base64').toString('base64') !== r.body) p('(f) body is not base64');
    const body = decodedBody(r) ?? '';
    if (request.method === 'HEAD' && body !== '') p(`(f) a HEAD answered with a body ${JSON.stringify(body)}`);
    const cl = headers['content-length'];
    if (request.method !== 'HEAD' && cl !== undefined && Number(cl) !== Buffer.byteLength(body)) p(`(f) content-length ${String(cl)} for a body of ${Buffer.byteLength(body)} bytes`);
    const seqHeader = headers['x-origin-seq'];
    const seq = typeof seqHeader === 'string' ? Number(seqHeader) : undefined;
    const bodySeq = /#(\d+)$/.exec(body)?.[1];
    if (bodySeq !== undefined && log[Number(bodySeq)]?.sent?.body !== body) p(`(f) body ${JSON.stringify(body)} is no origin answer's`);

    // (e) nothing left behind
    if (inv.ownTimers !== 0) p(`(e) ${inv.ownTimers} timer(s) of the proxy left after the invocation`);
    if (inv.timersAfter !== 0) p(`(e) ${inv.timersAfter} timer(s) left once the origin saw the closes`);
    if (inv.openAfter !== 0) p(`(e) ${inv.openAfter} origin request(s) still open`);

    // OVERLOAD_SHEDDING=on (not the default) refuses first attempts by design: its 503 is allowed.
    const shed = c.shedding === 'on' && r.statusCode === 503 && seq === undefined && mine.length === 0;
    // (a) a POST exactly once
    if (request.method === 'POST') {
      const posts = mine.filter((ex) => ex.method === 'POST').length;
      if (posts !== 1 && !shed) p(`(a) the origin received the POST ${posts} times`);
      if ((inv.peaks.POST ?? 0) > 1) p(`(a) ${inv.peaks.POST} copies of the POST open at once`);
    }
    // (b) PUT/DELETE never two copies at once
    for (const m of ['PUT', 'DELETE'] as const) {
      if (request.method === m && (inv.peaks[m] ?? 0) > 1) p(`(b) ${inv.peaks[m]} copies of the ${m} open at once`);
    }

    // (c) statuses: the origin's (any so far, a stored one included), the proxy's 502/504, a 304 to the client's own conditional request
    const sentStatuses = new Set(log.slice(0, inv.after).flatMap((ex) => (typeof ex.outcome === 'number' && ex.answeredAt !== undefined && ex.answeredAt <= inv.endedAt ? [ex.outcome] : [])));
    const fromProxy = seq === undefined;
    // OVERLOAD_SHEDDING=on (not the default) refuses first attempts by design: its 503 is allowed.
    if (fromProxy && !shed && ![502, 504].includes(r.statusCode) && !(r.statusCode === 304 && cond)) p(`(c) status ${r.statusCode} made by the proxy`);
    if (!fromProxy && !sentStatuses.has(r.statusCode) && !(r.statusCode === 304 && cond)) p(`(c) status ${r.statusCode} never sent by the origin (${[...sentStatuses].join(',')})`);
    if (r.statusCode === 304 && !cond) {
      // Only as the origin's own 304 to a request without validators (what the browser would have got).
      if (!mine.some((ex) => ex.outcome === 304 && !conditionalHeaders(ex.headers))) p('(c) a 304 to an unconditional request, answering the proxy\'s own validators');
    }
    // (c) never worse than no proxy: the browser's request would have been the origin's next one.
    const next = c.steps[Math.min(inv.before, c.steps.length - 1)]!;
    const wouldSucceed = next.status !== undefined && okStatus(next.status) && (next.delayMs ?? 0) + (next.slowBodyMs ?? 0) + IN_TIME_MARGIN_MS < DEADLINE_MS;
    const stored = seq !== undefined && seq < inv.before;

    // (g) the origin got the path and query the client sent, ALB's pairs as they came
    const wantUrl = `${PATH}${expectedQuery(c, request) ? `?${expectedQuery(c, request)}` : ''}`;
    for (const ex of mine) if (ex.url !== wantUrl) p(`(g) origin got ${ex.url}, client sent ${wantUrl}`);
    for (const ex of mine) if (request.lang && ex.headers['accept-language'] !== request.lang) p(`(g) origin got accept-language ${String(ex.headers['accept-language'])}`);
    // (h) a redirect keeps its meaning: an absolute Location to the origin points at the client's host
    if (seq !== undefined && log[seq]?.sent?.headers.location !== undefined) {
      const loc = log[seq]!.sent!.headers.location!;
      const want = loc.startsWith('http') ? 'https://app.example.org/moved?to=a%2Fb' : loc;
      if (headers.location !== want) p(`(h) Location ${String(headers.location)}, expected ${want}`);
    }
    // (i) Set-Cookie reaches the browser (domain rewritten) and is never stored
    if (seq !== undefined && log[seq]?.sent?.headers['set-cookie'] !== undefined) {
      if (stored) p(`(i) a response with Set-Cookie (#${seq}) served from the cache`);
      else if (headers['set-cookie'] !== `sid=s${seq}; Path=/; Domain=app.example.org; HttpOnly`) p(`(i) Set-Cookie ${JSON.stringify(headers['set-cookie'])}`);
    }
    // (j) a GET gets the body the origin sent
    if (request.method === 'GET' && seq !== undefined && r.statusCode !== 304 && log[seq]?.outcome !== 304 && log[seq]?.sent && body !== log[seq]!.sent!.body) p(`(j) GET body ${JSON.stringify(body)}, origin #${seq} (${log[seq]!.method}) sent ${JSON.stringify(log[seq]!.sent!.body)}`);
    // (k) Retry-After reaches the browser when the origin's refusal does
    if (seq !== undefined && !stored && log[seq]?.sent?.headers['retry-after'] !== undefined && headers['retry-after'] !== log[seq]!.sent!.headers['retry-after']) p(`(k) Retry-After ${String(headers['retry-after'])}`);
    if (wouldSucceed && !okStatus(r.statusCode) && !stored && !shed) p(`(c) the origin's next answer is a ${next.status} at ${next.delayMs} ms, the client got ${r.statusCode}`);

    // (d) a stored answer (its headers from an earlier invocation's origin answer)
    if (stored) {
      const source = log[seq]!;
      const cc = typeof headers['cache-control'] === 'string' ? (headers['cache-control'] as string) : undefined;
      // Counted from the origin's answer (RFC 9111 section 4.2.3), however long the proxy held it.
      const age = inv.startedAt - (source.answeredAt ?? Infinity);
      const routeCache = c.route?.cache;
      if (routeCache === 'off') p(`(d) answer #${seq} served from the cache on a route with cache off`);
      const ttlS = typeof routeCache === 'object' && routeCache.defaultTtlS !== undefined ? routeCache.defaultTtlS : c.ttl;
      const sc = source.step.cacheControl;
      let life = Math.max(lifetimeMs(cc), lifetimeMs(sc));
      if (source.outcome === 200 && sc === undefined && ttlS > 0) life = Math.max(life, ttlS * 1000);
      const explicit = ['max-age', 's-maxage', 'no-cache', 'no-store'].some((d) => directive(sc, d) !== undefined);
      if (source.step.lastModified && !explicit && (HEURISTIC.has(Number(source.outcome)) || directive(sc, 'public') !== undefined)) life = Math.max(life, 0.1 * (source.answeredAt! - T0) + 1000);
      const fresh = age <= life + AGE_SLACK_MS;
      // Vary: Accept-Language: only to a request with the same language as the one that stored it
      // Revalidated now: the origin's 304 (with another validator it updates nothing, but the stored body answers once).
      const validatedNow = mine.some((ex) => ex.outcome === 304 && (ex.answeredAt ?? Infinity) <= inv.endedAt);
      if (source.step.vary && source.headers['accept-language'] !== request.lang && !validatedNow) p(`(d) answer #${seq} stored for accept-language ${String(source.headers['accept-language'])} served to ${String(request.lang)}`);
      // The origin failed: the browser's request (the first sent) failed and no 2xx/3xx came before the
      // proxy answered (one in the same millisecond is a tie). A hedge's or retry's refusal (404, 429) is
      // held while the others run and a stale copy answers before it (docs/overload-guards.md).
      const originFailedNow =
        mine.length > 0 && (failure(mine[0]!) || (mine[0]!.finishedAt ?? mine[0]!.answeredAt!) >= inv.endedAt) && !mine.some((ex) => typeof ex.outcome === 'number' && !ex.cutBody && okStatus(ex.outcome) && (ex.finishedAt ?? ex.answeredAt!) < Math.min(inv.endedAt, ex.arrivedAt + (c.route?.attemptTimeoutMs ?? 25_000)));
      const sieDefault = typeof routeCache === 'object' && routeCache.staleIfErrorS !== undefined ? routeCache.staleIfErrorS * 1000 : 86_400_000;
      const ownSie = num(directive(cc, 'stale-if-error'));
      const window = ownSie !== undefined ? ownSie * 1000 : staleWindowMs(cc) === 0 ? 0 : sieDefault;
 // OVERLOAD_SHEDDING=on: a shed request may be answered by a stale copy.
      const shedNow = c.shedding === 'on' && mine.length === 0 && String(headers['cache-status']).includes('http_request_denied');
      const staleAllowed = (originFailedNow || shedNow) && age <= life + window + AGE_SLACK_MS;
      if (!(request.method === 'GET' || request.method === 'HEAD')) p(`(d) a ${request.method} answered from the cache (#${seq})`);
      // RFC 9111 section 4.4: an unsafe request the origin answered 2xx/3xx since invalidated it.
      const invalidator = runs.slice(0, i).find((o) => o.before > seq && !['GET', 'HEAD'].includes(o.request.method) && okStatus(o.result.statusCode) && Number(flat(o.result)['x-origin-seq']) >= o.before);
      if (invalidator && !validatedNow) p(`(d) stored answer #${seq} served after a ${invalidator.request.method} answered ${invalidator.result.statusCode} invalidated it`);
      if (directive(source.step.cacheControl, 'no-store') !== undefined) p(`(d) answer #${seq} was no-store, served from the cache`);
      if (!fresh && !staleAllowed && !validatedNow) {
        p(`(d) stored answer #${seq} (${source.outcome}, Cache-Control ${cc ?? '-'}) served at age ${age} ms; origin this invocation: ${mine.map((ex) => `#${ex.seq} ${ex.outcome}`).join(' ') || 'not asked'}`);
      }
    }
  }
  return out;
}

const describeCase = (c: Case, runs: Invocation[]): string =>
  runs
    .map((inv, i) => `  ${i}: ${inv.request.method} at +${inv.startedAt - runs[0]!.startedAt} ms -> ${inv.result.statusCode} [${String(flat(inv.result)['x-origin-seq'] ?? 'proxy')}] ${String(flat(inv.result)['cache-status'] ?? '')} (${inv.endedAt - inv.startedAt} ms); origin ${origin.log.slice(inv.before, inv.after).map((ex) => `#${ex.seq} ${ex.method}${conditionalHeaders(ex.headers) ? '(cond)' : ''} ${ex.outcome}@${ex.arrivedAt - runs[0]!.startedAt}-${(ex.answeredAt ?? NaN) - runs[0]!.startedAt}`).join(', ')}`)
    .join('\n') + `\n  case ${JSON.stringify(c)}`;

async function check(c: Case): Promise<string[]> {
  const runs = await run(c);
  const broken = violations(c, runs);
  if (process.env.HANDLER_INVARIANT_TRACE) console.log(describeCase(c, runs));
  if (broken.length > 0) broken.push(describeCase(c, runs));
  return broken;
}

describe('handler invariants at the shipped configuration (fast-check, virtual time)', () => {
  it('hold for random origin scripts and client request sequences', async () => {
    let runsDone = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        runsDone += 1;
        const broken = await check(c);
        if (broken.length > 0) throw new Error(broken.join('\n'));
      }),
      // About 6 s on 2 cores (jumping from timer to timer). A fixed seed keeps CI's runs the same;
      // HANDLER_INVARIANT_RUNS=10000 HANDLER_INVARIANT_SEED=$RANDOM for a longer hunt (about 20 s per 10000).
      { numRuns: Number(process.env.HANDLER_INVARIANT_RUNS ?? 3000), seed: Number(process.env.HANDLER_INVARIANT_SEED ?? 20261204) },
    );
    expect(runsDone).toBeGreaterThan(0);
  }, 600_000);
});

describe('counterexamples found by the properties above', () => {
  // (d): shrunk from seeds 2, 4, 6 and 7 (500 s-maxage=3, 429 max-age=1,
  // 503 max-age=1, 503 max-age=0 stale-if-error=1). Here with a 404 max-age=10 a retry gets while the
  // hung first attempt lingers (it is held: only a retry's success cuts the first attempt).
  it('a retry\'s answer held while the first attempt lingers is stored as received then, not at the deadline (RFC 9111 4.2.3)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    origin.restart([{ hang: true }, { status: 404, cacheControl: 'max-age=10' }, { status: 200 }]);
    const config = loadConfig({ ORIGIN_URL: origin.url });
    const client = createOriginClient({ origin: config.origin, connections: config.originMaxConnections, hostHeader: config.originHostHeader });
    const handler = createProxyHandler(config, { client });
    try {
      const first = await timedCall(handler(albEvent('GET', PATH), functionContext()));
      // The retry's 404 came at 25 s; it is returned when the first attempt gives up at the deadline.
      expect([first.status, first.ms, origin.log[1]!.answeredAt! - origin.log[0]!.arrivedAt]).toEqual([404, 54_500, 25_000]);
      // Right after: the 404 is 29.5 s old, 19.5 s past its max-age=10. A browser without the proxy
      // would ask the origin (and get its 200); the proxy answers the stored 404 as fresh (Age 0).
      const second = await runVirtual(handler(albEvent('GET', PATH), functionContext()), { turns: 2 });
      expect({ status: second.statusCode, cacheStatus: String(second.headers?.['cache-status']) }).toEqual({ status: 200, cacheStatus: expect.not.stringMatching(/; hit/) });
    } finally {
      await client.close();
    }
  });
});

describe('replay', () => {
  it.runIf(process.env.HANDLER_INVARIANT_CASE !== undefined)('HANDLER_INVARIANT_CASE', async () => {
    const c = JSON.parse(process.env.HANDLER_INVARIANT_CASE!) as Case;
    const runs = await run(c);
    console.log(describeCase(c, runs));
    console.log(runs.map((r) => JSON.stringify({ s: r.result.statusCode, h: flat(r.result) })).join('\n'));
    expect(violations(c, runs)).toEqual([]);
  }, 120_000);
});
