/**
 * A cancellation signal for an attempt that costs next to nothing to make: every GET's first
 * attempt gets one, in case it lingers (lingering.ts), and Node's AbortController took about 8 us
 * of the handler's 50 to create; and the backoff's sleep, which such a signal ends early.
 */
import type { CancelSignal } from '../http/types.js';

/** The part of AbortController an attempt uses: `abort()` and its `signal`, which is itself. */
export class Cancellation implements CancelSignal {
  aborted = false;
  reason: unknown;
  private listeners: Array<() => void> = [];

  get signal(): CancelSignal {
    return this;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners.indexOf(listener);
    if (at !== -1) this.listeners.splice(at, 1);
  }

  /** Aborts once: each listener runs once (as with `{ once: true }`), later calls do nothing. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }
}

/**
 * The reason a round is aborted with when its attempt is cut at ATTEMPT_TIMEOUT_MS from outside
 * (a retry beside a first attempt that has since failed): the attempt is recorded as timed out, not
 * as cancelled by another's answer.
 */
export const ATTEMPT_CUT = new Error('attempt timeout: cut for the next attempt');

/** The default backoff: a timer, cleared when `signal` fires so that none outlives the request. */
export function sleepFor(ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()));
  });
}
