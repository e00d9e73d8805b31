/**
 * The full bench run's last part: the cold-start figures (memory mode, and S3 mode against s3rver
 * unless `--quick`) and the cost section built from the scenarios just measured, INIT taken from
 * the memory-mode cold start (import plus first request).
 */
import { formatColdStart, measureColdStart, STEADY_AFTER, type ColdStartFigures } from './cold-start.js';
import { costSection, formatCost, type CostSection } from './cost-report.js';
import type { RunResult } from './measure.js';

export interface ColdStartAndCost {
  readonly coldStart: readonly ColdStartFigures[];
  readonly cost: CostSection;
  /** Both, as the terminal shows them. */
  readonly text: string;
}

export async function measureColdStartAndCost(results: readonly RunResult[], quick: boolean): Promise<ColdStartAndCost> {
  const coldStart = [await measureColdStart(quick ? 1 : 9, quick ? 50 : 500, { steadyAfter: quick ? 0 : STEADY_AFTER })];
  if (!quick) coldStart.push(await measureColdStart(5, 200, { store: 's3' }));
  const memory = coldStart[0]!;
  const cost = costSection(results, { initMs: memory.importMs + memory.firstRequestMs });
  return { coldStart, cost, text: [...coldStart.map(formatColdStart), formatCost(cost)].join('\n\n') };
}
