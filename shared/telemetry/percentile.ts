/**
 * The nearest-rank percentile, written once: the hedge's latency window, the bench's summaries and
 * the access-log histogram all report "a latency some request really had", never an interpolation.
 */

/** The 1-based rank of percentile `p` (0-100) among `count` sorted samples (`count` >= 1). */
export function nearestRank(count: number, p: number): number {
  return Math.min(count, Math.max(1, Math.ceil((p / 100) * count)));
}

/** Percentile `p` of ascending `sorted`, or undefined when there are no samples. */
export function percentileOf(sorted: readonly number[], p: number): number | undefined {
  return sorted.length === 0 ? undefined : sorted[nearestRank(sorted.length, p) - 1];
}
