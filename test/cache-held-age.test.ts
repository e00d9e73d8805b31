/**
 * A response the proxy held after it arrived (a retry's refusal while the first attempt lingered)
 * is stored as old as it is: its policy is made as of when its headers arrived (RFC 9111 section
 * 4.2.3's response_time), to the millisecond, so a max-age=10 answer held 29.5 s is never served as
 * fresh (found by test/handler-invariants), nor one held 0.8 s past its max-age (found by a hunt).
 */
import { describe, expect, it } from 'vitest';
import { createPolicies } from '../shared/cache/policy.js';
import { storableHeaders } from '../shared/cache/stored-response.js';
import { originRequest } from './support/cache-harness.js';
import { deadline, getThing, useForwarderHarness } from './support/forwarder-harness.js';
import { runVirtual } from './support/virtual-time.js';

const harness = useForwarderHarness();

describe('ForwardResult.heldMs', () => {
  it('a retry\'s 404 at 25 s beside the hung first attempt, returned at the deadline: held 29.5 s', async () => {
    harness.origin.script({ hang: true }, { status: 404, headers: { 'cache-control': 'max-age=10' } });
    const result = await runVirtual(harness.forwarder()(getThing(), deadline(54_500)), { maxMs: 70_000 });
    expect(result.response?.status).toBe(404);
    expect(result.heldMs).toBeGreaterThanOrEqual(29_000);
    expect(result.heldMs).toBeLessThanOrEqual(29_600);
  });

  it('an answer returned as it arrives: none', async () => {
    harness.origin.script({ status: 404, delayMs: 3_000 });
    const result = await runVirtual(harness.forwarder()(getThing(), deadline(54_500)), { maxMs: 70_000 });
    expect(result.response?.status).toBe(404);
    expect(result.heldMs ?? 0).toBeLessThan(1_000);
  });
});

describe('a policy made for a response whose headers arrived earlier (Policies.create receivedAt)', () => {
  const NOW = Date.parse('Fri, 04 Dec 2026 20:00:30 GMT');
  const policies = createPolicies({ now: () => NOW, defaultTtlS: 0, originHost: 'o' });
  const made = (headers: Record<string, string[]>, heldMs?: number) =>
    policies.create('k', originRequest('GET', '/p'), { status: 200, headers }, undefined, heldMs === undefined ? undefined : NOW - heldMs);

  it('is as old as the time since, to the millisecond, on top of the Age it came with', () => {
    const date = ['Fri, 04 Dec 2026 20:00:00 GMT'];
    expect(made({ 'cache-control': ['max-age=10'], date }, 29_500).age()).toBeCloseTo(29.5, 3);
    expect(made({ 'cache-control': ['max-age=10'], date }, 29_500).stale()).toBe(true);
    expect(made({ 'cache-control': ['max-age=60'], age: ['5'], date }, 29_500).age()).toBeCloseTo(34.5, 3);
    // Under a second counts too: a fresh hit must not outlive max-age by the fraction.
    expect(made({ 'cache-control': ['max-age=60'], date }, 999).age()).toBeCloseTo(0.999, 3);
    expect(made({ 'cache-control': ['max-age=60'], date }).age()).toBe(0);
  });

  it('without a valid Date, dates an Expires lifetime from when it arrived, not from when it was stored', () => {
    // Expires 60 s after the arrival 29.5 s ago: 30.5 s left, not 60.
    const expires = [new Date(NOW - 29_500 + 60_000).toUTCString()];
    expect(made({ expires }, 29_500).timeToLive()).toBeGreaterThanOrEqual(29_000);
    expect(made({ expires }, 29_500).timeToLive()).toBeLessThanOrEqual(31_000);
    expect(made({ expires, date: ['yesterday'] }, 29_500).timeToLive()).toBeLessThanOrEqual(31_000);
  });

  it('leaves the clock alone afterwards: the next policy is made as of now', () => {
    made({ 'cache-control': ['max-age=10'] }, 29_500);
    expect(made({ 'cache-control': ['max-age=10'] }).age()).toBe(0);
  });
});

describe('storableHeaders', () => {
  it('drops the hop-by-hop fields and keeps the rest as received', () => {
    const date = 'Fri, 04 Dec 2026 20:00:00 GMT';
    expect(storableHeaders({ connection: ['x-a'], 'x-a': ['1'], 'keep-alive': ['timeout=5'], etag: ['"v1"'], date: [date], age: ['3'] })).toEqual({ etag: ['"v1"'], date: [date], age: ['3'] });
  });
});
