/**
 * Requests and failures per minute or per hour. `auto` starts per minute and folds into hours
 * once the data spans more than `AUTO_MINUTE_SPAN_MS`, so memory follows the time span (at most
 * a few hundred minute buckets, then one bucket per hour), never the number of lines.
 */
export type BucketSize = 'minute' | 'hour';
/** A failed request: a 5xx the load balancer or the target made, or `none` (a `-` status). */
export type Failure = 'elb' | 'target' | 'none';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Up to 6 hours a per-minute timeline stays readable (360 points); beyond, per hour. */
export const AUTO_MINUTE_SPAN_MS = 6 * HOUR;
/**
 * Empty buckets are filled in (so charts show idle gaps) only up to this many points; logs from
 * distant dates (a 2018 file next to today's) would otherwise make tens of thousands of empty hours.
 */
export const MAX_FILLED_POINTS = 10_000;

export interface TimelinePoint {
  /** Bucket start, ISO 8601. */
  start: string;
  requests: number;
  /** Requests with elb_status_code >= 500 or `-` (no response: in neither elbFailures nor targetFailures). */
  failures: number;
  elbFailures: number;
  targetFailures: number;
  /** Share of requests that did not fail (5xx or `-`); null for an empty bucket. */
  successRate: number | null;
  /** Mean total time (request + target + response) in seconds over requests that got an answer. */
  meanTotal: number | null;
  maxTotal: number | null;
}

interface Bucket {
  requests: number;
  failures: number;
  elbFailures: number;
  targetFailures: number;
  totalSum: number;
  totalCount: number;
  totalMax: number;
}

export class Timeline {
  private buckets = new Map<number, Bucket>();
  private size: BucketSize;
  private minMs = Infinity;
  private maxMs = -Infinity;

  constructor(private readonly mode: BucketSize | 'auto' = 'auto') {
    this.size = mode === 'hour' ? 'hour' : 'minute';
  }

  /** `failure`: who made the 5xx, or `none` for a `-` status (no response, so no 5xx to attribute). */
  add(timeMs: number, failure: Failure | null, totalSeconds: number | null): void {
    if (timeMs < this.minMs) this.minMs = timeMs;
    if (timeMs > this.maxMs) this.maxMs = timeMs;
    if (this.mode === 'auto' && this.size === 'minute' && this.maxMs - this.minMs > AUTO_MINUTE_SPAN_MS) this.foldToHours();
    const width = this.size === 'hour' ? HOUR : MINUTE;
    const start = Math.floor(timeMs / width) * width;
    let b = this.buckets.get(start);
    if (b === undefined) {
      b = { requests: 0, failures: 0, elbFailures: 0, targetFailures: 0, totalSum: 0, totalCount: 0, totalMax: 0 };
      this.buckets.set(start, b);
    }
    b.requests++;
    if (failure !== null) {
      b.failures++;
      if (failure === 'elb') b.elbFailures++;
      else if (failure === 'target') b.targetFailures++;
    }
    if (totalSeconds !== null) {
      b.totalSum += totalSeconds;
      b.totalCount++;
      if (totalSeconds > b.totalMax) b.totalMax = totalSeconds;
    }
  }

  get bucket(): BucketSize {
    return this.size;
  }

  /** Every bucket from the first to the last, empty ones included so charts show the gaps (see MAX_FILLED_POINTS). */
  points(): TimelinePoint[] {
    if (this.buckets.size === 0) return [];
    const width = this.size === 'hour' ? HOUR : MINUTE;
    let first = Infinity;
    let last = -Infinity;
    for (const k of this.buckets.keys()) {
      if (k < first) first = k;
      if (k > last) last = k;
    }
    const starts =
      (last - first) / width + 1 <= MAX_FILLED_POINTS
        ? Array.from({ length: (last - first) / width + 1 }, (_, k) => first + k * width)
        : [...this.buckets.keys()].sort((a, b) => a - b);
    const out: TimelinePoint[] = [];
    for (const t of starts) {
      const b = this.buckets.get(t);
      out.push({
        start: new Date(t).toISOString(),
        requests: b?.requests ?? 0,
        failures: b?.failures ?? 0,
        elbFailures: b?.elbFailures ?? 0,
        targetFailures: b?.targetFailures ?? 0,
        successRate: b ? (b.requests - b.failures) / b.requests : null,
        meanTotal: b && b.totalCount > 0 ? Math.round((b.totalSum / b.totalCount) * 1000) / 1000 : null,
        maxTotal: b && b.totalCount > 0 ? b.totalMax : null,
      });
    }
    return out;
  }

  private foldToHours(): void {
    const hours = new Map<number, Bucket>();
    for (const [start, b] of this.buckets) {
      const h = Math.floor(start / HOUR) * HOUR;
      const into = hours.get(h);
      if (into === undefined) {
        hours.set(h, { ...b });
        continue;
      }
      into.requests += b.requests;
      into.failures += b.failures;
      into.elbFailures += b.elbFailures;
      into.targetFailures += b.targetFailures;
      into.totalSum += b.totalSum;
      into.totalCount += b.totalCount;
      into.totalMax = Math.max(into.totalMax, b.totalMax);
    }
    this.buckets = hours;
    this.size = 'hour';
  }
}
