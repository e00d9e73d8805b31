/**
 * Whether an outcome is worth another attempt (status, error kind, method safety, Idempotency-Key),
 * judged once per attempt, and the backoff between attempts.
 */
import { ConstantBackoff, ExponentialBackoff, fullJitterGenerator, type IBackoff, type IBackoffFactory } from 'cockatiel';
import type { ProxyConfig } from '../config/config.js';
import type { OriginRequest, OriginResponse } from '../http/types.js';
import { IDEMPOTENT_METHODS } from '../http/methods.js';
import { classifyOutcome, type AttemptOutcome, type OutcomeClass } from '../http/outcome.js';


export type { AttemptOutcome } from '../http/outcome.js';

export type RetryDecision =
  | { readonly retry: true }
  | { readonly retry: false; readonly reason: 'success' | 'status' | 'error-kind' | 'not-idempotent' };

/** One attempt's outcome judged once: what it is (`OutcomeClass`) and whether to try again. */
export interface Judgement {
  readonly outcome: AttemptOutcome;
  readonly class: OutcomeClass;
  readonly decision: RetryDecision;
  /** Not worth waiting for another attempt (of this round, or a retry). */
  readonly final: boolean;
}

/**
 * One predicate for results and errors alike (cockatiel's `handleWhenResult` idea): an origin 5xx
 * is a result, not an exception.
 */
export class RetryPolicy {
  constructor(private readonly retry: ProxyConfig['retry']) {}

  /**
   * The outcome classified and decided once; the forwarder, the round and the guards all read this
   * one value instead of classifying the same outcome again.
   */
  judge(request: OriginRequest, outcome: AttemptOutcome): Judgement {
    const cls = this.classify(outcome);
    const decision = this.decide(request, outcome, cls.retryable);
    return { outcome, class: cls, decision, final: !decision.retry };
  }

  /** Whether the outcome is worth another attempt, judged on its own (not on time or budget). */
  private decide(request: OriginRequest, outcome: AttemptOutcome, retryable: boolean): RetryDecision {
    if ('response' in outcome) {
      if (!retryable) return { retry: false, reason: 'success' };
      // A response proves the request reached the origin.
      return this.mayRepeat(request, true) ? { retry: true } : { retry: false, reason: 'not-idempotent' };
    }
    // A body too large for ALB, or a request node:http refused, will be the same next time.
    if (!retryable) return { retry: false, reason: 'error-kind' };
    return this.mayRepeat(request, outcome.error.sent) ? { retry: true } : { retry: false, reason: 'not-idempotent' };
  }

  /** The outcome classified with this policy's RETRY_STATUSES (see `classifyOutcome`). */
  classify(outcome: AttemptOutcome): OutcomeClass {
    return classifyOutcome(outcome, this.retry.statuses);
  }

  /**
   * Idempotent methods may always be repeated. POST/PATCH only when nothing can have reached the
   * origin, when the operator declared them safe to repeat (RETRY_NON_IDEMPOTENT or the route's
   * retryNonIdempotent), or when they carry an `Idempotency-Key`
   * (draft-ietf-httpapi-idempotency-key-header) AND the operator says the origin honours it: RFC
   * 9110 section 9.2.2 lets a proxy repeat a non-idempotent request only when it knows the origin
   * handles that, and an origin that ignores the header would get duplicates.
   */
  mayRepeat(request: OriginRequest, reachedOrigin: boolean): boolean {
    return (
      IDEMPOTENT_METHODS.has(request.method) ||
      !reachedOrigin ||
      (this.retry.originHonoursIdempotencyKey && request.headers['idempotency-key'] !== undefined) ||
      this.retry.nonIdempotent
    );
  }

  /** The backoff sequence for one request: `next()` of the returned value gives each delay in turn. */
  backoff(): IBackoff<unknown> {
    const factory: IBackoffFactory<unknown> =
      this.retry.backoff === 'fixed'
        ? new ConstantBackoff(this.retry.baseDelayMs)
        : new ExponentialBackoff({
            generator: fullJitterGenerator,
            initialDelay: Math.max(1, this.retry.baseDelayMs),
            maxDelay: this.retry.maxDelayMs,
          });
    return factory.next(undefined);
  }
}

/**
 * `Retry-After` (RFC 9110 section 10.2.3) in milliseconds from `now`: delay-seconds or an HTTP date.
 * Undefined when absent or unparseable; 0 for a date in the past.
 */
export function retryAfterMs(response: OriginResponse, now: number = Date.now()): number | undefined {
  const value = response.headers['retry-after']?.[0]?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
