/**
 * Streaming aggregation of ALB access log lines into the figures the HOSP team read from Athena:
 * success rate against the 99% target, 5xx split by who generated them, latency percentiles,
 * top failing paths and a timeline.
 *
 * Memory is bounded whatever the log size (see the histogram, top counter and timeline modules for
 * how each part stays bounded).
 */
import { detach } from './detach.js';
import type { AlbLogEntry } from './fields.js';
import { LatencyHistogram } from './latency-histogram.js';
import { parseAccessLogLine } from './parse.js';
import { LINE_TOO_LONG, type SplitLine } from './read.js';
import type { AnalysisReport, MalformedLine } from './report.js';
import { TopCounter } from './top-counter.js';
import { RouteBreakdown } from './route-breakdown.js';
import { Timeline, type Failure } from './timeline.js';
import { DEFAULT_TARGET, type AnalyzeOptions } from './analyze-options.js';

export { DEFAULT_TARGET, type AnalyzeOptions } from './analyze-options.js';

/** Bin edges of the latency distribution chart, in seconds. */
export const DISTRIBUTION_EDGES = [0, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60];

export class AccessLogAnalyzer {
  private total = 0;
  private blank = 0;
  private outOfRange = 0;
  private otherTargetGroups = 0;
  private malformedCount = 0;
  private readonly malformed: MalformedLine[] = [];
  private requests = 0;
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private first = '';
  private last = '';
  private readonly classes = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, none: 0 };
  private readonly byStatus = new Map<number, number>();
  private readonly elb5xx = new Map<number, number>();
  private readonly elbReasons = new Map<string, number>();
  /** Key: `<status> <error_reason>`, the pair that tells a Lambda crash from a timeout. */
  private readonly elbPairs = new Map<string, number>();
  private readonly target5xx = new Map<number, number>();
  private readonly targetTimes = new LatencyHistogram();
  private readonly totalTimes = new LatencyHistogram();
  private readonly failingPaths = new TopCounter();
  private readonly byRoute: RouteBreakdown | undefined;
  private readonly timeline: Timeline;
  private readonly fromMs: number;
  private readonly toMs: number;

  constructor(private readonly options: AnalyzeOptions = {}) {
    this.timeline = new Timeline(options.bucket ?? 'auto');
    this.byRoute = options.routes && options.routes.length > 0 ? new RouteBreakdown(options.routes) : undefined;
    this.fromMs = options.from?.getTime() ?? -Infinity;
    this.toMs = options.to?.getTime() ?? Infinity;
  }

  /** One line as read; `lineNumber` is 1-based within `source`. */
  addLine(line: SplitLine, source: string, lineNumber: number): void {
    this.total++;
    if (line === LINE_TOO_LONG) {
      this.reject(source, lineNumber, 'line too long (over 1 MiB)', '');
      return;
    }
    if (line.trim() === '') {
      this.blank++;
      return;
    }
    const parsed = parseAccessLogLine(line);
    if (!parsed.ok) this.reject(source, lineNumber, parsed.error, line);
    else this.addEntry(parsed.entry);
  }

  addEntry(e: AlbLogEntry): void {
    if (e.timeMs < this.fromMs || e.timeMs >= this.toMs) {
      this.outOfRange++;
      return;
    }
    if (this.options.targetGroupArn !== undefined && e.targetGroupArn !== this.options.targetGroupArn) {
      this.otherTargetGroups++;
      return;
    }
    this.requests++;
    if (e.timeMs < this.firstMs) {
      this.firstMs = e.timeMs;
      this.first = e.time;
    }
    if (e.timeMs > this.lastMs) {
      this.lastMs = e.timeMs;
      this.last = e.time;
    }

    // `-` (ALB sent no response) and 000 (the connection closed without a status): the user got nothing.
    const status = e.elbStatusCode !== null && e.elbStatusCode < 100 ? null : e.elbStatusCode;
    if (status === null) this.classes.none++;
    else {
      // The parser only lets 100..599 (and 000, taken as none above) through, so the class always exists.
      this.classes[`${Math.floor(status / 100)}xx` as '1xx' | '2xx' | '3xx' | '4xx' | '5xx']++;
      bump(this.byStatus, status);
    }

    let failure: Failure | null = null;
    if (status !== null && status >= 500) {
      // The target's own 5xx passed through, or one the load balancer made up (Lambda error,
      // timeout, no healthy target): the difference between fixing the origin and fixing us.
      if (e.targetStatusCode !== null && e.targetStatusCode >= 500) {
        failure = 'target';
        bump(this.target5xx, e.targetStatusCode);
      } else {
        failure = 'elb';
        const reason = e.errorReason ?? '-';
        bump(this.elb5xx, status);
        bumpText(this.elbReasons, reason);
        bumpText(this.elbPairs, `${status} ${reason}`);
      }
    } else if (status === null) failure = 'none'; // `-`: ALB sent no response, so the user got nothing
    if (failure !== null) this.failingPaths.add(pathOf(e.url));

    this.byRoute?.add(e.method, pathOf(e.url), failure !== null);
    this.targetTimes.record(e.targetProcessingTime);
    const total = totalTime(e);
    this.totalTimes.record(total);
    this.timeline.add(e.timeMs, failure, total);
  }

  report(inputs: string[], sources: number): AnalysisReport {
    const fiveXx = this.classes['5xx'];
    const target = this.options.target ?? DEFAULT_TARGET;
    const failed = fiveXx + this.classes.none; // as the Athena query counts them: 5xx or `-`
    const successRate = this.requests === 0 ? null : (this.requests - failed) / this.requests;
    const elbTotal = sum(this.elb5xx);
    return {
      inputs,
      sources,
      filter: { from: this.options.from?.toISOString() ?? null, to: this.options.to?.toISOString() ?? null, targetGroupArn: this.options.targetGroupArn ?? null },
      lines: {
        total: this.total,
        requests: this.requests,
        outOfRange: this.outOfRange,
        otherTargetGroups: this.otherTargetGroups,
        blank: this.blank,
        malformed: this.malformedCount,
      },
      malformed: this.malformed,
      period: { first: this.first || null, last: this.last || null },
      requests: this.requests,
      successRate,
      target,
      meetsTarget: successRate === null ? null : meets(this.requests - failed, this.requests, target),
      statusClasses: { ...this.classes },
      byStatus: record(this.byStatus),
      fiveXx: {
        total: fiveXx,
        elb: {
          total: elbTotal,
          byStatus: record(this.elb5xx),
          byErrorReason: record(this.elbReasons),
          byStatusAndReason: [...this.elbPairs]
            .map(([key, count]) => {
              const space = key.indexOf(' ');
              return { status: Number(key.slice(0, space)), errorReason: key.slice(space + 1), count };
            })
            .sort((a, b) => b.count - a.count || a.status - b.status || (a.errorReason < b.errorReason ? -1 : 1)),
        },
        target: { total: fiveXx - elbTotal, byStatus: record(this.target5xx) },
      },
      latency: {
        target: this.targetTimes.summary(),
        total: this.totalTimes.summary(),
        distribution: {
          edges: DISTRIBUTION_EDGES,
          target: this.targetTimes.bins(DISTRIBUTION_EDGES),
          total: this.totalTimes.bins(DISTRIBUTION_EDGES),
        },
      },
      topFailingPaths: {
        exact: this.failingPaths.exact,
        maxUndercount: this.failingPaths.maxUndercount,
        paths: this.failingPaths.top(this.options.topPaths ?? 10).map(({ key, count }) => ({
          path: key,
          failures: count,
          share: failed === 0 ? 0 : count / failed,
        })),
      },
      timeline: { bucket: this.timeline.bucket, points: this.timeline.points() },
      byRoute: this.byRoute?.rows() ?? null,
    };
  }

  private reject(source: string, line: number, error: string, text: string): void {
    this.malformedCount++;
    if (this.malformed.length < (this.options.malformedExamples ?? 20)) {
      this.malformed.push({ source, line, error: detach(error), text: detach(text.slice(0, 200)) });
    }
  }
}

/** Total time, or null when any part is missing or -1 (no answer). */
/**
 * Whether `succeeded` of `requests` meet `target` (a share), compared as the saved Athena query does:
 * counts times 100 against the target percent times the count, not a ratio of floats (999 of 1000
 * is 0.999, but `--target 99.9` is 0.9990000000000001 as a share). The percent keeps 9 decimals.
 */
function meets(succeeded: number, requests: number, target: number): boolean {
  const percent = Math.round(target * 1e11) / 1e9;
  return succeeded * 100 >= percent * requests;
}

function totalTime(e: AlbLogEntry): number | null {
  const { requestProcessingTime: a, targetProcessingTime: b, responseProcessingTime: c } = e;
  if (a === null || b === null || c === null || a < 0 || b < 0 || c < 0) return null;
  return Math.round((a + b + c) * 1000) / 1000;
}

/** The path of a logged URL (`scheme://host:port/path?query`), without the query. */
export function pathOf(url: string | null): string {
  if (url === null) return '-';
  const scheme = url.indexOf('://');
  const start = scheme === -1 ? 0 : url.indexOf('/', scheme + 3);
  if (start === -1) return '/';
  let end = url.length;
  for (const sep of ['?', '#']) {
    const at = url.indexOf(sep, start);
    if (at !== -1 && at < end) end = at;
  }
  return url.slice(start, end) || '/';
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** `bump` for keys cut from a log line: a new key is detached so it does not pin its read chunk. */
function bumpText(map: Map<string, number>, key: string): void {
  const n = map.get(key);
  map.set(n === undefined ? detach(key) : key, (n ?? 0) + 1);
}

function sum(map: Map<unknown, number>): number {
  let n = 0;
  for (const v of map.values()) n += v;
  return n;
}

function record(map: Map<string | number, number>): Record<string, number> {
  return Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [String(k), v]));
}
