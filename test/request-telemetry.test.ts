/**
 * What a request leaves on stdout: its log line and one EMF document (totals, and the per-route
 * directive when routes are configured); the metrics alone when INFO is off; the log line alone when
 * metrics are disabled. A real Powertools logger, stdout captured.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RequestSummary } from '../shared/telemetry/request-telemetry.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.resetModules();
});

interface Directive {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit: string }[];
}
type Line = Record<string, unknown> & { _aws?: { CloudWatchMetrics: Directive[] } };

/** The JSON lines `recordRequest` prints for `summaries`, with the telemetry modules loaded fresh under `env`. */
async function linesOf(env: Record<string, string>, ...summaries: RequestSummary[]): Promise<Line[]> {
  for (const [key, value] of Object.entries({ POWERTOOLS_DEV: '', POWERTOOLS_METRICS_NAMESPACE: 'TelemetryTest', POWERTOOLS_SERVICE_NAME: 'svc', ...env })) vi.stubEnv(key, value);
  vi.resetModules();
  const { recordRequest } = await import('../shared/telemetry/request-telemetry.js');
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const warned = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  for (const summary of summaries) recordRequest(summary);
  vi.mocked(process.stdout.write).mockRestore();
  // Powertools warns on stderr about a dropped key (e.g. a second `service`): none may be.
  expect(warned.mock.calls.map(([chunk]) => String(chunk))).toEqual([]);
  return written.join('').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Line);
}

const forwarded = (statuses: number[]): NonNullable<RequestSummary['forwarded']> => ({
  attempts: statuses.map((outcome, i) => ({ n: i + 1, outcome, ms: 5 })),
  decisions: { stop: 'done', budgetDenied: 0, hedgesSent: 0, hedgesWon: 0 },
}) as unknown as NonNullable<RequestSummary['forwarded']>;

const retried: RequestSummary = { request: { method: 'GET', path: '/search' }, route: 'search', routeMetrics: true, traceId: undefined, forwarded: forwarded([503, 503, 200]), status: 200, totalMs: 42 };
const failed: RequestSummary = { request: { method: 'GET', path: '/x' }, route: 'default', routeMetrics: true, traceId: undefined, forwarded: forwarded([503]), status: 503, totalMs: 7 };
const ON = { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' };

describe('request telemetry on stdout', () => {
  it('writes per request one log line and one EMF document, nothing of one request in the next', async () => {
    const lines = await linesOf(ON, retried, failed);
    expect(lines.map((l) => ('_aws' in l ? 'emf' : l.message))).toEqual(['request', 'emf', 'request', 'emf']);
    const [log, first, , second] = lines as [Line, Line, Line, Line];
    expect(log).toMatchObject({ level: 'INFO', message: 'request', service: 'svc', path: '/search', route: 'search', status: 200, totalMs: 42, stop: 'done' });
    expect(first).toMatchObject({ service: 'svc', Requests: 1, Status2xx: 1, Attempts: 3, Retries: 2, TotalLatency: 42, OriginLatency: [5, 5, 5], Route: 'search' });
    const [totals, byRoute] = first._aws!.CloudWatchMetrics as [Directive, Directive];
    expect(totals).toMatchObject({ Namespace: 'TelemetryTest', Dimensions: [['service']] });
    expect(totals.Metrics.map((m) => m.Name)).toContain('OriginLatency');
    // The per-route directive: the request figures only, with Route beside the service.
    expect(byRoute).toMatchObject({ Namespace: 'TelemetryTest', Dimensions: [['service', 'Route']] });
    expect(byRoute.Metrics.map((m) => m.Name).sort()).toEqual(['Attempts', 'Requests', 'Retries', 'Status2xx', 'TotalLatency']);
    expect(second).toMatchObject({ Route: 'default', Status5xx: 1, Attempts: 1 });
    expect(second).not.toHaveProperty('Retries');
    expect(second).not.toHaveProperty('Status2xx');
  });

  it('drops a metric named like the Route dimension instead of letting it overwrite the route', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.resetModules();
    const { count, takeEmf } = await import('../shared/telemetry/telemetry.js');
    count('Route');
    count('Requests');
    const emf = takeEmf()!;
    expect(emf).not.toHaveProperty('Route');
    expect(emf).toMatchObject({ Requests: 1 });
  });

  it('names no route and adds no directive when routes are not configured', async () => {
    const [, emf] = await linesOf(ON, { ...retried, routeMetrics: false });
    expect(emf!._aws!.CloudWatchMetrics).toHaveLength(1);
    expect(emf).not.toHaveProperty('Route');
  });

  it('still publishes the metrics, alone on their line, when INFO is off', async () => {
    const lines = await linesOf({ ...ON, POWERTOOLS_LOG_LEVEL: 'WARN' }, retried);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('message');
    expect(lines[0]).toMatchObject({ Requests: 1, Attempts: 3, Route: 'search' });
  });

  it.each([
    ["Lambda's log level (AWS_LAMBDA_LOG_LEVEL) above INFO turns the line off, as it does Powertools' INFO", { AWS_LAMBDA_LOG_LEVEL: 'WARN' }, 0],
    ['a sampled invocation (POWERTOOLS_LOGGER_SAMPLE_RATE=1) writes it under WARN, as Powertools logs DEBUG then', { POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_LOGGER_SAMPLE_RATE: '1' }, 1],
  ])('%s', async (_name, env, written) => {
    const lines = await linesOf({ ...ON, ...env }, retried);
    expect(lines.filter((l) => l.message === 'request')).toHaveLength(written);
    expect(lines.filter((l) => '_aws' in l)).toHaveLength(1);
  });

  it('logs without metrics when POWERTOOLS_METRICS_DISABLED is set', async () => {
    const lines = await linesOf({ ...ON, POWERTOOLS_METRICS_DISABLED: 'true' }, retried);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: 'request', path: '/search' });
    expect(lines[0]).not.toHaveProperty('_aws');
  });

  it("logs why the origin gave no response (the client's Proxy-Status names only its type), never a refused request's message", async () => {
    const noResponse = (type: string, detail: string): RequestSummary => ({
      ...failed,
      status: 502,
      forwarded: { ...forwarded([]), attempts: [{ n: 1, outcome: type, ms: 3 }], error: { status: 502, type, detail } },
    });
    const answered: RequestSummary = { ...failed, forwarded: { ...forwarded([503]), response: { status: 503, headers: {}, body: Buffer.alloc(0) }, error: { status: 502, type: 'connection_refused', detail: 'ECONNREFUSED: earlier' } } };
    const [tls, , request, , withResponse] = await linesOf(ON,
      noResponse('tls_certificate_error', 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate'),
      noResponse('http_request_error', 'ERR_HTTP_INVALID_HEADER_VALUE: Invalid value "secret" for header "x-token"'),
      answered,
    );
    expect(tls).toMatchObject({ status: 502, originError: 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate' });
    expect(request).not.toHaveProperty('originError');
    expect(JSON.stringify(request)).not.toContain('secret');
    expect(withResponse).toMatchObject({ status: 503 });
    expect(withResponse).not.toHaveProperty('originError');
  });

  it.each([
    [{ POWERTOOLS_DEV: 'true' }, true],
    [{ POWERTOOLS_DEV: 'true', POWERTOOLS_METRICS_DISABLED: 'false' }, false],
    [{ POWERTOOLS_METRICS_DISABLED: ' Yes ' }, true],
    [{ POWERTOOLS_DEV: 'false' }, false],
  ])('reads disabled metrics as Powertools does: %o -> %s', async (env, disabled) => {
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    if (!('POWERTOOLS_METRICS_DISABLED' in env)) delete process.env.POWERTOOLS_METRICS_DISABLED;
    vi.resetModules();
    const { METRICS_DISABLED, count, takeEmf } = await import('../shared/telemetry/telemetry.js');
    expect(METRICS_DISABLED).toBe(disabled);
    count('Probe');
    expect(takeEmf() === undefined).toBe(disabled);
    // The same answer as Powertools Metrics' own (protected) flag, reached through its public publish path.
    const { Metrics } = await import('@aws-lambda-powertools/metrics');
    const printed = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const logged = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const powertools = new Metrics({ namespace: 'TelemetryTest', serviceName: 'svc' });
    powertools.addMetric('Probe', 'Count', 1);
    powertools.publishStoredMetrics();
    expect(printed.mock.calls.length + logged.mock.calls.length > 0).toBe(!disabled);
  });
});
