/** The options of the response cache and of telemetry. Part of `options.ts`. */
import type { ConfigOption } from './option-type.js';

export const CACHE_AND_TELEMETRY_OPTIONS = [
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
    form: 'integer bytes >= 0, at most 15 digits',
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
    form: 'S3 key prefix of at most 960 characters: segments of A-Z a-z 0-9 ! _ . ( ) - each ending in /, e.g. cache/ or hosp/cache/',
    doc: 'Key prefix of cache objects; the function may only touch keys under it (the role grants exactly this prefix, so it must end in / and hold no wildcard).',
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
    form: 'integer milliseconds 1..900000',
    doc: 'A slower S3 answer counts as a miss: the cache must never slow a request down much.',
  },
  {
    name: 'CACHE_DEFAULT_TTL_S',
    default: '0',
    form: 'integer seconds >= 0, at most 15 digits',
    doc: 'Freshness for 200 responses that carry no cache headers at all (like nginx proxy_cache_valid), never for requests with Cookie or Authorization. 0: only what the origin allows.',
  },
  {
    name: 'CACHE_STALE_IF_ERROR_S',
    default: '86400',
    form: 'integer seconds >= 0, at most 15 digits',
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
    form: 'integer bytes >= 0, at most 15 digits',
    doc: 'Largest body stored (ALB cannot return more than 1 MB anyway).',
  },
  {
    name: 'CACHE_STATUS_NAME',
    default: 'alb-retry-proxy',
    form: 'token (letters, digits, -._)',
    doc: 'Cache name in Cache-Status (RFC 9211) and Proxy-Status (RFC 9209) headers.',
  },
  // Telemetry (read by Powertools itself; listed so the template and docs/configuration.md stay complete)
  {
    name: 'POWERTOOLS_SERVICE_NAME',
    default: 'alb-retry-proxy',
    form: 'string',
    doc: 'Service name on every log line and metric.',
  },
  {
    name: 'POWERTOOLS_METRICS_NAMESPACE',
    default: 'AlbRetryProxy',
    form: 'CloudWatch namespace: 1-255 of A-Z a-z 0-9 space . _ / # : -, not starting with AWS/',
    doc: 'Namespace of the EMF metrics.',
  },
  {
    name: 'POWERTOOLS_LOG_LEVEL',
    default: 'INFO',
    form: 'TRACE | DEBUG | INFO | WARN | ERROR | CRITICAL | SILENT (upper case: Powertools reads it as written)',
    doc: 'Log level; one INFO line per request.',
  },
] as const satisfies readonly ConfigOption[];
