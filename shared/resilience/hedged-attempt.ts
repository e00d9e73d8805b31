/**
 * One round of the retry loop: an attempt plus hedges, the first final outcome wins and the others
 * are cancelled.
 */
import { OriginError } from '../http/errors.js';
import type { AttemptRecord, CancelSignal, OriginRequest } from '../http/types.js';
import type { OriginClient } from '../origin/client.js';
import type { AttemptOutcome } from '../http/outcome.js';
import { ATTEMPT_CUT } from './cancellation.js';

/** What the round needs to know of a judged outcome: whether it ends the round. */
export interface Judged {
  readonly outcome: AttemptOutcome;
  readonly final: boolean;
}

export interface RoundOptions<J extends Judged> {
  readonly client: OriginClient;
  /** Per-attempt timeout for an attempt started now (already cut to the deadline). */
  readonly timeoutMs: () => number;
  /**
   * Judges an outcome once (the retry policy's classification and decision); `final` when it is not
   * worth waiting for another attempt of this round. The round returns the deciding judgement.
   */
  readonly judge: (outcome: AttemptOutcome) => J;
  /** Delay before each hedge, or undefined for a single attempt. */
  readonly hedgeAfterMs: number | undefined;
  /** Extra parallel attempts allowed in this round. */
  readonly maxHedges: number;
  /** Asked before each hedge (retry budget, deadline); false means no hedge. */
  readonly mayHedge: () => boolean;
  /**
   * Cancels every attempt of the round (the round then ends with their cancellation): a lingering
   * first attempt that another round's answer made useless. Omitted: only a winning hedge cancels.
   */
  readonly signal?: CancelSignal;
  /** Numbers the attempts across the whole exchange. */
  readonly nextAttemptNumber: () => number;
  /** Called for every attempt that ended on its own (not cancelled), in completion order. */
  readonly onAttempt: (record: AttemptRecord) => void;
  readonly now: () => number;
  /** Called when the round's own (unhedged) attempt ended with a failure worth retrying, its hedges maybe still running. */
  readonly onOriginalFailed?: (() => void) | undefined;
}

export interface RoundResult<J extends Judged> {
  /** The deciding attempt's outcome, judged. */
  readonly judged: J;
  /** The deciding attempt was a hedge. */
  readonly hedgeWon: boolean;
  readonly hedgesSent: number;
  /** How long the deciding attempt took. */
  readonly decidingMs?: number;
  /** Records of the attempts cancelled because another one won. */
  readonly cancelled: readonly AttemptRecord[];
  /**
   * A hedge's refusal (final, not a success) held back because the round's own attempt failed beside
   * it: the round then ends with that failure, so that its retries go on, and the refusal is the
   * exchange's answer only if no attempt brings a response at all.
   */
  readonly heldRefusal?: J;
}

/**
 * One round of the retry loop: an attempt, plus hedges (The Tail at Scale) when it has not
 * answered within `hedgeAfterMs`. The first final outcome wins and the others are aborted, which
 * destroys their node:http requests. A retryable failure while another attempt is still running waits
 * for that one: the round ends with a failure only when every attempt in it failed.
 */
export function runRound<J extends Judged>(request: OriginRequest, options: RoundOptions<J>): Promise<RoundResult<J>> {
  return new Promise((resolve) => {
    // Keyed by the attempt; the controller exists only when a hedge may start, because only a
    // winning hedge cancels another attempt (a single attempt ends on its own timeout).
    const running = new Map<object, { n: number; started: number; hedge: boolean; controller?: AbortController }>();
    let hedgesSent = 0;
    let settled = false;
    // The first hedge refusal (held back, never deciding), and the original's own response or failure.
    let held: J | undefined;
    let originalResponse: J | undefined;
    let originalFailure: J | undefined;
    // When every attempt of the round fails, the origin's answer (a 503) says more than a broken
    // connection of another attempt: keep the first failure that carries a response.
    let failedWithResponse: J | undefined;
    const fromHedge = new Set<J>();
    let hedgeTimer: NodeJS.Timeout | undefined;

    const settle = (judged: J, hedgeWon: boolean, decidingMs?: number, heldRefusal?: J): void => {
      settled = true;
      clearTimeout(hedgeTimer);
      const cancelled: AttemptRecord[] = [];
      for (const info of running.values()) {
        info.controller?.abort(new Error('another attempt won'));
        cancelled.push({ n: info.n, outcome: 'cancelled', ms: options.now() - info.started, ...(info.hedge ? { hedge: true } : {}) });
      }
      running.clear();
      resolve({ judged, hedgeWon, hedgesSent, cancelled, ...(decidingMs !== undefined ? { decidingMs } : {}), ...(heldRefusal ? { heldRefusal } : {}) });
    };

    const launch = (hedge: boolean): void => {
      const controller = options.hedgeAfterMs === undefined ? undefined : new AbortController();
      const info = { n: options.nextAttemptNumber(), started: options.now(), hedge, controller };
      // Unhedged, the round's own signal cancels its one attempt; hedged, each has its controller.
      const signal = controller?.signal ?? options.signal;
      running.set(info, info);
      options.client
        .send(request, signal ? { timeoutMs: options.timeoutMs(), signal } : { timeoutMs: options.timeoutMs() })
        .then(
          (response): AttemptOutcome => ({ response }),
          (error: unknown): AttemptOutcome => ({
            error: error instanceof OriginError ? error : new OriginError('proxy_internal_error', true, String(error), { cause: error }),
          }),
        )
        .then((outcome) => {
          if (settled || !running.delete(info)) return;
          // An attempt that failed after the round's signal fired was cancelled by it, not timed out.
          const cancelled = options.signal?.aborted === true && 'error' in outcome && options.signal.reason !== ATTEMPT_CUT;
          const record: AttemptRecord = {
            n: info.n,
            outcome: 'response' in outcome ? outcome.response.status : cancelled ? 'cancelled' : outcome.error.kind,
            ms: options.now() - info.started,
            ...(hedge ? { hedge: true } : {}),
          };
          options.onAttempt(record);
          const judged = options.judge(outcome);
          // A hedge's refusal (a 429, 409 or 404: not a success) never ends the round: the origin may be
          // refusing the duplicate of what it is answering, and the round's own attempt (running, or
          // failed beside it and owed its retry) decides. Any response stands over it; it is the
          // exchange's answer only if no attempt brings a response (RoundResult.heldRefusal).
          const refusal = hedge && !('response' in outcome && outcome.response.status < 400);
          if (judged.final && !refusal) return settle(judged, hedge, record.ms);
          if (judged.final) held ??= judged;
          else if (!hedge && !('response' in outcome)) originalFailure = judged;
          else if ('response' in outcome) {
            if (!hedge) originalResponse = judged;
            failedWithResponse ??= judged;
            if (hedge) fromHedge.add(judged);
          }
          if (!hedge && !judged.final) options.onOriginalFailed?.();
          if (running.size > 0) return;
          // All ended: the original's response, else this one's, else another's, else the original's
          // failure (the original is never a refusal: a final outcome of its own settled the round).
          const answer = originalResponse ?? ('response' in outcome && !judged.final ? judged : failedWithResponse);
          if (answer) settle(answer, fromHedge.has(answer));
          else settle(originalFailure ?? judged, false, undefined, held);
        });
    };

    const scheduleHedge = (): void => {
      if (options.hedgeAfterMs === undefined || hedgesSent >= options.maxHedges) return;
      hedgeTimer = setTimeout(() => {
        if (settled || running.size === 0 || options.signal?.aborted || !options.mayHedge()) return;
        hedgesSent += 1;
        launch(true);
        scheduleHedge();
      }, options.hedgeAfterMs);
    };

    if (options.hedgeAfterMs !== undefined) {
      options.signal?.addEventListener('abort', () => {
        for (const info of running.values()) info.controller?.abort(options.signal!.reason);
      }, { once: true });
    }
    launch(false);
    scheduleHedge();
  });
}
