/**
 * shared/telemetry/emf.ts writes the EMF document Powertools Metrics would write for the same
 * metrics (run beside it, a dev dependency), empties itself per document, and refuses what CloudWatch
 * would drop, naming the metric.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestMetrics, type MetricUnitName } from '../shared/telemetry/emf.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

type Added = readonly [name: string, unit: MetricUnitName, value: number];

/** What Powertools Metrics serializes for `added` (its public `serializeMetrics`), printed nowhere. */
function powertoolsDocument(added: readonly Added[], timestamp: number): unknown {
  // Its threshold for flushing and its disabled flag must not interfere: nothing is published.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  const metrics = new Metrics({ namespace: 'EmfTest', serviceName: 'svc' });
  metrics.setTimestamp(timestamp);
  for (const [name, unit, value] of added) metrics.addMetric(name, unit, value);
  return metrics.serializeMetrics();
}

function ourDocument(added: readonly Added[], timestamp: number): unknown {
  const metrics = new RequestMetrics({ namespace: 'EmfTest', serviceName: 'svc', now: () => timestamp });
  for (const [name, unit, value] of added) metrics.add(name, unit, value);
  return metrics.take();
}

/** A request's metrics as recorded: a few names, the latency one repeated per attempt. */
const REQUEST: Added[] = [
  ['Requests', 'Count', 1],
  ['Status2xx', 'Count', 1],
  ['Attempts', 'Count', 3],
  ['Retries', 'Count', 2],
  ['CacheStored', 'Count', 1],
  ['OriginLatency', 'Milliseconds', 2012.5],
  ['OriginLatency', 'Milliseconds', 31],
  ['OriginLatency', 'Milliseconds', 0],
  ['TotalLatency', 'Milliseconds', 2050],
];

describe('the request EMF document', () => {
  // Now, not a fixed date: Powertools warns about a timestamp more than 14 days old.
  const now = Date.now();

  it('is what Powertools Metrics serializes for the same metrics, to the member order', () => {
    const ours = ourDocument(REQUEST, now);
    expect(ours).toEqual(powertoolsDocument(REQUEST, now));
    expect(JSON.stringify(ours)).toBe(JSON.stringify(powertoolsDocument(REQUEST, now)));
    expect(ours).toMatchObject({ service: 'svc', OriginLatency: [2012.5, 31, 0], Requests: 1, _aws: { Timestamp: now } });
  });

  it('matches Powertools for any sequence of counts and durations', () => {
    const name = fc.constantFrom('Requests', 'Attempts', 'CacheHit', 'OriginLatency', 'TotalLatency', 'X');
    const unitOf = (n: string): MetricUnitName => (n.endsWith('Latency') ? 'Milliseconds' : 'Count');
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.double({ min: 0, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 40 }), (pairs) => {
        const added = pairs.map(([n, v]): Added => [n, unitOf(n), v]);
        expect(JSON.stringify(ourDocument(added, now))).toBe(JSON.stringify(powertoolsDocument(added, now)));
      }),
    );
  });

  it('starts afresh after each document: nothing of one request is in the next', () => {
    let t = now;
    const metrics = new RequestMetrics({ namespace: 'EmfTest', serviceName: 'svc', now: () => t++ });
    metrics.add('Requests', 'Count', 1);
    metrics.add('Retries', 'Count', 4);
    expect(metrics.take()).toMatchObject({ Requests: 1, Retries: 4 });
    expect(metrics.take()).toBeUndefined();
    metrics.add('Requests', 'Count', 1);
    const second = metrics.take()!;
    expect(second).not.toHaveProperty('Retries');
    expect(second._aws).toEqual({ Timestamp: now + 1, CloudWatchMetrics: [{ Namespace: 'EmfTest', Dimensions: [['service']], Metrics: [{ Name: 'Requests', Unit: 'Count' }] }] });
    metrics.add('Requests', 'Count', 1);
    metrics.clear();
    expect(metrics.size).toBe(0);
    expect(metrics.take()).toBeUndefined();
  });

  it.each([
    ['', 'Count', 1, /1 to 255 characters/],
    ['x'.repeat(256), 'Count', 1, /1 to 255 characters/],
    ['Latency', 'Milliseconds', Number.NaN, /Latency: NaN is not a finite number/],
    ['Latency', 'Milliseconds', Number.POSITIVE_INFINITY, /not a finite number/],
    ['service', 'Count', 1, /taken by the document itself/],
    ['_aws', 'Count', 1, /taken by the document itself/],
    ['Route', 'Count', 1, /taken by the document itself/],
    ['Route2', 'Count', 1, /taken by the document itself/],
  ] as const)('refuses name %j value %s with a RangeError naming it', (name, unit, value, message) => {
    const metrics = new RequestMetrics({ namespace: 'EmfTest', serviceName: 'svc', reservedNames: ['Route', 'Route2'] });
    expect(() => metrics.add(name, unit, value)).toThrow(RangeError);
    expect(() => metrics.add(name, unit, value)).toThrow(message);
    expect(metrics.take()).toBeUndefined();
  });

  it('refuses a second unit under one name, a 101st value and a 101st metric, keeping what it had', () => {
    const metrics = new RequestMetrics({ namespace: 'EmfTest', serviceName: 'svc' });
    metrics.add('OriginLatency', 'Milliseconds', 1);
    expect(() => metrics.add('OriginLatency', 'Count', 1)).toThrow('metric OriginLatency was recorded in Milliseconds, not Count');
    for (let i = 1; i < 100; i++) metrics.add('OriginLatency', 'Milliseconds', i);
    expect(() => metrics.add('OriginLatency', 'Milliseconds', 100)).toThrow('at most 100 values');
    for (let i = 1; i < 100; i++) metrics.add(`M${i}`, 'Count', 1);
    expect(() => metrics.add('M100', 'Count', 1)).toThrow('at most 100 metrics');
    const doc = metrics.take()!;
    expect((doc.OriginLatency as number[]).length).toBe(100);
    expect(doc._aws.CloudWatchMetrics[0]!.Metrics).toHaveLength(100);
  });
});
