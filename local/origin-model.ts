/**
 * The simulated origin's options (with their defaults and validation), its statistics, and the
 * deterministic building blocks (PRNG, binary body) that tests and the bench reproduce outcomes with.
 * The server itself is `origin.ts`.
 */
export interface OriginOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port: number;
  /** Seed of the PRNG that decides failures and latencies. @default 1 */
  seed: number;
  /** Share of requests answered with an injected failure (0..1). @default 0.1 */
  failureRate: number;
  /** Statuses an injected failure picks from, uniformly. @default [500, 502, 503, 504] */
  failureStatuses: number[];
  /**
   * How an injected failure looks: a 5xx `status`, a connection `reset` (socket destroyed without
   * a response, as when HOSP's workers crash), or `mixed` (half each). @default 'status'
   */
  failureMode: 'status' | 'reset' | 'mixed';
  /**
   * Response delay, uniform in [min, max] ms. HOSP takes 2-20 s; scaled down 100x so a bench run
   * takes minutes, not hours. @default { min: 20, max: 200 }
   */
  latencyMs: { min: number; max: number };
  /** Share of responses slowed down by `tailFactor` (the long tail). @default 0 */
  tailShare: number;
  /** Slowdown of a tail response. @default 20 */
  tailFactor: number;
  /** While true every request is answered 503 (after its latency). @default false */
  outage: boolean;
  /** Windows, in ms since the server started, during which every request is answered 503. @default [] */
  outageWindows: { startMs: number; endMs: number }[];
  /** `Cache-Control` put on successful GET/HEAD responses; empty for none. @default '' */
  cacheControl: string;
  /**
   * Idle keep-alive timeout. Must stay above the client's own idle timeout (nginx upstream
   * `keepalive_timeout` is 60 s) or the client may reuse a socket the origin is closing. @default 65000
   */
  keepAliveTimeoutMs: number;
  /** Body size of the default text endpoint. @default 1024 */
  bodyBytes: number;
}

export const ORIGIN_DEFAULTS: Readonly<OriginOptions> = Object.freeze({
  port: 0,
  seed: 1,
  failureRate: 0.1,
  failureStatuses: [500, 502, 503, 504],
  failureMode: 'status',
  latencyMs: { min: 20, max: 200 },
  tailShare: 0,
  tailFactor: 20,
  outage: false,
  outageWindows: [],
  cacheControl: '',
  keepAliveTimeoutMs: 65_000,
  bodyBytes: 1024,
});

export interface OriginStats {
  /** Requests received, control endpoints excluded. */
  requests: number;
  byMethod: Record<string, number>;
  /** Statuses answered (resets are counted in `resets`, not here). */
  byStatus: Record<string, number>;
  /** Random failures injected (statuses and resets), outage answers excluded. */
  failuresInjected: number;
  resets: number;
  /** Requests that arrived while the origin was in outage. */
  duringOutage: number;
  /** POST, PATCH, PUT and DELETE: `x-request-id` (or `sha256:<body hash>` when absent) -> times received. */
  requestIds: Record<string, number>;
  /** Ids in `requestIds` received more than once. */
  duplicates: number;
  /**
   * Arrival time of each request, ms since the server started, in arrival order: the first
   * 200,000 since the last reset (a long-running `npm start` must not grow without bound).
   */
  arrivals: number[];
  /** ms since the server started, when these stats were taken (the clock of `arrivals`). */
  nowMs: number;
}

export interface SimulatedOrigin {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  stats(): OriginStats;
  resetStats(): void;
  /** Changes options on the fly (validated like the start options); a new `seed` restarts the PRNG. */
  configure(patch: Partial<OriginOptions>): void;
  close(): Promise<void>;
}

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG; enough for reproducible simulations. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The bytes of `/binary?size=N`: starts with 0xff 0xfe (never valid UTF-8) and covers all 256 values. */
export function binaryBody(size: number): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (0xff - ((i * 7) % 256)) & 0xff;
  return body;
}

export const MAX_BINARY_BYTES = 16 * 1024 * 1024;
export const MAX_ARRIVALS = 200_000;

/** A bad value of one simulated-origin option: which option, and the problem in words. */
export class OriginOptionError extends RangeError {
  constructor(readonly option: string, readonly problem: string) {
    super(`simulated origin option ${option}: ${problem}`);
  }
}

/** Throws an OriginOptionError naming the option when `patch` holds a bad value (a RangeError for an unknown key). */
export function validateOriginOptions(patch: Partial<OriginOptions>): void {
  const fail = (key: string, expected: string): never => {
    throw new OriginOptionError(key, `got ${JSON.stringify((patch as Record<string, unknown>)[key])}, expected ${expected}`);
  };
  const isInt = (v: unknown, min: number): boolean => Number.isSafeInteger(v) && (v as number) >= min;
  const isShare = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 1;
  for (const [key, v] of Object.entries(patch) as [string, unknown][]) {
    if (v === undefined) continue;
    switch (key as keyof OriginOptions) {
      case 'port': if (!isInt(v, 0) || (v as number) > 65535) fail(key, 'integer 0..65535'); break;
      case 'seed': if (!Number.isSafeInteger(v)) fail(key, 'integer'); break;
      case 'failureRate': case 'tailShare': if (!isShare(v)) fail(key, 'number 0..1'); break;
      case 'tailFactor': if (typeof v !== 'number' || v < 1) fail(key, 'number >= 1'); break;
      case 'keepAliveTimeoutMs': if (!isInt(v, 1)) fail(key, 'integer ms >= 1'); break;
      case 'bodyBytes': if (!isInt(v, 0)) fail(key, 'integer >= 0'); break;
      case 'outage': if (typeof v !== 'boolean') fail(key, 'boolean'); break;
      case 'cacheControl': if (typeof v !== 'string' || /[\r\n]/.test(v)) fail(key, 'header value string'); break;
      case 'failureMode': if (v !== 'status' && v !== 'reset' && v !== 'mixed') fail(key, "'status' | 'reset' | 'mixed'"); break;
      case 'failureStatuses':
        if (!Array.isArray(v) || v.length === 0 || !v.every((s: unknown) => isInt(s, 500) && (s as number) <= 599)) fail(key, 'non-empty array of statuses 500..599');
        break;
      case 'latencyMs': {
        const l = v as { min?: unknown; max?: unknown };
        if (typeof l !== 'object' || l === null || !isInt(l.min, 0) || !isInt(l.max, 0) || (l.max as number) < (l.min as number)) fail(key, '{ min, max } integer ms, 0 <= min <= max');
        break;
      }
      case 'outageWindows':
        if (!Array.isArray(v) || !v.every((w: { startMs?: unknown; endMs?: unknown }) => typeof w === 'object' && w !== null && isInt(w.startMs, 0) && isInt(w.endMs, 0) && (w.endMs as number) >= (w.startMs as number))) {
          fail(key, '[{ startMs, endMs }] integer ms, startMs <= endMs');
        }
        break;
      default:
        throw new RangeError(`simulated origin: unknown option ${key} (known: ${Object.keys(ORIGIN_DEFAULTS).join(', ')})`);
    }
  }
}
