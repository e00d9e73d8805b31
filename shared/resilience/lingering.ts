/**
 * The first attempt of a safe request kept running past ATTEMPT_TIMEOUT_MS while the retries go
 * on beside it: its own answer or a retry's success, whichever comes first, wins.
 */
import type { CancelSignal } from '../http/types.js';
import { ATTEMPT_CUT, Cancellation } from './cancellation.js';
import type { Judged, RoundResult } from './hedged-attempt.js';

/** What `race` gives when the lingering round ended with a final answer before the work it raced. */
export const LINGERED = Symbol('lingered');

/**
 * A first round that has not answered within ATTEMPT_TIMEOUT_MS and goes on until the deadline.
 * Cutting it would throw away an answer that is merely slow (a 35 s report the browser would have
 * had without the proxy), and the origin goes on working on a cut request anyway; so the retry
 * that the timeout stands for is sent beside it instead of in its place.
 */
export class Lingering<J extends Judged> {
  private result: RoundResult<J> | undefined;
  /** The round's end, whatever it was (it never rejects: runRound judges every failure). */
  readonly done: Promise<RoundResult<J>>;

  /** The round's own first attempt has failed, though hedges of it may still run. */
  private firstFailed = false;
  private markFailed!: () => void;
  /** The round's end, or its first attempt's failure, whichever comes first. */
  private readonly failed: Promise<unknown>;

  constructor(round: Promise<RoundResult<J>>, private readonly controller: Cancellation) {
    this.done = round.then((result) => (this.result = result));
    this.failed = Promise.race([this.done, new Promise<void>((resolve) => (this.markFailed = resolve))]);
  }

  /** The first attempt failed while hedges of it run: a retry beside it may now be cut for a third. */
  markFirstFailed(): void {
    this.firstFailed = true;
    this.markFailed();
  }

  /** The round's result when it has ended with a final answer (a success, or one not worth retrying). */
  get final(): RoundResult<J> | undefined {
    return this.result?.judged.final ? this.result : undefined;
  }

  /** Whether the round's first attempt is still waiting for its answer. */
  get running(): boolean {
    return this.result === undefined && !this.firstFailed;
  }

  /** `work`'s value, or LINGERED as soon as the round ends with a final answer first. */
  async race<T>(work: Promise<T>): Promise<T | typeof LINGERED> {
    if (this.final) return LINGERED;
    // A round that ends with a failure leaves the race to `work` alone.
    const finalEnd = this.done.then((result): Promise<T | typeof LINGERED> | typeof LINGERED => (result.judged.final ? LINGERED : work));
    return Promise.race<T | typeof LINGERED>([work, finalEnd]);
  }

  /**
   * Aborts `beside` (a retry's round) with ATTEMPT_CUT at `atMs`, or at once when past it, once
   * this round has failed and `follows()` says another attempt may follow; the result stops that.
   */
  cutOnFailure(beside: Cancellation, atMs: number, follows: () => boolean, now: () => number): () => void {
    let over = false;
    let timer: NodeJS.Timeout | undefined;
    void this.failed.then(() => {
      if (!over && !this.final) timer = setTimeout(() => follows() && beside.abort(ATTEMPT_CUT), Math.max(0, atMs - now()));
    });
    return () => {
      over = true;
      clearTimeout(timer);
    };
  }

  /** Cancels the round (another answer won) and waits for it to record its cancelled attempt. */
  async cancel(): Promise<void> {
    this.controller.abort(new Error('another attempt won'));
    await this.done;
  }
}

/**
 * Starts `start` with a signal that can cancel it and waits at most `afterMs` for it: its result
 * when it came by then, else the round, still running, as a Lingering. `start` is also given what to
 * call when the round's own first attempt fails while its hedges still run.
 */
export async function lingerAfter<J extends Judged>(
  afterMs: number,
  start: (signal: CancelSignal, onFirstFailed: () => void) => Promise<RoundResult<J>>,
): Promise<RoundResult<J> | Lingering<J>> {
  const controller = new Cancellation();
  let lingering: Lingering<J> | undefined;
  let failedEarly = false;
  const round = start(controller.signal, () => (lingering ? lingering.markFirstFailed() : (failedEarly = true)));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), afterMs)));
  const early = await Promise.race([round, timedOut]);
  clearTimeout(timer);
  if (early) return early;
  lingering = new Lingering(round, controller);
  if (failedEarly) lingering.markFirstFailed();
  return lingering;
}
