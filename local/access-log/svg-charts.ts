/**
 * Inline SVG charts for the HTML report, drawn by hand so the report is one file with no script,
 * font or stylesheet to fetch. Hover text comes from SVG `<title>` elements. Every string from a
 * log goes through `esc`.
 */
import type { TimelinePoint } from './timeline.js';

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const W = 960;
const H = 300;
const M = { left: 64, right: 64, top: 16, bottom: 44 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const n2 = (x: number): string => (Math.round(x * 100) / 100).toString();

/** Requests per bucket (5xx stacked in red) and the success rate as a line against the target. */
export function timelineChart(points: readonly TimelinePoint[], target: number): string {
  if (points.length === 0) return '<p>No requests in range.</p>';
  // reduce, not Math.max(...spread): a month per minute is more arguments than a call may take.
  const maxReq = points.reduce((m, p) => Math.max(m, p.requests), 1);
  const minRate = points.reduce((m, p) => (p.successRate === null ? m : Math.min(m, p.successRate)), target - 0.01);
  // The rate axis zooms in on the interesting band around the target instead of 0..100%.
  const low = Math.max(0, Math.floor(minRate * 100) / 100);
  const bw = PW / points.length;
  const yReq = (v: number): number => M.top + PH - (v / maxReq) * PH;
  const yRate = (v: number): number => M.top + PH - ((v - low) / (1 - low)) * PH;
  const out: string[] = [];
  points.forEach((p, i) => {
    const x = M.left + i * bw;
    const tip = `${p.start}: ${p.requests} requests, ${p.failures} failed (${p.elbFailures} load balancer 5xx, ${p.targetFailures} target 5xx)${
      p.successRate === null ? '' : `, ${(p.successRate * 100).toFixed(3)}% success`
    }`;
    const ok = p.requests - p.failures;
    out.push(
      `<g><title>${esc(tip)}</title>`,
      `<rect x="${n2(x)}" y="${n2(yReq(ok))}" width="${n2(Math.max(bw - 1, 0.5))}" height="${n2(PH - (yReq(ok) - M.top))}" fill="#6b8fd6"/>`,
      p.failures > 0
        ? `<rect x="${n2(x)}" y="${n2(yReq(p.requests))}" width="${n2(Math.max(bw - 1, 0.5))}" height="${n2(yReq(ok) - yReq(p.requests))}" fill="#d64545"/>`
        : '',
      '</g>',
    );
  });
  // One polyline per run of non-empty buckets, so an idle gap is not drawn as a straight line.
  let run: string[] = [];
  const flush = (): void => {
    if (run.length > 0) out.push(`<polyline points="${run.join(' ')}" fill="none" stroke="#222" stroke-width="1.5"/>`);
    run = [];
  };
  points.forEach((p, i) => {
    if (p.successRate === null) return flush();
    run.push(`${n2(M.left + (i + 0.5) * bw)},${n2(yRate(Math.max(low, p.successRate)))}`);
  });
  flush();
  const yt = yRate(target);
  out.push(
    `<line x1="${M.left}" x2="${M.left + PW}" y1="${n2(yt)}" y2="${n2(yt)}" stroke="#2a9d55" stroke-dasharray="6 4"/>`,
    `<text x="${M.left + PW + 4}" y="${n2(yt + 4)}" class="ax">target ${(target * 100).toFixed(0)}%</text>`,
    `<text x="${M.left + PW + 4}" y="${M.top + 4}" class="ax">100%</text>`,
    `<text x="${M.left + PW + 4}" y="${M.top + PH + 4}" class="ax">${(low * 100).toFixed(0)}%</text>`,
    `<text x="${M.left - 6}" y="${M.top + 4}" class="ax" text-anchor="end">${maxReq}</text>`,
    `<text x="${M.left - 6}" y="${M.top + PH + 4}" class="ax" text-anchor="end">0</text>`,
    `<text x="${M.left - 6}" y="${M.top + PH / 2}" class="ax" text-anchor="end">requests</text>`,
  );
  const labels = points.length === 1 ? [0] : [0, Math.floor((points.length - 1) / 2), points.length - 1];
  for (const i of labels) {
    const x = M.left + (i + 0.5) * bw;
    const anchor = i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle';
    out.push(`<text x="${n2(x)}" y="${H - 24}" class="ax" text-anchor="${anchor}">${esc(points[i]!.start.slice(0, 16).replace('T', ' '))}</text>`);
  }
  return svg(out, 'Requests per bucket (red: 5xx) and success rate (line) against the target (dashed)');
}

/**
 * Counts per latency bin, target processing time and total side by side. The count axis is
 * logarithmic: the 2-20 s tail this report exists for is a few percent of requests and would
 * vanish next to the fast majority on a linear axis.
 */
export function distributionChart(edges: readonly number[], target: readonly number[], total: readonly number[]): string {
  const max = Math.max(1, ...target, ...total);
  const top = Math.ceil(Math.log10(max + 1));
  const y = (count: number): number => M.top + PH - (Math.log10(count + 1) / top) * PH;
  const bw = PW / edges.length;
  const out: string[] = [];
  const range = (k: number): string =>
    k + 1 < edges.length ? `${fmt(edges[k]!)}-${fmt(edges[k + 1]!)}` : `>= ${fmt(edges[k]!)}`;
  const label = (k: number): string => (k + 1 < edges.length ? `<${fmt(edges[k + 1]!)}` : `>=${fmt(edges[k]!)}`);
  for (let p = 0; p <= top; p++) {
    const yy = y(10 ** p - 1);
    out.push(
      `<line x1="${M.left}" x2="${M.left + PW}" y1="${n2(yy)}" y2="${n2(yy)}" stroke="#eee"/>`,
      `<text x="${M.left - 6}" y="${n2(yy + 4)}" class="ax" text-anchor="end">${p === 0 ? 0 : `1e${p}`}</text>`,
    );
  }
  edges.forEach((_, k) => {
    const x = M.left + k * bw;
    ([
      [target[k] ?? 0, '#6b8fd6', 'target_processing_time', 0],
      [total[k] ?? 0, '#e08a2e', 'total', 1],
    ] as const).forEach(([count, color, name, slot]) => {
      out.push(
        `<rect x="${n2(x + 2 + slot * (bw / 2 - 2))}" y="${n2(y(count))}" width="${n2(bw / 2 - 3)}" height="${n2(M.top + PH - y(count))}" fill="${color}"><title>${esc(
          `${name} ${range(k)}: ${count}`,
        )}</title></rect>`,
      );
    });
    out.push(`<text x="${n2(x + bw / 2)}" y="${H - 24}" class="ax" text-anchor="middle">${esc(label(k))}</text>`);
  });
  out.push(
    `<text x="${M.left - 6}" y="${M.top + PH / 2}" class="ax" text-anchor="end">requests</text>`,
    `<text x="${M.left + PW / 2}" y="${H - 6}" class="ax" text-anchor="middle">seconds (requests per bin on a log scale)</text>`,
    `<rect x="${M.left + PW - 220}" y="${M.top}" width="10" height="10" fill="#6b8fd6"/><text x="${M.left + PW - 206}" y="${M.top + 9}" class="ax">target_processing_time</text>`,
    `<rect x="${M.left + PW - 60}" y="${M.top}" width="10" height="10" fill="#e08a2e"/><text x="${M.left + PW - 46}" y="${M.top + 9}" class="ax">total</text>`,
  );
  return svg(out, 'Latency distribution: requests per bin of seconds, log scale');
}

function fmt(seconds: number): string {
  return seconds < 1 && seconds > 0 ? `${Math.round(seconds * 1000)}ms` : `${seconds}s`;
}

function svg(body: string[], title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
<style>.ax{font:11px sans-serif;fill:#444}</style>
<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + PH}" stroke="#999"/>
<line x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}" stroke="#999"/>
${body.filter((s) => s !== '').join('\n')}
</svg>`;
}
