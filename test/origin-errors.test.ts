/**
 * "Was anything sent" for socket errors that end a connection attempt but also an established
 * connection (TCP keepalive or retransmissions giving up, an ICMP unreachable): a POST the origin
 * already has is never sent again.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { classify } from '../shared/origin/errors.js';
import { startScriptedOrigin, type ScriptedOrigin } from './support/scripted-origin.js';
import { albEvent, functionContext } from './support/handler-calls.js';

const socketError = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

describe('classify', () => {
  it.each(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'])('takes %s before the connection as nothing sent, after it as a lost connection that may have been sent', (code) => {
    const before = classify(socketError(code, 'connect'), false);
    expect(before.sent).toBe(false);
    expect(before.kind).not.toBe('connection_terminated');
    const after = classify(socketError(code, 'read'), true);
    expect({ kind: after.kind, sent: after.sent }).toEqual({ kind: 'connection_terminated', sent: true });
  });

  it('keeps a refused connection and a DNS failure as nothing sent, whatever the handler saw', () => {
    expect(classify(socketError('ECONNREFUSED', 'connect'), true).sent).toBe(false);
    expect(classify(socketError('ENOTFOUND', 'getaddrinfo'), true).sent).toBe(false);
  });
});

describe('a POST whose established connection dies after the origin got it', () => {
  let origin: ScriptedOrigin;
  /** The node:http requests the origin client makes, as they start. */
  const started: ClientRequest[] = [];
  const onStart = (message: unknown): void => void started.push((message as { request: ClientRequest }).request);
  beforeEach(async () => {
    origin = await startScriptedOrigin();
    started.length = 0;
    diagnostics_channel.subscribe('http.client.request.start', onStart);
  });
  afterEach(async () => {
    diagnostics_channel.unsubscribe('http.client.request.start', onStart);
    await origin.close();
  });

  const [event, context] = [albEvent, () => functionContext()];

  // What libuv reports on a connected socket whose peer went away while the request waited: the
  // same error objects, raised on the client's real socket after the origin has recorded the POST.
  it.each([
    ['ETIMEDOUT', -110],
    ['EHOSTUNREACH', -113],
  ])('is not sent again after %s, at the default configuration', async (code, errno) => {
    origin.script({ status: 200, body: 'warm' }, { hang: true }, { status: 201, body: 'created again' });
    const handler = createProxyHandler(loadConfig({ ORIGIN_URL: origin.url }));
    // A first request leaves a kept-alive connection, as in any warm container.
    expect((await handler(event('GET', '/api/ping'), context())).statusCode).toBe(200);
    const pending = handler(event('POST', '/api/orders', '{"order":1}'), context());
    await expect.poll(() => origin.received.length).toBe(2);
    started.at(-1)!.socket!.destroy(Object.assign(socketError(code, 'read'), { errno }));
    const result = await pending;
    const posts = origin.received.filter((r) => r.method === 'POST').length;
    expect({ posts, status: result.statusCode }).toEqual({ posts: 1, status: 502 });
    expect(String(result.headers?.['proxy-status'] ?? result.multiValueHeaders?.['proxy-status'])).toContain('connection_terminated');
  });
});
