/**
 * The analysis as terminal tables (cli-table3). No colours: the output is often piped or pasted
 * into an issue, where escape codes only get in the way.
 */
import Table from 'cli-table3';
import { int, pct, points, sec, targetLabel } from './figures.js';
import type { AnalysisReport, LatencySummary } from './report.js';

/** Timeline rows printed; a longer timeline is summarised and left to `--html` / `--json`. */
export const MAX_TIMELINE_ROWS = 72;

export function renderTextReport(r: AnalysisReport): string {
  const parts = [summary(r), statusTable(r)];
  if (r.fiveXx.total > 0) parts.push(fiveXxTable(r), pathsTable(r));
  if (r.byRoute) parts.push(routesTable(r.byRoute));
  parts.push(latencyTable(r), timelineTable(r));
  if (r.malformed.length > 0) parts.push(malformedTable(r));
  return `${parts.join('\n\n')}\n`;
}

function table(head: string[], aligns?: ('left' | 'right')[]): Table.Table {
  return new Table({ head, style: { head: [], border: [], compact: true }, ...(aligns ? { colAligns: aligns } : {}) });
}

function summary(r: AnalysisReport): string {
  const t = new Table({ style: { head: [], border: [], compact: true } });
  const verdict =
    r.meetsTarget === null ? 'no requests' : r.meetsTarget ? 'MET' : `MISSED by ${points(r.target - r.successRate!)}`;
  t.push(
    { Inputs: `${r.inputs.join(', ')} (${int(r.sources)} file${r.sources === 1 ? '' : 's'})` },
    { Period: r.period.first ? `${r.period.first} .. ${r.period.last}` : '-' },
    ...(r.filter.from || r.filter.to ? [{ Filter: `${r.filter.from ?? '...'} <= time < ${r.filter.to ?? '...'}` }] : []),
    ...(r.filter.targetGroupArn ? [{ 'Target group': r.filter.targetGroupArn }] : []),
    {
      Lines: `${int(r.lines.total)} (${int(r.lines.malformed)} malformed, ${int(r.lines.outOfRange)} out of range, ${r.filter.targetGroupArn ? `${int(r.lines.otherTargetGroups)} of other target groups, ` : ''}${int(r.lines.blank)} blank)`,
    },
    { Requests: int(r.requests) },
    { 'Success rate': `${pct(r.successRate)} (elb_status_code 100-499)` },
    { [`Target ${targetLabel(r.target)}`]: verdict },
    {
      '5xx': `${int(r.fiveXx.total)} (load balancer ${int(r.fiveXx.elb.total)}, target ${int(r.fiveXx.target.total)})`,
    },
  );
  return t.toString();
}

function statusTable(r: AnalysisReport): string {
  const t = table(['elb_status_code', 'requests', 'share'], ['left', 'right', 'right']);
  for (const [code, n] of Object.entries(r.byStatus)) t.push([code, int(n), pct(n / r.requests)]);
  if (r.statusClasses.none > 0) t.push(['- (no response)', int(r.statusClasses.none), pct(r.statusClasses.none / r.requests)]);
  return t.toString();
}

function fiveXxTable(r: AnalysisReport): string {
  const t = table(['5xx from', 'status', 'error_reason', 'count'], ['left', 'left', 'left', 'right']);
  for (const p of r.fiveXx.elb.byStatusAndReason) t.push(['load balancer', String(p.status), p.errorReason, int(p.count)]);
  for (const [code, n] of Object.entries(r.fiveXx.target.byStatus)) t.push(['target', code, '-', int(n)]);
  return t.toString();
}

function pathsTable(r: AnalysisReport): string {
  const head = r.topFailingPaths.exact ? '5xx' : `5xx (may be low by ${r.topFailingPaths.maxUndercount})`;
  const t = table(['top failing paths', head, 'share of 5xx'], ['left', 'right', 'right']);
  for (const p of r.topFailingPaths.paths) t.push([p.path, int(p.failures), pct(p.share)]);
  return t.toString();
}

function routesTable(rows: NonNullable<AnalysisReport['byRoute']>): string {
  const t = table(['route', 'requests', '5xx', 'success'], ['left', ...RIGHT(3)]);
  for (const row of rows) t.push([row.route, int(row.requests), int(row.fiveXx), row.requests === 0 ? '-' : pct(row.successRate)]);
  return t.toString();
}

function latencyTable(r: AnalysisReport): string {
  const t = table(['seconds', 'count', 'no answer', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean'], ['left', ...RIGHT(9)]);
  const row = (name: string, s: LatencySummary): string[] => [
    name,
    int(s.count),
    int(s.noAnswer),
    ...[s.p50, s.p90, s.p95, s.p99, s.p999, s.max, s.mean].map(sec),
  ];
  t.push(row('target_processing_time', r.latency.target), row('total (request+target+response)', r.latency.total));
  return t.toString();
}

function timelineTable(r: AnalysisReport): string {
  const points = r.timeline.points;
  const t = table([`per ${r.timeline.bucket}`, 'requests', '5xx', 'success', 'mean total s', 'max total s'], ['left', ...RIGHT(5)]);
  for (const p of points.slice(0, MAX_TIMELINE_ROWS)) {
    t.push([p.start, int(p.requests), int(p.failures), pct(p.successRate), sec(p.meanTotal), sec(p.maxTotal)]);
  }
  const more = points.length - MAX_TIMELINE_ROWS;
  return more > 0 ? `${t.toString()}\n(${more} more ${r.timeline.bucket}s: see --html or --json)` : t.toString();
}

function malformedTable(r: AnalysisReport): string {
  const t = table(['malformed line', 'why'], ['left', 'left']);
  for (const m of r.malformed) t.push([`${m.source}:${m.line}`, m.error]);
  const more = r.lines.malformed - r.malformed.length;
  return more > 0 ? `${t.toString()}\n(${int(more)} more malformed lines)` : t.toString();
}

const RIGHT = (n: number): 'right'[] => Array<'right'>(n).fill('right');

