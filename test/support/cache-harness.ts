import type { S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { loadConfig, type ProxyConfig } from '../../shared/config/config.js';
import { createResponseCache, type CacheResult, type ResponseCache } from '../../shared/cache/index.js';
import type { Deadline, Forward, HeaderMap, OriginRequest } from '../../shared/http/types.js';
import { httpForward } from './http-forward.js';
import { s3rverClient } from '../../local/s3rver.js';
import { startTestOrigin, type OriginScript, type TestOrigin } from './test-origin.js';

// The SDK warns once per process that Node 20 support ends in 2027 (CI runs Node 20): no console noise in tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The cache section of a config loaded from env, as the function would load it. */
export function cacheConfig(origin: URL, env: Record<string, string>): ProxyConfig['cache'] {
  return loadConfig({ ORIGIN_URL: origin.origin, ...env }).cache;
}

/** A request as ALB translation produces it (header names lowercased). */
export function originRequest(method: string, target: string, headers: Record<string, string | string[]> = {}, body: Buffer = Buffer.alloc(0)): OriginRequest {
  const [path = '/', rawQuery = ''] = target.split(/\?(.*)/s);
  const map: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) map[name.toLowerCase()] = Array.isArray(value) ? value : [value];
  return { method, path, rawQuery, headers: map, body };
}

export const roomyDeadline: Deadline = { remainingMs: () => 10_000 };

export interface CacheHarness {
  readonly origin: TestOrigin;
  readonly cache: ResponseCache;
  /** The forward every cache of this harness uses (one attempt, no retries). */
  readonly forward: Forward;
  readonly config: ProxyConfig['cache'];
  /** Current time of the cache's clock; `advance` moves it. */
  now(): number;
  advance(seconds: number): void;
  send(method: string, target: string, headers?: Record<string, string | string[]>, body?: Buffer): Promise<CacheResult>;
  get(target: string, headers?: Record<string, string | string[]>): Promise<CacheResult>;
  /** A second cache on the same store settings and origin (own memory tier, same S3 prefix). */
  sibling(): ResponseCache;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly store: 'memory' | 's3' | 'tiered' | 'off';
  readonly env?: Record<string, string>;
  /** s3rver endpoint for `s3` and `tiered`. */
  readonly s3Endpoint?: string;
  /** @default a fresh one per harness, so tests never see each other's objects */
  readonly prefix?: string;
  /** The S3 client instead of `s3rverClient(s3Endpoint)` (e.g. one attempt per call, as deployed). */
  readonly s3Client?: S3Client;
}

/** A real origin, a real S3 protocol server when asked, and a cache on an adjustable clock. */
export async function cacheHarness(options: HarnessOptions, script: OriginScript): Promise<CacheHarness> {
  const origin = await startTestOrigin(script);
  const forward = httpForward(origin.url);
  const config = cacheConfig(origin.url, {
    CACHE_STORE: options.store,
    CACHE_BUCKET: 'cache-test',
    CACHE_PREFIX: options.prefix ?? `test-${randomUUID()}/`,
    // s3rver on a busy 2-core machine can take longer than production's 300 ms.
    CACHE_S3_TIMEOUT_MS: '5000',
    ...options.env,
  });
  const s3Client = options.s3Client ?? (options.s3Endpoint ? s3rverClient(options.s3Endpoint) : undefined);
  let clock = Date.now();
  const make = (): ResponseCache => createResponseCache(config, origin.url, { now: () => clock, ...(s3Client ? { s3Client } : {}) });
  const cache = make();
  const send = (method: string, target: string, headers?: Record<string, string | string[]>, body?: Buffer) =>
    cache.handle(originRequest(method, target, headers, body), forward, roomyDeadline);
  return {
    origin,
    cache,
    forward,
    config,
    now: () => clock,
    advance: (seconds) => {
      clock += seconds * 1000;
    },
    send,
    get: (target, headers) => send('GET', target, headers),
    sibling: make,
    async close() {
      await origin.stop();
      await forward.close();
      s3Client?.destroy();
    },
  };
}
