/**
 * The bench report's cost section: per scenario, what the measured run says a request costs on
 * Lambda at HOSP's latencies (bench/cost-model.ts), beside the EC2 instances that would run nginx,
 * and the monthly volume where they cost the same.
 *
 * From each scenario's "ours" row: origin attempts per client request (retries multiply HOSP's
 * latency; a cache hit has none) and the time the proxy added over the direct row (its code, the
 * emulator hop, backoff). Hedges are counted as attempts although they run in parallel, so the
 * figures lean high. INIT is the cold-start bench's import plus first request, on 1% of requests.
 */
import { breakEvenRequestsPerMonth, ec2Cost, EC2_M7G_LARGE, HOURS_PER_MONTH, lambdaCost, LAMBDA_ARM64_US_EAST_1, type Ec2Offer, type LambdaPrices } from './cost-model.js';
import type { RunResult } from './measure.js';
import { CONTENDERS } from './scenarios.js';

/** HOSP's latency range per attempt (2-20 s), the points the report shows. */
export const HOSP_LATENCIES_MS = [2000, 5000, 10000, 20000];

/** The template's FunctionMemorySize default (test/template.test.ts keeps them equal). */
export const DEFAULT_MEMORY_MB = 256;

export interface CostOptions {
  readonly memoryMb?: number;
  readonly initMs: number;
  readonly latenciesMs?: readonly number[];
  readonly prices?: LambdaPrices;
  readonly ec2?: Ec2Offer;
}

export interface CostRow {
  readonly scenario: string;
  readonly contender: string;
  readonly originMs: number;
  readonly attemptsPerRequest: number;
  readonly ownMs: number;
  readonly billedMs: number;
  readonly lambdaUsdPerMillion: number;
  /** Monthly requests below which Lambda is cheaper than the EC2 offer. */
  readonly breakEvenPerMonth: number;
  /** The same as an even rate, requests per second. */
  readonly breakEvenRps: number;
}

export interface CostSection {
  readonly memoryMb: number;
  readonly initMs: number;
  readonly lambdaPrices: LambdaPrices;
  readonly ec2: Ec2Offer & { readonly usdPerMonth: number };
  readonly rows: readonly CostRow[];
}

export function costSection(results: readonly RunResult[], options: CostOptions): CostSection {
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  const prices = options.prices ?? LAMBDA_ARM64_US_EAST_1;
  const ec2 = options.ec2 ?? EC2_M7G_LARGE;
  const rows: CostRow[] = [];
  for (const ours of results) {
    if (ours.status !== 'ok' || !ours.latencyMs || !['ours', 'in-process'].includes(kindOf(ours))) continue;
    const direct = results.find((r) => r.scenario === ours.scenario && r.contender === 'direct' && r.latencyMs);
    if (!direct?.latencyMs) continue;
    const attemptsPerRequest = ours.origin.perClientRequest ?? 1;
    const ownMs = Math.max(0, ours.latencyMs.mean - attemptsPerRequest * direct.latencyMs.mean);
    for (const originMs of options.latenciesMs ?? HOSP_LATENCIES_MS) {
      const lambda = lambdaCost({ attemptsPerRequest, ownMs, originMs, memoryMb, initMs: options.initMs, prices });
      const breakEvenPerMonth = breakEvenRequestsPerMonth(lambda, ec2);
      rows.push({
        scenario: ours.scenario,
        contender: ours.contender,
        originMs,
        attemptsPerRequest,
        ownMs,
        billedMs: lambda.billedMs,
        lambdaUsdPerMillion: lambda.usdPerMillion,
        breakEvenPerMonth,
        breakEvenRps: breakEvenPerMonth / (HOURS_PER_MONTH * 3600),
      });
    }
  }
  return { memoryMb, initMs: options.initMs, lambdaPrices: prices, ec2: { ...ec2, usdPerMonth: ec2Cost(0, 0, ec2).usdPerMonth }, rows };
}

/** "ours" and "in-process" rows are the proxy. */
function kindOf(result: RunResult): string {
  return CONTENDERS.find((c) => c.id === result.contender)?.kind ?? 'unknown';
}

export function formatCost(section: CostSection): string {
  const usd = (n: number): string => (n >= 100 ? `$${n.toFixed(0)}` : `$${n.toFixed(2)}`);
  const count = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(1)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${(n / 1e3).toFixed(0)}k`);
  const { ec2 } = section;
  return [
    `cost per million requests: Lambda arm64 at ${section.memoryMb} MB (INIT ${section.initMs.toFixed(0)} ms on 1% of requests; ${section.lambdaPrices.source})`,
    `  beside ${ec2.instances} x ${ec2.instanceType} running nginx, ${usd(ec2.usdPerMonth)} a month whatever the volume (${ec2.source}); Lambda is cheaper below the break-even volume`,
    `  scenario / contender            HOSP latency  attempts/req  own ms   billed ms   Lambda $/M   break-even /month (req/s)`,
    ...section.rows.map(
      (r) =>
        `  ${`${r.scenario} / ${r.contender}`.padEnd(32)} ${`${(r.originMs / 1000).toFixed(0)} s`.padStart(6)}        ${r.attemptsPerRequest.toFixed(2).padStart(5)}    ${r.ownMs.toFixed(1).padStart(6)}  ${String(r.billedMs).padStart(9)}   ${usd(r.lambdaUsdPerMillion).padStart(9)}   ${count(r.breakEvenPerMonth).padStart(8)} (${r.breakEvenRps.toFixed(2)})`,
    ),
  ].join('\n');
}
