/**
 * Success and failure counts over the last `windowMs`, in ten buckets: memory stays constant
 * whatever the traffic, and every bucket older than the window is dropped on each call, so a quiet
 * period really does forget old failures.
 */
export class RollingOutcomes {
  private readonly bucketMs: number;
  private buckets: Array<{ start: number; ok: number; failed: number }> = [];

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / 10));
  }

  add(success: boolean): void {
    const now = this.now();
    this.expire(now);
    const start = now - (now % this.bucketMs);
    let bucket = this.buckets[this.buckets.length - 1];
    if (!bucket || bucket.start !== start) {
      bucket = { start, ok: 0, failed: 0 };
      this.buckets.push(bucket);
    }
    if (success) bucket.ok += 1;
    else bucket.failed += 1;
  }

  counts(): { total: number; failures: number } {
    this.expire(this.now());
    let ok = 0;
    let failed = 0;
    for (const b of this.buckets) {
      ok += b.ok;
      failed += b.failed;
    }
    return { total: ok + failed, failures: failed };
  }

  clear(): void {
    this.buckets = [];
  }

  private expire(now: number): void {
    const oldest = now - this.windowMs;
    while (this.buckets.length > 0 && this.buckets[0]!.start + this.bucketMs <= oldest) this.buckets.shift();
  }
}
