import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAlbEvent } from '../local/alb-event-builder.js';
import { AdaptiveThrottle } from '../shared/resilience/adaptive-throttle.js';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { startScriptedOrigin, type ScriptedOrigin } from './support/scripted-origin.js';

/** A clock the test moves by hand, and a random source that cycles through fixed values. */
function fixture(randoms: number[] = [0.5]) {
  let t = 1_000_000;
  let i = 0;
  const clock = { now: () => t, advance: (ms: number) => { t += ms; } };
  const random = () => randoms[i++ % randoms.length]!;
  return { clock, random };
}

/** `n` client requests against an origin that accepts (true) or rejects (false) what reaches it. */
function drive(throttle: AdaptiveThrottle, n: number, originUp: boolean): { sent: number; shed: number } {
  let sent = 0;
  for (let j = 0; j < n; j++) {
    if (!throttle.admit()) continue;
    sent += 1;
    if (originUp) throttle.accepted();
  }
  return { sent, shed: n - sent };
}

describe('AdaptiveThrottle (OVERLOAD_SHEDDING=on)', () => {
  it('sheds nothing while the origin accepts what it is sent', () => {
    const { clock, random } = fixture([0]);
    const throttle = new AdaptiveThrottle({ now: clock.now, random });
    expect(drive(throttle, 500, true)).toEqual({ sent: 500, shed: 0 });
    expect(throttle.rejectProbability()).toBe(0);
  });

  it('follows max(0, (requests - 2 * accepts) / (requests + 1)): no shedding while half are accepted', () => {
    const { clock, random } = fixture([0]);
    const throttle = new AdaptiveThrottle({ now: clock.now, random });
    for (let j = 0; j < 10; j++) {
      throttle.admit();
      if (j % 2 === 0) throttle.accepted();
    }
    expect(throttle.rejectProbability()).toBe(0);
    throttle.admit();
    // 11 requests, 5 accepted: (11 - 10) / 12.
    expect(throttle.rejectProbability()).toBeCloseTo(1 / 12, 10);
  });

  it('during an outage sheds at most 80%, so one request in five still reaches the origin', () => {
    const { clock, random } = fixture([0.1, 0.3, 0.5, 0.7, 0.9]);
    const throttle = new AdaptiveThrottle({ now: clock.now, random });
    drive(throttle, 50, false);
    expect(throttle.rejectProbability()).toBe(0.8);
    const during = drive(throttle, 100, false);
    // Draws 0.1..0.7 are below 0.8 (shed), 0.9 is not: one in five is sent.
    expect(during).toEqual({ sent: 20, shed: 80 });
  });

  it('keeps shedding requests that would succeed after the origin is back, until the window forgets the outage', () => {
    const { clock, random } = fixture([0.1, 0.3, 0.5, 0.7, 0.9]);
    const throttle = new AdaptiveThrottle({ now: clock.now, random, windowMs: 120_000, slots: 12 });
    for (let s = 0; s < 12; s++) {
      drive(throttle, 10, false);
      clock.advance(10_000);
    }
    // The origin is back: the first requests are still shed (the cost of this option).
    const justAfter = drive(throttle, 10, true);
    expect(justAfter.shed).toBeGreaterThan(0);
    // Accepts catch up slot by slot, but the requests shed after the recovery count against it too:
    // it takes more than one window (10 s slots here) before nothing is shed, and less than three.
    let slots = 0;
    while (throttle.rejectProbability() > 0 && slots < 36) {
      clock.advance(10_000);
      drive(throttle, 10, true);
      slots += 1;
    }
    expect(slots).toBeGreaterThan(12);
    expect(slots).toBeLessThan(36);
    expect(drive(throttle, 10, true)).toEqual({ sent: 10, shed: 0 });
  });

  it('drops a slot whole once it is older than the window', () => {
    const { clock, random } = fixture();
    const throttle = new AdaptiveThrottle({ now: clock.now, random, windowMs: 60_000, slots: 6 });
    drive(throttle, 30, false);
    expect(throttle.snapshot()).toMatchObject({ requests: 30, accepts: 0 });
    clock.advance(50_000);
    expect(throttle.snapshot().requests).toBe(30);
    clock.advance(10_000);
    expect(throttle.snapshot()).toMatchObject({ requests: 0, accepts: 0, rejectProbability: 0 });
  });

  it('names the bad option', () => {
    expect(() => new AdaptiveThrottle({ k: 0.5 })).toThrow(/k >= 1.*k=0\.5/);
    expect(() => new AdaptiveThrottle({ maxRejectProbability: 1 })).toThrow(/maxRejectProbability=1/);
    expect(() => new AdaptiveThrottle({ slots: 0 })).toThrow(/slots=0/);
  });
});

describe('OVERLOAD_SHEDDING=on through the handler, against a real origin', () => {
  let origin: ScriptedOrigin;
  beforeEach(async () => {
    origin = await startScriptedOrigin();
  });
  afterEach(() => origin.close());

  const context = () => {
    const end = Date.now() + 10_000;
    return { getRemainingTimeInMillis: () => end - Date.now() };
  };
  const get = (target: string) =>
    buildAlbEvent({ method: 'GET', target, rawHeaders: ['Host', 'proxy.example'], body: Buffer.alloc(0), clientIp: '203.0.113.9', listenerPort: 443, protocol: 'https' });

  it('sheds after the origin stops accepting: stale copy when stored, else 503 naming the stop, and the origin is left alone', async () => {
    // Prepare: a clock the test moves; every draw below the shed probability, so every candidate is shed.
    let t = Date.parse('2026-12-02T10:00:00Z');
    const env = { ORIGIN_URL: origin.url, RETRY_MAX_ATTEMPTS: '1', CACHE_STORE: 'memory', OVERLOAD_SHEDDING: 'on' };
    const handler = createProxyHandler(loadConfig(env), { now: () => t, random: () => 0 });
    origin.script({ status: 200, headers: { 'cache-control': 'max-age=1', 'content-type': 'text/plain' }, body: 'stored' });
    expect((await handler(get('/things/1'), context())).statusCode).toBe(200);
    t += 5_000;
    origin.script({ status: 503, body: 'down' });

    // Act: the first requests of the outage are sent (answered stale) until fewer than half of the
    // window's requests were accepted; after that they are shed.
    const during = [];
    for (let i = 0; i < 3; i++) during.push(await handler(get('/things/1'), context()));
    const reached = origin.received.length;
    const staleShed = await handler(get('/things/1'), context());
    const nothingStored = await handler(get('/other/2'), context());

    // Assess
    expect(during.map((r) => r.body)).toEqual(['stored', 'stored', 'stored']);
    expect(reached).toBe(3);
    expect(origin.received.length).toBe(reached);
    expect(staleShed).toMatchObject({ statusCode: 200, body: 'stored' });
    expect(nothingStored.statusCode).toBe(503);
    expect(nothingStored.headers?.['proxy-status']).toBe('alb-retry-proxy; error=http_request_denied; details="0 attempt(s); stop=shed"');
  });

  it('keeps shedding for a while after the origin is back (its documented cost), then lets everything through', async () => {
    let t = Date.parse('2026-12-02T10:00:00Z');
    const env = { ORIGIN_URL: origin.url, RETRY_MAX_ATTEMPTS: '1', CACHE_STORE: 'off', OVERLOAD_SHEDDING: 'on' };
    const handler = createProxyHandler(loadConfig(env), { now: () => t, random: () => 0 });
    origin.script({ status: 503 });
    for (let i = 0; i < 5; i++) await handler(get('/things/1'), context());
    origin.script({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'back' });
    const justAfter = await handler(get('/things/1'), context());
    expect(justAfter.statusCode).toBe(503);
    t += 121_000;
    const later = await handler(get('/things/1'), context());
    expect(later).toMatchObject({ statusCode: 200, body: 'back' });
  });

  it('is off by default: no first attempt is ever refused', async () => {
    const handler = createProxyHandler(loadConfig({ ORIGIN_URL: origin.url, RETRY_MAX_ATTEMPTS: '1', CACHE_STORE: 'off' }), { random: () => 0 });
    origin.script({ status: 503 });
    for (let i = 0; i < 20; i++) await handler(get('/things/1'), context());
    expect(origin.received.length).toBe(20);
  });

  it('accepts off and on only', () => {
    expect(loadConfig({ ORIGIN_URL: origin.url }).overloadShedding).toBe(false);
    expect(loadConfig({ ORIGIN_URL: origin.url, OVERLOAD_SHEDDING: 'on' }).overloadShedding).toBe(true);
    expect(() => loadConfig({ ORIGIN_URL: origin.url, OVERLOAD_SHEDDING: 'yes' })).toThrow(/OVERLOAD_SHEDDING.*off \| on/);
  });
});
