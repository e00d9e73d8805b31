/**
 * Virtual time for tests where timers race each other (attempt timeouts, hedge delays, origin
 * delays): `setTimeout`, `clearTimeout` and `Date` are faked, in the code under test and in the
 * scripted origin alike, and `runVirtual` moves the clock one millisecond at a time, letting real
 * socket I/O run between steps. A timer due at 50 ms then always fires before one due at 3000 ms,
 * however busy the machine is: the order is decided by virtual time, not by how fast the CPU is.
 * Loopback I/O completes within a few event-loop turns, so a few turns per step are enough.
 */
import { vi } from 'vitest';

export function useVirtualTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
}

export function useRealTime(): void {
  vi.useRealTimers();
}

/** One real turn of the event loop: I/O callbacks that are ready run before it resolves. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface RunOptions {
  /** Event-loop turns between two virtual milliseconds. @default 4 */
  readonly turns?: number;
  /** Give up (fail the test) after this much virtual time. @default 60_000 */
  readonly maxMs?: number;
}

/** Settles `work` while advancing virtual time; returns its value or rethrows its error. */
export async function runVirtual<T>(work: Promise<T>, options: RunOptions = {}): Promise<T> {
  const turns = options.turns ?? 4;
  const maxMs = options.maxMs ?? 60_000;
  let done = false;
  const watched = work.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  for (let ms = 0; !done; ms++) {
    if (ms > maxMs) throw new Error(`runVirtual: not settled after ${maxMs} ms of virtual time`);
    for (let i = 0; i < turns && !done; i++) await turn();
    if (!done) await vi.advanceTimersByTimeAsync(1);
  }
  return watched;
}
