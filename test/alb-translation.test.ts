import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAlbEvent } from '../shared/alb/event.js';
import { statusDescription, toAlbResult } from '../shared/alb/result.js';
import { EventError } from '../shared/http/errors.js';
import { originRequestHeaders } from '../shared/http/headers.js';
import { buildAlbEvent } from '../local/alb-event-builder.js';
import { validateAlbResult } from '../local/alb-result-check.js';
import { readEventFile } from '../local/event-file.js';

const EVENT_FILES = readdirSync('events').filter((f) => f.endsWith('.json'));

describe('every recorded event', () => {
  it('is there: the 14 public recordings and the hand-written ones', () => {
    expect(EVENT_FILES.length).toBeGreaterThanOrEqual(21);
  });

  it.each(EVENT_FILES)('%s translates and round-trips through the ALB event builder', async (file) => {
    const event = await readEventFile(`events/${file}`);
    const parsed = parseAlbEvent(event);
    const { request } = parsed;
    expect(request.path.startsWith('/')).toBe(true);
    expect(parsed.multiValue).toBe(event.multiValueHeaders !== undefined);

    // Round trip: the request as a client would send it, turned into an event by our emulator's
    // builder, must parse to the same method, path, raw query, headers and body bytes.
    const rawHeaders = Object.entries(request.headers).flatMap(([n, vs]) => vs.flatMap((v) => [n, v]));
    const rebuilt = buildAlbEvent(
      {
        method: request.method,
        target: request.rawQuery ? `${request.path}?${request.rawQuery}` : request.path,
        rawHeaders,
        body: request.body,
        clientIp: '198.51.100.7',
        listenerPort: 443,
        protocol: 'https',
      },
      { multiValue: parsed.multiValue },
    );
    const again = parseAlbEvent(rebuilt).request;
    expect(again.method).toBe(request.method);
    expect(again.path).toBe(request.path);
    expect(again.rawQuery).toBe(request.rawQuery);
    expect(again.body.equals(request.body)).toBe(true);
    for (const [name, values] of Object.entries(request.headers)) {
      if (name.startsWith('x-forwarded-') || name === 'x-amzn-trace-id') continue;
      expect(again.headers[name], name).toEqual(parsed.multiValue ? values : [values[values.length - 1]]);
    }
  });
});

describe('ALB event -> origin request', () => {
  it('keeps percent-encoded keys and values as received, never decoding or re-encoding', async () => {
    const { request } = parseAlbEvent(await readEventFile('events/bref__alb-query-string-mixed-encoding.json'));
    expect(request.rawQuery).toContain('date%5Bfrom%5D=2020-06-18');
    expect(request.rawQuery).toContain('encoded_value[]=abc123!%40%23%25');
    expect(request.rawQuery).not.toContain('%255B');
  });

  it('expands repeated query keys in multi-value mode', async () => {
    const { request } = parseAlbEvent(await readEventFile('events/local__get-multi-value-repeated.json'));
    expect(request.rawQuery).toBe('species=dog&species=cat&q=r%C3%A9sum%C3%A9+2026&filter%5B%5D=a&filter%5B%5D=b');
    expect(request.headers.accept).toEqual(['text/html', 'application/json']);
  });

  it('decodes base64 bodies byte-exactly', async () => {
    const { request } = parseAlbEvent(await readEventFile('events/local__post-binary-upload.json'));
    expect([...request.body.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xe0]);
    const put = parseAlbEvent(await readEventFile('events/aws-lambda-dotnet__values-put-binary-alb-request.json'));
    expect(put.request.body.toString()).toBe('Greetings, programs!');
  });

  it('treats null and missing query parameters and bodies as empty', async () => {
    const { request } = parseAlbEvent(await readEventFile('events/aws-lambda-dotnet__values-put-binary-alb-request.json'));
    expect(request.rawQuery).toBe('');
    const mv = parseAlbEvent(await readEventFile('events/aws-lambda-dotnet__values-get-querystring-alb-mv-encoding-request.json'));
    expect(mv.request.body.length).toBe(0);
  });

  it('recognises the ELB health check (no host, ELB-HealthChecker)', async () => {
    const parsed = parseAlbEvent(await readEventFile('events/aws-lambda-rust-runtime__alb_no_host.json'));
    expect(parsed.healthCheck).toBe(true);
    const normal = parseAlbEvent(await readEventFile('events/powertools-lambda-python__albEvent.json'));
    expect(normal.healthCheck).toBe(false);
  });

  it("keeps ALB's own headers and Host when the client's Connection names them", () => {
    const named = { host: ['alb.example.com'], connection: ['x-forwarded-proto, x-forwarded-for, x-forwarded-port, x-amzn-trace-id, host, x-hop'], 'x-hop': ['1'], 'x-forwarded-proto': ['https'], 'x-forwarded-for': ['203.0.113.1'], 'x-forwarded-port': ['443'], 'x-amzn-trace-id': ['Root=1-a-b'] };
    expect(originRequestHeaders(named, 'hosp.internal')).toEqual({ host: ['hosp.internal'], 'x-forwarded-proto': ['https'], 'x-forwarded-for': ['203.0.113.1'], 'x-forwarded-port': ['443'], 'x-amzn-trace-id': ['Root=1-a-b'] });
  });

  it('sends the origin its own Host, drops hop-by-hop and URL-rewriting headers, keeps ALB x-forwarded-*', () => {
    const headers = originRequestHeaders(
      {
        host: ['alb.example.com'],
        connection: ['keep-alive, x-secret-hop'],
        'x-secret-hop': ['1'],
        'transfer-encoding': ['chunked'],
        'x-forwarded-host': ['evil.example'],
        'x-original-url': ['/admin'],
        // Scheme and prefix rewrites frameworks honour (Spring, Rack, IIS): not in the cache key.
        'x-forwarded-prefix': ['//evil.example'],
        'x-forwarded-scheme': ['http'],
        'x-forwarded-ssl': ['off'],
        'front-end-https': ['off'],
        'x-url-scheme': ['http'],
        'x-original-host': ['evil.example'],
        'x-forwarded-uri': ['/admin'],
        'x-original-uri': ['/admin'],
        'x-forwarded-for': ['203.0.113.1'],
        'x-forwarded-proto': ['https'],
        'x-amzn-trace-id': ['Root=1-a-b'],
        cookie: ['a=1'],
      },
      'hosp.internal:8443',
    );
    expect(headers).toEqual({
      host: ['hosp.internal:8443'],
      'x-forwarded-for': ['203.0.113.1'],
      'x-forwarded-proto': ['https'],
      'x-amzn-trace-id': ['Root=1-a-b'],
      cookie: ['a=1'],
    });
  });

  it.each([
    [{}, 'httpMethod'],
    [{ httpMethod: 'GE T', path: '/' }, 'httpMethod'],
    [{ httpMethod: 'GET', path: 'http://evil.example/' }, 'path'],
    [{ httpMethod: 'GET', path: 'evil.example/x' }, 'path'],
    [{ httpMethod: 'GET', path: '/', headers: { 'x-a': 'b\x01c' } }, 'headers.x-a'],
    [{ httpMethod: 'GET', path: '/a b' }, 'path'],
    [{ httpMethod: 'GET', path: '/', headers: { host: 5 } }, 'headers.host'],
    [{ httpMethod: 'GET', path: '/', headers: { 'x-a': 'b\r\nx-injected: 1' } }, 'headers.x-a'],
    [{ httpMethod: 'GET', path: '/', multiValueHeaders: { accept: 'text/html' } }, 'multiValueHeaders.accept'],
    [{ httpMethod: 'GET', path: '/', queryStringParameters: { q: 'a b' } }, 'queryStringParameters'],
    [{ httpMethod: 'POST', path: '/', body: 'not base64!', isBase64Encoded: true }, 'body'],
    [{ httpMethod: 'POST', path: '/', body: 42 }, 'body'],
  ])('refuses a malformed event %j naming the field', (event, where) => {
    try {
      parseAlbEvent(event);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(EventError);
      expect((error as EventError).where).toBe(where);
    }
  });
});

describe('origin response -> ALB result', () => {
  const response = (headers: Record<string, string[]>, body: Buffer | string, status = 200) => ({
    status,
    headers,
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  });

  it('sends text as UTF-8 and everything else as base64, byte-exactly', () => {
    const text = toAlbResult(response({ 'content-type': ['application/json'] }, '{"ü":1}'), { multiValue: false, method: 'GET' });
    expect(text).toMatchObject({ isBase64Encoded: false, body: '{"ü":1}' });
    const bytes = Buffer.from([0xff, 0, 0x80, 10]);
    const binary = toAlbResult(response({ 'content-type': ['image/png'] }, bytes), { multiValue: false, method: 'GET' });
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body!, 'base64').equals(bytes)).toBe(true);
  });

  it('sends compressed text as base64 (a content-encoding makes it bytes)', () => {
    const result = toAlbResult(response({ 'content-type': ['text/html'], 'content-encoding': ['gzip'] }, Buffer.from([0x1f, 0x8b, 8, 0])), {
      multiValue: false,
      method: 'GET',
    });
    expect(result.isBase64Encoded).toBe(true);
  });

  it('uses multiValueHeaders exactly in multi-value mode, keeping every Set-Cookie', () => {
    const r = response({ 'set-cookie': ['a=1', 'b=2'], 'content-type': ['text/plain'], connection: ['close'] }, 'x');
    const multi = toAlbResult(r, { multiValue: true, method: 'GET' });
    expect(multi.headers).toBeUndefined();
    expect(multi.multiValueHeaders).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'content-type': ['text/plain'] });
    const single = toAlbResult(r, { multiValue: false, method: 'GET' });
    expect(single.multiValueHeaders).toBeUndefined();
    expect(single.headers).toEqual({ 'set-cookie': 'b=2', 'content-type': 'text/plain' });
    expect(validateAlbResult(multi, true)).toBeUndefined();
    expect(validateAlbResult(single, false)).toBeUndefined();
  });

  it('joins other repeated headers with ", " in single-value mode', () => {
    const result = toAlbResult(response({ vary: ['accept', 'accept-encoding'] }, ''), { multiValue: false, method: 'GET' });
    expect(result.headers).toEqual({ vary: 'accept, accept-encoding' });
  });

  it('gives every status its description', () => {
    expect(statusDescription(200)).toBe('200 OK');
    expect(statusDescription(503)).toBe('503 Service Unavailable');
    expect(statusDescription(599)).toBe('599 Unknown');
  });

  it('sends no body for HEAD', () => {
    expect(toAlbResult(response({ 'content-type': ['text/plain'] }, 'body'), { multiValue: false, method: 'HEAD' }).body).toBe('');
  });

  it('turns a body too large for ALB into a clean 502 with Proxy-Status', () => {
    const result = toAlbResult(response({ 'content-type': ['application/octet-stream'] }, Buffer.alloc(800_000)), { multiValue: false, method: 'GET' });
    expect(result.statusCode).toBe(502);
    expect(result.headers?.['proxy-status']).toMatch(/^alb-retry-proxy; error=http_response_body_size; received-status=200; details="/);
    expect(validateAlbResult(result, false)).toBeUndefined();
  });

  it('keeps the Cache-Status of the answer the clean 502 replaces: it is on every response (found by review)', () => {
    const status = 'alb-retry-proxy; fwd=uri-miss; fwd-status=200; stored';
    for (const multiValue of [false, true]) {
      const result = toAlbResult(response({ 'content-type': ['application/octet-stream'], 'cache-status': [status] }, Buffer.alloc(900_000)), { multiValue, method: 'GET' });
      expect(result.statusCode).toBe(502);
      const headers = multiValue ? result.multiValueHeaders : result.headers;
      expect(multiValue ? headers?.['cache-status'] : [headers?.['cache-status']]).toEqual([status]);
      expect(multiValue ? headers?.['cache-control'] : [headers?.['cache-control']]).toEqual(['no-store']);
    }
  });

  it('measures the JSON when headers full of characters JSON escapes bring a body just under 1 MB over it', () => {
    // 20 headers of 1,500 quotes (a 30 KB section that JSON doubles) beside a base64 body that fits
    // only if the headers are counted unescaped.
    const headers: Record<string, string[]> = { 'content-type': ['application/octet-stream'] };
    for (let i = 0; i < 20; i++) headers[`x-q${i}`] = ['"'.repeat(1_500)];
    const base64Chars = 1_000_000 - 30_500 - 1_024;
    const result = toAlbResult(response(headers, Buffer.alloc((base64Chars / 4) * 3)), { multiValue: false, method: 'GET' });
    expect(result.statusCode).toBe(502);
    expect(result.headers?.['proxy-status']).toMatch(/error=http_response_body_size/);
    expect(validateAlbResult(result, false)).toBeUndefined();
  });

  it.each([false, true])('sends text over 1 MB once JSON-escaped as base64 when that fits (multi-value %s)', (multiValue) => {
    // Events whose payload is itself JSON (a common shape): about 700 KB that escaped quotes take
    // past 1 MB as text, but under it as base64.
    const events: string[] = [];
    for (let i = 0; i < 11_000; i++) events.push(JSON.stringify({ t: i, lvl: 'info', msg: 'ok', id: `a${i}` }));
    const body = Buffer.from(JSON.stringify({ events }));
    expect(Buffer.byteLength(JSON.stringify(body.toString('utf8')))).toBeGreaterThan(1_000_000);
    const result = toAlbResult(response({ 'content-type': ['application/json'] }, body), { multiValue, method: 'GET' });
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body!, 'base64').equals(body)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(1_000_000);
    expect(validateAlbResult(result, multiValue)).toBeUndefined();
  });

  it.each([false, true])('still answers 502 for text too large both escaped and as base64 (multi-value %s)', (multiValue) => {
    // 800 KB of quotes: 1.6 MB escaped, 1.07 MB as base64.
    const result = toAlbResult(response({ 'content-type': ['application/json'] }, '"'.repeat(800_000)), { multiValue, method: 'GET' });
    expect(result.statusCode).toBe(502);
    const proxyStatus = multiValue ? result.multiValueHeaders?.['proxy-status']?.[0] : result.headers?.['proxy-status'];
    expect(proxyStatus).toMatch(/error=http_response_body_size/);
    expect(validateAlbResult(result, multiValue)).toBeUndefined();
  });

  it('turns headers too large for ALB into a clean 502', () => {
    const big = toAlbResult(response({ 'x-big': ['a'.repeat(17_000)] }, ''), { multiValue: true, method: 'GET' });
    expect(big.statusCode).toBe(502);
    expect(big.multiValueHeaders?.['proxy-status']?.[0]).toContain('error=http_response_header_size');
    const many = toAlbResult(response(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`x-h${i}`, ['b'.repeat(1000)]])), ''), {
      multiValue: false,
      method: 'GET',
    });
    expect(many.statusCode).toBe(502);
    expect(many.headers?.['proxy-status']).toContain('error=http_response_header_section_size');
  });

  it('is rejected by the ALB check when it mixes header forms (the aws-lambda-go response fixture)', async () => {
    const fixture = await readEventFile('test/fixtures/aws-lambda-go__alb-lambda-target-response.json');
    expect(validateAlbResult(fixture, false)).toMatch(/multiValueHeaders/);
  });
});
