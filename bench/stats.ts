/** Summaries of a run's outcomes: success rate, latency percentiles, a CDF small enough to chart. */
import { percentileOf } from '../shared/telemetry/percentile.js';
import type { Outcome } from './load.js';

export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** A response the client can use: 2xx or 3xx (a 304 to a conditional GET included). */
export const isSuccess = (o: Outcome): boolean => o.status !== undefined && o.status >= 200 && o.status < 400;

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (no interpolation: every figure is a latency some request really had). */
export function percentile(sorted: readonly number[], p: number): number {
  return percentileOf(sorted, p) ?? NaN;
}

export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN),
    mean: round(sorted.reduce((s, x) => s + x, 0) / (sorted.length || NaN)),
  };
}

/** Shares at which the CDF is sampled: even steps, then denser towards the tail the charts show. */
const CDF_SHARES = [
  ...Array.from({ length: 19 }, (_, k) => (k + 1) / 20),
  0.96, 0.97, 0.98, 0.99, 0.995, 0.999, 1,
];

/** (latency ms, share of requests at or below it) pairs, from the fastest request to the slowest. */
export function cdf(latencies: readonly number[]): [number, number][] {
  const sorted = [...latencies].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const round = (n: number) => Math.round(n * 100) / 100;
  return [[round(sorted[0]!), 0], ...CDF_SHARES.map((share): [number, number] => [round(percentile(sorted, share * 100)), share])];
}

export function countBy<T>(items: readonly T[], key: (item: T) => string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
