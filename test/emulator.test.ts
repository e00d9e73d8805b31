import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ALBEvent, ALBResult, Context } from 'aws-lambda';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { startAlbEmulator, type LocalHandler, type RunningEmulator } from '../local/emulator.js';
import { parseAccessLogLine } from '../local/access-log/parse.js';
import { DEFAULT_MEMORY_MB } from '../local/lambda-context.js';
import type { AlbLogEntry } from '../local/access-log/fields.js';
import { startScriptedOrigin, type ScriptedOrigin } from './support/scripted-origin.js';
import { startSimulatedOrigin } from '../local/origin.js';

const running: Array<RunningEmulator | ScriptedOrigin | { close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function emulator(handler: LocalHandler, options: { multiValueHeaders?: boolean; timeoutMs?: number; accessLogPath?: string } = {}) {
  const e = await startAlbEmulator({ handler, port: 0, ...options });
  running.push(e);
  return e;
}

/** A handler that records the event and answers with `result`. */
function capturing(result: ALBResult | (() => Promise<ALBResult>)) {
  const events: ALBEvent[] = [];
  const handler: LocalHandler = async (event) => {
    events.push(event);
    return typeof result === 'function' ? result() : result;
  };
  return { events, handler };
}

describe('the local ALB emulator', () => {
  it('builds the event ALB would: lowercased headers, raw query, x-forwarded-*, base64 form body', async () => {
    const { events, handler } = capturing({ statusCode: 204, statusDescription: '204 No Content', headers: {}, body: '', isBase64Encoded: false });
    const e = await emulator(handler);
    const res = await request(`${e.url}/login?next=%2Fward&next=x&b=[1]`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Custom': 'one' },
      body: 'user=vet%40hosp',
    });
    await res.body.dump();
    const event = events[0]!;
    expect(event.path).toBe('/login');
    expect(event.queryStringParameters).toEqual({ next: 'x', b: '[1]' });
    expect(event.headers?.['x-custom']).toBe('one');
    expect(event.headers?.['x-forwarded-for']).toBe('127.0.0.1');
    expect(event.headers?.['x-forwarded-proto']).toBe('http');
    expect(event.headers?.['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64').toString()).toBe('user=vet%40hosp');
  });

  it('hands an in-process handler a Lambda context at the template default memory size, counting down to the timeout', async () => {
    let seen: Context | undefined;
    const e = await emulator(async (_event, context) => {
      seen = context;
      return { statusCode: 204, headers: {}, body: '' };
    }, { timeoutMs: 20_000 });
    await (await request(e.url)).body.dump();
    expect(seen).toMatchObject({ functionName: 'alb-retry-proxy-local', memoryLimitInMB: String(DEFAULT_MEMORY_MB), awsRequestId: 'local-1' });
    expect(DEFAULT_MEMORY_MB).toBe(256);
    expect(seen!.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(seen!.getRemainingTimeInMillis()).toBeLessThanOrEqual(20_000);
  });

  it('sends multi-value events when the target group has multi-value headers on', async () => {
    const { events, handler } = capturing({ statusCode: 200, multiValueHeaders: {}, body: '', isBase64Encoded: false });
    const e = await emulator(handler, { multiValueHeaders: true });
    await (await request(`${e.url}/?k=1&k=2`, { headers: { 'content-type': 'application/json' } })).body.dump();
    expect(events[0]!.multiValueQueryStringParameters).toEqual({ k: ['1', '2'] });
    expect(events[0]!.multiValueHeaders?.['content-type']).toEqual(['application/json']);
    expect(events[0]!.headers).toBeUndefined();
  });

  it('sends header values as UTF-8 bytes, as ALB does, even above Latin-1', async () => {
    const e = await emulator(capturing({ statusCode: 200, headers: { 'x-price': '5 €', 'content-type': 'text/plain' }, body: 'ok' }).handler);
    const res = await request(e.url);
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(Buffer.from(String(res.headers['x-price']), 'latin1').toString('utf8')).toBe('5 €');
  });

  it('carries the proxy end to end: binary bytes, reason phrase, access log in ALB format', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0, 1, 2, 0x80]);
    const origin = await startScriptedOrigin({ status: 200, headers: { 'content-type': 'image/png', 'set-cookie': ['s=1'] }, body: bytes });
    running.push(origin);
    const dir = await mkdtemp(join(tmpdir(), 'emu-'));
    try {
      const handler = createProxyHandler(loadConfig({ ORIGIN_URL: origin.url, CACHE_STORE: 'off' }));
      const e = await emulator(handler, { accessLogPath: join(dir, 'access.log') });
      const res = await request(`${e.url}/img.png?v=%5B2%5D`);
      expect(res.statusCode).toBe(200);
      expect(Buffer.from(await res.body.arrayBuffer()).equals(bytes)).toBe(true);
      expect(res.headers['set-cookie']).toBe('s=1');
      expect(origin.received[0]!.url).toBe('/img.png?v=%5B2%5D');
      await e.close();
      running.splice(running.indexOf(e), 1);
      const lines = (await readFile(join(dir, 'access.log'), 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(1);
      const parsed = parseAccessLogLine(lines[0]!);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) {
        expect(parsed.entry.elbStatusCode).toBe(200);
        expect(parsed.entry.targetStatusCode).toBe(200);
        expect(parsed.entry.request).toContain('/img.png?v=%5B2%5D');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.each([false, true])('the round trip of issue 12 through the emulator (multi-value %s)', (multiValueHeaders) => {
  async function proxied(env: Record<string, string> = {}) {
    const origin = await startSimulatedOrigin({ latencyMs: { min: 0, max: 0 }, failureRate: 0 });
    running.push(origin);
    const handler = createProxyHandler(loadConfig({ ORIGIN_URL: origin.url, ...env }));
    return { origin, e: await emulator(handler, { multiValueHeaders }) };
  }

  it("rewrites the origin's absolute redirect to the address the client used", async () => {
    const { origin, e } = await proxied();
    const res = await request(`${e.url}/redirect?to=/echo`, { headers: { host: `localhost:${e.port}` } });
    await res.body.dump();
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`http://localhost:${e.port}/echo`);
    expect(res.headers.location).not.toContain(String(origin.port));
  });

  it("rewrites the cookie Domain to the client's host name; single-value mode keeps only the last cookie", async () => {
    const { e } = await proxied();
    const res = await request(`${e.url}/cookies`, { headers: { host: `localhost:${e.port}` } });
    await res.body.dump();
    expect(res.headers['set-cookie']).toEqual(multiValueHeaders ? ['session=s1; Domain=localhost; Path=/; HttpOnly', 'theme=dark; Path=/'] : 'theme=dark; Path=/');
  });

  it('passes the client Host in client mode and answers 421 to an unlisted one', async () => {
    const { origin, e } = await proxied({ ORIGIN_HOST_HEADER: 'client', ALLOWED_HOSTS: 'localhost' });
    const echo = await request(`${e.url}/echo`, { headers: { host: `localhost:${e.port}` } });
    expect((JSON.parse(await echo.body.text()) as { headers: { host: string } }).headers.host).toBe(`localhost:${e.port}`);
    const refused = await request(`${e.url}/echo`);
    await refused.body.dump();
    expect(refused.statusCode).toBe(421);
    expect(origin.stats().requests).toBe(1);
  });
});

/** An emulator that writes an access log, and a way to read back its parsed lines. */
async function logged(handler: LocalHandler, options: { multiValueHeaders?: boolean; timeoutMs?: number } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'emu-log-'));
  const path = join(dir, 'access.log');
  const e = await emulator(handler, { ...options, accessLogPath: path });
  return {
    url: e.url,
    port: e.port,
    /** Closes the emulator (flushing the log), then parses every line. */
    async entries(): Promise<AlbLogEntry[]> {
      await e.close();
      running.splice(running.indexOf(e), 1);
      const text = await readFile(path, 'utf8');
      await rm(dir, { recursive: true, force: true });
      return text.trim().split('\n').map((line) => {
        const parsed = parseAccessLogLine(line);
        if (!parsed.ok) throw new Error(parsed.error);
        return parsed.entry;
      });
    },
  };
}

/** Sends one request through a logging emulator, with the given X-Amzn-Trace-Id if any; returns the id the function received. */
async function traceIdSent(incoming?: string) {
  const { events, handler } = capturing({ statusCode: 200, headers: {}, body: '' });
  const e = await logged(handler);
  await (await request(e.url, incoming === undefined ? {} : { headers: { 'x-amzn-trace-id': incoming } })).body.dump();
  return { forwarded: events[0]!.headers!['x-amzn-trace-id']!, e };
}

/** Sends `head` as is on a raw socket and returns the status line ALB's side answered with. */
async function rawStatusLine(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let data = '';
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
    });
    socket.on('end', () => resolve(data.split('\r\n')[0]!));
    socket.on('error', reject);
  });
}

describe('the local ALB emulator: request headers as ALB takes them', () => {
  const ok: ALBResult = { statusCode: 200, statusDescription: '200 OK', headers: {}, body: '', isBase64Encoded: false };
  /** The status line of a raw request with `headers`, and the event the function got. */
  const rawRequest = async (headers: string) => {
    const { events, handler } = capturing(ok);
    const e = await emulator(handler);
    const status = await rawStatusLine(e.port, `GET / HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);
    return { status, event: events[0] };
  };

  it('puts a UTF-8 header value in the event decoded, as ALB does ("Rīga", not its bytes one per character)', async () => {
    // rawStatusLine writes its text as UTF-8: these are the bytes a browser sends.
    const { status, event } = await rawRequest('X-City: Rīga\r\n');
    expect(status).toBe('HTTP/1.1 200 OK');
    expect(event?.headers?.['x-city']).toBe('Rīga');
  });

  it("takes 64 KB of headers in all and 16 KB for one, ALB's quotas (node's own default is 16 KB in all)", async () => {
    const twelve = 'a'.repeat(12 * 1024);
    expect((await rawRequest(`X-A: ${twelve}\r\nX-B: ${twelve}\r\nX-C: ${twelve}\r\n`)).status).toBe('HTTP/1.1 200 OK');
    expect((await rawRequest(`X-A: ${'a'.repeat(17 * 1024)}\r\n`)).status).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });
});

describe('the local ALB emulator: error codes and event details as ALB has them', () => {
  const big = 'x'.repeat(17 * 1024);
  it.each<[string, unknown, boolean?]>([
    ['a string instead of an object', 'ok'],
    ['null instead of an object', null],
    ['no statusCode', { headers: {}, body: '' }],
    ['a string statusCode', { statusCode: '200', headers: {}, body: '' }],
    ['a statusCode below 100', { statusCode: 99, headers: {}, body: '' }],
    ['a statusCode above 599', { statusCode: 600, headers: {}, body: '' }],
    ['statusCode null', { statusCode: null, headers: {} }],
    ['statusDescription null', { statusCode: 301, statusDescription: null, headers: { location: '/' }, body: '', isBase64Encoded: false }],
    ['a number statusDescription', { statusCode: 200, statusDescription: 200, headers: {} }],
    ['body null', { statusCode: 200, headers: {}, body: null, isBase64Encoded: false }],
    ['a number body', { statusCode: 200, headers: {}, body: 5 }],
    ['isBase64Encoded null', { statusCode: 200, headers: {}, body: '', isBase64Encoded: null }],
    ['a string isBase64Encoded', { statusCode: 200, headers: {}, body: '', isBase64Encoded: 'false' }],
    ['headers null', { statusCode: 200, headers: null, body: '' }],
    ['headers as an array', { statusCode: 200, headers: [], body: '' }],
    ['multiValueHeaders null beside headers', { statusCode: 200, headers: {}, multiValueHeaders: null, body: '' }],
    ['a null header value', { statusCode: 200, headers: { etag: null }, body: '' }],
    ['a number header value', { statusCode: 200, headers: { 'content-length': 5 }, body: '' }],
    ['a reply in the wrong header mode', { statusCode: 200, multiValueHeaders: { a: ['b'] }, body: '' }],
    ['a header over 16 KB', { statusCode: 200, headers: { 'x-big': big }, body: '' }],
    ['a multi-value header that is a string', { statusCode: 200, multiValueHeaders: { a: 'b' }, body: '' }, true],
    ['a multi-value header holding null', { statusCode: 200, multiValueHeaders: { a: [null] }, body: '' }, true],
    ['headers in multi-value mode', { statusCode: 200, headers: { a: 'b' }, body: '' }, true],
  ])('answers 502 LambdaInvalidResponse to %s', async (_name, reply, multiValueHeaders = false) => {
    const e = await logged(async () => reply as ALBResult, { multiValueHeaders });
    const res = await request(e.url);
    await res.body.dump();
    expect(res.statusCode).toBe(502);
    expect(res.headers.server).toBe('awselb/2.0');
    const [entry] = await e.entries();
    expect(entry).toMatchObject({ elbStatusCode: 502, targetStatusCode: null, errorReason: 'LambdaInvalidResponse' });
  });

  it('answers 502 LambdaResponseTooLarge to a reply over 1 MB, as ALB logs it (found by review: LambdaInvalidResponse)', async () => {
    const e = await logged(async () => ({ statusCode: 200, headers: {}, body: 'x'.repeat(1024 * 1024) }) as ALBResult);
    const res = await request(e.url);
    await res.body.dump();
    expect(res.statusCode).toBe(502);
    const [entry] = await e.entries();
    expect(entry).toMatchObject({ elbStatusCode: 502, targetStatusCode: null, errorReason: 'LambdaResponseTooLarge' });
  });

  it('accepts a reply without statusDescription, isBase64Encoded or headers, with the standard reason phrase', async () => {
    const e = await logged(async () => ({ statusCode: 404 }) as ALBResult);
    const res = await rawStatusLine(e.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res).toBe('HTTP/1.1 404 Not Found');
    expect((await e.entries())[0]).toMatchObject({ elbStatusCode: 404, targetStatusCode: 404, errorReason: null });
  });

  it('logs a function timeout as LambdaUnhandled (ALB has no LambdaTimeout), the target time being the timeout', async () => {
    const e = await logged(() => new Promise<ALBResult>(() => undefined), { timeoutMs: 50 });
    const res = await request(e.url);
    await res.body.dump();
    expect(res.statusCode).toBe(502);
    expect(res.headers['x-local-alb-error']).toBe('function timed out after 50 ms');
    // The same line the pool writes for a timed-out environment (timedOut in environments/target.ts).
    expect((await e.entries())[0]).toMatchObject({ elbStatusCode: 502, targetProcessingTime: 0.05, targetStatusCode: null, errorReason: 'LambdaUnhandled' });
  });

  it('counts a handler that throws before its first await as a function error, not an emulator error', async () => {
    const e = await logged(() => {
      throw new Error('sync boom');
    });
    const res = await request(e.url);
    await res.body.dump();
    expect(res.statusCode).toBe(502);
    expect(res.headers['x-local-alb-error']).toBe('function error: sync boom');
    expect((await e.entries())[0]).toMatchObject({ elbStatusCode: 502, errorReason: 'LambdaUnhandled' });
  });

  it('logs a function error as LambdaUnhandled', async () => {
    const e = await logged(() => Promise.reject(new Error('boom')));
    await (await request(e.url)).body.dump();
    expect((await e.entries())[0]).toMatchObject({ elbStatusCode: 502, errorReason: 'LambdaUnhandled' });
  });

  it('answers 413 itself for a body over 1 MB, without invoking the function, and logs it as LambdaRequestTooLarge', async () => {
    const { events, handler } = capturing({ statusCode: 200, headers: {}, body: '' });
    const e = await logged(handler);
    const res = await request(e.url, { method: 'POST', body: Buffer.alloc(1_000_001) });
    await res.body.dump();
    expect(res.statusCode).toBe(413);
    expect(events).toHaveLength(0);
    expect((await e.entries())[0]).toMatchObject({ elbStatusCode: 413, receivedBytes: 1_000_001, errorReason: 'LambdaRequestTooLarge' });
  });

  it('sends a bodiless GET as an empty text body, isBase64Encoded false, like AWS\'s example event', async () => {
    const { events, handler } = capturing({ statusCode: 200, headers: {}, body: '', isBase64Encoded: false });
    const e = await emulator(handler);
    await (await request(`${e.url}/patients`)).body.dump();
    expect(events[0]).toMatchObject({ httpMethod: 'GET', body: '', isBase64Encoded: false });
  });

  it('makes a Root trace id without an incoming one, and logs what it forwarded', async () => {
    const { forwarded, e } = await traceIdSent();
    expect(forwarded).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect((await e.entries())[0]!.traceId).toBe(forwarded);
  });

  it('inserts a Self field in front of an incoming Root and the application\'s fields, and logs it', async () => {
    const incoming = 'Root=1-67891233-abcdef012345678912345678;CalledFrom=app';
    const { forwarded, e } = await traceIdSent(incoming);
    expect(forwarded).toMatch(new RegExp(`^Self=1-[0-9a-f]{8}-[0-9a-f]{24};${incoming}$`));
    expect((await e.entries())[0]!.traceId).toBe(forwarded);
  });

  it('updates an incoming Self field instead of adding a second one', async () => {
    const { forwarded } = await traceIdSent('Self=1-67891233-12456789abcdef0123456789;Root=1-67891233-abcdef012345678912345678');
    expect(forwarded).toMatch(/^Self=1-[0-9a-f]{8}-[0-9a-f]{24};Root=1-67891233-abcdef012345678912345678$/);
    expect(forwarded).not.toContain('12456789abcdef0123456789');
  });

  it.each([
    ['a WebSocket upgrade', 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'],
    ['an Upgrade header without Connection: upgrade', 'Upgrade: h2c\r\nConnection: close\r\n'],
  ])('answers %s with ALB\'s 400, without invoking the function', async (_name, headers) => {
    const { events, handler } = capturing({ statusCode: 101, headers: {}, body: '' });
    const e = await logged(handler);
    expect(await rawStatusLine(e.port, `GET /ws HTTP/1.1\r\nHost: x\r\n${headers}\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    expect(events).toHaveLength(0);
    expect((await e.entries())[0]).toMatchObject({ elbStatusCode: 400, targetStatusCode: null, method: 'GET' });
  });
});

describe('FUNCTION_TIMEOUT_S', () => {
  it('defaults to the template timeout and refuses what Lambda would not accept', async () => {
    const { functionTimeoutMs } = await import('../local/local-runtime.js');
    expect(functionTimeoutMs({})).toBe(55_000);
    expect(functionTimeoutMs({ FUNCTION_TIMEOUT_S: '30' })).toBe(30_000);
    expect(() => functionTimeoutMs({ FUNCTION_TIMEOUT_S: 'soon' })).toThrow(/FUNCTION_TIMEOUT_S: got "soon", expected an integer 1\.\.900/);
    expect(() => functionTimeoutMs({ FUNCTION_TIMEOUT_S: '0' })).toThrow(/FUNCTION_TIMEOUT_S/);
  });
});

describe('the local tools refuse a bad variable, naming it', () => {
  it('ALB_MULTI_VALUE_HEADERS is true or false (unset: false)', async () => {
    const { booleanVariable } = await import('../local/local-runtime.js');
    expect(booleanVariable('ALB_MULTI_VALUE_HEADERS', {})).toBe(false);
    expect(booleanVariable('ALB_MULTI_VALUE_HEADERS', { ALB_MULTI_VALUE_HEADERS: 'TRUE' })).toBe(true);
    expect(booleanVariable('ALB_MULTI_VALUE_HEADERS', { ALB_MULTI_VALUE_HEADERS: '0' })).toBe(false);
    expect(() => booleanVariable('ALB_MULTI_VALUE_HEADERS', { ALB_MULTI_VALUE_HEADERS: 'yes' })).toThrow('ALB_MULTI_VALUE_HEADERS: got "yes", expected true or false');
  });

  it("a simulated origin option out of range names the flag and the variable, not the origin's option", async () => {
    const { originOptionsFrom } = await import('../local/origin-options.js');
    expect(originOptionsFrom([], { SIM_ORIGIN_FAILURE_RATE: '0.2' })).toEqual({ failureRate: 0.2 });
    expect(() => originOptionsFrom([], { SIM_ORIGIN_FAILURE_RATE: '2' })).toThrow('--failure-rate (SIM_ORIGIN_FAILURE_RATE): got 2, expected number 0..1');
    expect(() => originOptionsFrom(['--latency-min', '50', '--latency-max', '10'], {})).toThrow(/^--latency-min \(SIM_ORIGIN_LATENCY_MIN\) \/ --latency-max \(SIM_ORIGIN_LATENCY_MAX\): got/);
    expect(() => originOptionsFrom(['--failure-mode', 'flaky'], {})).toThrow(/^--failure-mode \(SIM_ORIGIN_FAILURE_MODE\): got "flaky"/);
  });

  it('npm start exits 2 on an empty PORT instead of taking a random port', async () => {
    const { execFile } = await import('node:child_process');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', 'local/start.ts'], { env: { ...process.env, PORT: '' }, timeout: 60_000 }, () => undefined);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(result).toEqual({ code: 2, stderr: 'PORT: got "", expected an integer 0..65535\n' });
  });

  /** `npm start` with `args`, to its exit (it must exit by itself: these are start-up errors). */
  async function startExit(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const { execFile } = await import('node:child_process');
    return new Promise((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', 'local/start.ts', ...args], { env: { ...process.env, PORT: undefined }, timeout: 60_000 }, () => undefined);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
  }

  it('npm start with an unknown flag exits 2 with the message and its usage, no stack trace', async () => {
    const result = await startExit(['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Unknown option '--bogus'/);
    expect(result.stderr).toContain('usage: npm start -- [--port N]');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('npm start on a port already taken exits 2 naming the port and how to choose another, no stack trace', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const result = await startExit(['--single', '--port', String(port)]);
      expect(result).toEqual({ code: 2, stderr: `cannot start the ALB emulator: port ${port} is already in use; stop what listens there, or choose another with --port N or PORT=N\n` });
    } finally {
      taken.close();
    }
  });
});
