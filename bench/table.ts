/** The results as a terminal table (cli-table3) and as a Markdown table for docs/bench-results.md. */
import Table from 'cli-table3';
import type { RunResult } from './measure.js';
import { poolNote } from './pool-figures.js';

export const HEADERS = ['Scenario', 'Contender', 'Success', 'p50 ms', 'p95 ms', 'p99 ms', 'req/s', 'Origin req per client req', 'Notes'];

export const pct = (x: number | null, digits = 2) => (x === null ? '-' : `${(x * 100).toFixed(digits)}%`);
const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const signed = (x: number) => `${x >= 0 ? '+' : ''}${ms(x)}`;

/** One row of cells per result, in scenario then contender order. */
type Named = { id: string; label: string };

export function rows(results: readonly RunResult[], scenarios: readonly Named[], contenders: readonly Named[]): string[][] {
  const label = (id: string, list: readonly Named[]) => list.find((x) => x.id === id)?.label ?? id;
  return results.map((r) => {
    const scenario = label(r.scenario, scenarios);
    const contender = label(r.contender, contenders);
    if (r.status !== 'ok') return [scenario, contender, r.status, '-', '-', '-', '-', '-', r.reason ?? ''];
    return [
      scenario,
      contender,
      pct(r.successRate, r.scenario === 'healthy' ? 1 : 3),
      ms(r.latencyMs?.p50),
      ms(r.latencyMs?.p95),
      ms(r.latencyMs?.p99),
      r.throughputRps.toFixed(0),
      r.origin.perClientRequest === null ? '-' : r.origin.perClientRequest.toFixed(3),
      notes(r).join('; '),
    ];
  });
}

export function notes(r: RunResult): string[] {
  const out: string[] = [];
  if (r.addedLatencyMs) out.push(`vs direct: p50 ${signed(r.addedLatencyMs.p50)} ms, p99 ${signed(r.addedLatencyMs.p99)} ms`);
  if (r.outage) {
    const o = r.outage;
    out.push(`during outage: ${pct(o.successRate, 1)} ok, origin ${o.originRequests} req (${o.originPerClientRequest?.toFixed(2) ?? '-'}/client req); after: ${pct(o.afterSuccessRate, 1)} ok`);
  }
  const byPath = Object.entries(r.groups ?? {}).filter(([, g]) => g.duplicates === undefined);
  if (byPath.length > 0) out.push(`by path: ${byPath.map(([group, g]) => `${group} ${pct(g.successRate, 2)} ok of ${g.sent}`).join(', ')}`);
  if (r.scenario === 'post') out.push(`${r.origin.duplicates} POSTs reached the origin more than once`);
  for (const [group, g] of Object.entries(r.groups ?? {})) if (g.duplicates !== undefined) out.push(`${group}: ${pct(g.successRate, 2)} ok, ${g.duplicates} repeated`);
  const hits = (r.cache.hit ?? 0) + (r.cache.stale ?? 0);
  if (hits > 0) out.push(`${hits} from cache (${r.cache.stale ?? 0} stale)`);
  const errors = Object.entries(r.errors).map(([code, n]) => `${n} ${code}`);
  if (errors.length) out.push(`no response: ${errors.join(', ')}`);
  const stops = Object.entries(r.failedStops ?? {}).map(([stop, n]) => `${n} ${stop}`);
  if (stops.length) out.push(`failed: ${stops.join(', ')}`);
  if (r.pool) out.push(poolNote(r.pool));
  if (r.capped) out.push(r.reason ?? 'time cap reached');
  return out;
}

export function terminalTable(cells: string[][]): string {
  const table = new Table({ head: HEADERS, wordWrap: true, colWidths: [10, 26, 10, 8, 8, 8, 7, 11, 44] });
  table.push(...cells);
  return table.toString();
}

export function markdownTable(cells: string[][]): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map((_, i) => (i >= 2 && i <= 7 ? ' ---: ' : ' --- ')).join('|')}|`,
    ...cells.map((row) => `| ${row.map(esc).join(' | ')} |`),
  ].join('\n');
}
