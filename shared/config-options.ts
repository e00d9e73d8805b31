/**
 * Every environment variable the function reads, with its default and a one-line why.
 *
 * This table is the single source for three things that must agree: `loadConfig` (which parses
 * them), the README's configuration table (`npm run config:doc` prints it) and `template.yaml`
 * (a test checks that every variable the function gets here is a template parameter and back).
 * Names are stable: operators' scripts and the template depend on them.
 */
export interface ConfigOption {
  /** Environment variable name. */
  readonly name: string;
  /** Default as it would be written in the environment; `''` means "unset". */
  readonly default: string;
  /** Accepted form, as shown in error messages and the README. */
  readonly form: string;
  /** What it does and why the default is what it is. */
  readonly doc: string;
}

export const CONFIG_OPTIONS = [
  // Origin
  {
    name: 'ORIGIN_URL',
    default: '',
    form: 'http(s)://host[:port] (required; no path, query, fragment or credentials)',
    doc: 'The HOSP origin every request is replayed against. Requests can reach no other host.',
  },
  {
    name: 'ATTEMPT_TIMEOUT_MS',
    default: '25000',
    form: 'integer milliseconds >= 1',
    doc: 'Budget of one attempt: connect, headers and the whole body. HOSP answers in 2-20 s, so 25 s lets a slow success finish.',
  },
  {
    name: 'ORIGIN_MAX_CONNECTIONS',
    default: '32',
    form: 'integer >= 1',
    doc: 'Keep-alive connections to the origin per container (one request in flight per connection).',
  },
  {
    name: 'DEADLINE_MARGIN_MS',
    default: '500',
    form: 'integer milliseconds >= 0',
    doc: "Kept free before Lambda's timeout so the function can answer 504 itself instead of ALB's opaque 502.",
  },
  {
    name: 'HEALTH_CHECK_LOCAL',
    default: 'false',
    form: 'true | false',
    doc: 'Answer ALB health checks (ELB-HealthChecker, no Host) with 200 without calling the origin. Off: they are forwarded, so the target group reflects the origin.',
  },
  // Retries
  {
    name: 'RETRY_MAX_ATTEMPTS',
    default: '5',
    form: 'integer 1..20 (total attempts, not retries)',
    doc: 'Attempts in all, the first included: 5 like the nginx setup it replaces (proxy_next_upstream_tries 5).',
  },
  {
    name: 'RETRY_STATUSES',
    default: '500,502,503,504',
    form: 'comma-separated HTTP statuses 100..599',
    doc: 'Origin statuses worth another attempt. Add 429 if the origin sheds load with it.',
  },
  {
    name: 'RETRY_BACKOFF',
    default: 'exponential',
    form: 'exponential | fixed',
    doc: 'exponential: full jitter between 0 and min(max, base * 2^n) (AWS Builders\' Library). fixed: exactly RETRY_BASE_DELAY_MS between tries (3000 reproduces the nginx box).',
  },
  {
    name: 'RETRY_BASE_DELAY_MS',
    default: '100',
    form: 'integer milliseconds >= 0',
    doc: 'First backoff step (exponential) or the constant delay (fixed).',
  },
  {
    name: 'RETRY_MAX_DELAY_MS',
    default: '3000',
    form: 'integer milliseconds >= 0',
    doc: 'Cap of one backoff delay, and of a Retry-After the proxy is willing to wait.',
  },
  {
    name: 'RETRY_NON_IDEMPOTENT',
    default: 'false',
    form: 'true | false',
    doc: 'Also retry POST/PATCH after they may have reached the origin. Off: only when nothing was sent or the request has an Idempotency-Key.',
  },
  // Retry budget and hedging
  {
    name: 'RETRY_BUDGET_RATIO',
    default: '0.5',
    form: 'number 0..10 (0 disables the budget)',
    doc: 'Tokens each request adds to its route\'s retry bucket (first path segment) and to the container-wide one; a retry or hedge takes one from both. Caps origin load at about 1 + ratio requests per client request, whatever fails; a broken path spends only its own tokens. 0 turns the budget off.',
  },
  {
    name: 'RETRY_BUDGET_MIN_TOKENS',
    default: '10',
    form: 'number >= 1',
    doc: 'Size of each retry token bucket (per route and container-wide): its start level and cap, so the burst of retries a quiet container can make.',
  },
  {
    name: 'HEDGE_AFTER_MS',
    default: 'off',
    form: 'off | auto | integer milliseconds >= 1',
    doc: 'Send a parallel attempt for a safe request (GET, HEAD, OPTIONS) that has not answered after this long. auto: a percentile of recent origin latencies.',
  },
  {
    name: 'HEDGE_MAX',
    default: '1',
    form: 'integer 0..4',
    doc: 'Extra parallel attempts a request may hedge with.',
  },
  {
    name: 'HEDGE_PERCENTILE',
    default: '95',
    form: 'number 50..99.9',
    doc: 'With HEDGE_AFTER_MS=auto: the latency percentile after which to hedge.',
  },
  {
    name: 'HEDGE_MIN_DELAY_MS',
    default: '50',
    form: 'integer milliseconds >= 1',
    doc: 'With HEDGE_AFTER_MS=auto: never hedge sooner than this, nor before 20 latencies were seen.',
  },
  // Cache
  {
    name: 'CACHE_STORE',
    default: 'memory',
    form: 'off | memory | s3 | tiered',
    doc: 'Where cacheable GET/HEAD responses are kept: per container, in S3 shared by all, or memory in front of S3.',
  },
  {
    name: 'CACHE_MEMORY_MAX_BYTES',
    default: '33554432',
    form: 'integer bytes >= 0',
    doc: 'Bound of the in-memory cache. 32 MiB peaks at 135-180 MiB RSS in the default 256 MB function (docs/memory-and-cost.md). 0 stores nothing.',
  },
  {
    name: 'CACHE_BUCKET',
    default: '',
    form: 'S3 bucket name (required with s3 or tiered)',
    doc: 'Bucket of the shared cache.',
  },
  {
    name: 'CACHE_PREFIX',
    default: 'cache/',
    form: 'S3 key prefix',
    doc: 'Key prefix of cache objects; the function may only touch keys under it.',
  },
  {
    name: 'CACHE_S3_ENDPOINT',
    default: '',
    form: 'http(s) URL or empty',
    doc: 'S3-compatible endpoint (path-style), for tests and non-AWS stores. Empty: AWS S3 of the region.',
  },
  {
    name: 'CACHE_S3_TIMEOUT_MS',
    default: '300',
    form: 'integer milliseconds >= 1',
    doc: 'A slower S3 answer counts as a miss: the cache must never slow a request down much.',
  },
  {
    name: 'CACHE_DEFAULT_TTL_S',
    default: '0',
    form: 'integer seconds >= 0',
    doc: 'Freshness for 200 responses that carry no cache headers at all (like nginx proxy_cache_valid), never for requests with Cookie or Authorization. 0: only what the origin allows.',
  },
  {
    name: 'CACHE_STALE_IF_ERROR_S',
    default: '86400',
    form: 'integer seconds >= 0',
    doc: 'How long past freshness a stored response may be served when the origin fails, unless the response says stale-if-error itself; not for no-cache, must-revalidate, proxy-revalidate or s-maxage responses (RFC 9111 section 4.2.4). Also how long an entry with a validator is kept for revalidation. 0: off.',
  },
  {
    name: 'CACHE_ALLOW_SET_COOKIE',
    default: 'false',
    form: 'true | false',
    doc: 'Store responses that carry Set-Cookie. Off: one user\'s cookie is never served to another.',
  },
  {
    name: 'CACHE_MAX_ENTRY_BYTES',
    default: '1048576',
    form: 'integer bytes >= 0',
    doc: 'Largest body stored (ALB cannot return more than 1 MB anyway).',
  },
  {
    name: 'CACHE_STATUS_NAME',
    default: 'alb-retry-proxy',
    form: 'token (letters, digits, -._)',
    doc: 'Cache name in Cache-Status (RFC 9211) and Proxy-Status (RFC 9209) headers.',
  },
  // Telemetry (read by Powertools itself; listed so the template and README stay complete)
  {
    name: 'POWERTOOLS_SERVICE_NAME',
    default: 'alb-retry-proxy',
    form: 'string',
    doc: 'Service name on every log line and metric.',
  },
  {
    name: 'POWERTOOLS_METRICS_NAMESPACE',
    default: 'AlbRetryProxy',
    form: 'CloudWatch namespace',
    doc: 'Namespace of the EMF metrics.',
  },
  {
    name: 'POWERTOOLS_LOG_LEVEL',
    default: 'INFO',
    form: 'DEBUG | INFO | WARN | ERROR | SILENT',
    doc: 'Log level; one INFO line per request.',
  },
] as const satisfies readonly ConfigOption[];

export type ConfigName = (typeof CONFIG_OPTIONS)[number]['name'];

/** The option record for `name`; throws on an unknown name (a typo in code, not in config). */
export function configOption(name: ConfigName): ConfigOption {
  const option = CONFIG_OPTIONS.find((o) => o.name === name);
  if (!option) throw new Error(`unknown config option ${name}`);
  return option;
}
