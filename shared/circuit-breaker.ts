import { RollingOutcomes } from './rolling-outcomes.js';

export interface CircuitBreakerOptions {
  /** Share of failed attempts in the window that opens the breaker. @default 0.5 */
  readonly threshold: number;
  /** Sampling window. @default 10000 */
  readonly windowMs: number;
  /** Attempts the window must hold before it may open. @default 20 */
  readonly minRequests: number;
  /** Time an open breaker refuses before one probe goes through. @default 2000 */
  readonly cooldownMs: number;
  /**
   * Failed attempts in a row that open the breaker whatever the window says; 0 turns it off.
   * @default 10
   */
  readonly consecutiveFailures?: number;
  /** Clock. @default Date.now */
  readonly now?: () => number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker per container. Not cockatiel's: its policy queues every call behind the
 * half-open probe, and with an origin that takes 2-20 s those calls must instead be answered at
 * once (from stale cache or with 503); and its SamplingBreaker advances one bucket per call, so in
 * a quiet container failures older than the window still count and can open the breaker.
 *
 * A busy window full of earlier successes takes seconds of total failure to cross the threshold,
 * so a run of consecutive failures opens the breaker too: 10 in a row is what a total outage
 * produces in a few requests, and what a 20%-flaky origin produces once in ten million.
 *
 * closed --(failure share > threshold, or N failures in a row)--> open --(cooldown)--> half-open: one probe
 *   probe succeeds --> closed; probe fails --> open again.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private openedAt = 0;
  private probing = false;
  private failuresInARow = 0;
  private readonly stats: RollingOutcomes;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
    this.stats = new RollingOutcomes(options.windowMs, this.now);
  }

  /** The state now (an open breaker whose cool-down is over reads as half-open). */
  current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.options.cooldownMs) return 'half-open';
    return this.state;
  }

  /**
   * Asks to send one attempt. Returns 'allowed' when closed, 'probe' for the single half-open
   * probe, or 'refused' with the seconds until the next probe (for Retry-After).
   */
  acquire(): { verdict: 'allowed' | 'probe' } | { verdict: 'refused'; retryAfterS: number } {
    const state = this.current();
    if (state === 'closed') return { verdict: 'allowed' };
    if (state === 'half-open' && !this.probing) {
      this.state = 'half-open';
      this.probing = true;
      return { verdict: 'probe' };
    }
    const left = this.state === 'open' ? this.options.cooldownMs - (this.now() - this.openedAt) : this.options.cooldownMs;
    return { verdict: 'refused', retryAfterS: Math.max(1, Math.ceil(left / 1000)) };
  }

  /** Records an attempt's outcome; `probe` is true for the attempt `acquire` returned 'probe' for. */
  record(success: boolean, probe = false): void {
    if (probe) {
      this.probing = false;
      // A fresh start either way: the window before the probe says nothing about the origin now.
      this.stats.clear();
      this.failuresInARow = 0;
      if (success) this.state = 'closed';
      else this.open();
      return;
    }
    if (this.state !== 'closed') return; // a straggler from before the breaker opened
    this.stats.add(success);
    if (success) {
      this.failuresInARow = 0;
      return;
    }
    this.failuresInARow += 1;
    const inARow = this.options.consecutiveFailures ?? 10;
    const { total, failures } = this.stats.counts();
    if ((inARow > 0 && this.failuresInARow >= inARow) || (total >= this.options.minRequests && failures > this.options.threshold * total)) {
      this.open();
    }
  }

  private open(): void {
    this.failuresInARow = 0;
    this.state = 'open';
    this.openedAt = this.now();
  }
}
