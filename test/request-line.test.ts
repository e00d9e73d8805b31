/**
 * The request log line is Powertools Logger's, byte for byte and on the same stream: a real Logger
 * with the same Lambda context and fields prints beside `requestLine`, at the same instant, under
 * the settings that change Powertools' line for this function (cold start, no context, sample
 * rate, X-Ray, TZ, dev mode, empty values); keys appended to a logger are kept out by a check.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { LineContext } from '../shared/telemetry/request-line.js';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.resetModules();
});

const CONTEXT: LineContext = {
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:proxy',
  memoryLimitInMB: '256',
  functionName: 'proxy',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
};

const FIELDS = {
  method: 'GET',
  path: '/api/items',
  route: 'default',
  status: 200,
  totalMs: 12,
  traceId: 'Root=1-67891233-abcdef012345678912345678',
  attempts: [{ n: 1, outcome: 503, ms: 4 }, { n: 2, outcome: 200, ms: 7 }],
  cache: 'alb-retry-proxy; fwd=miss; stored',
  stop: 'done',
  budgetDenied: 0,
};

/**
 * Each invocation's line from Powertools and from `requestLine` + `printRequest`, each tagged with
 * where it went (stdout, or the console in dev mode), under `env` (modules loaded fresh, so both
 * read it as they do at a cold start): `addContext` per invocation, as injectLambdaContext does.
 */
async function lines(env: Record<string, string>, context: LineContext | undefined, fields: Record<string, unknown>, invocations = 1): Promise<[string[], string[]]> {
  for (const [key, value] of Object.entries({ POWERTOOLS_DEV: '', POWERTOOLS_LOG_LEVEL: 'INFO', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', ...env })) vi.stubEnv(key, value);
  vi.resetModules();
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-03T11:22:33.456Z') });
  const { Logger } = await import('@aws-lambda-powertools/logger');
  const { printRequest, requestLine, takeColdStart } = await import('../shared/telemetry/request-line.js');
  const logger = new Logger({ serviceName: 'svc' });
  const capture = (into: string[], write: () => void): void => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (into.push(`stdout ${String(chunk)}`), true));
    const dev = vi.spyOn(console, 'info').mockImplementation((line: string) => into.push(`console ${line}`));
    try {
      write();
    } finally {
      out.mockRestore();
      dev.mockRestore();
    }
  };
  const theirs: string[] = [];
  const ours: string[] = [];
  for (let i = 0; i < invocations; i++) {
    capture(theirs, () => {
      if (context) logger.addContext(context as Context);
      logger.info('request', fields);
    });
    const coldStart = takeColdStart();
    capture(ours, () => printRequest(requestLine('svc', context, coldStart, fields), undefined));
  }
  return [theirs, ours];
}

/** The JSON of a tagged line. */
const json = (tagged: string | undefined): Record<string, unknown> => JSON.parse(tagged!.slice(tagged!.indexOf(' ') + 1)) as Record<string, unknown>;

describe('the request log line', () => {
  it('is the line Powertools prints after injectLambdaContext, cold start first', async () => {
    const [theirs, ours] = await lines({}, CONTEXT, FIELDS, 3);
    expect(ours).toEqual(theirs);
    expect(ours.map((l) => json(l).cold_start)).toEqual([true, false, false]);
    expect(json(ours[0])).toMatchObject({ level: 'INFO', message: 'request', timestamp: '2026-12-03T11:22:33.456Z', service: 'svc', function_name: 'proxy', sampling_rate: 0, path: '/api/items' });
  });

  it('has no cold start in a provisioned environment, and no context fields without a context', async () => {
    const [provisioned, ours] = await lines({ AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' }, CONTEXT, FIELDS);
    expect(ours).toEqual(provisioned);
    expect(json(ours[0]).cold_start).toBe(false);
    const [bare, oursBare] = await lines({}, undefined, FIELDS);
    expect(oursBare).toEqual(bare);
    expect(json(oursBare[0])).not.toHaveProperty('function_name');
  });

  it.each([
    ['a sample rate', { POWERTOOLS_LOGGER_SAMPLE_RATE: '0.25' }, 'sampling_rate', 0.25],
    ['a sample rate out of range (0, as Powertools)', { POWERTOOLS_LOGGER_SAMPLE_RATE: '7' }, 'sampling_rate', 0],
    ['an X-Ray trace', { _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' }, 'xray_trace_id', '1-5759e988-bd862e3fe1be46a994272793'],
    ['a time zone', { TZ: 'Asia/Kolkata' }, 'timestamp', '2026-12-03T16:52:33.456+05:30'],
  ])('follows Powertools with %s', async (_name, env, key, value) => {
    const [theirs, ours] = await lines(env, CONTEXT, FIELDS);
    expect(ours).toEqual(theirs);
    expect(json(ours[0])[key]).toEqual(value);
  });

  it('indents in dev mode, and writes through the console (one Lambda event per call), as Powertools does', async () => {
    const [theirs, ours] = await lines({ POWERTOOLS_DEV: 'true' }, CONTEXT, FIELDS);
    expect(ours).toEqual(theirs);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^console \{\n {4}"level": "INFO"/);
  });

  it('writes the line and the EMF document to stdout in one write, the EMF document alone when INFO is off', async () => {
    vi.stubEnv('POWERTOOLS_DEV', '');
    vi.resetModules();
    const { printRequest } = await import('../shared/telemetry/request-line.js');
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (writes.push(String(chunk)), true));
    printRequest('{"message":"request"}', '{"_aws":{}}');
    printRequest(undefined, '{"_aws":{}}');
    printRequest('{"message":"request"}', undefined);
    printRequest(undefined, undefined);
    expect(writes).toEqual(['{"message":"request"}\n{"_aws":{}}\n', '{"_aws":{}}\n', '{"message":"request"}\n']);
  });

  it('is not missing keys appended to the logger: no code appends any (Powertools cannot tell the line its temporary keys)', () => {
    const appending = /\b(appendKeys|appendPersistentKeys|addPersistentLogAttributes|setCorrelationId|correlationIdPath|persistentKeys|persistentLogAttributes)\b/;
    const sources = ['shared', 'functions'].flatMap((dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f)));
    expect(sources.length).toBeGreaterThan(20);
    const offenders = sources.filter((file) => appending.test(readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '')));
    expect(offenders, 'request-line.ts would leave these keys off the request line: add them there first').toEqual([]);
  });

  it('drops empty values as Powertools does, and keeps a tenant', async () => {
    const fields = { ...FIELDS, route: undefined, traceId: '', retriesStopped: null, hedgesSent: 0 };
    const [theirs, ours] = await lines({}, { ...CONTEXT, tenantId: 'clinic-7' }, fields);
    expect(ours).toEqual(theirs);
    const line = json(ours[0]);
    expect(line).toMatchObject({ tenant_id: 'clinic-7', hedgesSent: 0 });
    for (const key of ['route', 'traceId', 'retriesStopped']) expect(line).not.toHaveProperty(key);
  });
});
