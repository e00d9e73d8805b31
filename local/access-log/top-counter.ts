/**
 * The most frequent keys of a stream (top failing paths) in bounded memory: the Misra-Gries
 * summary.
 *
 * While there are at most `capacity` distinct keys the counts are exact; past that, every count is
 * low by at most `maxUndercount`, and any key seen more than n/(capacity+1) times is guaranteed to
 * be kept. Paths with IDs in them (`/orders/123`) would otherwise grow a map without limit on a
 * large log.
 */
import { detach } from './detach.js';

export interface TopEntry {
  key: string;
  count: number;
}

export class TopCounter {
  private readonly counts = new Map<string, number>();
  private decrements = 0;

  /** @param capacity distinct keys tracked; @default 1000 */
  constructor(private readonly capacity = 1000) {}

  add(key: string): void {
    const c = this.counts.get(key);
    if (c !== undefined) {
      this.counts.set(key, c + 1);
    } else if (this.counts.size < this.capacity) {
      this.counts.set(detach(key), 1);
    } else {
      // Full: the new key and one occurrence of every tracked key cancel out. Each round removes
      // `capacity` counts that were added before, so the total work stays linear in the input.
      this.decrements++;
      for (const [k, v] of this.counts) {
        if (v <= 1) this.counts.delete(k);
        else this.counts.set(k, v - 1);
      }
    }
  }

  /** True when every count is exact. */
  get exact(): boolean {
    return this.decrements === 0;
  }

  /** The most any reported count can be below the true count. */
  get maxUndercount(): number {
    return this.decrements;
  }

  /** The `n` largest counts, ties by key so the output is stable. */
  top(n: number): TopEntry[] {
    return [...this.counts]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, n);
  }
}
