/**
 * Client-side adaptive throttling (Google SRE book, "Handling Overload", chapter 21), behind the
 * opt-in OVERLOAD_SHEDDING=on: a request is shed before its first attempt with probability
 *
 *   min(maxRejectProbability, max(0, (requests - K * accepts) / (requests + 1)))
 *
 * over a sliding window, where `requests` counts every client request (shed ones too) and `accepts`
 * the ones the origin accepted (any answer but a gateway error or a 429). No open or half-open
 * state, but its accepts lag behind its requests: after an outage that filled the window it keeps
 * shedding a share of requests that would have succeeded, which is why it is off by default (the
 * retry guards never refuse a first attempt). Per container, like every guard.
 */

export interface AdaptiveThrottleOptions {
  /**
   * How much more than it accepts the origin may be asked: K in the formula. 2 is the SRE book's
   * value (it sheds only once fewer than half the requests are accepted). @default 2
   */
  readonly k?: number;
  /**
   * Cap on the shed probability, after Envoy's admission control (`max_rejection_probability`,
   * 80% there too). Without it, an outage that filled the window sheds nearly everything, so
   * almost nothing is accepted after the recovery either: the formula's p = 1 is a fixed point it
   * leaves only by doubling its distance from 1 once per window (tens of minutes at 10 requests/s).
   * With it, one request in five always reaches the origin. @default 0.8
   */
  readonly maxRejectProbability?: number;
  /** Length of the sliding window. @default 120000 (the SRE book's two minutes) */
  readonly windowMs?: number;
  /** Slots the window is kept in; older slots drop out whole. @default 12 */
  readonly slots?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
}

const DEFAULTS = { k: 2, maxRejectProbability: 0.8, windowMs: 120_000, slots: 12 };

export class AdaptiveThrottle {
  private readonly k: number;
  private readonly cap: number;
  private readonly slotMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Per slot: the slot's index (time / slotMs) and its counts; a ring of `slots` entries. */
  private readonly ring: { index: number; requests: number; accepts: number }[];
  private shed = 0;

  constructor(options: AdaptiveThrottleOptions = {}) {
    const { k, maxRejectProbability, windowMs, slots } = { ...DEFAULTS, ...options };
    if (!(k >= 1) || !(maxRejectProbability >= 0 && maxRejectProbability < 1) || !(windowMs > 0) || !Number.isInteger(slots) || slots < 1) {
      throw new RangeError(
        `AdaptiveThrottle: expected k >= 1, 0 <= maxRejectProbability < 1, windowMs > 0 and an integer slots >= 1; got k=${k}, maxRejectProbability=${maxRejectProbability}, windowMs=${windowMs}, slots=${slots}`,
      );
    }
    this.k = k;
    this.cap = maxRejectProbability;
    this.slotMs = windowMs / slots;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.ring = Array.from({ length: slots }, () => ({ index: -1, requests: 0, accepts: 0 }));
  }

  /** The probability that the next request is shed, from the window as it is now. */
  rejectProbability(): number {
    const { requests, accepts } = this.totals();
    return Math.min(this.cap, Math.max(0, (requests - this.k * accepts) / (requests + 1)));
  }

  /**
   * Call once per client request, before its first attempt: counts it as a request and says
   * whether to send it (true) or shed it (false).
   */
  admit(): boolean {
    const p = this.rejectProbability();
    this.slot().requests += 1;
    if (p > 0 && this.random() < p) {
      this.shed += 1;
      return false;
    }
    return true;
  }

  /** Call when the origin accepted an admitted request (it answered, and not with a gateway error or 429). */
  accepted(): void {
    this.slot().accepts += 1;
  }

  /** For logs, metrics and tests. */
  snapshot(): { requests: number; accepts: number; shed: number; rejectProbability: number } {
    return { ...this.totals(), shed: this.shed, rejectProbability: this.rejectProbability() };
  }

  private totals(): { requests: number; accepts: number } {
    const current = Math.floor(this.now() / this.slotMs);
    let requests = 0;
    let accepts = 0;
    for (const s of this.ring) {
      if (s.index > current - this.ring.length && s.index <= current) {
        requests += s.requests;
        accepts += s.accepts;
      }
    }
    return { requests, accepts };
  }

  private slot(): { index: number; requests: number; accepts: number } {
    const index = Math.floor(this.now() / this.slotMs);
    const s = this.ring[index % this.ring.length]!;
    if (s.index !== index) {
      s.index = index;
      s.requests = 0;
      s.accepts = 0;
    }
    return s;
  }
}
