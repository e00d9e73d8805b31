import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordRouteMetrics, ROUTE_DIMENSION } from '../shared/telemetry/route-metrics.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** EMF documents a real Powertools instance prints while `run` runs. */
function emfOf(run: (sink: Metrics) => void): Record<string, unknown>[] {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', '');
  const sink = new Metrics({ namespace: 'RouteTest', serviceName: 'svc' });
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  run(sink);
  vi.mocked(process.stdout.write).mockRestore();
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('_aws')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('per-route metrics', () => {
  it('publishes one EMF document per request with the Route dimension', () => {
    const docs = emfOf((sink) => {
      recordRouteMetrics('search', { status: 200, attempts: 3, retries: 2, totalMs: 42 }, sink);
      recordRouteMetrics('default', { status: 503, attempts: 1, retries: 0, totalMs: 7 }, sink);
    });
    expect(docs).toHaveLength(2);
    const [search, fallback] = docs;
    expect(search).toMatchObject({ [ROUTE_DIMENSION]: 'search', service: 'svc', Requests: 1, Status2xx: 1, Attempts: 3, Retries: 2, TotalLatency: 42 });
    const directive = (search as { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] } })._aws.CloudWatchMetrics[0]!;
    expect(directive.Dimensions[0]).toContain(ROUTE_DIMENSION);
    // The dimension of one request does not stick to the next one's document.
    expect(fallback).toMatchObject({ [ROUTE_DIMENSION]: 'default', Status5xx: 1, Attempts: 1 });
    expect(fallback).not.toHaveProperty('Retries');
    expect(fallback).not.toHaveProperty('Status2xx');
  });
});
