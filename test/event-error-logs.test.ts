/**
 * The "rejected malformed ALB event" warning (found by review) must not carry a body, a cookie, an
 * authorization value or a query value (request-telemetry.ts: "never a body, a cookie or an
 * authorization value"; "only the path is logged (a query may carry tokens)").
 */
import type { ALBEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { logger } from '../shared/telemetry/telemetry.js';

afterEach(() => vi.restoreAllMocks());

const context = { getRemainingTimeInMillis: () => 10_000 };

/** Everything the handler printed (stdout and stderr) while answering `event`. */
async function printed(event: unknown): Promise<{ status: number; out: string }> {
  const handler = createProxyHandler(loadConfig({ ORIGIN_URL: 'http://127.0.0.1:9', CACHE_STORE: 'off' }));
  const chunks: string[] = [];
  logger.setLogLevel('WARN'); // the template's default level
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  const result = await handler(event as ALBEvent, context);
  vi.restoreAllMocks();
  logger.setLogLevel('SILENT');
  return { status: result.statusCode, out: chunks.join('') };
}

describe('the malformed-event warning', () => {
  it.each([
    ['a JSON body given as an object', { httpMethod: 'POST', path: '/login', headers: {}, body: { user: 'vet', password: 'hunter2-SECRET' } }],
    ['an Authorization header given as an array in single-value headers', { httpMethod: 'GET', path: '/x', headers: { authorization: ['Bearer SECRET-token'] } }],
    ['a cookie array holding a non-string', { httpMethod: 'GET', path: '/x', multiValueHeaders: { cookie: ['session=SECRET-cookie', 1] } }],
    ['a query value that is not a string', { httpMethod: 'GET', path: '/x', headers: {}, queryStringParameters: { token: ['SECRET-query'] } }],
    ['a multi-value query holding a non-string', { httpMethod: 'GET', path: '/x', multiValueHeaders: {}, multiValueQueryStringParameters: { token: ['SECRET-query', 2] } }],
    ['a path carrying its query', { httpMethod: 'GET', path: '/reset?token=SECRET-query', headers: {} }],
  ])('logs no secret for %s', async (_name, event) => {
    const { status, out } = await printed(event);
    expect(status).toBe(400);
    expect(out).toContain('rejected malformed ALB event');
    expect(out.split('\n').find((l) => /SECRET|hunter2/.test(l))).toBeUndefined();
  });

  it('still says where and what kind of value: the field, and for a path the position of the first character not allowed', async () => {
    const { out } = await printed({ httpMethod: 'GET', path: '/reset?token=SECRET-query', headers: {} });
    expect(out).toContain('"where":"path"');
    expect(out).toContain('U+003F at character 6');
    const body = await printed({ httpMethod: 'POST', path: '/login', headers: {}, body: { password: 'x' } });
    expect(body.out).toContain('"where":"body"');
    expect(body.out).toContain('got an object');
  });
});
