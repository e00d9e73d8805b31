/**
 * Every saved Athena query of template.yaml, run locally (DuckDB, the Glue regex over whole lines)
 * on generated ALB logs, against `npm run logs`'s analyzer on the same files: counts must be equal;
 * approximate percentiles must agree within the rank error Athena documents for approx_percentile.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { analyzeAccessLogs } from '../local/access-log/analyze-logs.js';
import { pathOf } from '../local/access-log/analyze.js';
import { createAccessLogWriter, type AccessLogRecord } from '../local/access-log/format.js';
import { parseAccessLogLine } from '../local/access-log/parse.js';
import { readLogLines } from '../local/access-log/read.js';
import { LOCAL_TARGET_GROUP_ARN } from '../local/alb-event-builder.js';
import { LocalAthena, type QueryResult } from '../local/athena/runner.js';
import { startAlbEmulator, type LocalHandler } from '../local/emulator.js';
import type { ALBResult } from 'aws-lambda';

/** The clock of the run: the 7-day window reaches back to 2026/11/25, the 1-day one to 2026/12/01. */
const NOW = new Date('2026-12-02T12:00:00Z');
const HOUR = 3_600_000;
/**
 * Athena's approx_percentile is documented with a maximum rank error of 1% (Presto/Trino's default
 * accuracy 0.01); DuckDB's approx_quantile (t-digest) stays well inside that. So a local figure must
 * lie within the values the same data holds 1.5 percentile points either side of the exact one,
 * plus the analyzer's own histogram error (under 0.1%) and 1 ms of rounding.
 */
const RANK_TOLERANCE = 0.015;

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One request as the emulator logs it, with HOSP's latency and failure mix (none in a calm hour). */
function request(random: () => number, time: Date, calm: boolean): AccessLogRecord {
  const r = calm ? 0.2 + random() * 0.8 : random();
  const paths = ['/', '/items', '/items/42', '/search?q=x', '/orders/7/lines', '/health'];
  const path = paths[Math.floor(random() * paths.length)]!;
  const method = random() < 0.8 ? 'GET' : 'POST';
  // 2-20 s from the origin, a few fast cache hits, some lost answers.
  const target = r < 0.03 ? -1 : random() < 0.2 ? Math.round(random() * 40) / 1000 : 2 + Math.round(random() * 18000) / 1000;
  let elb = 200;
  let targetStatus: number | null = 200;
  let reason: string | null = null;
  if (target < 0) [elb, targetStatus, reason] = [502, null, 'LambdaUnhandled'];
  else if (r < 0.06) [elb, targetStatus, reason] = [502, null, 'LambdaInvalidResponse'];
  else if (r < 0.1) [elb, targetStatus] = [503, 503];
  else if (r < 0.12) [elb, targetStatus] = [500, 500];
  else if (r < 0.2) [elb, targetStatus] = [404, 404];
  return {
    time,
    requestCreationTime: new Date(time.getTime() - Math.max(0, target) * 1000),
    clientIp: '10.0.0.9',
    clientPort: 40000 + Math.floor(random() * 20000),
    requestProcessingTime: 0.001,
    targetProcessingTime: target,
    responseProcessingTime: target < 0 ? -1 : random() < 0.5 ? 0 : 0.001,
    elbStatusCode: elb,
    targetStatusCode: targetStatus,
    receivedBytes: 300,
    sentBytes: 1200,
    method,
    url: `http://127.0.0.1:3000${path}`,
    protocol: 'HTTP/1.1',
    userAgent: 'bench/1.0',
    traceId: 'Root=1-67891233-abcdef012345678912345678',
    targetGroupArn: LOCAL_TARGET_GROUP_ARN,
    errorReason: reason,
  };
}

let dir: string;
let athena: LocalAthena;
/** `from` of the 7-day and the 1-day window, as the saved queries' `day >=` filters give them. */
const WEEK_FROM = new Date('2026-11-25T00:00:00Z');
const DAY_FROM = new Date('2026-12-01T00:00:00Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'athena-saved-'));
  const random = mulberry32(15);
  // Three days in ALB's S3 layout: one outside the 7-day window, two inside, several hours each.
  const days: [string, number[]][] = [
    ['2026/11/20', [10]],
    ['2026/12/01', [9, 10, 23]],
    ['2026/12/02', [0, 7, 11]],
  ];
  for (const [day, hours] of days) {
    const path = join(dir, 'AWSLogs/000000000000/elasticloadbalancing/local', day, 'access.log');
    const writer = createAccessLogWriter(path);
    for (const hour of hours) {
      const start = Date.parse(`${day.replace(/\//g, '-')}T00:00:00Z`) + hour * HOUR;
      // 07:00 on 12/02 has no failure, so one hour meets the 99% target.
      const calm = day === '2026/12/02' && hour === 7;
      for (let k = 0; k < 400; k++) writer.write(request(random, new Date(start + Math.floor(random() * HOUR)), calm));
    }
    await writer.close();
  }
  athena = await LocalAthena.open([dir], { now: NOW });
});

afterAll(async () => {
  athena?.close();
  await rm(dir, { recursive: true, force: true });
});

const num = (v: unknown): number => Number(v);
const hourOf = (row: Record<string, unknown>): number => Date.parse(String(row.hour_utc).replace(' ', 'T').replace('+00', 'Z'));

/** Each saved query's comparison with the analyzer, by query name. */
const checks: Record<string, (result: QueryResult) => Promise<void>> = {
  'success-rate-per-hour': async ({ rows }) => {
    const report = await analyzeAccessLogs([dir], { from: WEEK_FROM, bucket: 'hour' });
    const points = report.timeline.points.filter((p) => p.requests > 0);
    expect(rows.map(hourOf)).toEqual(points.map((p) => Date.parse(p.start)).sort((a, b) => b - a));
    for (const row of rows) {
      const point = points.find((p) => Date.parse(p.start) === hourOf(row))!;
      expect({ requests: num(row.requests), failed: num(row.failed) }).toEqual({ requests: point.requests, failed: point.failures });
      expect(num(row.success_pct)).toBeCloseTo(Math.round(point.successRate! * 100_000) / 1000, 9);
      expect(row.meets_target).toBe(point.successRate! >= report.target);
    }
    expect(rows.map((r) => r.meets_target)).toContain(true);
    expect(rows.map((r) => r.meets_target)).toContain(false);
  },
  '5xx-by-elb-vs-target': async ({ rows }) => {
    const report = await analyzeAccessLogs([dir], { from: WEEK_FROM, bucket: 'hour' });
    const elb = new Map<string, number>();
    const target = new Map<string, number>();
    for (const row of rows) {
      const map = row.produced_by === 'elb' ? elb : target;
      const key = row.produced_by === 'elb' ? `${row.elb_status_code} ${row.lambda_error_reason}` : String(row.target_status_code);
      map.set(key, (map.get(key) ?? 0) + num(row.requests));
    }
    expect(Object.fromEntries(elb)).toEqual(Object.fromEntries(report.fiveXx.elb.byStatusAndReason.map((p) => [`${p.status} ${p.errorReason}`, p.count])));
    expect(Object.fromEntries(target)).toEqual(report.fiveXx.target.byStatus);
    for (const point of report.timeline.points.filter((p) => p.failures > 0)) {
      const inHour = rows.filter((r) => hourOf(r) === Date.parse(point.start));
      const sum = (by: string): number => inHour.filter((r) => r.produced_by === by).reduce((n, r) => n + num(r.requests), 0);
      expect({ elb: sum('elb'), target: sum('target') }).toEqual({ elb: point.elbFailures, target: point.targetFailures });
    }
  },
  'latency-percentiles-per-hour': async ({ rows }) => {
    expect(rows.length).toBe(6);
    for (const row of rows) {
      const from = new Date(hourOf(row));
      const to = new Date(from.getTime() + HOUR);
      const { latency } = await analyzeAccessLogs([dir], { from, to });
      const { target, total } = await exactTimes(from, to);
      expect(num(row.requests)).toBe(latency.target.count);
      expect(num(row.target_max_ms)).toBe(Math.round(latency.target.max! * 1000));
      for (const [column, p, analyzer, values] of [
        ['target_p50_ms', 0.5, latency.target.p50, target],
        ['target_p90_ms', 0.9, latency.target.p90, target],
        ['target_p99_ms', 0.99, latency.target.p99, target],
        ['total_p99_ms', 0.99, latency.total.p99, total],
      ] as const) {
        const low = rank(values, p - RANK_TOLERANCE);
        const high = rank(values, p + RANK_TOLERANCE);
        const slack = (high - low) * 1000 + 0.001 * analyzer! * 1000 + 1;
        expect(Math.abs(num(row[column]) - analyzer! * 1000), `${column} at ${from.toISOString()}`).toBeLessThanOrEqual(slack);
      }
    }
  },
  'top-failing-paths': async ({ rows }) => {
    const report = await analyzeAccessLogs([dir], { from: DAY_FROM, topPaths: 100 });
    // The same paths with the same failures (both group by path alone; ties may come in either order).
    expect(report.topFailingPaths.paths.length).toBeLessThanOrEqual(25);
    expect(Object.fromEntries(rows.map((r) => [String(r.path), num(r.failed)]))).toEqual(Object.fromEntries(report.topFailingPaths.paths.map((p) => [p.path, p.failures])));
    const requests = await requestsPerPath(DAY_FROM);
    for (const row of rows) {
      expect(num(row.requests)).toBe(requests.get(String(row.path)));
      expect(num(row.failed_pct)).toBeCloseTo(Math.round((10_000 * num(row.failed)) / num(row.requests)) / 100, 9);
    }
    expect(rows.map((r) => num(r.failed))).toEqual(rows.map((r) => num(r.failed)).sort((a, b) => b - a));
  },
};

/** Sorted target and total times (seconds) of the requests in [from, to) that got an answer. */
async function exactTimes(from: Date, to: Date): Promise<{ target: number[]; total: number[] }> {
  const target: number[] = [];
  const total: number[] = [];
  for await (const { line } of readLogLines([dir])) {
    const parsed = typeof line === 'string' ? parseAccessLogLine(line) : null;
    if (!parsed?.ok || parsed.entry.timeMs < from.getTime() || parsed.entry.timeMs >= to.getTime()) continue;
    const e = parsed.entry;
    if (e.targetProcessingTime === null || e.targetProcessingTime < 0) continue;
    target.push(e.targetProcessingTime);
    total.push(e.requestProcessingTime! + e.targetProcessingTime + e.responseProcessingTime!);
  }
  return { target: target.sort((a, b) => a - b), total: total.sort((a, b) => a - b) };
}

/** The nearest-rank value at share `p` (clamped to 0..1) of sorted `values`. */
function rank(values: number[], p: number): number {
  const k = Math.min(values.length, Math.max(1, Math.ceil(Math.min(1, Math.max(0, p)) * values.length)));
  return values[k - 1]!;
}

async function requestsPerPath(from: Date): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const { line } of readLogLines([dir])) {
    const parsed = typeof line === 'string' ? parseAccessLogLine(line) : null;
    if (!parsed?.ok || parsed.entry.timeMs < from.getTime()) continue;
    const key = pathOf(parsed.entry.url);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('the saved Athena queries, run locally, give the analyzer figures', () => {
  test('every saved query of template.yaml has a comparison here', () => {
    expect(athena.savedQueries().map((q) => q.name).sort()).toEqual(Object.keys(checks).sort());
  });

  test('the lines loaded: every generated line, all matching the Glue regex', () => {
    expect(athena.loaded).toEqual({ lines: 7 * 400, unmatched: 0 });
  });

  for (const name of Object.keys(checks)) {
    test(name, async () => {
      const result = await athena.runSaved(name);
      expect(result.rows.length).toBeGreaterThan(0);
      await checks[name]!(result);
    });
  }

  test('the 7-day window leaves out the partition of 2026/11/20 (analyzer: nothing before 11/25)', async () => {
    const { rows } = await athena.runSaved('success-rate-per-hour');
    expect(rows.every((r) => hourOf(r) >= WEEK_FROM.getTime())).toBe(true);
    const all = await athena.run('SELECT count(*) AS n FROM alb_access_logs');
    expect(num(all.rows[0]!.n)).toBe(7 * 400);
  });
});

describe("the saved Athena queries on the local ALB emulator's own log", () => {
  test('success rate and 5xx by source equal the analyzer on what the emulator wrote', async () => {
    const logDir = await mkdtemp(join(tmpdir(), 'athena-emulator-'));
    const path = join(logDir, 'access.log');
    // A function that answers by path: 200, its own 503, a throw (ALB's 502 LambdaUnhandled), a reply ALB rejects.
    const handler: LocalHandler = async (event) => {
      if (event.path === '/crash') throw new Error('boom');
      if (event.path === '/invalid') return { statusCode: 200, body: 1 } as unknown as ALBResult;
      const status = event.path === '/busy' ? 503 : 200;
      return { statusCode: status, statusDescription: `${status} X`, headers: {}, body: 'x', isBase64Encoded: false };
    };
    const emulator = await startAlbEmulator({ handler, port: 0, accessLogPath: path });
    try {
      const paths = ['/ok', '/ok', '/ok', '/busy', '/crash', '/invalid', '/ok?x=1', '/busy'];
      for (const p of paths) await (await fetch(`${emulator.url}${p}`)).arrayBuffer();
    } finally {
      await emulator.close();
    }
    try {
      // The file's own day, and a clock on that day: the saved windows hold it whatever the date.
      const day = new Date();
      const local = await LocalAthena.open([path], { day: day.toISOString().slice(0, 10).replace(/-/g, '/'), now: day });
      try {
        const report = await analyzeAccessLogs([path], { bucket: 'hour' });
        expect(local.loaded).toEqual({ lines: 8, unmatched: 0 });
        const success = (await local.runSaved('success-rate-per-hour')).rows;
        expect(success.reduce((n, r) => n + num(r.requests), 0)).toBe(report.requests);
        expect(success.reduce((n, r) => n + num(r.failed), 0)).toBe(report.fiveXx.total);
        const bySource = (await local.runSaved('5xx-by-elb-vs-target')).rows;
        const count = (by: string): number => bySource.filter((r) => r.produced_by === by).reduce((n, r) => n + num(r.requests), 0);
        expect({ elb: count('elb'), target: count('target') }).toEqual({ elb: report.fiveXx.elb.total, target: report.fiveXx.target.total });
        expect({ elb: report.fiveXx.elb.total, target: report.fiveXx.target.total }).toEqual({ elb: 2, target: 2 });
        const failing = (await local.runSaved('top-failing-paths')).rows;
        expect(Object.fromEntries(failing.map((r) => [r.path, num(r.failed)]))).toEqual(
          Object.fromEntries(report.topFailingPaths.paths.map((p) => [p.path, p.failures])),
        );
      } finally {
        local.close();
      }
    } finally {
      await rm(logDir, { recursive: true, force: true });
    }
  });
});
