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

/** Where the retry loop ended: its last judgement, stop reason and error (when it had no response). */
export interface LoopEnd {
  readonly last: Judgement | undefined;
  readonly stop: StopReason;
  readonly error: ForwardError | undefined;
}

/**
 * The exchange's end once the lingering first attempt has ended too, the retries without a success:
 * its outcome stands when final, when the loop had no outcome at all, or when it has a response and
 * the retries none but failures or refusals (its answer is the browser's without the proxy).
 */
export function withLingered(end: LoopEnd, ended: Judgement): LoopEnd & { readonly last: Judgement } {
  const last = ended.final || !end.last || ('response' in ended.outcome && !answered(end.last)) ? ended : end.last;
  if (ended.final) return { last, stop: stopOf(ended), error: undefined };
  return { last, stop: last === ended && end.stop === 'done' ? 'not-retryable' : end.stop, error: end.error };
}
