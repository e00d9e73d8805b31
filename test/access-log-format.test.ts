import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAccessLogWriter, formatAccessLogLine, type AccessLogRecord } from '../local/access-log/format.js';
import { parseAccessLogLine } from '../local/access-log/parse.js';
import { DOC_EXAMPLES } from './fixtures/access-logs/aws-examples.js';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/retry-proxy/0123456789abcdef';

function record(overrides: Partial<AccessLogRecord> = {}): AccessLogRecord {
  return {
    time: new Date('2026-05-01T10:00:05.250Z'),
    requestCreationTime: new Date('2026-05-01T10:00:03.000Z'),
    clientIp: '127.0.0.1',
    clientPort: 54321,
    requestProcessingTime: 0.001,
    targetProcessingTime: 2.249,
    responseProcessingTime: 0,
    elbStatusCode: 200,
    targetStatusCode: 200,
    receivedBytes: 120,
    sentBytes: 512,
    method: 'GET',
    url: 'http://127.0.0.1:3000/path?q=1',
    protocol: 'HTTP/1.1',
    userAgent: 'curl/8.4.0',
    traceId: 'Root=1-6632f0a1-0123456789abcdef01234567',
    targetGroupArn: TG,
    errorReason: null,
    ...overrides,
  };
}

function parsed(line: string) {
  const r = parseAccessLogLine(line);
  if (!r.ok) throw new Error(r.error);
  return r.entry;
}

describe('formatAccessLogLine', () => {
  test('writes a Lambda-target line with the shape of the documented Lambda example', () => {
    const line = formatAccessLogLine(record({ url: 'http://www.example.com/', targetProcessingTime: 0.001 }));
    // Same fields as AWS's "successful Lambda request" example, up to its trace id and times.
    expect(line).toBe(
      'http 2026-05-01T10:00:05.250000Z app/local-alb/0000000000000000 127.0.0.1:54321 - 0.001 0.001 0.000 200 200 120 512 ' +
        '"GET http://www.example.com:80/ HTTP/1.1" "curl/8.4.0" - - ' +
        `${TG} "Root=1-6632f0a1-0123456789abcdef01234567" "-" "-" 0 2026-05-01T10:00:03.000000Z "forward" "-" "-" ` +
        `"-" "-" "-" "-" ${line.split(' ').at(-4)} "-" "-" "-"`,
    );
    expect(line.split(' ').at(-4)).toMatch(/^TID_[0-9a-f]{16}$/);
    // Field count and quoting match the documented example line for line.
    const doc = parsed(DOC_EXAMPLES.lambdaSuccess);
    const ours = parsed(line);
    expect(Object.keys(ours)).toEqual(Object.keys(doc));
    expect(ours.extra).toEqual([]);
  });

  test('reads back what the emulator recorded', () => {
    const e = parsed(
      formatAccessLogLine(
        record({ elbStatusCode: 502, targetStatusCode: null, targetProcessingTime: -1, errorReason: 'LambdaUnhandled' }),
      ),
    );
    expect(e).toMatchObject({
      timeMs: Date.parse('2026-05-01T10:00:05.250Z'),
      requestCreationTimeMs: Date.parse('2026-05-01T10:00:03.000Z'),
      clientIp: '127.0.0.1',
      clientPort: 54321,
      targetIp: null,
      requestProcessingTime: 0.001,
      targetProcessingTime: -1,
      responseProcessingTime: 0,
      elbStatusCode: 502,
      targetStatusCode: null,
      method: 'GET',
      url: 'http://127.0.0.1:3000/path?q=1',
      protocol: 'HTTP/1.1',
      errorReason: 'LambdaUnhandled',
      actionsExecuted: ['forward'],
      matchedRulePriority: 0,
      targetGroupArn: TG,
    });
  });

  test('adds the default port ALB always logs, and keeps the rest of the URL byte for byte', () => {
    expect(parsed(formatAccessLogLine(record({ url: 'http://localhost/a%5Bb%5D?x=%2F&y=+' }))).url).toBe(
      'http://localhost:80/a%5Bb%5D?x=%2F&y=+',
    );
    expect(parsed(formatAccessLogLine(record({ url: 'https://[::1]/' }))).url).toBe('https://[::1]:443/');
    expect(parsed(formatAccessLogLine(record({ url: 'http://h:8080' }))).url).toBe('http://h:8080/');
  });

  test('marks HTTPS and HTTP/2 requests with their documented type', () => {
    expect(parsed(formatAccessLogLine(record({ url: 'https://h/' }))).type).toBe('https');
    expect(parsed(formatAccessLogLine(record({ url: 'https://h/', protocol: 'HTTP/2.0' }))).type).toBe('h2');
  });

  test('escapes quotes, backslashes and newlines so no value can break its line', () => {
    const ua = 'evil" "agent\\ with\nnewline';
    const line = formatAccessLogLine(record({ userAgent: ua }));
    expect(line).not.toContain('\n');
    expect(line).toContain('\\x22');
    expect(parsed(line).userAgent).toBe(ua);
  });

  test('round-trips any record through the parser', () => {
    const arb = fc.record({
      time: fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
      requestCreationTime: fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
      clientIp: fc.oneof(fc.ipV4(), fc.ipV6()),
      clientPort: fc.integer({ min: 0, max: 65535 }),
      requestProcessingTime: fc.integer({ min: 0, max: 4_000_000 }).map((ms) => ms / 1000),
      targetProcessingTime: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 4_000_000 }).map((ms) => ms / 1000)),
      responseProcessingTime: fc.integer({ min: 0, max: 60_000 }).map((ms) => ms / 1000),
      elbStatusCode: fc.integer({ min: 100, max: 599 }),
      targetStatusCode: fc.option(fc.integer({ min: 100, max: 599 })),
      receivedBytes: fc.nat(),
      sentBytes: fc.nat(),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      url: fc.webUrl({ withQueryParameters: true }),
      protocol: fc.constantFrom('HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0'),
      userAgent: fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => s !== '-'),
      traceId: fc.string({ minLength: 1 }).filter((s) => s !== '-'),
      targetGroupArn: fc.constant(TG),
      errorReason: fc.option(fc.constantFrom('LambdaUnhandled', 'LambdaInvalidResponse', 'LambdaThrottling')),
    });
    fc.assert(
      fc.property(arb, (r) => {
        const e = parsed(formatAccessLogLine(r));
        expect(e.timeMs).toBe(r.time.getTime());
        expect(e.requestCreationTimeMs).toBe(r.requestCreationTime.getTime());
        expect([e.clientIp, e.clientPort]).toEqual([r.clientIp, r.clientPort]);
        expect([e.requestProcessingTime, e.targetProcessingTime, e.responseProcessingTime]).toEqual([
          r.requestProcessingTime,
          r.targetProcessingTime,
          r.responseProcessingTime,
        ]);
        expect([e.elbStatusCode, e.targetStatusCode]).toEqual([r.elbStatusCode, r.targetStatusCode]);
        expect([e.receivedBytes, e.sentBytes]).toEqual([r.receivedBytes, r.sentBytes]);
        expect([e.method, e.protocol, e.userAgent, e.traceId, e.errorReason]).toEqual([
          r.method,
          r.protocol,
          r.userAgent,
          r.traceId,
          r.errorReason,
        ]);
        // The URL comes back with an explicit port; its path and query are untouched.
        expect(new URL(e.url!).href).toBe(new URL(r.url).href);
      }),
      { numRuns: 300 },
    );
  });
});

describe('createAccessLogWriter', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'access-log-writer-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('appends one parsable line per request, creating the directory', async () => {
    const path = join(dir, 'nested', 'access.log');
    const writer = createAccessLogWriter(path);
    writer.write(record());
    writer.write(record({ elbStatusCode: 503, targetStatusCode: 503 }));
    await writer.close();
    const again = createAccessLogWriter(path);
    again.write(record({ method: 'POST' }));
    await again.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => parsed(l)).map((e) => [e.method, e.elbStatusCode])).toEqual([
      ['GET', 200],
      ['GET', 503],
      ['POST', 200],
    ]);
  });

  test('ignores writes after close', async () => {
    const path = join(dir, 'closed.log');
    const writer = createAccessLogWriter(path);
    writer.write(record());
    await writer.close();
    writer.write(record());
    await writer.close();
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  test('reports an unwritable path to onError instead of throwing', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'a file where a directory should be');
    const errors: Error[] = [];
    const writer = createAccessLogWriter(join(blocker, 'access.log'), { onError: (e) => errors.push(e) });
    writer.write(record());
    await writer.close();
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOTDIR']);
  });

  test('reports a record it cannot format and keeps writing', async () => {
    const path = join(dir, 'bad-record.log');
    await mkdir(dir, { recursive: true });
    const errors: Error[] = [];
    const writer = createAccessLogWriter(path, { onError: (e) => errors.push(e) });
    writer.write(record({ time: new Date(Number.NaN) }));
    writer.write(record());
    await writer.close();
    expect(errors).toHaveLength(1);
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(1);
  });
});
