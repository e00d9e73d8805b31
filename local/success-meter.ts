/** The running success-rate line `npm start` prints: requests, share below 500, latency percentiles. */
import type { Writable } from 'node:stream';
import { LatencyTracker } from '../shared/resilience/latency-tracker.js';

/**
 * The running success-rate line of `npm start`: requests, share answered below 500 (the 99%
 * target's definition, as in ALB access logs), and latency percentiles of the last 1,000.
 */
export class SuccessMeter {
  private total = 0;
  private failed = 0;
  private readonly recent = new LatencyTracker(1000);
  private printed = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: Writable & { isTTY?: boolean },
    private readonly everyMs = 2000,
    /** Appended to the line: the pool's state (environments, busy, cold starts). */
    private readonly extra?: () => string,
  ) {}

  add(status: number, ms: number): void {
    this.total += 1;
    if (status >= 500) this.failed += 1;
    this.recent.add(ms);
  }

  line(): string {
    const rate = this.total === 0 ? 100 : (100 * (this.total - this.failed)) / this.total;
    const pct = (p: number): number => this.recent.percentile(p) ?? 0;
    const base = `requests=${this.total} success=${rate.toFixed(2)}% (5xx: ${this.failed}) p50=${pct(50)}ms p99=${pct(99)}ms`;
    return this.extra ? `${base} ${this.extra()}` : base;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.total === this.printed) return;
      this.printed = this.total;
      this.out.write(this.out.isTTY ? `\r${this.line()}\x1b[K` : `${this.line()}\n`);
    }, this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.total > 0) this.out.write(`${this.out.isTTY ? '\n' : ''}${this.line()}\n`);
  }
}
