/**
 * ATTEMPT_TIMEOUT_MS at the default configuration (25 s, in a 55 s function): an attempt is cut
 * short only for something to follow it, a retry or a stale copy; one that nothing can follow waits
 * as long as the deadline allows, as the origin's answer would reach the browser without the proxy.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { startScriptedOrigin, type ScriptedOrigin } from './support/scripted-origin.js';
import { useRealTime, useVirtualTime } from './support/virtual-time.js';
import { albEvent, functionContext, timedCall } from './support/handler-calls.js';

let origin: ScriptedOrigin;
beforeEach(async () => {
  origin = await startScriptedOrigin();
  useVirtualTime();
});
afterEach(async () => {
  useRealTime();
  await origin.close();
});

/** Every option at its default: only ORIGIN_URL set. */
const defaultHandler = () => createProxyHandler(loadConfig({ ORIGIN_URL: origin.url }));
const [event, context, timed] = [albEvent, () => functionContext(), timedCall];

describe('an attempt nothing can follow', () => {
  it('waits for a POST answered after 30 s: a POST once sent is never retried, so cutting it only lost the answer', async () => {
    origin.script({ status: 201, headers: { 'content-type': 'text/plain' }, body: 'created', delayMs: 30_000 });
    const result = await timed(defaultHandler()(event('POST', '/api/orders', '{"order":1}'), context()));
    expect(result).toEqual({ status: 201, body: 'created', ms: 30_000 });
    expect(origin.received).toHaveLength(1);
  });

  it.each(['PUT', 'DELETE'])('waits for a %s answered after 30 s: cut, it would run again on the origin and still end in a 504 (found by review)', async (method) => {
    origin.script({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'saved', delayMs: 30_000 });
    const result = await timed(defaultHandler()(event(method, '/api/record/1', method === 'PUT' ? '{"a":1}' : ''), context()));
    expect(result).toEqual({ status: 200, body: 'saved', ms: 30_000 });
    expect(origin.received).toHaveLength(1);
  });

  it('still retries a PUT that failed fast: only its slow first attempt is left to run', async () => {
    origin.script({ status: 503, headers: { 'content-type': 'text/plain' }, body: 'busy' }, { status: 200, headers: { 'content-type': 'text/plain' }, body: 'saved' });
    const result = await timed(defaultHandler()(event('PUT', '/api/record/1', '{"a":1}'), context()));
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: 'saved' });
    expect(origin.received).toHaveLength(2);
  });

  it('takes the whole deadline when the guards have stopped the route\'s retries', async () => {
    // A request that timed out (a gateway error) marks its path failing: the next one gets a single attempt.
    origin.script({ hang: true }, { hang: true }, { status: 200, headers: { 'content-type': 'text/plain' }, body: 'slow but fine', delayMs: 30_000 });
    const handler = defaultHandler();
    const first = await timed(handler(event('GET', '/reports/a'), context()));
    expect(first.status).toBe(504);
    // The first attempt lingers from 25 s, its retry beside it, both until the deadline.
    expect(origin.received).toHaveLength(2);
    const second = await timed(handler(event('GET', '/reports/a'), context()));
    expect(second).toEqual({ status: 200, body: 'slow but fine', ms: 30_000 });
    expect(origin.received).toHaveLength(3);
  });

  it('is still cut when a stale copy can answer instead: the stale copy comes at 25 s, not at the deadline', async () => {
    origin.script(
      { status: 200, headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=0, stale-if-error=600' }, body: 'stored' },
      { hang: true },
    );
    const handler = defaultHandler();
    expect((await timed(handler(event('GET', '/ward/3'), context()))).status).toBe(200);
    // The path's last request failed: the guards allow this one a single attempt.
    const failing = await timed(handler(event('GET', '/ward/3'), context()));
    expect(failing.body).toBe('stored');
    expect(origin.received).toHaveLength(4);
    const stale = await timed(handler(event('GET', '/ward/3'), context()));
    expect(stale).toEqual({ status: 200, body: 'stored', ms: 25_000 });
    expect(origin.received).toHaveLength(5);
  });
});

describe('a GET slower than ATTEMPT_TIMEOUT_MS on a healthy route', () => {
  it.each([26_000, 35_000, 50_000])('answers 200 when the origin takes %i ms: the first attempt is not cut, its retry goes beside it', async (delayMs) => {
    // Without the proxy ALB waits for it (idle timeout 60 s) and the user gets the 200.
    origin.script({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'slow but fine', delayMs });
    const result = await timed(defaultHandler()(event('GET', '/reports/daily'), context()));
    expect(result).toEqual({ status: 200, body: 'slow but fine', ms: delayMs });
    // The retry sent at 25 s (a hang would have needed it), cancelled when the first answered.
    expect(origin.received).toHaveLength(2);
  });

  it('still answers from the retry when the first attempt hangs', async () => {
    origin.script({ hang: true }, { status: 200, headers: { 'content-type': 'text/plain' }, body: 'from the retry', delayMs: 2_000 });
    const result = await timed(defaultHandler()(event('GET', '/reports/daily'), context()));
    expect([result.status, result.body]).toEqual([200, 'from the retry']);
    // Sent at 25 s plus the backoff's jitter (RETRY_BASE_DELAY_MS), answered 2 s later.
    expect(result.ms).toBeGreaterThanOrEqual(27_000);
    expect(result.ms).toBeLessThan(28_000);
    expect(origin.received).toHaveLength(2);
  });

  it('answers 504 at the deadline when every attempt hangs, with two origin requests: the first and one retry beside it (found by review: three)', async () => {
    origin.script({ hang: true });
    const result = await timed(defaultHandler()(event('GET', '/reports/daily'), context()));
    expect(result.status).toBe(504);
    expect(result.ms).toBe(54_500);
    // A fresh environment's first request on a hung origin: the retry beside the lingering first
    // attempt is not cut at 25 s for a third, so at most two hang on the origin at once.
    expect(origin.received).toHaveLength(2);
  });

  it('still retries beside a lingering first attempt after a retry that failed fast', async () => {
    origin.script({ hang: true }, { status: 503, headers: { 'content-type': 'text/plain' }, body: 'busy' }, { status: 200, headers: { 'content-type': 'text/plain' }, body: 'third' });
    const result = await timed(defaultHandler()(event('GET', '/reports/weekly'), context()));
    expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: 'third' });
    expect(origin.received).toHaveLength(3);
  });
});
