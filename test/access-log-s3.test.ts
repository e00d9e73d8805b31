import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { analyzeAccessLogs } from '../local/access-log/analyze-logs.js';
import { InputError, readLogLines } from '../local/access-log/read.js';
import { s3ClientFromEnv } from '../local/access-log/s3-source.js';
import { S3RVER_CREDENTIALS } from '../local/s3rver.js';
import { CONSTRUCTED, DOC_EXAMPLES } from './fixtures/access-logs/aws-examples.js';

// Keep the SDK's "Node 20 support ends" notice out of the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const BUCKET = 'logs-test';
// A prefix per run: the global s3rver is shared by every test file.
const PREFIX = `access-log-s3-${randomUUID()}`;
const DAY = `${PREFIX}/AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/07/02`;
const objectName = (end: string, rand: string) =>
  `${DAY}/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_${end}_10.0.0.1_${rand}.log.gz`;

/** The client the CLI would build, pointed at s3rver the way a user points it at MinIO: by environment. */
function envClient(): S3Client {
  return s3ClientFromEnv({
    AWS_ENDPOINT_URL_S3: inject('s3Endpoint'),
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  });
}

const objects: [string, string[]][] = [
  [objectName('20180702T2225Z', 'aaaa1111'), [DOC_EXAMPLES.http, DOC_EXAMPLES.https]],
  [objectName('20180702T2225Z', 'bbbb2222'), [DOC_EXAMPLES.h2]],
  [objectName('20180702T2230Z', 'cccc3333'), [DOC_EXAMPLES.lambdaSuccess, DOC_EXAMPLES.lambdaFailure]],
  [objectName('20180702T2235Z', 'dddd4444'), [DOC_EXAMPLES.ws, 'not an access log line']],
  [objectName('20180702T2240Z', 'eeee5555'), [CONSTRUCTED.targetTimeout]],
];

beforeAll(async () => {
  const client = envClient();
  for (const [key, lines] of objects) {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipSync(`${lines.join('\n')}\n`) }));
  }
  // AWS writes this when access logging is enabled; it is not a log and must be skipped.
  await client.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/AWSLogs/123456789012/ELBAccessLogTestFile`, Body: 'Enable AccessLog' }),
  );
});

describe('s3:// inputs against a real S3-protocol server', () => {
  test('lists a prefix and streams each gzip object in key order', async () => {
    const lines: string[] = [];
    for await (const l of readLogLines([`s3://${BUCKET}/${PREFIX}/`], { s3: { client: envClient() } })) {
      lines.push(`${l.source.split('_').at(-1)}:${l.lineNumber}`);
    }
    expect(lines).toEqual([
      'aaaa1111.log.gz:1',
      'aaaa1111.log.gz:2',
      'bbbb2222.log.gz:1',
      'cccc3333.log.gz:1',
      'cccc3333.log.gz:2',
      'dddd4444.log.gz:1',
      'dddd4444.log.gz:2',
      'eeee5555.log.gz:1',
    ]);
  });

  test('analyses the objects and reports the malformed line with its object and line number', async () => {
    const report = await analyzeAccessLogs([`s3://${BUCKET}/${PREFIX}`], { s3: { client: envClient() } });
    expect(report.sources).toBe(5);
    expect(report.requests).toBe(7);
    expect(report.fiveXx).toEqual({
      total: 2,
      elb: {
        total: 2,
        byStatus: { '502': 1, '504': 1 },
        byErrorReason: { '-': 1, LambdaInvalidResponse: 1 },
        byStatusAndReason: [
          { status: 502, errorReason: 'LambdaInvalidResponse', count: 1 },
          { status: 504, errorReason: '-', count: 1 },
        ],
      },
      target: { total: 0, byStatus: {} },
    });
    expect(report.malformed).toEqual([
      {
        source: `s3://${BUCKET}/${objectName('20180702T2235Z', 'dddd4444')}`,
        line: 2,
        error: '5 fields, expected at least 13 (type time elb client:port target:port request_processing_time target_processing_time response_processing_time elb_status_code target_status_code received_bytes sent_bytes request)',
        text: 'not an access log line',
      },
    ]);
  });

  test('reads one object named exactly, whatever its name', async () => {
    const client = envClient();
    const key = `${PREFIX}-single/emulator-run.txt`;
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `${DOC_EXAMPLES.http}\n` }));
    const report = await analyzeAccessLogs([`s3://${BUCKET}/${key}`], { s3: { client } });
    expect(report.requests).toBe(1);
  });

  test('names an empty prefix', async () => {
    const input = `s3://${BUCKET}/${PREFIX}-nothing-here/`;
    const error = await analyzeAccessLogs([input], { s3: { client: envClient() } }).catch((e: unknown) => e);
    expect(error).toEqual(new InputError(input, `no *.log or *.log.gz objects under ${input}`));
    expect((error as InputError).input).toBe(input);
  });

  test('names a bucket that does not exist', async () => {
    const error = await analyzeAccessLogs(['s3://no-such-bucket-here/x'], { s3: { client: envClient() } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^cannot list s3:\/\/no-such-bucket-here\/x: NoSuchBucket/);
  });

  test('rejects an s3 URL without a bucket', async () => {
    await expect(analyzeAccessLogs(['s3://'])).rejects.toThrow(/expected s3:\/\/bucket\/prefix/);
  });
});

describe('s3:// listings longer than one page', () => {
  // s3rver signs its continuation tokens with DES, which OpenSSL 3 (Node 17+) only offers through
  // its legacy provider: the shared in-process s3rver answers a second page with a 500. This one
  // runs in its own process with the legacy provider on.
  let child: ChildProcess;
  let endpoint: string;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 's3rver-paged-'));
    const script = `
      const S3rver = require('s3rver');
      new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[1],
        configureBuckets: [{ name: 'logs-test' }] })
        .run().then((a) => process.stdout.write(a.port + '\\n'));`;
    child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script, directory], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [port] = (await once(child.stdout!, 'data')) as [Buffer];
    endpoint = `http://127.0.0.1:${port.toString().trim()}`;
  });
  afterAll(async () => {
    child.kill();
    await rm(directory, { recursive: true, force: true });
  });

  test('follows continuation tokens through every page', async () => {
    const client = s3ClientFromEnv({
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
    for (const [key, lines] of objects) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipSync(`${lines.join('\n')}\n`) }));
    }
    // Two keys per ListObjectsV2 page: the five logs take three pages.
    const report = await analyzeAccessLogs([`s3://${BUCKET}/${PREFIX}/`], { s3: { client, pageSize: 2 } });
    expect(report.sources).toBe(5);
    expect(report.lines.total).toBe(8);
    expect(report.requests).toBe(7);
  });
});
