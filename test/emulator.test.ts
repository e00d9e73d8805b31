import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ALBEvent, ALBResult } from 'aws-lambda';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { startAlbEmulator, type LocalHandler, type RunningEmulator } from '../local/emulator.js';
import { parseAccessLogLine } from '../local/access-log/parse.js';
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

  it('sends multi-value events when the target group has multi-value headers on', async () => {
    const { events, handler } = capturing({ statusCode: 200, multiValueHeaders: {}, body: '', isBase64Encoded: false });
    const e = await emulator(handler, { multiValueHeaders: true });
    await (await request(`${e.url}/?k=1&k=2`, { headers: { 'content-type': 'application/json' } })).body.dump();
    expect(events[0]!.multiValueQueryStringParameters).toEqual({ k: ['1', '2'] });
    expect(events[0]!.multiValueHeaders?.['content-type']).toEqual(['application/json']);
    expect(events[0]!.headers).toBeUndefined();
  });

  it('answers 413 itself for a body over 1 MB, without invoking the function', async () => {
    const { events, handler } = capturing({ statusCode: 200, headers: {}, body: '' });
    const e = await emulator(handler);
    const res = await request(e.url, { method: 'POST', body: Buffer.alloc(1_000_001) });
    await res.body.dump();
    expect(res.statusCode).toBe(413);
    expect(events).toHaveLength(0);
  });

  it.each<[string, () => Promise<ALBResult>]>([
    ['a reply in the wrong header mode', async () => ({ statusCode: 200, multiValueHeaders: { a: ['b'] }, body: '' })],
    ['a non-string header value', async () => ({ statusCode: 200, headers: { 'content-length': 5 as unknown as string }, body: '' })],
    ['a function error', async () => Promise.reject(new Error('boom'))],
  ])('answers 502 like ALB for %s', async (_name, result) => {
    const e = await emulator(capturing(result).handler);
    const res = await request(e.url);
    await res.body.dump();
    expect(res.statusCode).toBe(502);
  });

  it('sends header values as UTF-8 bytes, as ALB does, even above Latin-1', async () => {
    const e = await emulator(capturing({ statusCode: 200, headers: { 'x-price': '5 €', 'content-type': 'text/plain' }, body: 'ok' }).handler);
    const res = await request(e.url);
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(Buffer.from(String(res.headers['x-price']), 'latin1').toString('utf8')).toBe('5 €');
  });

  it('answers 502 like ALB when the function times out', async () => {
    const e = await emulator(capturing(() => new Promise(() => undefined)).handler, { timeoutMs: 100 });
    const res = await request(e.url);
    await res.body.dump();
    expect(res.statusCode).toBe(502);
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

describe('FUNCTION_TIMEOUT_S', () => {
  it('defaults to the template timeout and refuses what Lambda would not accept', async () => {
    const { functionTimeoutMs } = await import('../local/local-runtime.js');
    expect(functionTimeoutMs({})).toBe(55_000);
    expect(functionTimeoutMs({ FUNCTION_TIMEOUT_S: '30' })).toBe(30_000);
    expect(() => functionTimeoutMs({ FUNCTION_TIMEOUT_S: 'soon' })).toThrow(/FUNCTION_TIMEOUT_S: got "soon", expected an integer 1\.\.900/);
    expect(() => functionTimeoutMs({ FUNCTION_TIMEOUT_S: '0' })).toThrow(/FUNCTION_TIMEOUT_S/);
  });
});
