import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ALBEvent } from 'aws-lambda';
import { afterEach, describe, expect, inject, test, vi } from 'vitest';
import { keyFor, primaryId } from '../shared/cache/cache-key.js';
import { createResponseCache } from '../shared/cache/index.js';
import { decodeRecord, encodeRecord } from '../shared/cache/store/record-codec.js';
import { loadConfig } from '../shared/config/config.js';
import { createProxyHandler } from '../shared/handler/proxy-handler.js';
import { cacheConfig, cacheHarness, originRequest, roomyDeadline, type CacheHarness } from './support/cache-harness.js';
import { s3rverClient, startS3rver, S3RVER_CREDENTIALS } from '../local/s3rver.js';
import { startTestOrigin, type TestOrigin } from './support/test-origin.js';

/** What the stores do besides HTTP semantics: S3 layout, failing open, sharing, bounds. */

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.unstubAllEnvs();
});
const track = <T extends { close?: () => Promise<void>; stop?: () => Promise<void> }>(thing: T): T => {
  cleanups.push(() => (thing.close ? thing.close() : thing.stop?.()));
  return thing;
};

const bytesOf = async (client: ReturnType<typeof s3rverClient>, key: string): Promise<Buffer> => {
  const object = await client.send(new GetObjectCommand({ Bucket: 'cache-test', Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
};

/** A cache on s3rver that stored GET /x (max-age=60, body "fine"), and that entry as S3 holds it. */
const storedEntry = async (tag: string) => {
  const prefix = `${tag}-${randomUUID()}/`;
  const h = track(await cacheHarness({ store: 's3', s3Endpoint: inject('s3Endpoint'), prefix }, () => ({ headers: { 'cache-control': 'max-age=60' }, body: 'fine' })));
  await h.get('/x');
  const client = s3rverClient(inject('s3Endpoint'));
  cleanups.push(() => client.destroy());
  const key = `${prefix}${primaryId(keyFor(h.origin.url, '-', '/x', ''))}`;
  const record = decodeRecord(await bytesOf(client, key));
  if (record.kind !== 'entry') throw new Error('expected an entry');
  return { h, client, key, record };
};

/** Asks `cache` (another container's) for GET path: a 60 s hit with `body`, the origin asked only once, by the first container. */
const expectHitIn = async (cache: ReturnType<CacheHarness['sibling']>, h: CacheHarness, path: string, body: string) => {
  const answer = await cache.handle(originRequest('GET', path), h.forward, roomyDeadline);
  expect(answer.cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
  expect(answer.response?.body.toString()).toBe(body);
  expect(h.origin.requests).toHaveLength(1);
};

describe('S3 store', () => {
  test('writes one object per record at CACHE_PREFIX + SHA-256, with no credential in it', async () => {
    const prefix = `layout-${randomUUID()}/`;
    const h = track(
      await cacheHarness({ store: 's3', s3Endpoint: inject('s3Endpoint'), prefix }, () => ({
        headers: { 'cache-control': 'public, max-age=60', vary: 'Cookie, X-Api-Key' },
        body: 'shared page',
      })),
    );
    // Any header Vary names may be a credential (an API key here): only digests are stored.
    const secrets = { authorization: 'Bearer SECRET-TOKEN', cookie: 'session=SECRET-COOKIE', 'x-api-key': 'SECRET-APIKEY' };
    expect((await h.get('/page?a=1', secrets)).cacheStatus).toContain('stored');
    expect((await h.get('/page?a=1', secrets)).cacheStatus).toContain('hit');

    const client = s3rverClient(inject('s3Endpoint'));
    cleanups.push(() => client.destroy());
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'cache-test', Prefix: prefix }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys).toHaveLength(2);
    expect(keys.every((k) => /^layout-[0-9a-f-]+\/[0-9a-f]{64}$/.test(k))).toBe(true);
    const marker = decodeRecord(await bytesOf(client, `${prefix}${primaryId(keyFor(h.origin.url, '-', '/page', 'a=1'))}`));
    expect(marker).toMatchObject({ kind: 'vary', key: keyFor(h.origin.url, '-', '/page', 'a=1'), fields: ['cookie', 'x-api-key'] });
    for (const key of keys) {
      const text = (await bytesOf(client, key)).toString('latin1');
      expect(text).not.toContain('SECRET-TOKEN');
      expect(text).not.toContain('SECRET-COOKIE');
      expect(text).not.toContain('SECRET-APIKEY');
    }
    // Another key is another variant; the same key still finds its own.
    expect((await h.get('/page?a=1', { ...secrets, 'x-api-key': 'OTHER' })).cacheStatus).toContain('vary-miss');
    expect((await h.get('/page?a=1', secrets)).cacheStatus).toContain('hit');
  });

  test.each([
    ['garbage', () => Buffer.from('not a cache record at all')],
    ['a truncated record', (valid: Buffer) => valid.subarray(0, valid.length - 3)],
  ])('treats %s as a miss that the next storable answer replaces (no delete that could land after it)', async (_name, corrupt) => {
    const prefix = `corrupt-${randomUUID()}/`;
    let storable = true;
    const h = track(
      await cacheHarness({ store: 's3', s3Endpoint: inject('s3Endpoint'), prefix }, () => ({
        headers: { 'cache-control': storable ? 'max-age=60' : 'no-store' },
        body: 'fine',
      })),
    );
    await h.get('/x');
    const client = s3rverClient(inject('s3Endpoint'));
    cleanups.push(() => client.destroy());
    const key = `${prefix}${primaryId(keyFor(h.origin.url, '-', '/x', ''))}`;
    await client.send(new PutObjectCommand({ Bucket: 'cache-test', Key: key, Body: corrupt(await bytesOf(client, key)) }));
    storable = false;

    const result = await h.get('/x');
    expect(result.response?.status).toBe(200);
    expect(result.response?.body.toString()).toBe('fine');
    expect(result.cacheStatus).toBe('alb-retry-proxy; fwd=miss; fwd-status=200');
    // Left in place (a delete in flight could remove the replacement below)...
    const left = await bytesOf(client, key);
    // ...and replaced by the next answer that may be stored, which the request after it finds.
    storable = true;
    expect((await h.get('/x')).cacheStatus).toBe('alb-retry-proxy; fwd=miss; fwd-status=200; stored');
    expect((await bytesOf(client, key)).equals(left)).toBe(false);
    expect((await h.get('/x')).cacheStatus).toMatch(/^alb-retry-proxy; hit; ttl=\d+$/);
  });

  test.each([
    ['an older format version (1)', 1],
    ['a newer format version', 99],
  ])('reads a record of %s as a plain miss, not corrupt: left alone, then replaced', async (_name, version) => {
    const prefix = `version-${randomUUID()}/`;
    let body = 'old';
    const h = track(await cacheHarness({ store: 's3', s3Endpoint: inject('s3Endpoint'), prefix }, () => ({ headers: { 'cache-control': 'max-age=60' }, body })));
    await h.get('/x');
    const client = s3rverClient(inject('s3Endpoint'));
    cleanups.push(() => client.destroy());
    const key = `${prefix}${primaryId(keyFor(h.origin.url, '-', '/x', ''))}`;
    const other = await bytesOf(client, key);
    other[4] = version;
    await client.send(new PutObjectCommand({ Bucket: 'cache-test', Key: key, Body: other }));
    body = 'new';

    const result = await h.get('/x');
    expect(result.cacheStatus).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=200; stored');
    expect(result.response?.body.toString()).toBe('new');
    expect((await h.get('/x')).cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
  });

  test("a stored policy the library can no longer read (another library version) is a miss, replaced by the new response", async () => {
    const { h, client, key, record } = await storedEntry('libver');
    await client.send(new PutObjectCommand({ Bucket: 'cache-test', Key: key, Body: encodeRecord({ ...record, policy: { v: 99 } as never }) }));

    const result = await h.get('/x');
    expect(result.cacheStatus).toBe('alb-retry-proxy; fwd=miss; fwd-status=200; stored');
    expect((await h.get('/x')).cacheStatus).toBe('alb-retry-proxy; hit; ttl=60');
    expect(h.origin.requests).toHaveLength(2);
  });

  test('keeps serving when S3 stops mid-test: reads and writes become misses', async () => {
    const s3 = track(await startS3rver({ buckets: ['cache-test'] }));
    const h = track(
      await cacheHarness({ store: 's3', s3Endpoint: s3.endpoint }, (req) =>
        req.method === 'POST' ? { status: 201 } : { headers: { 'cache-control': 'max-age=60' }, body: 'ok' },
      ),
    );
    await h.get('/a');
    expect((await h.get('/a')).cacheStatus).toContain('hit');
    await s3.stop();

    const results = [await h.get('/a'), await h.get('/b'), await h.send('POST', '/a'), await h.send('HEAD', '/a')];
    expect(results.map((r) => r.response?.status)).toEqual([200, 200, 201, 200]);
    expect(results.map((r) => r.cacheStatus)).toEqual([
      'alb-retry-proxy; fwd=miss; fwd-status=200',
      'alb-retry-proxy; fwd=miss; fwd-status=200',
      'alb-retry-proxy; fwd=method; fwd-status=201',
      'alb-retry-proxy; fwd=miss; fwd-status=200',
    ]);
    expect(results[0]?.response?.body.toString()).toBe('ok');
  });

  test('treats an S3 endpoint that does not answer within CACHE_S3_TIMEOUT_MS as a miss', async () => {
    const silent = track(await startSilentServer());
    const h = track(
      await cacheHarness({ store: 's3', s3Endpoint: silent.endpoint, env: { CACHE_S3_TIMEOUT_MS: '200' } }, () => ({
        headers: { 'cache-control': 'max-age=60' },
        body: 'ok',
      })),
    );
    const result = await h.get('/slow-s3');
    expect(result.response?.body.toString()).toBe('ok');
    expect(result.cacheStatus).toBe('alb-retry-proxy; fwd=miss; fwd-status=200');
    expect(silent.connections()).toBeGreaterThan(0);
  });

  test('two caches on one bucket share entries: a miss on one is a hit on the other', async () => {
    const h = track(await cacheHarness({ store: 's3', s3Endpoint: inject('s3Endpoint') }, () => ({ headers: { 'cache-control': 'max-age=60' }, body: 'once' })));
    const other = h.sibling();
    expect((await h.get('/shared')).cacheStatus).toContain('fwd=uri-miss; fwd-status=200; stored');
    await expectHitIn(other, h, '/shared', 'once');
  });
});

describe('the cache never fails a request', () => {
  test('a stored record the library cannot evaluate falls back to forwarding the request', async () => {
    const { h, client, key, record } = await storedEntry('odd');
    // Well-formed for the codec, but the library calls .trim() on a Vary it expects to be a string.
    const odd = { ...record, policy: { ...record.policy, resh: { ...record.policy.resh, vary: 5 as unknown as string } } };
    await client.send(new PutObjectCommand({ Bucket: 'cache-test', Key: key, Body: encodeRecord(odd) }));

    const result = await h.get('/x');
    expect(result.response?.status).toBe(200);
    expect(result.response?.body.toString()).toBe('fine');
    expect(result.cacheStatus).toBe('alb-retry-proxy; fwd=miss; fwd-status=200');
    expect(h.origin.requests).toHaveLength(2);
    // Readable, so not the corrupt-object path (which deletes): the object is still there as written.
    expect(decodeRecord(await bytesOf(client, key))).toMatchObject({ policy: { resh: { vary: 5 } } });
  });

  test('an exception from forward itself is passed on, and a POST is never sent twice', async () => {
    const cache = createResponseCache(cacheConfig(new URL('http://127.0.0.1:9'), { CACHE_STORE: 'memory' }), new URL('http://127.0.0.1:9'));
    let calls = 0;
    const broken = async () => {
      calls++;
      throw new Error('forwarder bug');
    };
    await expect(cache.handle(originRequest('POST', '/orders', {}, Buffer.from('{}')), broken, roomyDeadline)).rejects.toThrow('forwarder bug');
    await expect(cache.handle(originRequest('GET', '/orders'), broken, roomyDeadline)).rejects.toThrow('forwarder bug');
    expect(calls).toBe(2);
  });
});

describe('tiered store', () => {
  test('an S3 hit fills memory, which then serves without S3', async () => {
    const s3 = track(await startS3rver({ buckets: ['cache-test'] }));
    const h = track(await cacheHarness({ store: 'tiered', s3Endpoint: s3.endpoint }, () => ({ headers: { 'cache-control': 'max-age=60' }, body: 'tiered' })));
    await h.get('/t');
    const container2 = h.sibling();
    const fromS3 = await container2.handle(originRequest('GET', '/t'), h.forward, roomyDeadline);
    expect(fromS3.cacheStatus).toContain('hit');
    await s3.stop();
    await expectHitIn(container2, h, '/t', 'tiered'); // from memory: S3 is gone
  });

  test.each(['s3', 'tiered'])('CACHE_STORE=%s: a URL that starts to vary is a hit once its varying answer is stored (found by review: tiered kept finding the old entry)', async (store) => {
    let varying = false;
    const h = track(await cacheHarness({ store: store as 's3' | 'tiered', s3Endpoint: inject('s3Endpoint') }, () =>
      varying ? { headers: { 'cache-control': 'max-age=600', vary: 'Accept', etag: '"v2"' }, body: 'v2' } : { headers: { 'cache-control': 'max-age=10', etag: '"v1"' }, body: 'v1' }));
    expect((await h.get('/p', { accept: 'text/html' })).cacheStatus).toContain('stored');
    // Stale now, but kept (it has a validator) for revalidation; the origin has changed the resource.
    h.advance(20);
    varying = true;
    const changed = await h.get('/p', { accept: 'text/html' });
    expect([changed.response?.body.toString(), changed.cacheStatus.includes('stored')]).toEqual(['v2', true]);
    const next = await h.get('/p', { accept: 'text/html' });
    expect(`${next.response?.body.toString()} | ${next.cacheStatus} | origin asked ${h.origin.requests.length}`).toBe('v2 | alb-retry-proxy; hit; ttl=600 | origin asked 2');
  });

  test("an invalidation in container A leaves container B no way to the URL's variants in S3 (found by review)", async () => {
    let version = 'v1';
    const h = track(await cacheHarness({ store: 'tiered', s3Endpoint: inject('s3Endpoint') }, (r) =>
      r.method === 'POST' ? { status: 204 } : { headers: { 'cache-control': 'max-age=600', vary: 'Accept' }, body: `${version} for ${String(r.headers.accept)}` }));
    const answer = (r: { response?: { status: number; body: Buffer } | undefined; cacheStatus: string }) => `${r.response?.status} ${r.response?.body.toString()} | ${r.cacheStatus}`;
    const get = async (cache: CacheHarness['cache'], accept: string) => answer(await cache.handle(originRequest('GET', '/p', { accept }), h.forward, roomyDeadline));
    const [a, b] = [h.sibling(), h.sibling()];
    // B stores variant x (and, before the fix, kept the URL's Vary marker in memory); A stores y beside it.
    expect(await get(b, 'x')).toBe('200 v1 for x | alb-retry-proxy; fwd=uri-miss; fwd-status=200; stored');
    expect(await get(a, 'y')).toBe('200 v1 for y | alb-retry-proxy; fwd=vary-miss; fwd-status=200; stored');
    // A changes the resource: the URL's marker is deleted from S3.
    expect((await a.handle(originRequest('POST', '/p'), h.forward, roomyDeadline)).cacheStatus).toBe('alb-retry-proxy; fwd=method; fwd-status=204');
    version = 'v2';
    h.advance(10);
    expect(await get(a, 'y')).toMatch(/^200 v2 for y \| /);
    // B never held y: it must not reach the invalidated S3 object through a remembered marker.
    expect(await get(b, 'y')).toMatch(/^200 v2 for y \| /);
  });
});

describe('memory store', () => {
  test('stays within CACHE_MEMORY_MAX_BYTES by evicting the least recently used', async () => {
    const h = track(
      await cacheHarness({ store: 'memory', env: { CACHE_MEMORY_MAX_BYTES: String(64 * 1024) } }, () => ({
        headers: { 'cache-control': 'max-age=60' },
        body: Buffer.alloc(10 * 1024, 1),
      })),
    );
    for (let i = 0; i < 10; i++) await h.get(`/item/${i}`);
    expect((await h.get('/item/9')).cacheStatus).toContain('hit');
    expect((await h.get('/item/0')).cacheStatus).toContain('fwd=uri-miss');
  });

  test('stores nothing with CACHE_MEMORY_MAX_BYTES=0', async () => {
    const h = track(await cacheHarness({ store: 'memory', env: { CACHE_MEMORY_MAX_BYTES: '0' } }, () => ({ headers: { 'cache-control': 'max-age=60' }, body: 'x' })));
    await h.get('/a');
    expect((await h.get('/a')).cacheStatus).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=200');
  });
});

describe('cold start', () => {
  test.each([
    ['memory', false],
    ['off', false],
    ['s3', true],
  ])('CACHE_STORE=%s imports the S3 SDK: %s', async (store, imported) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/support/sdk-load-probe.ts'], {
      env: { ...process.env, CACHE_STORE: store, POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(stdout).toContain('status 200');
    expect(stdout.includes('client-s3 imported')).toBe(imported);
  });
});

describe('two proxy handlers sharing one S3 cache', () => {
  let origin: TestOrigin;
  const handler = (store: string, prefix: string, s3Endpoint: string) =>
    createProxyHandler(
      loadConfig({
        ORIGIN_URL: origin.url.origin,
        CACHE_STORE: store,
        CACHE_BUCKET: 'cache-test',
        CACHE_PREFIX: prefix,
        CACHE_S3_ENDPOINT: s3Endpoint,
        CACHE_S3_TIMEOUT_MS: '5000',
      }),
    );
  const event = (path: string): ALBEvent => ({
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/alb-retry-proxy/0123456789abcdef' } },
    httpMethod: 'GET',
    path,
    queryStringParameters: { q: 'a%20b' },
    headers: { host: 'hosp.example', 'user-agent': 'test', 'x-forwarded-for': '203.0.113.10', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443' },
    isBase64Encoded: false,
    body: '',
  });
  const context = { getRemainingTimeInMillis: () => 10_000 };

  test.each(['s3', 'tiered'])('CACHE_STORE=%s: deployments with different fixed ORIGIN_HOST_HEADER names on one bucket never share entries (found by review)', async (store) => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', S3RVER_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3RVER_CREDENTIALS.secretAccessKey);
    origin = track(await startTestOrigin((r) => ({ headers: { 'cache-control': 'max-age=600', 'content-type': 'text/plain' }, body: `site ${String(r.headers.host)}` })));
    const prefix = `hosts-${randomUUID()}/`;
    const handler = (host: string) =>
      createProxyHandler(loadConfig({ ORIGIN_URL: origin!.url.origin, ORIGIN_HOST_HEADER: host, CACHE_STORE: store, CACHE_BUCKET: 'cache-test', CACHE_PREFIX: prefix, CACHE_S3_ENDPOINT: inject('s3Endpoint'), CACHE_S3_TIMEOUT_MS: '5000' }));
    const event = { requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/0123456789abcdef' } }, httpMethod: 'GET', path: '/index.html', queryStringParameters: {}, headers: { host: 'public.example', 'x-forwarded-proto': 'https' }, isBase64Encoded: false, body: '' } as ALBEvent;
    const context = { getRemainingTimeInMillis: () => 10_000 };
    expect((await handler('a.example')(event, context)).body).toBe('site a.example');
    const fromB = await handler('b.example')(event, context);
    expect(`${fromB.body} | ${String(fromB.headers?.['cache-status'])}`).toMatch(/^site b\.example \| .*fwd=uri-miss/);
  });

  test.each(['s3', 'tiered'])('CACHE_STORE=%s: a miss in one container is a hit in the other', async (store) => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', S3RVER_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3RVER_CREDENTIALS.secretAccessKey);
    origin = track(await startTestOrigin(() => ({ headers: { 'cache-control': 'max-age=60', 'content-type': 'text/plain' }, body: 'from HOSP' })));
    const prefix = `handlers-${randomUUID()}/`;
    const [first, second] = [handler(store, prefix, inject('s3Endpoint')), handler(store, prefix, inject('s3Endpoint'))];

    const miss = await first(event('/ward/7'), context);
    const hit = await second(event('/ward/7'), context);
    expect([miss.statusCode, hit.statusCode]).toEqual([200, 200]);
    expect([miss.body, hit.body]).toEqual(['from HOSP', 'from HOSP']);
    expect(miss.headers?.['cache-status']).toBe('alb-retry-proxy; fwd=uri-miss; fwd-status=200; stored');
    expect(hit.headers?.['cache-status']).toBe('alb-retry-proxy; hit; ttl=60');
    expect(hit.headers?.age).toMatch(/^\d+$/);
    expect(origin.requests.map((r) => r.target)).toEqual(['/ward/7?q=a%20b']);
  });
});

/** A TCP server that accepts connections and never answers: S3 "slow" without any timing. */
async function startSilentServer(): Promise<{ endpoint: string; connections(): number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => accepted,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
