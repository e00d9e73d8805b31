/**
 * A pool of execution environments, run the way Lambda runs a function.
 *
 * One invocation at a time per environment; a new environment (a cold start: init, then its first
 * request) only when every existing one is busy; the most recently used idle one first; idle ones
 * reaped after a while; and past `maxEnvironments` (reserved concurrency) the invocation is
 * throttled.
 */
import type { ALBEvent } from 'aws-lambda';
import { ExecutionEnvironment } from './environment.js';
import { checkPoolKnob, POOL_DEFAULTS } from './pool-options.js';
import { functionError, THROTTLED, timedOut, withinTimeout, type FunctionTarget, type InvokeOutcome } from './target.js';

export interface PoolOptions {
  /** The built bundle the environments import. */
  readonly bundleFile: string;
  /** The function's environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reserved concurrency: environments at most. @default 10 */
  readonly maxEnvironments?: number;
  /** An environment idle this long is reaped (Lambda keeps idle ones minutes, not forever). @default 300000 */
  readonly idleTimeoutMs?: number;
  /** The function's memory size, for the context and GB-seconds. @default 256 (the template's FunctionMemorySize) */
  readonly memoryMb?: number;
  /** How often to look for idle environments to reap; 0 never (call `reap()`). @default 10000 */
  readonly reapEveryMs?: number;
  /** The pool's clock (idle times), injectable for tests. @default Date.now */
  readonly now?: () => number;
}

// Defined with the knobs' limits; exported here too, where the pool's users look for them.
export { POOL_DEFAULTS };

/** Lambda's billed GB-seconds: billed milliseconds times the memory size in GB. */
export function gbSeconds(billedMs: number, memoryMb: number): number {
  return (billedMs / 1000) * (memoryMb / 1024);
}

/** Counters since the pool started. */
export interface PoolStats {
  /** Environments alive now. */
  readonly environments: number;
  readonly busy: number;
  /** Environments in their init now (not yet counted in `environments`). */
  readonly starting: number;
  /** Most environments alive at once. */
  readonly peakEnvironments: number;
  readonly coldStarts: number;
  readonly invocations: number;
  readonly throttles: number;
  readonly reaped: number;
  /** Sum and max of the init phases (bundle import inside the environment), ms. */
  readonly initMsTotal: number;
  readonly initMsMax: number;
  /** Sum of the first request of each new environment, ms. */
  readonly firstRequestMsTotal: number;
  /** Init plus every invocation's duration, each rounded up to 1 ms as Lambda bills. */
  readonly billedMs: number;
  readonly memoryMb: number;
  /** billedMs x memory: what Lambda's duration charge counts (init included). */
  readonly gbSeconds: number;
}

export class EnvironmentPool implements FunctionTarget {
  private readonly options: Required<Omit<PoolOptions, 'now'>> & { now: () => number };
  /** Idle environments, least recently used first: the next invocation takes the last. */
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly all = new Set<ExecutionEnvironment>();
  /** Environments being created count against the cap too. */
  private starting = 0;
  private nextId = 1;
  private requestSeq = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private counters = { peakEnvironments: 0, coldStarts: 0, invocations: 0, throttles: 0, reaped: 0, initMsTotal: 0, initMsMax: 0, firstRequestMsTotal: 0, billedMs: 0 };

  constructor(options: PoolOptions) {
    this.options = { ...POOL_DEFAULTS, now: Date.now, ...options };
    for (const name of ['maxEnvironments', 'idleTimeoutMs', 'memoryMb'] as const) checkPoolKnob(name, this.options[name]);
    if (this.options.reapEveryMs > 0) {
      this.timer = setInterval(() => void this.reap(), this.options.reapEveryMs);
      this.timer.unref();
    }
  }

  async invoke(event: ALBEvent, timeoutMs: number): Promise<InvokeOutcome> {
    if (this.closed) return { status: 502, reason: 'LambdaUnhandled', message: 'the pool is closed', reachedTarget: false };
    let env = this.idle.pop();
    while (env && !env.alive) {
      // A worker that died while frozen (a native crash) is gone, as a failed Lambda environment is.
      this.all.delete(env);
      env = this.idle.pop();
    }
    let cold = false;
    if (!env) {
      if (this.all.size + this.starting >= this.options.maxEnvironments) {
        this.counters.throttles += 1;
        return THROTTLED;
      }
      try {
        env = await this.create();
      } catch (error) {
        return { status: 502, reason: 'LambdaUnhandled', message: (error as Error).message, reachedTarget: true };
      }
      cold = true;
    }
    env.busy = true;
    const deadline = Date.now() + timeoutMs;
    const reply = await withinTimeout(env.invoke(event, deadline, `local-${++this.requestSeq}`), timeoutMs);
    this.counters.invocations += 1;
    const durationMs = reply === 'timeout' ? timeoutMs : reply.durationMs;
    this.counters.billedMs += Math.ceil(durationMs);
    if (cold) this.counters.firstRequestMsTotal += durationMs;
    if (reply === 'timeout' || ('error' in reply && !env.alive)) {
      // Lambda discards an environment whose invocation timed out or crashed; the next one starts cold.
      await this.remove(env); // still busy: terminated, not asked to leave its loop
      return reply === 'timeout' ? timedOut(timeoutMs) : functionError(reply.error);
    }
    // A handler that threw (or rejected) leaves its environment as it was, warm, as Lambda does.
    env.busy = false;
    env.lastUsed = this.options.now();
    if (this.closed || !env.alive) await this.remove(env);
    else this.idle.push(env);
    return 'error' in reply ? functionError(reply.error) : { result: reply.result };
  }

  /** Stops every idle environment unused for `idleTimeoutMs`; returns how many. */
  async reap(): Promise<number> {
    const cutoff = this.options.now() - this.options.idleTimeoutMs;
    const stale = this.idle.filter((env) => env.lastUsed <= cutoff);
    await Promise.all(stale.map((env) => this.remove(env)));
    this.counters.reaped += stale.length;
    return stale.length;
  }

  stats(): PoolStats {
    const c = this.counters;
    return {
      ...c,
      environments: this.all.size,
      busy: [...this.all].filter((env) => env.busy).length,
      starting: this.starting,
      memoryMb: this.options.memoryMb,
      gbSeconds: gbSeconds(c.billedMs, this.options.memoryMb),
    };
  }

  /** One line for `npm start`'s running line. */
  describe(): string {
    const s = this.stats();
    return `environments=${s.environments}/${this.options.maxEnvironments} busy=${s.busy} cold-starts=${s.coldStarts} throttles=${s.throttles}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([...this.all].map((env) => this.remove(env)));
  }

  private async create(): Promise<ExecutionEnvironment> {
    this.starting += 1;
    try {
      const env = await ExecutionEnvironment.start(this.nextId++, { bundleFile: this.options.bundleFile, env: this.options.env, memoryMb: this.options.memoryMb });
      this.all.add(env);
      this.counters.coldStarts += 1;
      this.counters.initMsTotal += env.initMs;
      this.counters.initMsMax = Math.max(this.counters.initMsMax, env.initMs);
      this.counters.billedMs += Math.ceil(env.initMs);
      this.counters.peakEnvironments = Math.max(this.counters.peakEnvironments, this.all.size);
      return env;
    } finally {
      this.starting -= 1;
    }
  }

  private async remove(env: ExecutionEnvironment): Promise<void> {
    this.all.delete(env);
    const i = this.idle.indexOf(env);
    if (i >= 0) this.idle.splice(i, 1);
    await env.stop();
  }
}
