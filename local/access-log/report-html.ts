/**
 * The analysis as one self-contained HTML file: inline CSS and SVG, no script, font or image to
 * fetch, so it can be attached to a ticket or opened offline. Every value from a log is escaped.
 */
import { int, pct, sec, targetLabel } from './figures.js';
import type { AnalysisReport, LatencySummary } from './report.js';
import { distributionChart, esc, timelineChart } from './svg-charts.js';

export function renderHtmlReport(r: AnalysisReport, generatedAt: Date = new Date()): string {
  const rate = r.successRate === null ? '-' : pct(r.successRate);
  const verdict = r.meetsTarget === null ? 'no requests' : r.meetsTarget ? 'target met' : 'target missed';
  const verdictClass = r.meetsTarget === null ? '' : r.meetsTarget ? 'ok' : 'bad';
  const sections = [
    `<h1>ALB access log report</h1>
<p class="big"><span class="${verdictClass}">${esc(rate)} success</span> against the ${esc(targetLabel(r.target))} target: <b>${esc(verdict)}</b></p>`,
    table(
      ['', ''],
      [
        ['Inputs', `${r.inputs.join(', ')} (${r.sources} files)`],
        ['Period', r.period.first ? `${r.period.first} .. ${r.period.last}` : '-'],
        ['Filter', r.filter.from || r.filter.to ? `${r.filter.from ?? '...'} <= time < ${r.filter.to ?? '...'}` : 'none'],
        ...(r.filter.targetGroupArn ? [['Target group', r.filter.targetGroupArn] as [string, string]] : []),
        ['Lines', `${int(r.lines.total)} (${int(r.lines.malformed)} malformed, ${int(r.lines.outOfRange)} out of range${r.filter.targetGroupArn ? `, ${int(r.lines.otherTargetGroups)} of other target groups` : ''})`],
        ['Requests', int(r.requests)],
        ['5xx', `${int(r.fiveXx.total)}: load balancer ${int(r.fiveXx.elb.total)}, target ${int(r.fiveXx.target.total)}`],
      ],
    ),
    `<h2>Timeline (per ${esc(r.timeline.bucket)})</h2>`,
    timelineChart(r.timeline.points, r.target),
    `<h2>Latency</h2>`,
    distributionChart(r.latency.distribution.edges, r.latency.distribution.target, r.latency.distribution.total),
    table(
      ['seconds', 'count', 'no answer', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean'],
      [latencyRow('target_processing_time', r.latency.target), latencyRow('total', r.latency.total)],
    ),
    `<h2>Status codes</h2>`,
    table(
      ['elb_status_code', 'requests', 'share'],
      Object.entries(r.byStatus).map(([code, n]) => [code, int(n), pct(n / r.requests)]),
    ),
  ];
  if (r.fiveXx.total > 0) {
    sections.push(
      `<h2>5xx by origin</h2>`,
      table(['from', 'status', 'error_reason', 'count'], [
        ...r.fiveXx.elb.byStatusAndReason.map((p) => ['load balancer', String(p.status), p.errorReason, int(p.count)]),
        ...Object.entries(r.fiveXx.target.byStatus).map(([c, n]) => ['target', c, '-', int(n)]),
      ]),
      `<h2>Top failing paths</h2>`,
      table(
        ['path', r.topFailingPaths.exact ? '5xx' : `5xx (may be low by ${r.topFailingPaths.maxUndercount})`, 'share of 5xx'],
        r.topFailingPaths.paths.map((p) => [p.path, int(p.failures), pct(p.share)]),
      ),
    );
  }
  if (r.byRoute) {
    sections.push(
      `<h2>By route</h2>`,
      table(['route', 'requests', '5xx', 'success'], r.byRoute.map((row) => [row.route, int(row.requests), int(row.fiveXx), row.requests === 0 ? '-' : pct(row.successRate)])),
    );
  }
  if (r.malformed.length > 0) {
    sections.push(
      `<h2>Malformed lines (${int(r.lines.malformed)})</h2>`,
      table(['where', 'why', 'line starts'], r.malformed.map((m) => [`${m.source}:${m.line}`, m.error, m.text])),
    );
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ALB access log report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.8em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.big{font-size:1.3em}.ok{color:#1d7a3e;font-weight:bold}.bad{color:#b42323;font-weight:bold}
svg{width:100%;height:auto}footer{color:#777;margin-top:2em}
</style>
</head>
<body>
${sections.join('\n')}
<footer>Generated ${esc(generatedAt.toISOString())} by npm run logs. Success means elb_status_code &lt; 500.</footer>
</body>
</html>
`;
}

function table(head: string[], rows: string[][]): string {
  const th = head.some((h) => h !== '') ? `<tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>` : '';
  const tr = rows.map(
    (row) => `<tr>${row.map((c) => `<td${/^[\d,.%-]+$/.test(c) ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`,
  );
  return `<table>${th}${tr.join('')}</table>`;
}

function latencyRow(name: string, s: LatencySummary): string[] {
  return [name, int(s.count), int(s.noAnswer), ...[s.p50, s.p90, s.p95, s.p99, s.p999, s.max, s.mean].map(sec)];
}

