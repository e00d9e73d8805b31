/**
 * A response the proxy held after it arrived (a retry's refusal while the first attempt lingered)
 * is stored as old as it is: its Age grows by the whole seconds it waited (RFC 9111 section 4.2.3),
 * so a max-age=10 answer held 29.5 s is never served as fresh (found by test/handler-invariants).
 */
import { describe, expect, it } from 'vitest';
import { storableHeaders } from '../shared/cache/stored-response.js';
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

describe('storableHeaders with the time the response was held', () => {
  it('adds the whole seconds held to the Age, none when held under a second', () => {
    expect(storableHeaders({ 'cache-control': ['max-age=10'] }, 29_500).age).toEqual(['29']);
    expect(storableHeaders({ age: ['5'] }, 29_500).age).toEqual(['34']);
    expect(storableHeaders({ age: ['5'] }, 999).age).toEqual(['5']);
    expect(storableHeaders({}, 0).age).toBeUndefined();
  });

  it('reads an invalid Age as none and a list as its first member, as the cache reads it (normalize.ts)', () => {
    expect(storableHeaders({ age: ['7200.0'] }, 3_000).age).toEqual(['3']);
    expect(storableHeaders({ age: ['7', '0'] }, 3_000).age).toEqual(['10']);
    expect(storableHeaders({ age: ['7, 0'] }, 3_000).age).toEqual(['10']);
  });

  it('still drops the hop-by-hop fields', () => {
    const date = 'Fri, 04 Dec 2026 20:00:00 GMT';
    expect(storableHeaders({ connection: ['x-a'], 'x-a': ['1'], 'keep-alive': ['timeout=5'], etag: ['"v1"'], date: [date] }, 2_000)).toEqual({ etag: ['"v1"'], date: [date], age: ['2'] });
  });

  it('gives a held response without a valid Date its arrival time, so an Expires lifetime is not cut twice (found by review)', () => {
    const now = Date.parse('Fri, 04 Dec 2026 20:00:30 GMT');
    expect(storableHeaders({}, 29_500, now).date).toEqual(['Fri, 04 Dec 2026 20:00:00 GMT']);
    expect(storableHeaders({ date: ['yesterday'] }, 29_500, now).date).toEqual(['Fri, 04 Dec 2026 20:00:00 GMT']);
    expect(storableHeaders({ date: ['Fri, 04 Dec 2026 19:59:59 GMT'] }, 29_500, now).date).toEqual(['Fri, 04 Dec 2026 19:59:59 GMT']);
    // Not held: stored as received.
    expect(storableHeaders({}, 999, now).date).toBeUndefined();
  });
});
