import { describe, expect, test } from 'vitest';
import { parseAccessLogLine } from '../local/access-log/parse.js';
import type { AlbLogEntry } from '../local/access-log/fields.js';
import {
  CONSTRUCTED,
  DOC_EXAMPLES,
  DOC_EXAMPLES_2018,
  DOC_EXAMPLE_2020_HTTP,
} from './fixtures/access-logs/aws-examples.js';

function parse(line: string): AlbLogEntry {
  const r = parseAccessLogLine(line);
  if (!r.ok) throw new Error(`expected ${line} to parse, got: ${r.error}`);
  return r.entry;
}

function error(line: string): string {
  const r = parseAccessLogLine(line);
  if (r.ok) throw new Error(`expected ${line} to be malformed`);
  return r.error;
}

const TG = 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067';

describe('AWS documented example entries', () => {
  test('reads every field of the HTTP entry', () => {
    expect(parse(DOC_EXAMPLES.http)).toEqual({
      type: 'http',
      time: '2018-07-02T22:23:00.186641Z',
      timeMs: Date.UTC(2018, 6, 2, 22, 23, 0, 186),
      elb: 'app/my-loadbalancer/50dc6c495c0c9188',
      clientIp: '192.168.131.39',
      clientPort: 2817,
      targetIp: '10.0.0.1',
      targetPort: 80,
      requestProcessingTime: 0,
      targetProcessingTime: 0.001,
      responseProcessingTime: 0,
      elbStatusCode: 200,
      targetStatusCode: 200,
      receivedBytes: 34,
      sentBytes: 366,
      request: 'GET http://www.example.com:80/ HTTP/1.1',
      method: 'GET',
      url: 'http://www.example.com:80/',
      protocol: 'HTTP/1.1',
      userAgent: 'curl/7.46.0',
      sslCipher: null,
      sslProtocol: null,
      targetGroupArn: TG,
      traceId: 'Root=1-58337262-36d228ad5d99923122bbe354',
      domainName: null,
      chosenCertArn: null,
      matchedRulePriority: 0,
      requestCreationTime: '2018-07-02T22:22:48.364000Z',
      requestCreationTimeMs: Date.UTC(2018, 6, 2, 22, 22, 48, 364),
      actionsExecuted: ['forward'],
      redirectUrl: null,
      errorReason: null,
      targetPortList: ['10.0.0.1:80'],
      targetStatusCodeList: [200],
      classification: null,
      classificationReason: null,
      connTraceId: 'TID_1234abcd5678ef90',
      transformedHost: null,
      transformedUri: null,
      requestTransformStatus: null,
      extra: [],
    } satisfies AlbLogEntry);
  });

  test('reads TLS fields, SNI, certificate and several actions from the HTTPS entry', () => {
    const e = parse(DOC_EXAMPLES.https);
    expect(e).toMatchObject({
      type: 'https',
      requestProcessingTime: 0.086,
      targetProcessingTime: 0.048,
      responseProcessingTime: 0.037,
      sslCipher: 'ECDHE-RSA-AES128-GCM-SHA256',
      sslProtocol: 'TLSv1.2',
      domainName: 'www.example.com',
      chosenCertArn: 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012',
      matchedRulePriority: 1,
      actionsExecuted: ['authenticate', 'forward'],
    });
  });

  test('reads the HTTP/2 entry with its redirect URL', () => {
    expect(parse(DOC_EXAMPLES.h2)).toMatchObject({
      type: 'h2',
      url: 'https://10.0.2.105:773/',
      protocol: 'HTTP/2.0',
      actionsExecuted: ['redirect'],
      redirectUrl: 'https://example.com:80/',
      targetIp: '10.0.0.66',
      targetPort: 9000,
    });
  });

  test('reads WebSocket entries (101, no user agent)', () => {
    for (const line of [DOC_EXAMPLES.ws, DOC_EXAMPLES.wss]) {
      const e = parse(line);
      expect(e.elbStatusCode).toBe(101);
      expect(e.targetStatusCode).toBe(101);
      expect(e.userAgent).toBeNull();
    }
    expect(parse(DOC_EXAMPLES.wss)).toMatchObject({ type: 'wss', sentBytes: 786, sslProtocol: 'TLSv1.2' });
  });

  test('reads a successful Lambda request: no target:port, empty target lists', () => {
    expect(parse(DOC_EXAMPLES.lambdaSuccess)).toMatchObject({
      targetIp: null,
      targetPort: null,
      elbStatusCode: 200,
      targetStatusCode: 200,
      errorReason: null,
      targetPortList: [],
      targetStatusCodeList: [],
    });
  });

  test('reads a failed Lambda request: 502, no target status, the error reason', () => {
    expect(parse(DOC_EXAMPLES.lambdaFailure)).toMatchObject({
      targetIp: null,
      elbStatusCode: 502,
      targetStatusCode: null,
      errorReason: 'LambdaInvalidResponse',
    });
  });

  test('reads the 2018 form, which ends at error_reason; later fields are null', () => {
    const e = parse(DOC_EXAMPLES_2018.lambdaFailure);
    expect(e.errorReason).toBe('LambdaInvalidResponse');
    expect(e.targetPortList).toEqual([]);
    expect(e.connTraceId).toBeNull();
    expect(e.extra).toEqual([]);
    expect(parse(DOC_EXAMPLES_2018.http).actionsExecuted).toEqual(['forward']);
  });

  test('reads the 2020 form, whose target lists are unquoted', () => {
    expect(parse(DOC_EXAMPLE_2020_HTTP)).toMatchObject({ targetPortList: ['10.0.0.1:80'], targetStatusCodeList: [200] });
  });
});

describe('cases built from the field descriptions', () => {
  test('keeps spaces and decodes escaped quotes inside quoted fields', () => {
    const e = parse(CONSTRUCTED.quotesAndSpaces);
    expect(e.userAgent).toBe('Mozilla/5.0 (X11; Linux x86_64) "quoted" agent');
    expect(e.method).toBe('GET');
    expect(e.url).toBe('https://shop.example.com:443/search?q="red shoes"');
    expect(e.protocol).toBe('HTTP/1.1');
    expect(e.chosenCertArn).toBe('session-reused');
    expect(e.classification).toBe('Acceptable');
    expect(e.classificationReason).toBe('SpaceInUri');
  });

  test('splits an IPv6 client at its last colon', () => {
    expect(parse(CONSTRUCTED.ipv6Client)).toMatchObject({ clientIp: '2001:db8::5', clientPort: 52000 });
  });

  test('keeps -1 processing times of a target that did not answer', () => {
    expect(parse(CONSTRUCTED.targetTimeout)).toMatchObject({
      requestProcessingTime: -1,
      targetProcessingTime: -1,
      responseProcessingTime: -1,
      elbStatusCode: 504,
      targetStatusCode: null,
      targetStatusCodeList: [],
    });
  });

  test('reads a request ALB could not parse as nulls, not as an error', () => {
    expect(parse(CONSTRUCTED.unparsableRequest)).toMatchObject({
      method: null,
      url: null,
      protocol: null,
      targetGroupArn: null,
      matchedRulePriority: null,
      actionsExecuted: [],
      classification: 'Severe',
      classificationReason: 'BadMethod',
    });
  });

  test('reads the rule-transform fields and keeps unknown trailing fields in extra', () => {
    expect(parse(CONSTRUCTED.futureFields)).toMatchObject({
      transformedHost: 'm.example.com',
      transformedUri: '/v2/',
      requestTransformStatus: 'TransformSuccess',
      extra: ['new field with spaces', '42'],
    });
  });

  test('a user agent ending in a backslash does not swallow its closing quote', () => {
    const line = DOC_EXAMPLES.http.replace('"curl/7.46.0"', '"C:\\tools\\"');
    expect(parse(line).userAgent).toBe('C:\\tools\\');
  });
});

describe('malformed lines come back as errors naming the field, never as exceptions', () => {
  test.each([
    ['an unterminated quote', DOC_EXAMPLES.http.slice(0, 160), /unterminated quoted field/],
    ['too few fields', 'http 2018-07-02T22:23:00.186641Z app/x 1.2.3.4:5', /4 fields, expected at least 13/],
    ['a time that is not ISO 8601', DOC_EXAMPLES.http.replace('2018-07-02T22:23:00.186641Z', 'yesterday'), /field 2 \(time\)/],
    ['an impossible date', DOC_EXAMPLES.http.replace('2018-07-02T22:23:00.186641Z', '2018-13-02T22:23:00.186641Z'), /field 2 \(time\)/],
    ['a client without a port', DOC_EXAMPLES.http.replace('192.168.131.39:2817', '192.168.131.39'), /field 4 \(client:port\)/],
    ['a status that is not a number', DOC_EXAMPLES.http.replace(' 200 200 ', ' 2OO 200 '), /field 9 \(elb_status_code\): "2OO"/],
    ['a status outside 100..599', DOC_EXAMPLES.http.replace(' 200 200 ', ' 200 999 '), /field 10 \(target_status_code\)/],
    ['a time that is not a number', DOC_EXAMPLES.http.replace('0.000 0.001 0.000', '0.000 fast 0.000'), /field 7 \(target_processing_time\)/],
    ['a byte count with a fraction', DOC_EXAMPLES.http.replace(' 34 366 ', ' 34.5 366 '), /field 11 \(received_bytes\)/],
    ['a non-numeric code in target_status_code_list', DOC_EXAMPLES.http.replace('"10.0.0.1:80" "200"', '"10.0.0.1:80" "ok"'), /field 27/],
  ])('%s', (_name, line, reason) => {
    expect(error(line)).toMatch(reason);
  });

  test('an empty line is malformed too', () => {
    expect(error('')).toMatch(/0 fields/);
  });
});
