/**
 * What the bench reports about the execution environments of one run: how many served it, cold
 * starts, init time, memory-cache hit rate and billed GB-seconds.
 *
 * Billed GB-seconds are duration x memory, init included, of the measured requests: the figure a cost model
 * multiplies by Lambda's price. Pure: counters in, figures out.
 */
import { gbSeconds, POOL_DEFAULTS, type PoolStats } from '../local/environments/pool.js';

export interface PoolFigures {
  /** Pool mode (one request at a time per environment) or one instance serving everything at once. */
  mode: 'pool' | 'single';
  /** Most environments alive at once (warm-up included: it is what the run had to draw on). */
  environments: number;
  /** Cold starts during the measured requests, and in all (warm-up included). */
  coldStarts: number;
  coldStartsTotal: number;
  /** Mean init (bundle import in the environment) over every cold start, ms. */
  initMsMean: number | null;
  /** Requests answered from the memory caches (any environment's), share of sent. */
  memoryHitRate: number | null;
  /** Throttled requests (ALB's 502 LambdaThrottling) during the measured requests. */
  throttles: number;
  /** Billed duration of the measured requests (and the inits they caused) x memory, GB-s. */
  billedGbSeconds: number;
  memoryMb: number;
}

/** Figures of a measured phase, from the pool's counters before and after it. */
export function poolFigures(mode: PoolFigures['mode'], before: PoolStats, after: PoolStats, hits: number, sent: number): PoolFigures {
  return {
    mode,
    environments: after.peakEnvironments,
    coldStarts: after.coldStarts - before.coldStarts,
    coldStartsTotal: after.coldStarts,
    initMsMean: after.coldStarts === 0 ? null : after.initMsTotal / after.coldStarts,
    memoryHitRate: sent === 0 ? null : hits / sent,
    throttles: after.throttles - before.throttles,
    billedGbSeconds: after.gbSeconds - before.gbSeconds,
    memoryMb: after.memoryMb,
  };
}

/**
 * Waits until nothing is running or starting in the pool: a warm-up cut short by its time cap leaves
 * requests (and cold starts) in flight that would otherwise count against the measured run's cap.
 */
export async function settled(poolStats: () => Promise<PoolStats>, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await poolStats();
    if ((s.busy === 0 && s.starting === 0) || Date.now() > until) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The Notes cell text. */
export function poolNote(f: PoolFigures): string {
  const init = f.initMsMean === null ? '' : `, init ${f.initMsMean.toFixed(0)} ms mean`;
  const where = f.mode === 'single' ? '1 instance serving all at once (not like Lambda)' : `${f.environments} env(s)`;
  const hits = f.memoryHitRate === null || f.memoryHitRate === 0 ? '' : `, memory-cache hits ${(f.memoryHitRate * 100).toFixed(1)}%`;
  const throttles = f.throttles > 0 ? `, ${f.throttles} throttled` : '';
  return `${where}, ${f.coldStarts} cold start(s) in run (${f.coldStartsTotal} in all${init})${hits}${throttles}, ${f.billedGbSeconds.toFixed(2)} GB-s billed`;
}

/**
 * Counters for the single in-process instance, shaped like the pool's: one environment, one init,
 * every request's duration billed as if it had been its own invocation (which is what Lambda would
 * bill for the same requests).
 */
export class SingleInstanceMeter {
  private billedMs = 0;
  private invocations = 0;

  constructor(private readonly initMs: number, private readonly memoryMb: number = POOL_DEFAULTS.memoryMb) {
    this.billedMs = Math.ceil(initMs);
  }

  add(durationMs: number): void {
    this.billedMs += Math.ceil(durationMs);
    this.invocations += 1;
  }

  stats(): PoolStats {
    return {
      environments: 1, busy: 0, starting: 0, peakEnvironments: 1, coldStarts: 1, invocations: this.invocations, throttles: 0, reaped: 0,
      initMsTotal: this.initMs, initMsMax: this.initMs, firstRequestMsTotal: 0, billedMs: this.billedMs, memoryMb: this.memoryMb,
      gbSeconds: gbSeconds(this.billedMs, this.memoryMb),
    };
  }
}
