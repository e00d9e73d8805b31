/**
 * The fields of a route, with their accepted form (shown in validation errors) and what they do:
 * the single source of route-spec.ts's checks and of the field table in docs/routes.md, which
 * `npm run config:doc` writes (test/readme.test.ts checks it).
 */
import { PATTERN_FORM } from './route-pattern.js';

/** The metric dimension and log name of a request that matches no route; no route may take it. */
export const DEFAULT_ROUTE_NAME = 'default';

export interface RouteField {
  readonly form: string;
  /** What it does; `falls back to` names the global option used when the field is left out. */
  readonly doc: string;
  readonly fallsBackTo?: string;
}

export const ROUTE_FIELDS = {
  name: {
    form: `token of letters, digits and -._ (at most 64), unique, not "${DEFAULT_ROUTE_NAME}"`,
    doc: 'Required. Names the route in the request log line, the `Route` metric dimension, `Proxy-Status` details, the access-log breakdown, and keys its retry budget.',
  },
  match: { form: PATTERN_FORM, doc: 'Required. The path pattern, matched on the path as received (percent-encoded, case-sensitive, a trailing slash counts, no query).' },
  methods: { form: 'non-empty array of upper-case method tokens, e.g. ["GET", "POST"]', doc: 'Methods the route applies to; HEAD also matches a route that lists GET. Left out: every method.' },
  maxAttempts: { form: 'integer 1..20 (total attempts, as RETRY_MAX_ATTEMPTS)', doc: 'Attempts in all, the first included.', fallsBackTo: 'RETRY_MAX_ATTEMPTS' },
  attemptTimeoutMs: { form: 'integer milliseconds 1..900000', doc: 'Budget of one attempt that a retry or a stale copy can follow (still cut to the Lambda deadline); as ATTEMPT_TIMEOUT_MS.', fallsBackTo: 'ATTEMPT_TIMEOUT_MS' },
  retryStatuses: { form: 'non-empty array of HTTP statuses 100..599, e.g. [502, 503, 504]', doc: 'Origin statuses worth another attempt on this route.', fallsBackTo: 'RETRY_STATUSES' },
  retryNonIdempotent: { form: 'true | false', doc: 'The operator declares this route\'s POST/PATCH safe to repeat even after they reached the origin (a search, a calculation).', fallsBackTo: 'RETRY_NON_IDEMPOTENT' },
  originHonoursIdempotencyKey: { form: 'true | false', doc: 'The origin deduplicates this route\'s requests by `Idempotency-Key`: only then does the header make a POST/PATCH retryable.', fallsBackTo: 'ORIGIN_HONOURS_IDEMPOTENCY_KEY' },
  hedgeAfterMs: { form: '"off" | "auto" | integer milliseconds 1..900000 (safe methods only)', doc: 'Hedge a GET/HEAD/OPTIONS/TRACE of this route that has not answered after this long; never an unsafe method (a route listing only unsafe methods is refused). Hedges per request: HEDGE_MAX (0 turns hedging off everywhere).', fallsBackTo: 'HEDGE_AFTER_MS' },
  cache: {
    form: '"off" or {"defaultTtlS": integer seconds >= 0, "staleIfErrorS": integer seconds >= 0} (either may be left out)',
    doc: '"off": this route\'s GET/HEAD neither read nor fill the cache (its unsafe methods still invalidate). An object: this route\'s own default TTL and stale-if-error. Only tunes the store CACHE_STORE selects: with CACHE_STORE=off nothing is cached.',
    fallsBackTo: 'CACHE_DEFAULT_TTL_S, CACHE_STALE_IF_ERROR_S',
  },
} as const satisfies Record<string, RouteField>;

export type RouteFieldName = keyof typeof ROUTE_FIELDS;
