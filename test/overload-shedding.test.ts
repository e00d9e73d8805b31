import { describe, expect, it } from 'vitest';
import { AdaptiveThrottle } from '../shared/adaptive-throttle.js';

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
