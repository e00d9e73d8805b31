/**
 * Hedging with a lingering first round (forwarder.ts), found by review: HEDGE_MAX per request while
 * a retry runs beside the round, the hedges of a cancelled retry round counted, and the deciding
 * attempt's latency fed to adaptive hedging. Each case failed before its fix.
 */
import { describe, expect, it } from 'vitest';
import { LatencyTracker } from '../shared/resilience/latency-tracker.js';
import { runVirtual } from './support/virtual-time.js';
import { deadline, getThing, useForwarderHarness } from './support/forwarder-harness.js';

const harness = useForwarderHarness();
const req = getThing;

describe('HEDGE_MAX per request with a lingering hedged first round', () => {
  it('HEDGE_MAX=1 (default), HEDGE_AFTER_MS=26000, hung origin: at most 1 hedge, at most 1 + 1 + 1 requests at once', async () => {
    harness.origin.script({ hang: true });
    const forward = harness.forwarder({ HEDGE_AFTER_MS: '26000', RETRY_BASE_DELAY_MS: '0' });
    const result = await runVirtual(forward(req(), deadline(54_500)), { maxMs: 70_000 });
    const hedges = result.attempts.filter((a) => a.hedge).length;
    expect(hedges).toBeLessThanOrEqual(1);
    expect(harness.origin.received.length).toBeLessThanOrEqual(3);
  });

  it('HEDGE_MAX=2, HEDGE_AFTER_MS=15000 (an auto delay near HOSP p95), hung origin: at most 2 hedges', async () => {
    harness.origin.script({ hang: true });
    const forward = harness.forwarder({ HEDGE_AFTER_MS: '15000', HEDGE_MAX: '2', RETRY_BASE_DELAY_MS: '0' });
    const result = await runVirtual(forward(req(), deadline(54_500)), { maxMs: 70_000 });
    const hedges = result.attempts.filter((a) => a.hedge).length;
    expect(hedges).toBeLessThanOrEqual(2);
    // first + 2 hedges + 1 retry
    expect(harness.origin.received.length).toBeLessThanOrEqual(4);
  });
});

describe('hedges= counts every hedge sent', () => {
  it('counts the hedges of a retry round the lingering first attempt\'s answer cancelled', async () => {
    // First attempt answers 200 at 53 s; everything else hangs. HEDGE_MAX=2, hedge after 26 s:
    // round 1 hedges at 26 s, the retry (25 s) hedges at 51 s.
    harness.origin.script({ status: 200, body: 'slow', delayMs: 53_000 }, { hang: true });
    const forward = harness.forwarder({ HEDGE_AFTER_MS: '26000', HEDGE_MAX: '2', RETRY_BASE_DELAY_MS: '0' });
    const result = await runVirtual(forward(req(), deadline(54_500)), { maxMs: 70_000 });
    expect(result.response?.body.toString()).toBe('slow');
    const hedgeRecords = result.attempts.filter((a) => a.hedge).length;
    expect(hedgeRecords).toBeGreaterThan(0);
    expect(result.decisions?.hedgesSent).toBe(hedgeRecords);
  });
});

describe('latency sample of a lingering hedged round', () => {
  it('does not feed the first attempt\'s quick 503 as a success latency when its hedge answered 200 at 30 s', async () => {
    // attempt 1: 503 after 1 s; its hedge (at 0.5 s) 200 after 29.5 s; the retry at 25 s hangs.
    harness.origin.script({ status: 503, delayMs: 1000 }, { status: 200, body: 'hedge', delayMs: 29_500 }, { hang: true });
    const latencies = new LatencyTracker();
    const forward = harness.forwarder({ HEDGE_AFTER_MS: '500', RETRY_BASE_DELAY_MS: '0' }, { latencies });
    const result = await runVirtual(forward(req(), deadline(54_500)), { maxMs: 70_000 });
    expect(result.response?.body.toString()).toBe('hedge');
    expect(result.decisions).toMatchObject({ hedgesSent: 1, hedgesWon: 1 });
    // A success latency is the answer's (about 29.5 s), never the failed attempt's 1 s.
    expect(latencies.count).toBe(1);
    expect(latencies.percentile(50)!).toBeGreaterThan(25_000);
  });
});

describe('a hung hedge beside a first attempt that already failed (found by review)', () => {
  const steps = () => harness.origin.script({ status: 503, delayMs: 1000 }, { hang: true }, { hang: true }, { status: 200, body: 'ok', delayMs: 500 });
  it('unhedged: 503 at 1 s, two hung retries cut at 25 s, the fourth attempt answers', async () => {
    steps();
    const result = await runVirtual(harness.forwarder({})(req(), deadline(54_500)), { maxMs: 70_000 });
    expect(result.response?.body.toString()).toBe('ok');
  });

  it('HEDGE_AFTER_MS=500: the round\'s first attempt has failed, so the retry beside it is cut for a third, which answers', async () => {
    steps();
    const result = await runVirtual(harness.forwarder({ HEDGE_AFTER_MS: '500' })(req(), deadline(54_500)), { maxMs: 70_000 });
    expect(result.response?.body.toString()).toBe('ok');
    expect(harness.origin.received).toHaveLength(4);
  });
});
