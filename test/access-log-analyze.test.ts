import { describe, expect, test } from 'vitest';
import { AccessLogAnalyzer, pathOf } from '../local/access-log/analyze.js';
import { parseCliArgs } from '../local/access-log/cli-args.js';
import { formatAccessLogLine, type AccessLogRecord } from '../local/access-log/format.js';
import { LatencyHistogram } from '../local/access-log/latency-histogram.js';
import { LINE_TOO_LONG } from '../local/access-log/read.js';
import { TopCounter } from '../local/access-log/top-counter.js';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/retry-proxy/0123456789abcdef';

/** One request as the emulator would log it; times in seconds. */
function line(at: string, path: string, elb: number, target: number | null, targetTime: number, errorReason: string | null = null): string {
  const record: AccessLogRecord = {
    time: new Date(`2026-05-01T${at}Z`),
    requestCreationTime: new Date(`2026-05-01T${at}Z`),
    clientIp: '127.0.0.1',
    clientPort: 50000,
    requestProcessingTime: 0.001,
    targetProcessingTime: targetTime,
    responseProcessingTime: 0.001,
    elbStatusCode: elb,
    targetStatusCode: target,
    receivedBytes: 100,
    sentBytes: 200,
    method: 'GET',
    url: `http://127.0.0.1:3000${path}`,
    protocol: 'HTTP/1.1',
    userAgent: 'test',
    traceId: 'Root=1-00000000-000000000000000000000000',
    targetGroupArn: TG,
    errorReason,
  };
  return formatAccessLogLine(record);
}

/** Ten requests over three minutes, with every kind of 5xx, plus one malformed and one blank line. */
const DATASET = [
  line('10:00:05', '/a', 200, 200, 0.1),
  line('10:00:15', '/a?x=1', 200, 200, 0.2),
  line('10:00:25', '/b', 502, null, 0.3, 'LambdaUnhandled'), // the load balancer's 502
  line('10:00:35', '/b', 503, 503, 1.5), // the target's own 503
  line('10:01:05', '/c', 200, 200, 2.0),
  line('10:01:15', '/a', 404, 404, 0.05),
  line('10:01:25', '/b?id=7', 502, null, 0.01, 'LambdaInvalidResponse'),
  'http 2026-05-01T10:01:30.000000Z truncated',
  line('10:01:35', '/d', 504, null, -1), // the target never answered
  '',
  line('10:02:05', '/a', 200, 200, 0.4),
  line('10:02:15', '/a', 200, 200, 0.5),
];

function analyze(options: ConstructorParameters<typeof AccessLogAnalyzer>[0] = {}) {
  const analyzer = new AccessLogAnalyzer(options);
  DATASET.forEach((l, i) => analyzer.addLine(l, 'dataset.log', i + 1));
  return analyzer.report(['dataset.log'], 1);
}

describe('AccessLogAnalyzer on a known dataset', () => {
  const r = analyze();

  test('counts lines, requests, the malformed line with its number, and the blank one', () => {
    expect(r.lines).toEqual({ total: 12, requests: 10, outOfRange: 0, otherTargetGroups: 0, blank: 1, malformed: 1 });
    expect(r.malformed).toEqual([
      {
        source: 'dataset.log',
        line: 8,
        error: expect.stringMatching(/^3 fields, expected at least 13/) as unknown as string,
        text: 'http 2026-05-01T10:01:30.000000Z truncated',
      },
    ]);
    expect(r.period).toEqual({ first: '2026-05-01T10:00:05.000000Z', last: '2026-05-01T10:02:15.000000Z' });
  });

  test('success rate is the share of elb_status_code < 500, against the 99% target', () => {
    expect(r.requests).toBe(10);
    expect(r.successRate).toBe(0.6);
    expect(r.target).toBe(0.99);
    expect(r.meetsTarget).toBe(false);
    expect(r.statusClasses).toEqual({ '1xx': 0, '2xx': 5, '3xx': 0, '4xx': 1, '5xx': 4, none: 0 });
    expect(r.byStatus).toEqual({ '200': 5, '404': 1, '502': 2, '503': 1, '504': 1 });
  });

  test('splits 5xx into the load balancer (with error reasons) and the target', () => {
    expect(r.fiveXx).toEqual({
      total: 4,
      elb: {
        total: 3,
        byStatus: { '502': 2, '504': 1 },
        byErrorReason: { '-': 1, LambdaInvalidResponse: 1, LambdaUnhandled: 1 },
        byStatusAndReason: [
          { status: 502, errorReason: 'LambdaInvalidResponse', count: 1 },
          { status: 502, errorReason: 'LambdaUnhandled', count: 1 },
          { status: 504, errorReason: '-', count: 1 },
        ],
      },
      target: { total: 1, byStatus: { '503': 1 } },
    });
  });

  test('latency percentiles of target_processing_time and of the total, -1 counted as no answer', () => {
    // target ms: 10 50 100 200 300 400 500 1500 2000 (9 answers, one -1)
    expect(r.latency.target).toEqual({
      count: 9,
      noAnswer: 1,
      min: 0.01,
      mean: 0.562,
      p50: 0.3,
      p90: 2,
      p95: 2,
      p99: 2,
      p999: 2,
      max: 2,
    });
    // total = target + 2 ms of request and response processing
    expect(r.latency.total).toMatchObject({ count: 9, noAnswer: 1, min: 0.012, p50: 0.302, p90: 2.002, max: 2.002 });
    expect(r.latency.distribution.target).toEqual([0, 1, 0, 1, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0]);
  });

  test('ranks failing paths without their query string', () => {
    expect(r.topFailingPaths).toEqual({
      exact: true,
      maxUndercount: 0,
      paths: [
        { path: '/b', failures: 3, share: 0.75 },
        { path: '/d', failures: 1, share: 0.25 },
      ],
    });
  });

  test('draws a per-minute timeline for a short span', () => {
    expect(r.timeline.bucket).toBe('minute');
    expect(r.timeline.points.map((p) => [p.start, p.requests, p.failures, p.elbFailures, p.targetFailures, p.successRate])).toEqual([
      ['2026-05-01T10:00:00.000Z', 4, 2, 1, 1, 0.5],
      ['2026-05-01T10:01:00.000Z', 4, 2, 2, 0, 0.5],
      ['2026-05-01T10:02:00.000Z', 2, 0, 0, 0, 1],
    ]);
    expect(r.timeline.points[2]).toMatchObject({ meanTotal: 0.452, maxTotal: 0.502 });
  });

  test('--from is inclusive and --to exclusive, on the time field', () => {
    const only = analyze({ from: new Date('2026-05-01T10:01:00Z'), to: new Date('2026-05-01T10:01:35Z') });
    expect(only.lines).toMatchObject({ requests: 3, outOfRange: 7 });
    expect(only.byStatus).toEqual({ '200': 1, '404': 1, '502': 1 });
    expect(only.filter).toEqual({ from: '2026-05-01T10:01:00.000Z', to: '2026-05-01T10:01:35.000Z', targetGroupArn: null });
  });

  test('--bucket hour folds everything into one hour', () => {
    const hourly = analyze({ bucket: 'hour' });
    expect(hourly.timeline.bucket).toBe('hour');
    expect(hourly.timeline.points.map((p) => [p.start, p.requests, p.failures])).toEqual([['2026-05-01T10:00:00.000Z', 10, 4]]);
  });

  test('a line too long to hold counts as malformed', () => {
    const analyzer = new AccessLogAnalyzer();
    analyzer.addLine(LINE_TOO_LONG, 'x.log', 3);
    expect(analyzer.report(['x.log'], 1).malformed).toEqual([{ source: 'x.log', line: 3, error: 'line too long (over 1 MiB)', text: '' }]);
  });

  test('meets the target at exactly 99%', () => {
    const analyzer = new AccessLogAnalyzer();
    for (let i = 0; i < 99; i++) analyzer.addLine(line('10:00:00', '/', 200, 200, 0.1), 'x', i + 1);
    analyzer.addLine(line('10:00:00', '/', 502, null, 0.1, 'LambdaUnhandled'), 'x', 100);
    const r99 = analyzer.report(['x'], 1);
    expect(r99.successRate).toBe(0.99);
    expect(r99.meetsTarget).toBe(true);
  });

  test.each([['99.9', 999, 1000], ['99.99', 9999, 10000], ['99.95', 1999, 2000]])('meets --target %s at exactly that share, as the saved Athena query compares counts (found by review)', (percent, ok, all) => {
    const analyzer = new AccessLogAnalyzer({ target: parseCliArgs(['x.log', '--target', percent]).target });
    for (let i = 0; i < ok; i++) analyzer.addLine(line('10:00:00', '/', 200, 200, 0.1), 'x', i + 1);
    for (let i = ok; i < all; i++) analyzer.addLine(line('10:00:00', '/', 502, null, 0.1, 'LambdaUnhandled'), 'x', i + 1);
    expect(analyzer.report(['x'], 1).meetsTarget).toBe(true);
    // One failure more misses it.
    analyzer.addLine(line('10:00:00', '/', 502, null, 0.1, 'LambdaUnhandled'), 'x', all + 1);
    expect(analyzer.report(['x'], 1).meetsTarget).toBe(false);
  });

  test("a '-' elb status (ALB sent no response) is a failure, as the Athena query counts it, not a 5xx", () => {
    const analyzer = new AccessLogAnalyzer();
    analyzer.addLine(line('10:00:00', '/ok', 200, 200, 0.1), 'x', 1);
    // ALB's `-` is the formatter's numeric status swapped out, with no target status either.
    const noResponse = line('10:00:30', '/gone?q=1', 200, null, -1).replace(' 200 - 100 200 ', ' - - 100 200 ');
    expect(noResponse).toContain(' - - 100 200 ');
    analyzer.addLine(noResponse, 'x', 2);
    const r = analyzer.report(['x'], 1);
    expect(r.lines.malformed).toBe(0);
    expect(r.statusClasses).toMatchObject({ '2xx': 1, '5xx': 0, none: 1 });
    expect(r.successRate).toBe(0.5);
    expect(r.meetsTarget).toBe(false);
    expect(r.fiveXx.total).toBe(0);
    expect(r.topFailingPaths.paths).toEqual([{ path: '/gone', failures: 1, share: 1 }]);
    expect(r.timeline.points.map((p) => [p.failures, p.elbFailures, p.targetFailures, p.successRate])).toEqual([[1, 0, 0, 0.5]]);
  });
});

describe('auto timeline resolution', () => {
  test('switches from minutes to hours once the data spans more than 6 hours', () => {
    const analyzer = new AccessLogAnalyzer();
    const times = ['00:10:00', '00:20:00', '03:00:00', '06:10:01', '06:50:00'];
    times.forEach((t, i) => analyzer.addLine(line(t, '/', i === 4 ? 500 : 200, i === 4 ? 500 : 200, 0.1), 'x', i + 1));
    const r = analyzer.report(['x'], 1);
    expect(r.timeline.bucket).toBe('hour');
    expect(r.timeline.points.map((p) => [p.start.slice(11, 16), p.requests, p.failures])).toEqual([
      ['00:00', 2, 0],
      ['01:00', 0, 0],
      ['02:00', 0, 0],
      ['03:00', 1, 0],
      ['04:00', 0, 0],
      ['05:00', 0, 0],
      ['06:00', 2, 1],
    ]);
  });
});

describe('timeline of logs from distant dates', () => {
  test('lists only the hours with requests instead of filling years of empty ones', () => {
    const analyzer = new AccessLogAnalyzer();
    analyzer.addLine(line('10:00:00', '/', 200, 200, 0.1).replace('2026-05-01T', '2018-07-02T'), 'x', 1);
    analyzer.addLine(line('10:00:00', '/', 200, 200, 0.1), 'x', 2);
    const r = analyzer.report(['x'], 1);
    expect(r.timeline.points.map((p) => p.start)).toEqual(['2018-07-02T10:00:00.000Z', '2026-05-01T10:00:00.000Z']);
  });
});

describe('bounded-memory building blocks', () => {
  test('the latency histogram is exact to the millisecond below 1024 ms and within 0.1% above', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.record(ms / 1000);
    expect([h.percentile(50), h.percentile(99), h.percentile(100)]).toEqual([0.5, 0.99, 1]);
    const slow = new LatencyHistogram();
    for (const s of [2.5, 7.777, 13.001, 19.999]) slow.record(s);
    slow.record(1000);
    for (const [p, want] of [
      [20, 2.5],
      [40, 7.777],
      [60, 13.001],
      [80, 19.999],
    ] as const) {
      expect(Math.abs(slow.percentile(p)! - want) / want).toBeLessThan(0.001);
    }
    expect(slow.percentile(100)).toBe(1000);
  });

  test('the top counter is exact within capacity and keeps a heavy hitter past it', () => {
    const top = new TopCounter(10);
    for (let i = 0; i < 5000; i++) {
      top.add(`/id/${i}`);
      if (i % 3 === 0) top.add('/hot');
    }
    expect(top.exact).toBe(false);
    const [first] = top.top(1);
    expect(first!.key).toBe('/hot');
    // Misra-Gries: never over, and under by at most the number of decrement rounds.
    expect(first!.count).toBeLessThanOrEqual(1667);
    expect(first!.count).toBeGreaterThanOrEqual(1667 - top.maxUndercount);
  });

  test('pathOf strips scheme, authority, query and fragment', () => {
    expect(pathOf('https://h:443/a/b?x=1#f')).toBe('/a/b');
    expect(pathOf('http://h:80')).toBe('/');
    expect(pathOf(null)).toBe('-');
  });
});

describe('per-route breakdown', () => {
  test('applies the function\'s routes to logged methods and paths, first match, the rest as default', () => {
    const routes = [
      { name: 'search', match: '/api/search', methods: ['POST'] },
      { name: 'reports', match: '/reports/**', methods: ['GET'] },
      { name: 'idle', match: '/idle' },
    ];
    const a = new AccessLogAnalyzer({ routes });
    const post = (l: string) => l.replace('"GET ', '"POST ');
    const lines = [
      post(line('10:00:01', '/api/search?q=1', 200, 200, 0.1)),
      post(line('10:00:02', '/api/search', 502, 502, 0.1)),
      line('10:00:03', '/api/search', 200, 200, 0.1), // a GET: not the search route
      line('10:00:04', '/reports/2026/q1', 200, 200, 3),
      line('10:00:05', '/reports', 504, null, 30),
      line('10:00:06', '/other', 200, 200, 0.1),
    ];
    lines.forEach((l, i) => a.addLine(l, 'mem', i + 1));
    expect(a.report(['mem'], 1).byRoute).toEqual([
      { route: 'search', requests: 2, fiveXx: 1, successRate: 0.5 },
      { route: 'reports', requests: 2, fiveXx: 1, successRate: 0.5 },
      { route: 'idle', requests: 0, fiveXx: 0, successRate: 1 },
      { route: 'default', requests: 2, fiveXx: 0, successRate: 1 },
    ]);
  });

  test('is absent without routes', () => {
    const a = new AccessLogAnalyzer();
    a.addLine(line('10:00:01', '/a', 200, 200, 0.1), 'mem', 1);
    expect(a.report(['mem'], 1).byRoute).toBeNull();
  });
});
