import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { AnalysisReport } from '../local/access-log/report.js';
import { S3RVER_CREDENTIALS, s3rverClient } from '../local/s3rver.js';
import { CONSTRUCTED, DOC_EXAMPLES } from './fixtures/access-logs/aws-examples.js';

// Keep the SDK's "Node 20 support ends" notice out of the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `tsx local/logs.ts ...args` as a child process, the way `npm run logs --` runs it. */
function logs(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      TSX,
      ['local/logs.ts', ...args],
      { cwd: ROOT, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

let dir: string;
let logDir: string;
const XSS_PATH = '/<script>alert(1)</script>';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'access-log-cli-'));
  logDir = join(dir, 'AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/07/02');
  await mkdir(logDir, { recursive: true });
  await writeFile(join(logDir, 'a.log'), `${DOC_EXAMPLES.http}\n${DOC_EXAMPLES.https}\nthis line is not a log entry\n`);
  await writeFile(
    join(logDir, 'b.log.gz'),
    gzipSync(
      `${[DOC_EXAMPLES.lambdaSuccess, DOC_EXAMPLES.lambdaFailure, CONSTRUCTED.targetTimeout.replace('/orders', XSS_PATH)].join('\n')}\n`,
    ),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run logs', () => {
  test('--json prints the figures of a directory of plain and gzip logs', async () => {
    const run = await logs([join(dir, 'AWSLogs'), '--json']);
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as AnalysisReport;
    expect(r.sources).toBe(2);
    expect(r.lines).toEqual({ total: 6, requests: 5, outOfRange: 0, otherTargetGroups: 0, blank: 0, malformed: 1 });
    expect(r.malformed.map((m) => [m.source, m.line])).toEqual([[join(logDir, 'a.log'), 3]]);
    expect(r.successRate).toBe(0.6);
    expect(r.fiveXx.elb.byErrorReason).toEqual({ '-': 1, LambdaInvalidResponse: 1 });
    expect(r.topFailingPaths.paths.map((p) => p.path)).toEqual(['/', XSS_PATH]);
    // How fast and how big the run was, for the benchmark; present, whatever the values.
    expect(Object.keys(r.run ?? {})).toEqual(['elapsedSeconds', 'linesPerSecond', 'bytesRead', 'peakRssBytes']);
  });

  test('breaks requests down by the routes of --routes FILE, or of ROUTES, and names a bad route', async () => {
    const routesFile = join(dir, 'routes.json');
    await writeFile(routesFile, JSON.stringify([{ name: 'xss', match: XSS_PATH }]));
    const fromFile = await logs([join(dir, 'AWSLogs'), '--routes', routesFile]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/│\s*route\s*│\s*requests\s*│\s*5xx\s*│\s*success/);
    expect(fromFile.stdout).toMatch(/default\s*│\s*4\s*│\s*1\s*│\s*75\.000%/);
    const fromEnv = JSON.parse((await logs([join(dir, 'AWSLogs'), '--json'], { ROUTES: JSON.stringify([{ name: 'xss', match: XSS_PATH }]) })).stdout) as AnalysisReport;
    expect(fromEnv.byRoute).toEqual([
      { route: 'xss', requests: 1, fiveXx: 1, successRate: 0 },
      { route: 'default', requests: 4, fiveXx: 1, successRate: 0.75 },
    ]);
    const bad = await logs([join(dir, 'AWSLogs')], { ROUTES: '[{"name":"x","match":"x"}]' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('logs: ROUTES: route 0 ("x"): match: got "x"');
  });

  test('prints tables with the verdict against the 99% target', async () => {
    const run = await logs([join(dir, 'AWSLogs')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Success rate\s*│\s*60\.000% \(elb_status_code 100-499\)/);
    expect(run.stdout).toMatch(/Target 99%\s*│\s*MISSED by 39\.000 points/);
    expect(run.stdout).toMatch(/load balancer\s*│\s*502\s*│\s*LambdaInvalidResponse\s*│\s*1 │/);
    expect(run.stdout).toContain(`${join(logDir, 'a.log')}:3`);
  });

  test('--from/--to filter by time and --html writes a self-contained report', async () => {
    const html = join(dir, 'report.html');
    const run = await logs([
      join(logDir, 'a.log'),
      join(logDir, 'b.log.gz'),
      '--from',
      '2018-07-02T00:00:00Z',
      '--to',
      '2018-07-03',
      '--json',
      '--html',
      html,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`HTML report written to ${html}`);
    const r = JSON.parse(run.stdout) as AnalysisReport;
    expect(r.lines).toMatchObject({ requests: 2, outOfRange: 3 });
    const page = await readFile(html, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page.match(/<svg /g)).toHaveLength(2);
    // Nothing to fetch: no script, stylesheet, image, font or frame.
    expect(page).not.toMatch(/<script|<link|<img|<iframe|src=|href=|url\(|@import/i);
  });

  test('escapes what comes from the log in the HTML report', async () => {
    const html = join(dir, 'xss.html');
    expect((await logs([join(logDir, 'b.log.gz'), '--html', html])).code).toBe(0);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('/&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page).not.toContain(XSS_PATH);
  });

  test('reads s3:// with the endpoint and credentials from the environment', async () => {
    const endpoint = inject('s3Endpoint');
    const prefix = `access-log-cli-${randomUUID()}`;
    const client = s3rverClient(endpoint);
    const key = `${prefix}/AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/11/30/x_20181130T2225Z_10.0.0.1_abc.log.gz`;
    await client.send(
      new PutObjectCommand({
        Bucket: 'logs-test',
        Key: key,
        Body: gzipSync(`${DOC_EXAMPLES.lambdaSuccess}\n${DOC_EXAMPLES.lambdaFailure}\n`),
      }),
    );
    const run = await logs([`s3://logs-test/${prefix}/`, '--json'], {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as AnalysisReport;
    expect([r.requests, r.successRate, r.fiveXx.elb.byErrorReason]).toEqual([2, 0.5, { LambdaInvalidResponse: 1 }]);
  });

  test('streams a log larger than its heap limit, keeping no reference into what it has read', async () => {
    // 40 MB of log against a 24 MB old-space limit: the run completes only if memory stays bounded.
    // A new failing path every 110 lines, each kept by the top-paths counter, is the case that once
    // pinned every read chunk (see local/access-log/detach.ts).
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      lines.push(
        i % 2 === 0
          ? DOC_EXAMPLES.http
          : CONSTRUCTED.targetTimeout.replace('/orders', `/orders/${Math.floor(i / 110)}-${'x'.repeat(20)}`),
      );
    }
    const path = join(dir, 'large.log');
    await writeFile(path, `${lines.join('\n')}\n`);
    const run = await logs([path, '--json'], { NODE_OPTIONS: '--max-old-space-size=24' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const r = JSON.parse(run.stdout) as AnalysisReport;
    expect([r.lines.total, r.fiveXx.total, r.topFailingPaths.exact]).toEqual([100_000, 50_000, true]);
    expect(r.topFailingPaths.paths[0]).toEqual({ path: `/orders/0-${'x'.repeat(20)}`, failures: 55, share: 0.0011 });
  });

  test('--check exits 1 when the target is missed, and still prints the report', async () => {
    const run = await logs([join(dir, 'AWSLogs'), '--check']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Target 99%\s*│\s*MISSED by 39\.000 points/);
    expect(run.stderr).toContain('logs: --check: target 99% missed (success rate 60.000%)');
  });

  test('--target moves the bar: --check passes at 50% and fails at 99.9%', async () => {
    const met = await logs([join(dir, 'AWSLogs'), '--target', '50', '--check', '--json']);
    expect(met.code).toBe(0);
    expect(JSON.parse(met.stdout)).toMatchObject({ target: 0.5, meetsTarget: true, successRate: 0.6 });
    const missed = await logs([join(dir, 'AWSLogs'), '--target', '99.9', '--check']);
    expect(missed.code).toBe(1);
    expect(missed.stdout).toMatch(/Target 99\.9%\s*│\s*MISSED by 39\.900 points/);
  });

  test('--check fails when no request is in range: nothing proves the target', async () => {
    const run = await logs([join(dir, 'AWSLogs'), '--from', '2030-01-01', '--check']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('logs: --check: target 99% missed (no request in range)');
  });

  test('--help prints the usage and exits 0', async () => {
    const run = await logs(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run logs -- <input\.\.\.>/);
  });

  test.each([
    [[], /no input: give a log file, a directory or an s3:\/\/bucket\/prefix/],
    [['x.log', '--bucket', 'day'], /--bucket: "day" is not one of minute, hour/],
    [['x.log', '--from', 'last tuesday'], /--from: "last tuesday" is not an ISO 8601 time/],
    [['x.log', '--from', '2026-05-02', '--to', '2026-05-01'], /--from 2026-05-02 is not before --to 2026-05-01/],
    [['x.log', '--verbose'], /Unknown option '--verbose'/],
    [['x.log', '--target', '101'], /--target: "101" is not a percentage above 0 and at most 100/],
    [['x.log', '--target', '99%'], /--target: "99%" is not a percentage/],
    [['/nonexistent/access.log'], /cannot read \/nonexistent\/access\.log: no such file or directory/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const run = await logs(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});
