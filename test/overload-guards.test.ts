import { afterEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../shared/circuit-breaker.js';
import { LatencyTracker } from '../shared/latency-tracker.js';
import { RetryBudget } from '../shared/retry-budget.js';
import { retryAfterMs } from '../shared/retry-policy.js';
import type { OriginResponse } from '../shared/http-types.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('RetryBudget', () => {
  it('starts full, empties under sustained retries, and refills with requests', () => {
    const budget = new RetryBudget({ ratio: 0.5, capacity: 3 });
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, true, false]);
    expect(budget.snapshot()).toEqual({ tokens: 0, denied: 1 });
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(false);
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
  });

  it('never holds more than its capacity', () => {
    const budget = new RetryBudget({ ratio: 1, capacity: 2 });
    for (let i = 0; i < 100; i++) budget.deposit();
    expect(budget.snapshot().tokens).toBe(2);
  });

  it('allows every retry with ratio 0 (budget off)', () => {
    const budget = new RetryBudget({ ratio: 0, capacity: 0 });
    expect(Array.from({ length: 10 }, () => budget.tryWithdraw()).every(Boolean)).toBe(true);
  });
});

describe('CircuitBreaker', () => {
  const make = () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-22T12:00:00Z'));
    return new CircuitBreaker({ threshold: 0.5, windowMs: 10_000, minRequests: 10, cooldownMs: 5_000 });
  };

  it('stays closed below the minimum number of attempts, even if all fail', () => {
    const breaker = make();
    for (let i = 0; i < 9; i++) breaker.record(false);
    expect(breaker.current()).toBe('closed');
  });

  it('stays closed for a flaky origin below the threshold', () => {
    const breaker = make();
    for (let i = 0; i < 100; i++) breaker.record(i % 5 !== 0); // 20% failures
    expect(breaker.current()).toBe('closed');
  });

  it('opens, refuses with Retry-After, half-opens with one probe, and closes when the probe succeeds', () => {
    const breaker = make();
    for (let i = 0; i < 12; i++) breaker.record(false);
    expect(breaker.current()).toBe('open');
    expect(breaker.acquire()).toEqual({ verdict: 'refused', retryAfterS: 5 });
    vi.advanceTimersByTime(3_000);
    expect(breaker.acquire()).toEqual({ verdict: 'refused', retryAfterS: 2 });
    vi.advanceTimersByTime(2_000);
    expect(breaker.current()).toBe('half-open');
    expect(breaker.acquire()).toEqual({ verdict: 'probe' });
    // Only one probe at a time: everyone else is refused at once, not queued.
    expect(breaker.acquire().verdict).toBe('refused');
    breaker.record(true, true);
    expect(breaker.current()).toBe('closed');
    expect(breaker.acquire()).toEqual({ verdict: 'allowed' });
  });

  it('opens again for a full cool-down when the probe fails', () => {
    const breaker = make();
    for (let i = 0; i < 12; i++) breaker.record(false);
    vi.advanceTimersByTime(5_000);
    expect(breaker.acquire().verdict).toBe('probe');
    breaker.record(false, true);
    expect(breaker.current()).toBe('open');
    vi.advanceTimersByTime(4_999);
    expect(breaker.acquire().verdict).toBe('refused');
    vi.advanceTimersByTime(1);
    expect(breaker.acquire().verdict).toBe('probe');
  });

  it('opens on a run of consecutive failures even when the window is full of earlier successes', () => {
    vi.useFakeTimers();
    const breaker = new CircuitBreaker({ threshold: 0.5, windowMs: 10_000, minRequests: 10, cooldownMs: 5_000, consecutiveFailures: 5 });
    for (let i = 0; i < 100; i++) breaker.record(true);
    for (let i = 0; i < 4; i++) breaker.record(false);
    breaker.record(true);
    for (let i = 0; i < 4; i++) breaker.record(false);
    expect(breaker.current()).toBe('closed');
    breaker.record(false);
    expect(breaker.current()).toBe('open');
  });

  it('ignores runs of failures when consecutiveFailures is 0', () => {
    vi.useFakeTimers();
    const breaker = new CircuitBreaker({ threshold: 0.5, windowMs: 10_000, minRequests: 10, cooldownMs: 5_000, consecutiveFailures: 0 });
    for (let i = 0; i < 100; i++) breaker.record(true);
    for (let i = 0; i < 50; i++) breaker.record(false);
    expect(breaker.current()).toBe('closed');
  });

  it('forgets failures older than the window', () => {
    const breaker = make();
    for (let i = 0; i < 9; i++) breaker.record(false);
    vi.advanceTimersByTime(11_000);
    for (let i = 0; i < 9; i++) breaker.record(true);
    breaker.record(false);
    expect(breaker.current()).toBe('closed');
  });
});

describe('LatencyTracker', () => {
  it('gives nearest-rank percentiles of the last samples only', () => {
    const tracker = new LatencyTracker(100);
    for (let i = 1; i <= 100; i++) tracker.add(i);
    expect(tracker.percentile(50)).toBe(50);
    expect(tracker.percentile(95)).toBe(95);
    for (let i = 0; i < 100; i++) tracker.add(1000);
    expect(tracker.percentile(50)).toBe(1000);
    expect(new LatencyTracker().percentile(95)).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  const with503 = (value?: string): OriginResponse => ({ status: 503, headers: value === undefined ? {} : { 'retry-after': [value] }, body: Buffer.alloc(0) });
  it('reads seconds, HTTP dates, and nothing else', () => {
    const now = Date.parse('Sun, 22 Nov 2026 12:00:00 GMT');
    expect(retryAfterMs(with503('3'), now)).toBe(3000);
    expect(retryAfterMs(with503('Sun, 22 Nov 2026 12:00:02 GMT'), now)).toBe(2000);
    expect(retryAfterMs(with503('Sun, 22 Nov 2026 11:00:00 GMT'), now)).toBe(0);
    expect(retryAfterMs(with503('soon'), now)).toBeUndefined();
    expect(retryAfterMs(with503(), now)).toBeUndefined();
  });
});
