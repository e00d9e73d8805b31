/**
 * One measured run: a contender started fresh, warmed up, then driven through one scenario while
 * the simulated origin counts what reached it. Produces one `RunResult` row, never throws: a
 * contender that cannot start becomes a `skipped` or `failed` row with the reason.
 */
import { performance } from 'node:perf_hooks';
import { ORIGIN_DEFAULTS, type OriginOptions } from '../local/origin.js';
import { inProcessTransport, inProcessUnavailable } from './in-process.js';
import { httpTransport, runLoad, type Outcome, type Transport } from './load.js';
import { startNginx, type NginxBinary } from './nginx.js';
import type { OriginProcess } from './origin-process.js';
import { join } from 'node:path';
import { oursUnavailable, startOurs } from './ours.js';
import { poolFigures, settled, type PoolFigures } from './pool-figures.js';
import type { PoolStats } from '../local/environments/pool.js';
import { requestRandom, type Contender, type Scenario } from './scenarios.js';
import { cdf, countBy, isSuccess, summarize, type LatencySummary } from './stats.js';
import { groupFigures, type GroupFigures } from './groups.js';
import type { LoadRequest } from './load.js';

export interface RunResult {
  scenario: string;
  contender: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  planned: number;
  sent: number;
  succeeded: number;
  /** Share of sent requests answered 2xx/3xx, 0..1; null when nothing was sent. */
  successRate: number | null;
  statuses: Record<string, number>;
  /** Requests that got no HTTP response, by error code. */
  errors: Record<string, number>;
  /** Failed requests by why our proxy stopped trying (Proxy-Status `stop=`); empty for nginx and direct. */
  failedStops: Record<string, number>;
  /** Responses by where the proxy says they came from (hit, stale, miss). */
  cache: Record<string, number>;
  /** Latency of every sent request, failures included, ms. */
  latencyMs: LatencySummary | null;
  cdf: [number, number][];
  durationMs: number;
  throughputRps: number;
  /** The time cap stopped the run early. */
  capped: boolean;
  origin: { requests: number; perClientRequest: number | null; failuresInjected: number; duplicates: number; duringOutage: number };
  /** Figures per request group, for a scenario with `groupOf` (POST: declared vs undeclared; broken endpoint: healthy vs broken paths). */
  groups?: Record<string, GroupFigures>;
  /** Execution environments, cold starts, memory-cache hit rate and billed GB-s (ours and in-process rows). */
  pool?: PoolFigures;
  /** p50/p99 minus the direct row's, same scenario (filled in by the caller). */
  addedLatencyMs?: { p50: number; p99: number };
  outage?: {
    windowMs: number;
    clientRequests: number;
    succeeded: number;
    successRate: number | null;
    originRequests: number;
    originPerClientRequest: number | null;
    /** Success of the requests sent after the origin recovered: shows how fast a proxy notices. */
    afterSuccessRate: number | null;
  };
}

export interface RunContext {
  origin: OriginProcess;
  nginx: NginxBinary | { missing: string };
  quick: boolean;
  seed: number;
  /** Directory for the emulator's ALB-format access logs (`<scenario>--<contender>.log`); none when unset. */
  accessLogDir?: string;
  /** The bundle "ours" loads into its execution environments (built once per bench run). */
  bundleFile?: string;
  onOutcome(): void;
}

const BASE_ORIGIN: Partial<OriginOptions> = (({ port: _port, keepAliveTimeoutMs: _keepAlive, ...rest }) => rest)(ORIGIN_DEFAULTS);
const REQUEST_TIMEOUT_MS = 30_000;

export function unavailable(contender: Contender, ctx: Pick<RunContext, 'nginx'>): string | undefined {
  switch (contender.kind) {
    case 'nginx': return 'missing' in ctx.nginx ? ctx.nginx.missing : undefined;
    case 'ours': return oursUnavailable();
    case 'in-process': return inProcessUnavailable();
    default: return undefined;
  }
}

type Started = Transport & { stop(): Promise<void>; poolStats?: () => Promise<PoolStats> };

async function startContender(scenario: Scenario, contender: Contender, ctx: RunContext, concurrency: number): Promise<Started> {
  const http = (url: string, stop: () => Promise<void>) => {
    const t = httpTransport(url, concurrency, REQUEST_TIMEOUT_MS);
    return { send: t.send, close: t.close, stop: async () => { await t.close(); await stop(); } };
  };
  switch (contender.kind) {
    case 'direct': return http(ctx.origin.url, async () => undefined);
    case 'nginx': {
      const n = await startNginx(ctx.nginx as NginxBinary, contender.nginx!, ctx.origin.port);
      return http(n.url, n.stop);
    }
    case 'ours': {
      const accessLog: Record<string, string> = ctx.accessLogDir ? { ACCESS_LOG: join(ctx.accessLogDir, `${scenario.id}--${contender.id}.log`) } : {};
      if (!ctx.bundleFile) throw new Error('no bundle built for the execution environments (RunContext.bundleFile)');
      const o = await startOurs(ctx.origin.url, { ...contender.env, ...scenario.env, ...accessLog }, { bundleFile: ctx.bundleFile, maxEnvironments: concurrency });
      return { ...http(o.url, o.stop), poolStats: o.poolStats };
    }
    case 'in-process': {
      const t = await inProcessTransport(ctx.origin.url, { ...contender.env, ...scenario.env });
      return { ...t, stop: t.close };
    }
  }
}

function emptyResult(scenario: Scenario, contender: Contender, planned: number, status: 'skipped' | 'failed', reason: string): RunResult {
  return {
    scenario: scenario.id, contender: contender.id, status, reason, planned, sent: 0, succeeded: 0, successRate: null,
    statuses: {}, errors: {}, failedStops: {}, cache: {}, latencyMs: null, cdf: [], durationMs: 0, throughputRps: 0, capped: false,
    origin: { requests: 0, perClientRequest: null, failuresInjected: 0, duplicates: 0, duringOutage: 0 },
  };
}

export async function runOne(scenario: Scenario, contender: Contender, ctx: RunContext): Promise<RunResult> {
  const planned = ctx.quick ? scenario.requests.quick : scenario.requests.full;
  const missing = unavailable(contender, ctx);
  if (missing) return emptyResult(scenario, contender, planned, 'skipped', missing);
  const rand = requestRandom(ctx.seed);
  const requests = Array.from({ length: planned }, (_, i) => scenario.make(i, rand));
  let target: Started | undefined;
  try {
    // Warm-up on a quiet, instant origin and on URLs the scenario never asks for (caches stay cold).
    await ctx.origin.configure({ ...BASE_ORIGIN, failureRate: 0, latencyMs: { min: 0, max: 0 } });
    target = await startContender(scenario, contender, ctx, scenario.concurrency);
    await runLoad(target.send, {
      requests: ctx.quick ? 32 : 300, concurrency: scenario.concurrency, timeCapMs: 30_000,
      make: (i) => ({ method: 'GET', path: `/warmup/${i}` }),
    });
    if (target.poolStats) await settled(target.poolStats);
    await ctx.origin.configure({ ...BASE_ORIGIN, ...scenario.origin, seed: ctx.seed });
    await ctx.origin.resetStats();
    const poolBefore = await target.poolStats?.();

    const window = { start: NaN, end: NaN };
    const outageShare = (ctx.quick && scenario.quickOutage) || scenario.outage;
    const outageAt = outageShare && { from: Math.floor(outageShare.from * planned), to: Math.floor(outageShare.to * planned) };
    const t0 = performance.now();
    const load = await runLoad(target.send, {
      requests: planned,
      concurrency: scenario.concurrency,
      ratePerSec: scenario.ratePerSec,
      timeCapMs: ctx.quick ? 20_000 : 120_000,
      make: (i) => requests[i]!,
      before: outageAt && (async (i) => {
        if (i === outageAt.from) {
          await ctx.origin.configure({ outage: true });
          window.start = performance.now() - t0;
        } else if (i === outageAt.to) {
          window.end = performance.now() - t0;
          await ctx.origin.configure({ outage: false });
        }
      }),
      onOutcome: ctx.onOutcome,
    });
    const originStats = await ctx.origin.stats();
    const poolAfter = await target.poolStats?.();
    if (outageAt) await ctx.origin.configure({ outage: false });
    for (let i = load.outcomes.length; i < planned; i++) ctx.onOutcome();
    const result = summarizeRun(scenario, contender, requests, load, originStats, outageAt ? { start: window.start, end: Number.isNaN(window.end) ? load.durationMs : window.end } : undefined);
    if (poolBefore && poolAfter) {
      result.pool = poolFigures(contender.kind === 'ours' ? 'pool' : 'single', poolBefore, poolAfter, result.cache.hit ?? 0, result.sent);
    }
    return result;
  } catch (err) {
    return emptyResult(scenario, contender, planned, 'failed', failureReason(err));
  } finally {
    await target?.stop();
  }
}

function summarizeRun(
  scenario: Scenario,
  contender: Contender,
  requests: readonly LoadRequest[],
  load: { outcomes: Outcome[]; durationMs: number; capped: boolean },
  originStats: Awaited<ReturnType<OriginProcess['stats']>>,
  window: { start: number; end: number } | undefined,
): RunResult {
  const { outcomes } = load;
  const planned = requests.length;
  const succeeded = outcomes.filter(isSuccess).length;
  const share = (n: number, of: number) => (of === 0 ? null : n / of);
  const latencies = outcomes.map((o) => o.ms);
  const result: RunResult = {
    scenario: scenario.id,
    contender: contender.id,
    status: 'ok',
    planned,
    sent: outcomes.length,
    succeeded,
    successRate: share(succeeded, outcomes.length),
    statuses: countBy(outcomes, (o) => o.status?.toString()),
    errors: countBy(outcomes, (o) => o.error),
    failedStops: countBy(outcomes, (o) => (isSuccess(o) ? undefined : o.stop)),
    cache: countBy(outcomes, (o) => o.cache),
    latencyMs: outcomes.length ? summarize(latencies) : null,
    cdf: cdf(latencies),
    durationMs: Math.round(load.durationMs),
    throughputRps: Math.round((outcomes.length / load.durationMs) * 1000 * 10) / 10,
    capped: load.capped,
    origin: {
      requests: originStats.requests,
      perClientRequest: share(originStats.requests, outcomes.length),
      failuresInjected: originStats.failuresInjected,
      duplicates: originStats.duplicates,
      duringOutage: originStats.duringOutage,
    },
  };
  if (scenario.groupOf) result.groups = groupFigures(requests, outcomes, originStats.requestIds, scenario.groupOf);
  if (load.capped) result.reason = `time cap reached after ${outcomes.length} of ${planned} requests`;
  if (window) {
    const inWindow = outcomes.filter((o) => o.startMs >= window.start && o.startMs < window.end);
    const ok = inWindow.filter(isSuccess).length;
    const after = outcomes.filter((o) => o.startMs >= window.end);
    result.outage = {
      windowMs: Math.round(window.end - window.start),
      clientRequests: inWindow.length,
      succeeded: ok,
      successRate: share(ok, inWindow.length),
      originRequests: originStats.duringOutage,
      originPerClientRequest: share(originStats.duringOutage, inWindow.length),
      afterSuccessRate: share(after.filter(isSuccess).length, after.length),
    };
  }
  return result;
}

/** The first line of the error, plus the first line that names an error in a child's output. */
function failureReason(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean);
  const cause = lines.slice(1).find((l) => /\b\w*Error\b|error:/i.test(l));
  return [lines[0] ?? 'unknown error', cause].filter(Boolean).join(': ');
}
