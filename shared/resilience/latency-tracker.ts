/**
 * Recent origin latencies of one container, for the adaptive hedge delay (HEDGE_AFTER_MS=auto) and
 * the shortest worthwhile attempt: a ring of the last `size` successful attempts.
 *
 * Every request asks for a percentile and adds a sample, so the samples are also kept sorted, one
 * binary-search insert and remove per `add`: sorting the 200 numbers anew on each request cost about
 * 17 us of a request's ~250 us of work (profiled in the cold-start bench's handler loop).
 */
import { percentileOf } from '../telemetry/percentile.js';

export class LatencyTracker {
  /** Arrival order, oldest at `next` once full. */
  private readonly ring: number[] = [];
  private next = 0;
  /** The same samples in ascending order. */
  private readonly sorted: number[] = [];

  constructor(private readonly size = 200) {}

  add(ms: number): void {
    if (this.ring.length < this.size) {
      this.ring.push(ms);
    } else {
      this.sorted.splice(lowerBound(this.sorted, this.ring[this.next]!), 1);
      this.ring[this.next] = ms;
    }
    this.next = (this.next + 1) % this.size;
    this.sorted.splice(lowerBound(this.sorted, ms), 0, ms);
  }

  get count(): number {
    return this.ring.length;
  }

  /** The nearest-rank percentile `p` (0-100) of the samples, or undefined with none. */
  percentile(p: number): number | undefined {
    return percentileOf(this.sorted, p);
  }
}

/** The first index of ascending `sorted` whose value is >= `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
