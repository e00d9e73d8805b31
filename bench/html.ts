/**
 * A self-contained HTML report: no script, no external file, charts as inline SVG, so it can be
 * opened from disk or attached to an issue as is.
 */
import { formatColdStart } from './cold-start.js';
import { formatCost } from './cost-report.js';
import type { BenchReport } from './report.js';
import type { RunResult } from './measure.js';
import { HEADERS, rows } from './table.js';
import { esc } from '../local/access-log/svg-charts.js';

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];


/** Log10 scale from [lo, hi] onto [0, width]. */
function logScale(lo: number, hi: number, width: number) {
  const l = Math.log10(Math.max(lo, 0.01));
  const h = Math.log10(Math.max(hi, lo * 10));
  return (v: number) => ((Math.log10(Math.max(v, lo)) - l) / (h - l)) * width;
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let p = Math.floor(Math.log10(Math.max(lo, 0.01))); p <= Math.ceil(Math.log10(hi)); p++) ticks.push(10 ** p);
  return ticks;
}

function successChart(results: RunResult[], label: (id: string) => string, color: (id: string) => string): string {
  const rowH = 26;
  const left = 250;
  const width = 420;
  const h = results.length * rowH + 10;
  const bars = results.map((r, i) => {
    const y = i * rowH + 5;
    const rate = r.successRate ?? 0;
    const text = r.successRate === null ? r.status : `${(rate * 100).toFixed(3)}% (${r.sent - r.succeeded} of ${r.sent} failed)`;
    return `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(label(r.contender))}</text>
<rect x="${left}" y="${y + 3}" width="${(rate * width).toFixed(1)}" height="${rowH - 8}" fill="${color(r.contender)}"/>
<text x="${left + rate * width + 6}" y="${y + 16}">${esc(text)}</text>`;
  });
  return `<svg viewBox="0 0 ${left + width + 200} ${h}" width="${left + width + 200}" height="${h}" role="img" aria-label="success rate">${bars.join('\n')}</svg>`;
}

function percentileChart(results: RunResult[], label: (id: string) => string, color: (id: string) => string): string {
  const ok = results.filter((r) => r.latencyMs);
  if (ok.length === 0) return '';
  const keys = ['p50', 'p95', 'p99'] as const;
  const lo = Math.min(...ok.map((r) => r.latencyMs!.p50)) / 2;
  const hi = Math.max(...ok.map((r) => r.latencyMs!.p99)) * 1.2;
  const left = 250;
  const width = 420;
  const rowH = 14;
  const groupH = keys.length * rowH + 10;
  const x = logScale(lo, hi, width);
  const h = ok.length * groupH + 30;
  const body = ok.flatMap((r, i) => {
    const y0 = i * groupH + 5;
    return [
      `<text x="${left - 8}" y="${y0 + groupH / 2}" text-anchor="end">${esc(label(r.contender))}</text>`,
      ...keys.map((k, j) => {
        const v = r.latencyMs![k];
        const y = y0 + j * rowH;
        return `<rect x="${left}" y="${y}" width="${x(v).toFixed(1)}" height="${rowH - 3}" fill="${color(r.contender)}" opacity="${1 - j * 0.28}"/>
<text x="${left + x(v) + 4}" y="${y + 10}" font-size="10">${k} ${v.toFixed(1)} ms</text>`;
      }),
    ];
  });
  const ticks = logTicks(lo, hi).filter((t) => t >= lo && t <= hi).map((t) => `<line x1="${left + x(t)}" x2="${left + x(t)}" y1="0" y2="${h - 20}" stroke="#ddd"/><text x="${left + x(t)}" y="${h - 6}" font-size="10" text-anchor="middle">${t} ms</text>`);
  return `<svg viewBox="0 0 ${left + width + 120} ${h}" width="${left + width + 120}" height="${h}" role="img" aria-label="latency percentiles">${ticks.join('')}${body.join('\n')}</svg>`;
}

function cdfChart(results: RunResult[], label: (id: string) => string, color: (id: string) => string): string {
  const ok = results.filter((r) => r.cdf.length > 0);
  if (ok.length === 0) return '';
  const all = ok.flatMap((r) => r.cdf.map(([ms]) => ms));
  const lo = Math.max(0.05, Math.min(...all) / 1.5);
  const hi = Math.max(...all) * 1.2;
  const [w, h, left, top] = [560, 240, 50, 10];
  const x = logScale(lo, hi, w);
  // "Nines" scale: 0.9, 0.99 and 0.999 evenly spaced, so the tail is as visible as the median.
  const nines = (share: number) => (share >= 1 ? 3.3 : Math.min(3, -Math.log10(1 - share)));
  const y = (share: number) => top + (1 - nines(share) / 3.3) * h;
  const lines = ok.map((r) => {
    const pts = r.cdf.map(([ms, s]) => `${(left + x(ms)).toFixed(1)},${y(s).toFixed(1)}`).join(' ');
    return `<polyline points="${pts}" fill="none" stroke="${color(r.contender)}" stroke-width="2"/>`;
  });
  const xTicks = logTicks(lo, hi).filter((t) => t >= lo && t <= hi).map((t) => `<line x1="${left + x(t)}" x2="${left + x(t)}" y1="${top}" y2="${top + h}" stroke="#ddd"/><text x="${left + x(t)}" y="${top + h + 14}" font-size="10" text-anchor="middle">${t} ms</text>`);
  const yTicks = [[0, '0'], [0.5, '0.5'], [0.9, '0.9'], [0.99, '0.99'], [0.999, '0.999'], [1, 'max']] as const;
  const yAxis = yTicks.map(([s, text]) => `<line x1="${left}" x2="${left + w}" y1="${y(s)}" y2="${y(s)}" stroke="#eee"/><text x="${left - 4}" y="${y(s) + 3}" font-size="10" text-anchor="end">${text}</text>`);
  const legend = ok.map((r, i) => `<rect x="${left + w + 14}" y="${top + i * 16}" width="10" height="10" fill="${color(r.contender)}"/><text x="${left + w + 28}" y="${top + i * 16 + 9}" font-size="11">${esc(label(r.contender))}</text>`);
  return `<svg viewBox="0 0 ${left + w + 260} ${h + 30}" width="${left + w + 260}" height="${h + 30}" role="img" aria-label="latency distribution (CDF)">${xTicks.join('')}${yAxis.join('')}${lines.join('')}${legend.join('')}</svg>`;
}

export function renderHtml(report: BenchReport): string {
  const label = (id: string) => report.contenders.find((c) => c.id === id)?.label ?? id;
  const color = (id: string) => PALETTE[Math.max(0, report.contenders.findIndex((c) => c.id === id)) % PALETTE.length]!;
  const sections = report.scenarios.map((s) => {
    const results = report.results.filter((r) => r.scenario === s.id);
    const ran = results.filter((r) => r.status === 'ok');
    const cells = rows(results, report.scenarios, report.contenders);
    return `<section>
<h2>${esc(s.label)}</h2>
<p>${esc(s.description)} ${s.requests} requests per contender, ${s.ratePerSec ? `${s.ratePerSec}/s, at most ${s.concurrency} in flight` : `${s.concurrency} in flight`}.</p>
<table><thead><tr>${HEADERS.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${cells.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>
${ran.length ? `<h3>Success rate</h3>${successChart(ran, label, color)}
<h3>Latency percentiles (log scale)</h3>${percentileChart(ran, label, color)}
<h3>Latency distribution (share of requests answered within a latency; both axes stretched towards the tail)</h3>${cdfChart(ran, label, color)}` : '<p>No contender ran in this scenario.</p>'}
</section>`;
  });
  const env = report.environment;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>alb-retry-proxy bench ${esc(report.startedAt)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
td:nth-child(n+3):nth-child(-n+8) { text-align: right; font-variant-numeric: tabular-nums; }
svg { font: 12px system-ui, sans-serif; display: block; margin-bottom: 1rem; }
section { border-top: 1px solid #ddd; margin-top: 1.5rem; }
dt { font-weight: 600; } dd { margin: 0 0 0.4rem 1rem; }
</style></head><body>
<h1>alb-retry-proxy benchmark</h1>
<p>Run ${esc(report.startedAt)} (${(report.durationMs / 1000).toFixed(0)} s), <code>${esc(report.command)}</code>, seed ${report.seed}${report.quick ? ', <strong>quick mode</strong> (smoke run: too few requests for the figures to mean much)' : ''}.
Node ${esc(env.node)} on ${esc(env.platform)}, ${env.cpus} CPU(s) (${esc(env.cpuModel)}); nginx: ${esc(env.nginx ?? 'not available')}.
Everything on 127.0.0.1; the simulated origin scales HOSP's 2-20 s latency down 100x.</p>
<h2>Contenders</h2><dl>${report.contenders.map((c) => `<dt>${esc(c.label)}</dt><dd>${esc(c.description)}</dd>`).join('')}</dl>
${sections.join('\n')}
${report.cost ? `<section><h2>Cold start and cost per request</h2><pre>${esc([...(report.coldStart ?? []).map(formatColdStart), formatCost(report.cost)].join('\n\n'))}</pre></section>` : ''}
<section><h2>nginx configuration (max_fails=0, use_stale variant)</h2><pre>${esc(report.nginxConfigExample)}</pre></section>
</body></html>
`;
}
