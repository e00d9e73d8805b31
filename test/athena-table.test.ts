/**
 * The local Glue table: template.yaml read as CloudFormation would resolve it, the RegexSerDe as
 * Hive applies it (whole line, NULLs where it does not match), the day partition, the runner and
 * the `npm run athena` command.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { analyzeAccessLogs } from '../local/access-log/analyze-logs.js';
import { parseAccessLogLine } from '../local/access-log/parse.js';
import { regexGroups, serdeSelect } from '../local/athena/glue-regex.js';
import { dayFromName, partitionDay } from '../local/athena/partition-day.js';
import { LocalAthena } from '../local/athena/runner.js';
import { DEFAULT_TARGET_GROUP_ARN, TemplateModel } from '../local/athena/template.js';
import { s3rverClient } from '../local/s3rver.js';
import { LOCAL_TARGET_GROUP_ARN } from '../local/alb-event-builder.js';
import { CONSTRUCTED, DOC_EXAMPLE_2020_HTTP, DOC_EXAMPLES, DOC_EXAMPLES_2018 } from './fixtures/access-logs/aws-examples.js';

const ROOT = resolve(import.meta.dirname, '..');
const TEMPLATE = join(ROOT, 'template.yaml');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'athena-table-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function logFile(name: string, lines: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await mkdir(resolve(path, '..'), { recursive: true });
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('template.yaml as the local stack sees it', () => {
  const model = new TemplateModel(TEMPLATE);

  test('the Glue table: its database, name, 37 columns and one capture group per column', () => {
    const table = model.glueTable();
    expect({ database: table.database, name: table.name, partitions: table.partitionKeys }).toEqual({
      database: 'alb_retry_proxy_logs',
      name: 'alb_access_logs',
      partitions: [{ name: 'day', type: 'string' }],
    });
    expect(table.columns).toHaveLength(37);
    expect(regexGroups(table.regex).filter((g) => g.capturing)).toHaveLength(37);
  });

  test('every !Sub placeholder of the saved queries is resolved', () => {
    const queries = model.savedQueries();
    expect(queries.length).toBeGreaterThanOrEqual(4);
    for (const q of queries) {
      expect(q.sql, q.name).not.toMatch(/\$\{/);
      expect(q.sql, q.name).toContain('FROM "alb_retry_proxy_logs"."alb_access_logs"');
    }
    const success = queries.find((q) => q.name === 'success-rate-per-hour')!;
    expect(success.sql).toContain(`target_group_arn = '${DEFAULT_TARGET_GROUP_ARN}'`);
    expect(success.sql).toContain('>= 99 * count(*) AS meets_target');
    expect(DEFAULT_TARGET_GROUP_ARN).toBe(LOCAL_TARGET_GROUP_ARN);
  });

  test('parameters and the target group ARN can be given', () => {
    const custom = new TemplateModel(TEMPLATE, { parameters: { SuccessRateTarget: '99.9', AthenaDatabaseName: 'logs_x' }, targetGroupArn: 'arn:tg' });
    const success = custom.savedQueries().find((q) => q.name === 'success-rate-per-hour')!;
    expect(success.sql).toContain('>= 99.9 * count(*) AS meets_target');
    expect(success.sql).toContain("target_group_arn = 'arn:tg'");
    expect(success.sql).toContain('FROM "logs_x"."alb_access_logs"');
    expect(custom.glueTable().database).toBe('logs_x');
  });

  test("`${!x}` stays literal and an unknown placeholder names itself", async () => {
    const path = await logFile('t.yaml', [
      'Resources:',
      '  Q:',
      '    Type: AWS::Athena::NamedQuery',
      '    Properties: {Name: q, QueryString: !Sub "SELECT 1 -- ${!day} ${Nowhere}"}',
    ]);
    expect(() => new TemplateModel(path).savedQueries()).toThrow(/\$\{Nowhere\}.*pass it as a parameter/);
    const fixed = new TemplateModel(path, { parameters: { Nowhere: 'here' } }).savedQueries();
    expect(fixed[0]!.sql).toBe('SELECT 1 -- ${day} here');
  });
});

describe("the RegexSerDe, as Hive's", () => {
  test('a regex with more groups than columns is refused with Hive\'s reason', () => {
    expect(() => serdeSelect('(a) (b)', [{ name: 'a', type: 'string' }], 't')).toThrow(/2 capture groups for 1 columns.*Number of matching groups/);
  });

  test("groups are counted as Java counts them: (?:...), lookarounds and classes do not capture, (?<n>...) does", () => {
    expect(regexGroups('(?:x)(?=y)(?<!z)[(]\\((?<n>a)(b)').filter((g) => g.capturing).map((g) => g.number)).toEqual([1, 2]);
  });

  test("an optional part that may match nothing cannot tell NULL from '' (docs/athena.md): it reads as ''", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      const cols = [{ name: 'a', type: 'string' }, { name: 'b', type: 'string' }, { name: 'c', type: 'string' }];
      // (b*)? may match empty, so its absence is ''; (?: (c))? always consumes a space, so its absence is NULL.
      const sql = serdeSelect('(a)(b*)?(?: (c))?', cols, "(SELECT 'a' AS line UNION ALL SELECT 'ab c')");
      const rows = (await db.runAndReadAll(sql)).getRowObjectsJson();
      expect(rows.sort((x, y) => String(x.b).localeCompare(String(y.b)))).toEqual([
        { a: 'a', b: '', c: null },
        { a: 'a', b: 'b', c: 'c' },
      ]);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });

  test('an unbalanced regex is a clear error', () => {
    expect(() => regexGroups('(a')).toThrow(/unclosed '\('/);
    expect(() => regexGroups('a)')).toThrow(/unbalanced '\)'/);
  });

  test('AWS example lines and edge cases read as the parser reads them; a 2018 line, a \\" in a quoted field and garbage give NULL rows', async () => {
    const { quotesAndSpaces, ...constructed } = CONSTRUCTED;
    const good = [...Object.values(DOC_EXAMPLES), ...Object.values(constructed)];
    // `"([^"]*)"` cannot take the \" in its user agent: the analyzer reads that line, Athena cannot.
    const unreadable = [...Object.values(DOC_EXAMPLES_2018), DOC_EXAMPLE_2020_HTTP, quotesAndSpaces, 'garbage', ''];
    const path = await logFile('serde/2026/05/01/a.log', [...good, ...unreadable]);
    const athena = await LocalAthena.open([path]);
    try {
      const { rows } = await athena.run(
        'SELECT elb_status_code, target_status_code, target_processing_time, request_verb, request_url, user_agent, lambda_error_reason, conn_trace_id, transformed_host, day FROM alb_access_logs',
      );
      expect(rows).toHaveLength(good.length + unreadable.length);
      good.forEach((line, k) => {
        const e = entryOf(line);
        expect(rows[k], line).toMatchObject({
          elb_status_code: e.elbStatusCode,
          target_status_code: e.targetStatusCode === null ? '-' : String(e.targetStatusCode),
          target_processing_time: e.targetProcessingTime,
          request_verb: e.method ?? '-',
          conn_trace_id: e.connTraceId,
          day: '2026/05/01',
        });
      });
      // The regex requires the 2020 fields and no " inside quotes: Athena gives these as rows of NULLs too.
      for (const row of rows.slice(good.length)) expect(Object.values(row).filter((v) => v !== null)).toEqual(['2026/05/01']);
      expect(athena.loaded).toEqual({ lines: rows.length, unmatched: rows.length - good.length });
    } finally {
      athena.close();
    }
  });

  test('a line that ends at conn_trace_id has NULL transform columns; a value that is not a number is NULL', async () => {
    const current = DOC_EXAMPLES.lambdaFailure;
    const older = current.replace(/ "-" "-" "-"$/, '');
    const badPort = current.replace(':2817 ', ':28x7 ');
    const path = await logFile('older.log', [older, current, badPort]);
    const athena = await LocalAthena.open([path], { day: '2026/01/01' });
    try {
      const { rows } = await athena.run('SELECT transformed_host, request_transform_status, client_port, conn_trace_id, day FROM alb_access_logs');
      expect(rows).toEqual([
        { transformed_host: null, request_transform_status: null, client_port: 2817, conn_trace_id: 'TID_1234abcd5678ef90', day: '2026/01/01' },
        { transformed_host: '-', request_transform_status: '-', client_port: 2817, conn_trace_id: 'TID_1234abcd5678ef90', day: '2026/01/01' },
        // [0-9]* cannot take "28x7": the whole line fails to match, as in Hive.
        { transformed_host: null, request_transform_status: null, client_port: null, conn_trace_id: null, day: '2026/01/01' },
      ]);
    } finally {
      athena.close();
    }
  });
});

function entryOf(line: string) {
  const parsed = parseAccessLogLine(line);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.entry;
}

describe("a '-' status (ALB sent no response): the saved queries and the analyzer agree", () => {
  test('success-rate-per-hour and top-failing-paths count it as a failure, failed and succeeded add up', async () => {
    const noStatus = DOC_EXAMPLES.lambdaSuccess.replace(' 200 200 34 366 ', ' - - 34 366 ');
    const path = await logFile('nostatus/2018/11/30/a.log', [DOC_EXAMPLES.lambdaSuccess, noStatus]);
    const report = await analyzeAccessLogs([path]);
    expect({ successRate: report.successRate, fiveXx: report.fiveXx.total }).toEqual({ successRate: 0.5, fiveXx: 0 });
    const arn = entryOf(DOC_EXAMPLES.lambdaSuccess).targetGroupArn!;
    const athena = await LocalAthena.open([path], { now: new Date('2018-12-01T00:00:00Z'), targetGroupArn: arn });
    try {
      expect((await athena.runSaved('success-rate-per-hour')).rows).toEqual([
        expect.objectContaining({ requests: '2', failed: '1', success_pct: 50, meets_target: false }),
      ]);
      // A path failing only with '-' is listed, and its failed_pct counts the '-' as failed does.
      expect((await athena.runSaved('top-failing-paths')).rows).toEqual([
        expect.objectContaining({ path: '/', requests: '2', failed: '1', failed_pct: 50 }),
      ]);
      expect(report.topFailingPaths.paths).toEqual([{ path: '/', failures: 1, share: 1 }]);
    } finally {
      athena.close();
    }
  });
});

describe('a 000 status (the connection closed without one): counted as failed by both', () => {
  test('success-rate-per-hour, top-failing-paths and the analyzer count three 000 lines and a 200 alike', async () => {
    const closed = DOC_EXAMPLES.lambdaSuccess.replace(' 200 200 34 366 ', ' 000 - 34 366 ');
    const path = await logFile('closed/2018/11/30/a.log', [DOC_EXAMPLES.lambdaSuccess, closed, closed, closed]);
    const report = await analyzeAccessLogs([path]);
    expect({ requests: report.requests, malformed: report.lines.malformed, successRate: report.successRate }).toEqual({ requests: 4, malformed: 0, successRate: 0.25 });
    const athena = await LocalAthena.open([path], { now: new Date('2018-12-01T00:00:00Z'), targetGroupArn: entryOf(DOC_EXAMPLES.lambdaSuccess).targetGroupArn! });
    try {
      expect((await athena.runSaved('success-rate-per-hour')).rows).toEqual([expect.objectContaining({ requests: '4', failed: '3', success_pct: 25, meets_target: false })]);
      expect((await athena.runSaved('top-failing-paths')).rows).toEqual([expect.objectContaining({ path: '/', requests: '4', failed: '3', failed_pct: 75 })]);
    } finally {
      athena.close();
    }
  });
});

describe("5xx-by-elb-vs-target keeps to the proxy's target group", () => {
  test("a 503 of another rule of the load balancer (target group '-') is not counted as the proxy's", async () => {
    const arn = entryOf(DOC_EXAMPLES.lambdaSuccess).targetGroupArn!;
    const otherRule = DOC_EXAMPLES.lambdaSuccess.replace(arn, '-').replace(' 200 200 34 366 ', ' 503 - 34 366 ');
    const own = DOC_EXAMPLES.lambdaSuccess.replace(' 200 200 34 366 ', ' 502 - 34 366 ');
    const path = await logFile('other-rule/2018/11/30/a.log', [otherRule, own]);
    const athena = await LocalAthena.open([path], { now: new Date('2018-12-01T00:00:00Z'), targetGroupArn: arn });
    try {
      const rows = (await athena.runSaved('5xx-by-elb-vs-target')).rows;
      expect(rows.map((r) => [r.elb_status_code, r.requests])).toEqual([[502, '1']]);
      // npm run logs --target-group-arn counts what the success-rate query counts.
      const report = await analyzeAccessLogs([path], { targetGroupArn: arn });
      expect({ requests: report.requests, other: report.lines.otherTargetGroups, successRate: report.successRate }).toEqual({ requests: 1, other: 1, successRate: 0 });
      expect((await athena.runSaved('success-rate-per-hour')).rows).toEqual([expect.objectContaining({ requests: '1', failed: '1' })]);
    } finally {
      athena.close();
    }
  });
});

describe('the saved queries compute rates as Athena and DuckDB read them alike', () => {
  test('no DECIMAL literal in a division (Trino would keep one decimal and round: 98.95% as 99.0)', () => {
    for (const q of new TemplateModel(TEMPLATE).savedQueries()) expect(q.sql, q.name).not.toMatch(/\b\d+\.\d+\s*\*/);
  });
});

describe('the day partition', () => {
  test("from ALB's S3 layout, then from ALB's file name", () => {
    expect(dayFromName('/x/AWSLogs/1/elasticloadbalancing/eu-west-1/2026/12/02/file.log.gz')).toBe('2026/12/02');
    expect(dayFromName('s3://b/p/AWSLogs/1/elasticloadbalancing/eu-west-1/2026/12/02/f.log.gz')).toBe('2026/12/02');
    expect(dayFromName('/tmp/123456789012_elasticloadbalancing_us-east-2_app.my-lb.1234_20261201T2355Z_10.0.0.1_abc.log.gz')).toBe('2026/12/01');
    expect(dayFromName('/tmp/access.log')).toBeNull();
  });

  test("else from a local file's modification date (UTC); an S3 key without a date asks for --day", async () => {
    const path = await logFile('plain.log', ['x']);
    await utimes(path, new Date('2026-03-04T23:59:00Z'), new Date('2026-03-04T23:59:00Z'));
    expect(await partitionDay(path)).toBe('2026/03/04');
    await expect(partitionDay('s3://bucket/access.log')).rejects.toThrow(/--day/);
  });
});

describe('the runner', () => {
  test('a query DuckDB refuses reports the translated SQL; an unknown saved query lists the known ones', async () => {
    const athena = await LocalAthena.open([await logFile('r.log', [DOC_EXAMPLES.http])], { day: '2026/01/01' });
    try {
      await expect(athena.run('SELECT no_such_function(time) FROM alb_access_logs')).rejects.toThrow(/DuckDB refused.*\n-- translated SQL:/s);
      await expect(athena.runSaved('nope')).rejects.toThrow(/one of success-rate-per-hour/);
      // Trino's integer division (truncating), and UTC as the session time zone.
      expect((await athena.run("SELECT 5 / 2 AS a, -7 / 2 AS b, 5.0 / 2 AS c, date_format(from_iso8601_timestamp('2026-01-01T23:30:00-02:00'), '%Y-%m-%d %H') AS d")).rows).toEqual([
        { a: 2, b: -3, c: 2.5, d: '2026-01-02 01' },
      ]);
    } finally {
      athena.close();
    }
  });

  test("s3:// inputs in ALB's layout: gzip objects read, day taken from the key", async () => {
    const client = s3rverClient(inject('s3Endpoint'));
    const prefix = `athena-${randomUUID()}/AWSLogs/123456789012/elasticloadbalancing/us-east-2`;
    const put = (key: string, lines: string[]) =>
      client.send(new PutObjectCommand({ Bucket: 'logs-test', Key: `${prefix}/${key}`, Body: gzipSync(`${lines.join('\n')}\n`) }));
    await put('2018/11/30/a.log.gz', [DOC_EXAMPLES.lambdaSuccess, DOC_EXAMPLES.lambdaFailure]);
    await put('2018/12/01/b.log.gz', [DOC_EXAMPLES.http]);
    const athena = await LocalAthena.open([`s3://logs-test/${prefix}`], { s3: { client } });
    try {
      const { rows } = await athena.run('SELECT day, count(*) AS n, count_if(elb_status_code >= 500) AS failed FROM alb_access_logs GROUP BY 1 ORDER BY 1');
      expect(rows).toEqual([{ day: '2018/11/30', n: '2', failed: '1' }, { day: '2018/12/01', n: '1', failed: '0' }]);
    } finally {
      athena.close();
    }
  });

  test('a --day that is not yyyy/MM/dd is refused before anything is read', async () => {
    await expect(LocalAthena.open(['/nowhere'], { day: '2026-01-01' })).rejects.toThrow(/expected yyyy\/MM\/dd/);
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(join(ROOT, 'node_modules', '.bin', 'tsx'), ['local/athena.ts', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// Each run starts tsx and DuckDB in a child process: slow on a loaded machine.
describe('npm run athena', { timeout: 120_000 }, () => {
  test('--sql prints the rows; --json as JSON', async () => {
    const path = await logFile('cli/2018/11/30/a.log', [DOC_EXAMPLES.lambdaFailure, DOC_EXAMPLES.lambdaSuccess]);
    const sql = 'SELECT elb_status_code, count(*) AS n FROM alb_access_logs WHERE day = \'2018/11/30\' GROUP BY 1 ORDER BY 1';
    const text = await cli([path, '--sql', sql]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/│ 200 +│ 1 +│/);
    expect(text.stdout).toMatch(/│ 502 +│ 1 +│/);
    const json = await cli([path, '--sql', sql, '--json']);
    expect(JSON.parse(json.stdout).rows).toEqual([{ elb_status_code: 200, n: '1' }, { elb_status_code: 502, n: '1' }]);
  });

  test('--saved runs a saved query with --now and --target-group-arn; bad arguments exit 2', async () => {
    const path = await logFile('cli2/2018/11/30/a.log', [DOC_EXAMPLES.lambdaFailure]);
    const arn = 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067';
    const run = await cli([path, '--saved', '5xx-by-elb-vs-target', '--now', '2018-12-01T00:00:00Z', '--target-group-arn', arn, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).rows).toMatchObject([{ produced_by: 'elb', elb_status_code: 502, lambda_error_reason: 'LambdaInvalidResponse', requests: '1' }]);
    expect((await cli([path])).code).toBe(2);
    expect((await cli([path, '--sql', 'x', '--now', 'yesterday'])).stderr).toMatch(/--now: "yesterday" is not an ISO 8601 time/);
    const badDay = await cli([path, '--sql', 'x', '--day', '2018-11-30']);
    expect(badDay.code).toBe(2);
    expect(badDay.stderr).toMatch(/--day 2018-11-30: expected yyyy\/MM\/dd/);
    expect((await cli([path, '--sql', 'SELECT nope()'])).code).toBe(1);
  });
});

describe('npm run logs --target-group-arn', () => {
  test('takes a target group ARN and refuses anything else, naming the flag', async () => {
    const { parseCliArgs } = await import('../local/access-log/cli-args.js');
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/alb-retry-proxy/0123456789abcdef';
    expect(parseCliArgs(['logs/', '--target-group-arn', arn])).toMatchObject({ targetGroupArn: arn });
    expect(() => parseCliArgs(['logs/', '--target-group-arn', 'alb-retry-proxy'])).toThrow('--target-group-arn: "alb-retry-proxy" is not a target group ARN');
  });
});
