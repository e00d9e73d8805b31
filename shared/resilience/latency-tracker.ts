/**
 * Recent origin latencies of one container, for the adaptive hedge delay (HEDGE_AFTER_MS=auto):
 * a ring of the last `size` successful attempts. Sorting 200 numbers per query is cheaper than
 * keeping a streaming sketch correct, and a container sees one request at a time per connection.
 */
import { percentileOf } from '../telemetry/percentile.js';
export class LatencyTracker {
  private readonly samples: number[] = [];
  private next = 0;

  constructor(private readonly size = 200) {}

  add(ms: number): void {
    if (this.samples.length < this.size) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.size;
  }

  get count(): number {
    return this.samples.length;
  }

  /** The nearest-rank percentile `p` (0-100) of the samples, or undefined with none. */
  percentile(p: number): number | undefined {
    return percentileOf([...this.samples].sort((a, b) => a - b), p);
  }
}
