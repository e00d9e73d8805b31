import { describe, expect, it } from 'vitest';
import { Cancellation } from '../shared/resilience/cancellation.js';

describe('Cancellation', () => {
  it('runs each listener once on the first abort, keeps the reason, and forgets removed listeners', () => {
    const cancel = new Cancellation();
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    cancel.signal.addEventListener('abort', a, { once: true });
    cancel.signal.addEventListener('abort', b);
    cancel.signal.removeEventListener('abort', b);
    expect(cancel.signal.aborted).toBe(false);
    const reason = new Error('another attempt won');
    cancel.abort(reason);
    cancel.abort(new Error('again'));
    expect(calls).toEqual(['a']);
    expect([cancel.signal.aborted, cancel.signal.reason]).toEqual([true, reason]);
  });
});
