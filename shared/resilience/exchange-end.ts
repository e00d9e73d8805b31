/**
 * How one client request's exchange with the origin ended: the stop reason of a final judgement,
 * and the 502 or 504 when no response came at all.
 */
import type { ForwardError, StopReason } from '../http/types.js';
import type { AttemptOutcome, Judgement } from './retry-policy.js';

/** The stop reason of a judgement that ends the exchange (no retry). */
export function stopOf(judged: Judgement): StopReason {
  const reason = judged.decision.retry ? undefined : judged.decision.reason;
  return reason === 'not-idempotent' ? 'not-idempotent' : reason === 'success' ? 'done' : 'not-retryable';
}

/** A success (2xx or 3xx): the client has its answer (a retry's refusal, 409 or 429, is none). */
export function answered(judged: Judgement): boolean {
  return 'response' in judged.outcome && judged.outcome.response.status < 400 && !judged.class.failed;
}

/** The 502/504 for an exchange that ended without any origin response. */
export function errorOf(last: AttemptOutcome | undefined, deadlineCut: boolean): ForwardError {
  if (!last || 'response' in last) {
    return { status: 502, type: 'proxy_internal_error', detail: 'no attempt was made' };
  }
  const { error } = last;
  const timeout = error.kind === 'http_response_timeout' || error.kind === 'connection_timeout';
  return {
    status: timeout ? 504 : 502,
    type: error.kind,
    detail: deadlineCut && timeout ? `deadline reached: ${error.message}` : error.message,
  };
}
