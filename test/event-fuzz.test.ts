import fc from 'fast-check';
import type { ALBEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler, type AlbHandler } from '../shared/handler/proxy-handler.js';
import { validateAlbResult } from '../local/alb-result-check.js';
import { startScriptedOrigin, type ScriptedOrigin } from './support/scripted-origin.js';

let origin: ScriptedOrigin;
let decoy: ScriptedOrigin;
let handler: AlbHandler;

beforeAll(async () => {
  origin = await startScriptedOrigin({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' });
  decoy = await startScriptedOrigin({ status: 200, body: 'you should not be here' });
  handler = createProxyHandler(loadConfig({ ORIGIN_URL: origin.url, CACHE_STORE: 'off', RETRY_MAX_ATTEMPTS: '1' }));
});
afterAll(async () => {
  await origin.close();
  await decoy.close();
});

const context = { getRemainingTimeInMillis: () => 10_000 };

describe('any event (property-based)', () => {
  it('gets a valid ALB result or a clear 400/502, never a throw, never a request to another host', async () => {
    const decoyUrl = `http://127.0.0.1:${decoy.port}`;
    const hostile = fc.constantFrom(decoyUrl, `${decoyUrl}/x`, `//127.0.0.1:${decoy.port}/`, `127.0.0.1:${decoy.port}`, '@127.0.0.1', '\r\nHost: x', '..%2f..', '%00');
    const text = fc.oneof(fc.string(), hostile, fc.webPath());
    const value = fc.oneof(text, fc.integer(), fc.constant(null), fc.boolean());
    const headerName = fc.oneof(fc.constantFrom('host', 'x-forwarded-host', 'x-original-url', 'content-type', 'transfer-encoding', 'connection'), fc.string({ minLength: 1 }));
    const event = fc.record(
      {
        requestContext: fc.constant({ elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1' } }),
        httpMethod: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT'), fc.string(), fc.integer()),
        path: fc.oneof(fc.webPath().map((p) => `/${p.replace(/^\/+/, '')}`), text, value),
        headers: fc.oneof(fc.dictionary(headerName, value), fc.dictionary(headerName, text), fc.constant(null)),
        multiValueHeaders: fc.oneof(fc.dictionary(headerName, fc.array(text)), fc.dictionary(headerName, value)),
        queryStringParameters: fc.oneof(fc.dictionary(fc.string(), text), fc.dictionary(fc.string(), value), fc.constant(null)),
        multiValueQueryStringParameters: fc.dictionary(fc.string(), fc.array(text)),
        body: fc.oneof(fc.string(), fc.base64String(), fc.constant(null), fc.integer()),
        isBase64Encoded: fc.oneof(fc.boolean(), value),
      },
      { requiredKeys: [] },
    );

    await fc.assert(
      fc.asyncProperty(fc.oneof(event, fc.anything()), async (e) => {
        const result = await handler(e as ALBEvent, context);
        const multiValue = typeof e === 'object' && e !== null && typeof (e as Record<string, unknown>).multiValueHeaders === 'object' && (e as Record<string, unknown>).multiValueHeaders !== null && !Array.isArray((e as Record<string, unknown>).multiValueHeaders);
        expect(validateAlbResult(result, multiValue)).toBeUndefined();
        expect([200, 400, 502]).toContain(result.statusCode);
      }),
      { numRuns: 400, seed: 20261122 },
    );
    expect(decoy.received).toHaveLength(0);
    expect(origin.received.length).toBeGreaterThan(0);
    for (const r of origin.received) {
      expect(r.headers.host).toBe(`127.0.0.1:${origin.port}`);
      // Origin-form, written to the origin's own connection: a path "//127.0.0.1:<decoy>/" reached the origin, not the decoy.
      expect(r.url.startsWith('/')).toBe(true);
    }
  });
});
