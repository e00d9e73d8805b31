/**
 * A bounded load generator: a fixed number of requests at a fixed concurrency, with a time cap,
 * recording every request's outcome (status or error, latency, start time). Per-request outcomes
 * are what the flaky, outage and POST scenarios are about, so no external tool is used.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { cacheOutcome, proxyStop, type CacheOutcome } from './cache-status.js';

export interface LoadRequest {
  method: string;
  /** Path and query, e.g. `/item/7?x=1`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Outcome {
  /** Request index, 0-based. */
  i: number;
  /** Start time, ms since the load began. */
  startMs: number;
  /** Time to the last body byte (or to the error). */
  ms: number;
  status?: number;
  /** Error code when there was no HTTP response (e.g. `UND_ERR_SOCKET`, `UND_ERR_HEADERS_TIMEOUT`). */
  error?: string;
  /** Where the proxy says the response came from, when it says so. */
  cache?: CacheOutcome;
  /** Why our proxy stopped trying (its Proxy-Status `stop=`), when it says so. */
  stop?: string;
}

export interface Reply {
  status: number;
  cache?: CacheOutcome | undefined;
  stop?: string | undefined;
}

/** Sends one request and resolves once the whole body has arrived. */
export type Send = (req: LoadRequest) => Promise<Reply>;

export interface Transport {
  send: Send;
  close(): Promise<void>;
}

export interface LoadOptions {
  requests: number;
  concurrency: number;
  /** No request starts after this many ms; the run then reports fewer requests than planned. */
  timeCapMs: number;
  /**
   * Start request i no earlier than i / ratePerSec seconds into the run (open loop, still at most
   * `concurrency` in flight). Makes a time window the same length for a fast and a slow contender.
   * @default unpaced: each worker sends its next request as soon as the last one is answered
   */
  ratePerSec?: number;
  make(i: number): LoadRequest;
  /** Awaited before request `i` is sent (by that request's worker only): lets a scenario change the origin mid-run. */
  before?(i: number): Promise<void> | void;
  onOutcome?(outcome: Outcome): void;
}

export interface LoadResult {
  outcomes: Outcome[];
  durationMs: number;
  /** The time cap stopped the run before all requests were sent. */
  capped: boolean;
}

export async function runLoad(send: Send, options: LoadOptions): Promise<LoadResult> {
  const outcomes: Outcome[] = [];
  const t0 = performance.now();
  let next = 0;
  let capped = false;
  const worker = async () => {
    while (next < options.requests) {
      if (performance.now() - t0 > options.timeCapMs) {
        capped = true;
        return;
      }
      const i = next++;
      if (options.ratePerSec) {
        const wait = t0 + (i * 1000) / options.ratePerSec - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await options.before?.(i);
      const req = options.make(i);
      const start = performance.now();
      const outcome: Outcome = { i, startMs: start - t0, ms: 0 };
      try {
        const reply = await send(req);
        outcome.status = reply.status;
        if (reply.cache !== undefined) outcome.cache = reply.cache;
        if (reply.stop !== undefined) outcome.stop = reply.stop;
      } catch (err) {
        outcome.error = errorCode(err);
      }
      outcome.ms = performance.now() - start;
      outcomes.push(outcome);
      options.onOutcome?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { outcomes: outcomes.sort((a, b) => a.i - b.i), durationMs: performance.now() - t0, capped };
}

/** HTTP/1.1 keep-alive client with one connection per concurrent request; no client-side retries. */
export function httpTransport(baseUrl: string, connections: number, timeoutMs: number): Transport {
  const pool = new Pool(baseUrl, { connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return {
    send: async (req) => {
      const res = await pool.request({ method: req.method as 'GET', path: req.path, headers: req.headers, body: req.body });
      await res.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      const header = (name: string) => {
        const v = res.headers[name];
        return Array.isArray(v) ? v.join(', ') : v;
      };
      return { status: res.statusCode, cache: cacheOutcome(header('cache-status'), header('x-cache-status')), stop: proxyStop(header('proxy-status')) };
    },
    close: () => pool.close(),
  };
}

function errorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof e.code === 'string') return e.code;
    if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
    if (typeof e.message === 'string') return e.message.slice(0, 80);
  }
  return String(err).slice(0, 80);
}
