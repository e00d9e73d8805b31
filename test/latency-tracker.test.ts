/** The latency window keeps its samples sorted as it goes: the same percentiles as sorting the last `size` samples anew. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyTracker } from '../shared/resilience/latency-tracker.js';
import { percentileOf } from '../shared/telemetry/percentile.js';

describe('LatencyTracker', () => {
  it('answers undefined before any sample', () => {
    expect(new LatencyTracker().percentile(50)).toBeUndefined();
  });

  it('reports the percentiles of the last `size` samples only, in any arrival order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }), fc.double({ min: 0, max: 100, noNaN: true }), (size, samples, p) => {
        const tracker = new LatencyTracker(size);
        for (const ms of samples) tracker.add(ms);
        const window = samples.slice(-size).sort((a, b) => a - b);
        expect(tracker.count).toBe(window.length);
        expect(tracker.percentile(p)).toBe(percentileOf(window, p));
      }),
    );
  });

  it('drops the oldest sample, not the smallest or an equal one, when full', () => {
    const tracker = new LatencyTracker(3);
    for (const ms of [5, 1, 5, 9]) tracker.add(ms);
    // window: 1, 5, 9
    expect([0, 50, 100].map((p) => tracker.percentile(p))).toEqual([1, 5, 9]);
    tracker.add(2); // window: 5, 9, 2
    expect([0, 50, 100].map((p) => tracker.percentile(p))).toEqual([2, 5, 9]);
  });
});
