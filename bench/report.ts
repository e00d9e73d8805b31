/** The report document (`bench/results/<date>.json`): its shape, and the deltas filled in before writing. */
import type { ColdStartFigures } from './cold-start.js';
import type { CostSection } from './cost-report.js';
import type { RunResult } from './measure.js';
import type { Contender, Scenario } from './scenarios.js';

export const REPORT_SCHEMA = 'alb-retry-proxy-bench/1';

export interface BenchReport {
  schema: typeof REPORT_SCHEMA;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  command: string;
  quick: boolean;
  seed: number;
  environment: { node: string; platform: string; cpus: number; cpuModel: string; nginx: string | null };
  contenders: Pick<Contender, 'id' | 'label' | 'description' | 'kind'>[];
  scenarios: (Pick<Scenario, 'id' | 'label' | 'description' | 'origin' | 'concurrency' | 'ratePerSec' | 'contenders' | 'outage'> & { requests: number })[];
  results: RunResult[];
  /** bench/cold-start.ts: memory mode, then S3 mode (not in a quick run). */
  coldStart?: readonly ColdStartFigures[];
  /** bench/cost-report.ts: Lambda cost per million requests beside EC2 running nginx. */
  cost?: CostSection;
  nginxConfigExample: string;
}

/** Fills in each row's latency added over the direct row of the same scenario. */
export function addDirectDeltas(results: RunResult[]): void {
  for (const r of results) {
    const direct = results.find((d) => d.scenario === r.scenario && d.contender === 'direct' && d.latencyMs);
    if (r.contender === 'direct' || !direct || !r.latencyMs || r.scenario !== 'healthy') continue;
    r.addedLatencyMs = {
      p50: Math.round((r.latencyMs.p50 - direct.latencyMs!.p50) * 100) / 100,
      p99: Math.round((r.latencyMs.p99 - direct.latencyMs!.p99) * 100) / 100,
    };
  }
}
