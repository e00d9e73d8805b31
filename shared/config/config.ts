/**
 * The configuration in force: every option read from the environment and validated once at cold
 * start, failing with the option's name and accepted form.
 */
import { LogLevelThreshold } from '@aws-lambda-powertools/logger';
import { MAX_MS } from '../http/timers.js';
import { ConfigError } from '../http/errors.js';
import { configOption, type ConfigName } from './options.js';
import type { OriginHostHeader } from '../http/host-policy.js';
import { HOST_PATTERN } from '../http/origin-rewrite.js';
import type { RouteSpec } from '../routes/route-spec.js';
import { loadRoutes } from '../routes/routes-source.js';

/** The configuration in force, parsed and validated once at cold start by `loadConfig`. */
export interface ProxyConfig {
  readonly origin: URL;
  readonly attemptTimeoutMs: number;
  readonly originMaxConnections: number;
  readonly deadlineMarginMs: number;
  readonly healthCheckLocal: boolean;
  /** ORIGIN_HOST_HEADER */
  readonly originHostHeader: OriginHostHeader;
  /** ALLOWED_HOSTS, lowercased; undefined: every Host. */
  readonly allowedHosts: ReadonlySet<string> | undefined;
  readonly rewrite: { readonly redirects: boolean; readonly cookieDomain: boolean };
  /** Deadline of a forwarded health check (one attempt, no retries). */
  readonly healthCheckTimeoutMs: number;
  readonly retry: {
    readonly maxAttempts: number;
    readonly statuses: ReadonlySet<number>;
    readonly backoff: 'exponential' | 'fixed';
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
    readonly nonIdempotent: boolean;
    /** An Idempotency-Key makes a POST/PATCH retryable only when the origin honours it. */
    readonly originHonoursIdempotencyKey: boolean;
  };
  readonly budget: { readonly ratio: number; readonly minTokens: number };
  /** OVERLOAD_SHEDDING=on: adaptive throttling of first attempts (`shared/resilience/adaptive-throttle.ts`). */
  readonly overloadShedding: boolean;
  readonly hedge: {
    /** `undefined` when hedging is off. */
    readonly after: 'auto' | number | undefined;
    readonly max: number;
    readonly percentile: number;
    readonly minDelayMs: number;
  };
  readonly cache: {
    readonly store: 'off' | 'memory' | 's3' | 'tiered';
    readonly memoryMaxBytes: number;
    readonly bucket: string;
    readonly prefix: string;
    readonly s3Endpoint: string | undefined;
    readonly s3TimeoutMs: number;
    readonly defaultTtlS: number;
    readonly staleIfErrorS: number;
    readonly allowSetCookie: boolean;
    readonly maxEntryBytes: number;
    readonly statusName: string;
    /**
     * The Host the origin gets joins the key: true for the client's (ORIGIN_HOST_HEADER=client), the
     * name itself for a fixed one (each name may be another site: two deployments sharing a bucket
     * with different names must not share entries), false for ORIGIN_URL's own.
     */
    readonly keyHost: boolean | string;
  };
  /** Route policies, first match wins (ROUTES, else routes.json); empty = global settings only. */
  readonly routes: readonly RouteSpec[];
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates every option from `env` (default `process.env`). A missing or malformed value
 * throws a `ConfigError` naming the variable, the value and the accepted form, so a typo fails the
 * cold start instead of the thousandth request.
 */
export function loadConfig(env: Env = process.env): ProxyConfig {
  const read = (name: ConfigName): string => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? configOption(name).default : value;
  };
  const fail = (name: ConfigName, value: string): never => {
    throw new ConfigError(name, `got ${JSON.stringify(value)}, expected ${configOption(name).form}`);
  };
  const int = (name: ConfigName, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = read(name);
    const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : fail(name, raw);
  };
  const num = (name: ConfigName, min: number, max: number, minExclusive = false): number => {
    const raw = read(name);
    const n = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    const aboveMin = minExclusive ? n > min : n >= min;
    return aboveMin && n <= max ? n : fail(name, raw);
  };
  const bool = (name: ConfigName): boolean => {
    const raw = read(name).toLowerCase();
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return fail(name, raw);
  };
  const oneOf = <T extends string>(name: ConfigName, values: readonly T[]): T => {
    const raw = read(name).toLowerCase();
    return (values as readonly string[]).includes(raw) ? (raw as T) : fail(name, raw);
  };

  const hedgeRaw = read('HEDGE_AFTER_MS').toLowerCase();
  const hedgeAfter =
    hedgeRaw === 'off' ? undefined : hedgeRaw === 'auto' ? 'auto' : int('HEDGE_AFTER_MS', 1, MAX_MS);

  const store = oneOf('CACHE_STORE', ['off', 'memory', 's3', 'tiered'] as const);
  const bucket = read('CACHE_BUCKET');
  if ((store === 's3' || store === 'tiered') && bucket === '') {
    throw new ConfigError('CACHE_BUCKET', `required when CACHE_STORE=${store}; set it to the cache bucket name`);
  }
  const s3Endpoint = read('CACHE_S3_ENDPOINT');
  if (s3Endpoint !== '' && !/^https?:\/\/[^/]+\/?$/i.test(s3Endpoint)) fail('CACHE_S3_ENDPOINT', s3Endpoint);
  const statusName = read('CACHE_STATUS_NAME');
  if (!/^[A-Za-z0-9._-]+$/.test(statusName)) fail('CACHE_STATUS_NAME', statusName);

  // Read by Powertools and telemetry.ts, not kept here: checked so a typo fails the start instead of
  // logging at INFO (Powertools' fallback) or publishing metrics CloudWatch refuses.
  // Powertools reads the level case-sensitively: `warn` would silently log at INFO.
  const logLevel = read('POWERTOOLS_LOG_LEVEL');
  if (!Object.hasOwn(LogLevelThreshold, logLevel)) fail('POWERTOOLS_LOG_LEVEL', logLevel);
  const namespace = read('POWERTOOLS_METRICS_NAMESPACE');
  if (!/^[A-Za-z0-9 ._/#:-]{1,255}$/.test(namespace) || namespace.startsWith('AWS/')) fail('POWERTOOLS_METRICS_NAMESPACE', namespace);

  const originHostHeader = parseOriginHostHeader(read('ORIGIN_HOST_HEADER'));
  const allowedHosts = parseAllowedHosts(read('ALLOWED_HOSTS'));
  if (originHostHeader.mode === 'client' && allowedHosts === undefined) {
    throw new ConfigError(
      'ALLOWED_HOSTS',
      'required when ORIGIN_HOST_HEADER=client: list the host names the proxy serves (e.g. ALLOWED_HOSTS=app.example.org,www.example.org), or any client could store an answer under a Host of its choosing',
    );
  }

  return {
    origin: parseOrigin(env.ORIGIN_URL),
    attemptTimeoutMs: int('ATTEMPT_TIMEOUT_MS', 1, MAX_MS),
    originMaxConnections: int('ORIGIN_MAX_CONNECTIONS', 1, 10_000),
    deadlineMarginMs: int('DEADLINE_MARGIN_MS', 0, MAX_MS),
    healthCheckLocal: bool('HEALTH_CHECK_LOCAL'),
    originHostHeader,
    allowedHosts,
    rewrite: { redirects: bool('REWRITE_REDIRECTS'), cookieDomain: bool('REWRITE_COOKIE_DOMAIN') },
    healthCheckTimeoutMs: int('HEALTH_CHECK_TIMEOUT_MS', 1, MAX_MS),
    retry: {
      maxAttempts: int('RETRY_MAX_ATTEMPTS', 1, 20),
      statuses: parseStatuses(read('RETRY_STATUSES')),
      backoff: oneOf('RETRY_BACKOFF', ['exponential', 'fixed'] as const),
      baseDelayMs: int('RETRY_BASE_DELAY_MS', 0, MAX_MS),
      maxDelayMs: int('RETRY_MAX_DELAY_MS', 0, MAX_MS),
      nonIdempotent: bool('RETRY_NON_IDEMPOTENT'),
      originHonoursIdempotencyKey: bool('ORIGIN_HONOURS_IDEMPOTENCY_KEY'),
    },
    budget: {
      ratio: num('RETRY_BUDGET_RATIO', 0, 10),
      // Below 1 the bucket could never pay for a single retry: every retry would be refused.
      minTokens: num('RETRY_BUDGET_MIN_TOKENS', 1, 1_000_000),
    },
    overloadShedding: oneOf('OVERLOAD_SHEDDING', ['off', 'on'] as const) === 'on',
    hedge: {
      after: hedgeAfter,
      max: int('HEDGE_MAX', 0, 4),
      percentile: num('HEDGE_PERCENTILE', 50, 99.9),
      minDelayMs: int('HEDGE_MIN_DELAY_MS', 1, MAX_MS),
    },
    cache: {
      store,
      memoryMaxBytes: int('CACHE_MEMORY_MAX_BYTES', 0, 1e15 - 1),
      bucket,
      prefix: cachePrefix(),
      s3Endpoint: s3Endpoint === '' ? undefined : s3Endpoint,
      s3TimeoutMs: int('CACHE_S3_TIMEOUT_MS', 1, MAX_MS),
      defaultTtlS: int('CACHE_DEFAULT_TTL_S', 0, 1e15 - 1),
      staleIfErrorS: int('CACHE_STALE_IF_ERROR_S', 0, 1e15 - 1),
      allowSetCookie: bool('CACHE_ALLOW_SET_COOKIE'),
      maxEntryBytes: int('CACHE_MAX_ENTRY_BYTES', 0, 1e15 - 1),
      statusName,
      keyHost: originHostHeader.mode === 'literal' ? originHostHeader.host : originHostHeader.mode === 'client',
    },
    routes: loadRoutes(env.ROUTES),
  };

  /**
   * The role's grant is `bucket/<prefix>*`: a prefix without its final `/` (`cache`) would also
   * grant `cache-other/...`, and a `*` any key. Each segment is of S3's safe characters.
   */
  function cachePrefix(): string {
    const prefix = read('CACHE_PREFIX');
    // S3 keys hold at most 1024 bytes: the prefix (ASCII here), then a 64-digit id.
    return prefix.length <= 960 && /^(?:[A-Za-z0-9!_.()-]+\/)+$/.test(prefix) && !/(?:^|\/)\.{1,2}\//.test(prefix) ? prefix : fail('CACHE_PREFIX', prefix);
  }

  function parseOriginHostHeader(raw: string): OriginHostHeader {
    const value = raw.toLowerCase();
    if (value === 'origin' || value === 'client') return { mode: value };
    return HOST_PATTERN.test(value) ? { mode: 'literal', host: value } : fail('ORIGIN_HOST_HEADER', raw);
  }

  function parseAllowedHosts(raw: string): ReadonlySet<string> | undefined {
    if (raw === '') return undefined;
    const names = raw.split(',').map((s) => s.trim().toLowerCase().replace(/\.$/, ''));
    // Names only: a port or a scheme here is a mistake that would silently allow nothing.
    if (names.some((n) => !HOST_PATTERN.test(n) || /:\d+$/.test(n))) fail('ALLOWED_HOSTS', raw);
    return new Set(names);
  }

  function parseStatuses(raw: string): ReadonlySet<number> {
    const parts = raw.split(',').map((s) => s.trim());
    if (parts.some((p) => !/^[1-5]\d\d$/.test(p))) fail('RETRY_STATUSES', raw);
    return new Set(parts.map(Number));
  }
}

/**
 * The origin must be a bare scheme://host[:port]. A path would be silently prefixed to every request,
 * credentials would leak into logs, and a query or fragment has no meaning here: all are refused.
 */
export function parseOrigin(raw: string | undefined): URL {
  const form = configOption('ORIGIN_URL').form;
  if (raw === undefined || raw.trim() === '') {
    throw new ConfigError('ORIGIN_URL', `is not set; expected ${form}, e.g. ORIGIN_URL=https://hosp.internal:8443`);
  }
  const value = raw.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('ORIGIN_URL', `got ${JSON.stringify(value)}, which is not a URL; expected ${form}`);
  }
  const problem =
    url.protocol !== 'http:' && url.protocol !== 'https:'
      ? `scheme ${url.protocol} is not http: or https:`
      : url.username !== '' || url.password !== ''
        ? 'credentials in the URL are not allowed'
        : url.pathname !== '/' || /^[a-z]+:\/\/[^/]+\/./i.test(value)
          ? 'a path is not allowed'
          : url.search !== '' || value.includes('?')
            ? 'a query is not allowed'
            : url.hash !== '' || value.includes('#')
              ? 'a fragment is not allowed'
              : url.port === '0'
                ? 'port 0 is not a port a request can reach'
                : undefined;
  if (problem) throw new ConfigError('ORIGIN_URL', `got ${JSON.stringify(value)}: ${problem}; expected ${form}`);
  return url;
}
