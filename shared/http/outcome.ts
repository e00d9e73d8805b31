/**
 * The one classification of an attempt's outcome (retryable, gateway error, throttled, stale-
 * servable, failed) that the retry policy, the guards, the cache and the logs share.
 */
import { declaresLifetime, responseDirectives } from './cache-directives.js';
import type { OriginError } from './errors.js';
import type { OriginResponse } from './types.js';

/** What one attempt produced: an HTTP response (any status) or an error without response. */
export type AttemptOutcome = { readonly response: OriginResponse } | { readonly error: OriginError };

/**
 * RFC 5861 section 4: the errors stale-if-error covers, "an error is any situation that would
 * result in a 500, 502, 503, or 504 HTTP response status code being returned" (or no response).
 */
export const STALE_SERVABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** What Envoy calls gateway errors: the origin as a whole (not one path) is unreachable or overloaded. */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * One classification of an outcome, used by the retry policy, the overload guards, stale-if-error
 * and the store rules (they used to decide "failed" in three different ways).
 */
export interface OutcomeClass {
  /** Worth another attempt on its own merits: a status in RETRY_STATUSES without a declared lifetime, or a transport error. */
  readonly retryable: boolean;
  /**
   * Says the origin as a whole is unwell: connect errors, resets, timeouts, 502/503/504. A 500
   * says little about other paths, so it is not one.
   */
  readonly gatewayError: boolean;
  /** 429: the origin asks for less load (a signal of its own, not a failure of the origin). */
  readonly throttled: boolean;
  /** May be answered from a stale stored copy (RFC 5861): 500/502/503/504 or no response at all. */
  readonly staleServable: boolean;
  /** Anything the client should not count as an answer: a failure of this request. */
  readonly failed: boolean;
}

/** Errors that will be the same next time and say nothing about the origin's health. */
function isRequestBound(error: OriginError): boolean {
  return error.kind === 'http_response_body_size' || error.kind === 'http_request_error';
}

/** A 5xx: a failure whatever RETRY_STATUSES says (a 501 is not retried, but it did not succeed). */
export function isServerError(status: number): boolean {
  return status >= 500;
}

export function classifyOutcome(outcome: AttemptOutcome, retryStatuses: ReadonlySet<number>): OutcomeClass {
  if ('response' in outcome) {
    const { status, headers } = outcome.response;
    // A 5xx with a lifetime (max-age, s-maxage or Expires in the future; RFC 9111 section 4.2.1)
    // is the origin's deliberate answer for that long (a maintenance page, a known-broken
    // resource): the cache stores it as the origin asks (section 3), and another attempt would
    // only repeat it. Blanket `max-age=0` or a past Expires do not count: those are still retried.
    const retryable = retryStatuses.has(status) && !declaresLifetime(responseDirectives(headers), headers);
    return {
      retryable,
      gatewayError: GATEWAY_STATUSES.has(status),
      throttled: status === 429,
      staleServable: STALE_SERVABLE_STATUSES.has(status),
      failed: retryable || isServerError(status),
    };
  }
  const bound = isRequestBound(outcome.error);
  return { retryable: !bound, gatewayError: !bound, throttled: false, staleServable: true, failed: true };
}

/** Stale-if-error for an exchange that ended with `status`, or with no response when undefined. */
export function isStaleServable(status: number | undefined): boolean {
  return status === undefined || STALE_SERVABLE_STATUSES.has(status);
}
