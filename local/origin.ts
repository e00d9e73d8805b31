/**
 * A simulated HOSP origin: a real HTTP server on 127.0.0.1 that fails, stalls and goes down the way
 * the production origin does, reproducibly from a seed. Tests, `npm start` and `npm run bench` all
 * talk to it over real sockets, so retries, keep-alive and connection resets are exercised for real.
 *
 * Every request (except the `/__` control endpoints) takes four PRNG draws on arrival, in a fixed
 * order, whatever the options: the same seed and the same arrival order give the same outcomes.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  binaryBody,
  MAX_ARRIVALS,
  MAX_BINARY_BYTES,
  mulberry32,
  ORIGIN_DEFAULTS,
  validateOriginOptions,
  type OriginOptions,
  type OriginStats,
  type SimulatedOrigin,
} from './origin-model.js';
import { selfLinkReply } from './origin-self-links.js';

/** Requests that change something: each is counted by id, so the bench sees one reach the origin twice. */
const CHANGES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export { binaryBody, mulberry32, ORIGIN_DEFAULTS, validateOriginOptions, type OriginOptions, type OriginStats, type SimulatedOrigin } from './origin-model.js';

const emptyStats = (): Omit<OriginStats, 'nowMs' | 'duplicates'> => ({
  requests: 0, byMethod: {}, byStatus: {}, failuresInjected: 0, resets: 0, duringOutage: 0, requestIds: {}, arrivals: [],
});

/** Starts the simulated origin on 127.0.0.1 and resolves once it listens. */
export async function startSimulatedOrigin(options: Partial<OriginOptions> = {}): Promise<SimulatedOrigin> {
  validateOriginOptions(options);
  const opts: OriginOptions = { ...ORIGIN_DEFAULTS, failureStatuses: [...ORIGIN_DEFAULTS.failureStatuses], ...options };
  let random = mulberry32(opts.seed);
  let stats = emptyStats();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  // A stable validator per server: caches see the same ETag/Last-Modified for the same path.
  const lastModified = new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString();
  const timers = new Set<NodeJS.Timeout>();

  const inOutage = (at: number) => opts.outage || opts.outageWindows.some((w) => at >= w.startMs && at < w.endMs);

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path.startsWith('/__')) {
      void readBody(req).then((body) => control(path, req, res, body), () => req.socket.destroy());
      return;
    }
    const at = elapsed();
    // Four draws per request, always, so decisions do not shift when options change.
    const [failDraw, pickDraw, latencyDraw, tailDraw] = [random(), random(), random(), random()];
    const outage = inOutage(at);
    const method = req.method ?? 'GET';
    stats.requests++;
    if (stats.arrivals.length < MAX_ARRIVALS) stats.arrivals.push(Math.round(at * 10) / 10);
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    if (outage) stats.duringOutage++;
    const { min, max } = opts.latencyMs;
    let delay = min + latencyDraw * (max - min);
    if (tailDraw < opts.tailShare) delay *= opts.tailFactor;

    void readBody(req).then((body) => {
      if (CHANGES.has(method)) {
        const header = req.headers['x-request-id'];
        const id = typeof header === 'string' && header !== '' ? header : `sha256:${createHash('sha256').update(body).digest('hex')}`;
        stats.requestIds[id] = (stats.requestIds[id] ?? 0) + 1;
      }
      const respond = () => {
        timers.delete(timer);
        if (res.destroyed) return;
        if (outage) return send(res, 503, { 'content-type': 'text/plain' }, 'simulated outage\n');
        if (failDraw < opts.failureRate) {
          stats.failuresInjected++;
          const reset = opts.failureMode === 'reset' || (opts.failureMode === 'mixed' && pickDraw < 0.5);
          if (reset) {
            stats.resets++;
            req.socket.destroy();
            return;
          }
          // In mixed mode the lower half of the draw chose "reset": rescale the upper half to 0..1.
          const statusDraw = opts.failureMode === 'mixed' ? (pickDraw - 0.5) * 2 : pickDraw;
          const status = opts.failureStatuses[Math.floor(statusDraw * opts.failureStatuses.length)] ?? 500;
          return send(res, status, { 'content-type': 'text/plain' }, `simulated failure ${status}\n`);
        }
        serve(method, path, req, res, body);
      };
      const timer = setTimeout(respond, delay);
      timers.add(timer);
    }, () => req.socket.destroy());
  });

  const send = (res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: string | Buffer = '') => {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    const noBody = status === 204 || status === 304 || (status >= 100 && status < 200);
    res.writeHead(status, noBody ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(noBody ? undefined : body);
  };

  const serve = (method: string, path: string, req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const cacheable: Record<string, string> = (method === 'GET' || method === 'HEAD') && opts.cacheControl !== '' ? { 'cache-control': opts.cacheControl } : {};
    let m: RegExpExecArray | null;
    if (path.startsWith('/echo')) {
      const echo = { method, path, query: rawQuery, headers: req.headers, rawHeaders: req.rawHeaders, bodyBase64: body.toString('base64') };
      return send(res, 200, { 'content-type': 'application/json', ...cacheable }, JSON.stringify(echo));
    }
    if (path === '/binary') {
      const size = Number(new URLSearchParams(rawQuery).get('size') ?? '256');
      if (!Number.isSafeInteger(size) || size < 0 || size > MAX_BINARY_BYTES) {
        return send(res, 400, { 'content-type': 'text/plain' }, `size must be an integer 0..${MAX_BINARY_BYTES}\n`);
      }
      return send(res, 200, { 'content-type': 'application/octet-stream', ...cacheable }, binaryBody(size));
    }
    if ((m = /^\/status\/(\d{3})$/.exec(path))) {
      const status = Number(m[1]);
      if (status < 200 || status > 599) return send(res, 400, { 'content-type': 'text/plain' }, 'status must be 200..599\n');
      return send(res, status, { 'content-type': 'text/plain' }, `status ${status}\n`);
    }
    if ((m = /^\/retry-after\/(\d{1,9})$/.exec(path))) {
      return send(res, 503, { 'content-type': 'text/plain', 'retry-after': m[1] ?? '1' }, 'retry later\n');
    }
    const self = selfLinkReply(path, rawQuery, `http://127.0.0.1:${req.socket.localPort}`);
    if (self) return send(res, self.status, self.headers, self.body);
    const text = textBody(path, opts.bodyBytes);
    const etag = `"${createHash('sha1').update(text).digest('base64url')}"`;
    const validators = { etag, 'last-modified': lastModified, ...cacheable };
    const inm = req.headers['if-none-match'];
    if (inm !== undefined && (method === 'GET' || method === 'HEAD') && matchesEtag(inm, etag)) return send(res, 304, validators);
    return send(res, 200, { 'content-type': 'text/plain; charset=utf-8', ...validators }, text);
  };

  const control = (path: string, req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(value));
    };
    if (path === '/__stats' && req.method === 'GET') return json(200, snapshot());
    if (path === '/__reset' && req.method === 'POST') return (resetStats(), json(200, { ok: true }));
    if (path === '/__configure' && req.method === 'POST') {
      try {
        const patch: unknown = JSON.parse(body.toString('utf8') || '{}');
        if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new RangeError('body must be a JSON object of options');
        configure(patch as Partial<OriginOptions>);
        return json(200, opts);
      } catch (err) {
        return json(400, { error: err instanceof Error ? err.message : String(err) });
      }
    }
    return json(404, { error: `no control endpoint ${req.method} ${path}; try GET /__stats, POST /__configure, POST /__reset` });
  };

  const snapshot = (): OriginStats => ({
    ...structuredClone(stats),
    duplicates: Object.values(stats.requestIds).filter((n) => n > 1).length,
    nowMs: elapsed(),
  });
  const resetStats = () => { stats = emptyStats(); };
  const configure = (patch: Partial<OriginOptions>) => {
    validateOriginOptions(patch);
    if ('port' in patch && patch.port !== opts.port) throw new RangeError('simulated origin option port cannot change while running');
    Object.assign(opts, patch);
    if (patch.seed !== undefined) random = mulberry32(patch.seed);
    server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  };

  server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  // Node requires headersTimeout <= requestTimeout; keep it above keep-alive so idle sockets close by keep-alive rules.
  server.headersTimeout = Math.min(opts.keepAliveTimeoutMs + 1000, server.requestTimeout || Infinity);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: snapshot,
    resetStats,
    configure,
    close: () => new Promise<void>((resolve, reject) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.close((err) => (err ? reject(err) : resolve()));
      for (const s of sockets) s.destroy();
    }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Deterministic text for a path: the same path always gets the same bytes (and so the same ETag). */
function textBody(path: string, size: number): string {
  const line = `HOSP simulated resource ${path}\n`;
  return line.repeat(Math.ceil(size / line.length) + 1).slice(0, size);
}

/** RFC 9110 13.1.2: If-None-Match uses the weak comparison; `*` matches any current representation. */
function matchesEtag(header: string | string[], etag: string): boolean {
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  const tags = (Array.isArray(header) ? header.join(',') : header).split(',').map(strip);
  return tags.includes('*') || tags.includes(strip(etag));
}
