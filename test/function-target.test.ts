/**
 * What the emulator's two targets share (local/environments/target.ts, in-process.ts): the function
 * timeout and the failures ALB makes of a timed-out or failed invocation, on fake timers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InProcessTarget } from '../local/environments/in-process.js';
import { functionError, timedOut, withinTimeout } from '../local/environments/target.js';
import type { ALBEvent, ALBResult } from 'aws-lambda';

afterEach(() => {
  vi.useRealTimers();
});

const event = { httpMethod: 'GET', path: '/', headers: {}, body: '', isBase64Encoded: false, requestContext: { elb: { targetGroupArn: 'arn' } } } as ALBEvent;

describe('the function timeout', () => {
  it('gives the invocation until the timeout, then answers timeout', async () => {
    vi.useFakeTimers();
    let settle: (value: string) => void = () => undefined;
    const late = withinTimeout(new Promise<string>((resolve) => (settle = resolve)), 1000);
    await vi.advanceTimersByTimeAsync(999);
    const early = withinTimeout(Promise.resolve('answer'), 1000);
    await vi.advanceTimersByTimeAsync(1);
    settle('too late');
    expect(await late).toBe('timeout');
    expect(await early).toBe('answer');
    expect(vi.getTimerCount()).toBe(0); // the winner's timer is cleared too
  });

  it('is a 502 LambdaUnhandled that ran for the whole timeout; an error is one that ran for as long as it took', () => {
    expect(timedOut(3000)).toEqual({ status: 502, reason: 'LambdaUnhandled', message: 'function timed out after 3000 ms', reachedTarget: true, durationMs: 3000 });
    expect(functionError('boom')).toEqual({ status: 502, reason: 'LambdaUnhandled', message: 'function error: boom', reachedTarget: true });
  });
});

describe('--single mode target', () => {
  it('times a hanging handler out as the pool does', async () => {
    vi.useFakeTimers();
    const target = new InProcessTarget(() => new Promise<ALBResult>(() => undefined));
    const outcome = target.invoke(event, 500);
    await vi.advanceTimersByTimeAsync(500);
    expect(await outcome).toEqual(timedOut(500));
  });

  it('passes a result through and turns a rejection into a function error', async () => {
    const ok = new InProcessTarget(async () => ({ statusCode: 204 }));
    expect(await ok.invoke(event, 1000)).toEqual({ result: { statusCode: 204 } });
    const failing = new InProcessTarget(() => Promise.reject(new Error('nope')));
    expect(await failing.invoke(event, 1000)).toEqual(functionError('nope'));
  });
});
