/** The options of the request path: the origin, retries, the retry budget, hedging and shedding. Part of `options.ts`. */
import type { ConfigOption } from './option-type.js';

export const REQUEST_OPTIONS = [
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
    form: 'integer milliseconds 1..900000',
    doc: 'Budget of one attempt that a retry (or a stale copy) can follow: connect, headers and the whole body. HOSP answers in 2-20 s, so 25 s lets a slow success finish. An attempt nothing can follow (the last, a POST once sent, retries stopped by the guards) waits until the Lambda deadline instead, as the answer would without the proxy, and so does the first attempt of a PUT or DELETE; a GET\'s first attempt is not cut either, its retry goes beside it.',
  },
  {
    name: 'ORIGIN_MAX_CONNECTIONS',
    default: '32',
    form: 'integer 1..10000',
    doc: 'Keep-alive connections to the origin per container (one request in flight per connection).',
  },
  {
    name: 'DEADLINE_MARGIN_MS',
    default: '500',
    form: 'integer milliseconds 0..900000',
    doc: "Kept free before Lambda's timeout so the function can answer 504 itself instead of ALB's opaque 502.",
  },
  {
    name: 'HEALTH_CHECK_LOCAL',
    default: 'false',
    form: 'true | false',
    doc: 'Answer ALB health checks (ELB-HealthChecker, no Host) with 200 without calling the origin. Off: they are forwarded, so the target group reflects the origin.',
  },
  {
    name: 'ORIGIN_HOST_HEADER',
    default: 'origin',
    form: 'origin | client | host[:port]',
    doc: "The Host the origin gets. origin: ORIGIN_URL's host and port. client: the client's Host, for origins that serve several virtual hosts or build links from it; it then joins the cache key and ALLOWED_HOSTS is required. A host name: always that one.",
  },
  {
    name: 'ALLOWED_HOSTS',
    default: '',
    form: 'comma-separated host names (required with ORIGIN_HOST_HEADER=client)',
    doc: 'Client Host names the proxy serves (any port); any other Host is answered 421 without reaching the origin or the cache. Empty: every Host (not allowed with ORIGIN_HOST_HEADER=client, where an unlisted Host would poison the cache).',
  },
  {
    name: 'REWRITE_REDIRECTS',
    default: 'true',
    form: 'true | false',
    doc: "Rewrite Location, Content-Location and Refresh URLs that point at ORIGIN_URL to the scheme and Host the client used (like nginx proxy_redirect default), so a redirect never sends a browser to the internal address.",
  },
  {
    name: 'REWRITE_COOKIE_DOMAIN',
    default: 'true',
    form: 'true | false',
    doc: "Rewrite a Set-Cookie Domain equal to ORIGIN_URL's host name to the client's host name (like nginx proxy_cookie_domain); the browser would drop it otherwise. Other domains are left alone.",
  },
  {
    name: 'HEALTH_CHECK_TIMEOUT_MS',
    default: '5000',
    form: 'integer milliseconds 1..900000',
    doc: "Deadline of a forwarded health check (HEALTH_CHECK_LOCAL=false): one attempt, no retries, no hedge, no cache. Below the target group's 10 s HealthCheckTimeoutSeconds, so the function answers 504 itself instead of ALB counting a timeout.",
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
    doc: 'Origin statuses worth another attempt, unless the response declares a lifetime (max-age or s-maxage above 0, or a future Expires). Add 429 if the origin sheds load with it.',
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
    form: 'integer milliseconds 0..900000',
    doc: 'First backoff step (exponential) or the constant delay (fixed).',
  },
  {
    name: 'RETRY_MAX_DELAY_MS',
    default: '3000',
    form: 'integer milliseconds 0..900000',
    doc: 'Cap of one backoff delay, and of a Retry-After the proxy is willing to wait.',
  },
  {
    name: 'RETRY_NON_IDEMPOTENT',
    default: 'false',
    form: 'true | false',
    doc: 'Also retry POST/PATCH after they may have reached the origin. Off: only when nothing was sent (or, with ORIGIN_HONOURS_IDEMPOTENCY_KEY, the request has an Idempotency-Key).',
  },
  {
    name: 'ORIGIN_HONOURS_IDEMPOTENCY_KEY',
    default: 'false',
    form: 'true | false',
    doc: 'The origin deduplicates requests by their Idempotency-Key header, so a POST/PATCH carrying one may be retried. Off: the header alone proves nothing (RFC 9110 section 9.2.2), an origin that ignores it would get duplicates.',
  },
  {
    name: 'ROUTES',
    default: '',
    form: 'JSON array of routes (docs/routes.md), or empty',
    doc: 'Per-route policies (timeouts, retries, hedging, cache) by path pattern and method; replaces routes.json when set. Empty: the routes.json the build inlined.',
  },
  // Retry budget and hedging
  {
    name: 'RETRY_BUDGET_RATIO',
    default: '0.5',
    form: 'number 0..10 (0 disables the budget)',
    doc: 'Tokens each request adds to its route\'s retry bucket (its route\'s name, else the first path segment) and to the container-wide one; a retry or hedge takes one from both. Caps origin load at about 1 + ratio requests per client request, whatever fails; a broken path spends only its own tokens. 0 turns the budget off.',
  },
  {
    name: 'RETRY_BUDGET_MIN_TOKENS',
    default: '10',
    form: 'number 1..1000000',
    doc: 'Size of each retry token bucket (per route and container-wide): its start level and cap, so the burst of retries a quiet container can make.',
  },
  {
    name: 'HEDGE_AFTER_MS',
    default: 'off',
    form: 'off | auto | integer milliseconds 1..900000',
    doc: 'Send a parallel attempt for a safe request (GET, HEAD, OPTIONS, TRACE) that has not answered after this long. auto: a percentile of recent origin latencies.',
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
    form: 'integer milliseconds 1..900000',
    doc: 'With HEDGE_AFTER_MS=auto: never hedge sooner than this, nor before 20 latencies were seen.',
  },
  {
    name: 'OVERLOAD_SHEDDING',
    default: 'off',
    form: 'off | on',
    doc: 'on: shed first attempts as Google SRE client-side adaptive throttling does (at most 80%, when under half the last 2 minutes\' requests were accepted), for an origin that must be left alone while down. Off by default: it keeps shedding for minutes after the origin is back (docs/overload-guards.md).',
  },
] as const satisfies readonly ConfigOption[];
