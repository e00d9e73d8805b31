/**
 * The proxy's own view of an HTTP exchange, between the ALB translation and the origin client.
 * Header names are lowercase; every header keeps all its values in arrival order, because a proxy
 * must not merge or drop repeated headers (Set-Cookie above all).
 */
export type HeaderMap = Record<string, string[]>;

/** A request to replay against the origin, exactly as the client sent it through ALB. */
export interface OriginRequest {
  /** Upper-case method token as received. */
  readonly method: string;
  /** Raw path as received, always starting with `/` (never decoded). */
  readonly path: string;
  /** Raw query string without the `?`, neither decoded nor re-encoded; `''` when there is none. */
  readonly rawQuery: string;
  readonly headers: HeaderMap;
  /** Body bytes (base64 already decoded); empty when there is none. */
  readonly body: Buffer;
}

/** A response as the origin sent it (or as the cache stored it): status, headers, body bytes. */
export interface OriginResponse {
  readonly status: number;
  readonly headers: HeaderMap;
  readonly body: Buffer;
  /**
   * How long the body took after the headers: the response was received with its headers (RFC
   * 9111 section 4.2.3's response_time), so its age counts from them, not from the body's end.
   * Omitted: none.
   */
  readonly bodyMs?: number;
}

/** What one attempt ended with, as it appears in the request log line. */
export interface AttemptRecord {
  /** 1-based attempt number; hedges get their own number. */
  readonly n: number;
  /** Origin status, or the RFC 9209 error type when there was no response. */
  readonly outcome: number | string;
  readonly ms: number;
  /** True when this attempt was a hedge started in parallel with a slower one. */
  readonly hedge?: boolean;
}

/** The time left for the whole exchange (Lambda's remaining time less the safety margin). */
export interface Deadline {
  remainingMs(): number;
}

/**
 * The result of forwarding one request to the origin with retries. Exactly one of `response` and
 * `error` is set: `response` is the origin's final answer (possibly still a 5xx after every
 * attempt), `error` says why there is none.
 */
export interface ForwardResult {
  readonly response?: OriginResponse;
  readonly error?: ForwardError;
  readonly attempts: readonly AttemptRecord[];
  /** Why the forwarder stopped, and what the overload guards did, for the log line and metrics. */
  readonly decisions?: ForwardDecisions;
  /**
   * How long `response` waited in the proxy since its headers arrived, when it did (its body, a retry's refusal held
   * while the first attempt lingered, a 503 kept through later attempts that brought nothing): a
   * cache storing it counts that time in its age (RFC 9111 section 4.2.3). Omitted: none.
   */
  readonly heldMs?: number;
}

export interface ForwardDecisions {
  readonly stop: StopReason;
  /** Retries or hedges refused because the retry budget was spent. */
  readonly budgetDenied: number;
  readonly hedgesSent: number;
  /** Hedges whose response was the one returned. */
  readonly hedgesWon: number;
  /**
   * Set when the guards stopped a retry or hedge because this route keeps failing or the whole
   * origin looks down (never the first attempt).
   */
  readonly retriesStopped?: 'route-failing' | 'origin-down';
}

export type StopReason =
  | 'done'
  | 'not-retryable'
  | 'not-idempotent'
  | 'attempts-exhausted'
  | 'deadline'
  | 'retry-after-too-long'
  | 'budget'
  | 'route-failing'
  | 'origin-down'
  /** OVERLOAD_SHEDDING=on shed the request before its first attempt. */
  | 'shed';

/** A failed exchange with no origin response to pass on, mapped to 502/503/504 at the ALB boundary. */
export interface ForwardError {
  /** 502 (origin unreachable or broken), 503 (shed, OVERLOAD_SHEDDING=on) or 504 (deadline, attempt timeout). */
  readonly status: 502 | 503 | 504;
  /** RFC 9209 error type, e.g. `connection_refused`, `http_response_timeout`. */
  readonly type: string;
  /** Human-readable detail for logs and the Proxy-Status `details` parameter (no secrets). */
  readonly detail: string;
}

/**
 * What an attempt needs of an AbortSignal to be cancelled (a hedge that lost, a lingering first
 * attempt another answered before): an AbortSignal is one, resilience/cancellation.ts a cheaper one.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** What the caller knows that changes how long an attempt may wait. */
export interface ForwardOptions {
  /**
   * A stored copy answers if the origin fails (stale-if-error): every attempt keeps
   * ATTEMPT_TIMEOUT_MS even when no retry can follow it, so a hung origin gives way to the stale
   * copy instead of holding the client for the whole deadline.
   */
  readonly staleFallback?: boolean;
}

/** Forwards a request to the origin with the retry policy; never throws for origin failures. */
export type Forward = (request: OriginRequest, deadline: Deadline, options?: ForwardOptions) => Promise<ForwardResult>;

/** Where the answer the client gets comes from. */
export type ResponseSource = 'origin' | 'cache' | 'stale' | 'revalidated' | 'none';

/**
 * What the client is answered with, and, when the origin was asked, the forwarder's result as it
 * reported it (attempts, decisions, the origin's own response or error), never spliced together:
 * a stale copy served over a 503 keeps the 503 in `forwarded`.
 */
export interface Served {
  /** Undefined when nothing answered: `forwarded.error` says why. */
  readonly response?: OriginResponse;
  readonly source: ResponseSource;
  readonly forwarded?: ForwardResult;
}
