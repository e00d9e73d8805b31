/**
 * Recent origin latencies of one container, for the adaptive hedge delay (HEDGE_AFTER_MS=auto):
 * a ring of the last `size` successful attempts. Sorting 200 numbers per query is cheaper than
 * keeping a streaming sketch correct, and a container sees one request at a time per connection.
 */
import { percentileOf } from '../telemetry/percentile.js';
export class LatencyTracker {
  private readonly samples: number[] = [];
  private next = 0;
  /** The samples in order, kept until the next `add`: one request asks for percentiles several times. */
  private sorted: number[] | undefined;

  constructor(private readonly size = 200) {}

  add(ms: number): void {
    if (this.samples.length < this.size) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.size;
    this.sorted = undefined;
  }

  get count(): number {
    return this.samples.length;
  }

  /** The nearest-rank percentile `p` (0-100) of the samples, or undefined with none. */
  percentile(p: number): number | undefined {
    this.sorted ??= [...this.samples].sort((a, b) => a - b);
    return percentileOf(this.sorted, p);
  }
}
