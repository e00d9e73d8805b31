import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildBundle } from '../scripts/build.js';
import { S3RVER_CREDENTIALS } from '../local/s3rver.js';

/**
 * The built bundle (not the sources) with CACHE_STORE=s3 against s3rver, in plain Node: the S3
 * client lives in a lazily loaded chunk, and what that chunk exports is only visible here. One
 * process stores a response, a fresh one (an empty memory, as a new Lambda environment) serves it
 * from S3 without calling the origin.
 */
describe('the bundle in S3 mode', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'retry-proxy-bundle-s3-'));
  let origin: Server;
  let originUrl: string;
  let originRequests = 0;

  beforeAll(async () => {
    origin = createServer((_req, res) => {
      originRequests += 1;
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=600' });
      res.end('from the origin\n');
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    originUrl = `http://127.0.0.1:${(origin.address() as { port: number }).port}`;
  });
  afterAll(() => {
    origin.close();
    rmSync(outdir, { recursive: true, force: true });
  });

  const probe = [
    'const { handler } = await import(process.argv[1]);',
    "const event = { requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/probe/0123456789abcdef' } }, httpMethod: 'GET', path: '/shared', queryStringParameters: {}, headers: { host: 'probe', 'x-forwarded-proto': 'https' }, body: '', isBase64Encoded: false };",
    'const deadline = Date.now() + 20000;',
    "const result = await handler(event, { functionName: 'probe', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '512', awsRequestId: 'probe', getRemainingTimeInMillis: () => deadline - Date.now() });",
    "process.stdout.write(JSON.stringify({ status: result.statusCode, cache: result.headers['cache-status'], body: result.body }) + '\\n');",
    'process.exit(0);',
  ].join('\n');

  it('stores through the S3 chunk and a fresh environment serves it from S3', { timeout: 120_000 }, async () => {
    const bundle = await buildBundle(outdir);
    const env = {
      ...process.env,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ORIGIN_URL: originUrl,
      CACHE_STORE: 's3',
      CACHE_BUCKET: 'cache-test',
      CACHE_PREFIX: `bundle-s3-${Date.now()}/`,
      CACHE_S3_ENDPOINT: inject('s3Endpoint'),
      // The first S3 call loads the SDK chunk; a loaded machine needs more than the 300 ms default.
      CACHE_S3_TIMEOUT_MS: '5000',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    };
    const run = async (): Promise<{ status: number; cache: string; body: string }> => {
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe, bundle.file], { env, timeout: 60_000 });
      return JSON.parse(stdout.trim().split('\n').pop()!) as { status: number; cache: string; body: string };
    };

    const first = await run();
    expect(first).toMatchObject({ status: 200, body: 'from the origin\n' });
    expect(first.cache).toMatch(/fwd=uri-miss; fwd-status=200; stored/);

    const second = await run();
    expect(second).toMatchObject({ status: 200, body: 'from the origin\n' });
    expect(second.cache).toMatch(/; hit; ttl=\d+/);
    expect(originRequests).toBe(1);
  });
});
