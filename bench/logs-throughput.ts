/**
 * Parsing throughput and memory of `npm run logs` on a large generated access log.
 *
 *   npx tsx bench/logs-throughput.ts [--lines 1000000] [--keep]
 *
 * Writes N lines in the emulator's format (a plain file and a gzip copy) to a temp directory, runs
 * the CLI on each as a child process with `--json`, and prints lines per second (from the CLI's own
 * `run` figures) and peak RSS (from `/usr/bin/time -v` when present, else the CLI's maxRSS). The
 * temp files are removed unless `--keep`.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { formatAccessLogLine, type AccessLogRecord } from '../local/access-log/format.js';
import type { AnalysisReport } from '../local/access-log/report.js';
import { mulberry32 } from '../local/origin.js';

const ROOT = resolve(import.meta.dirname, '..');
const TIME = '/usr/bin/time';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false } },
});
const LINES = Number(values.lines);
if (!Number.isInteger(LINES) || LINES <= 0) throw new Error(`--lines: ${values.lines} is not a positive integer`);

const PATHS = ['/', '/api/orders', '/api/cart', '/api/search', '/health', '/static/app.js', '/api/users/me', '/api/items'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'curl/8.4.0',
  'okhttp/4.12.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
];

/** HOSP-like traffic over one hour: ~2% 5xx of three kinds, a slow tail of 2-20 s. */
function record(i: number, rnd: () => number): AccessLogRecord {
  const start = Date.UTC(2026, 4, 1, 10) + Math.floor((i / LINES) * 3_600_000);
  const slow = rnd() < 0.05;
  let target = slow ? 2 + rnd() * 18 : 0.005 + rnd() * rnd() * 0.8;
  const roll = rnd();
  let elb = 200;
  let targetStatus: number | null = 200;
  let reason: string | null = null;
  if (roll < 0.01) [elb, targetStatus] = [503, 503];
  else if (roll < 0.015) [elb, targetStatus, reason] = [502, null, 'LambdaUnhandled'];
  else if (roll < 0.02) [elb, targetStatus, target] = [504, null, -1];
  else if (roll < 0.05) [elb, targetStatus] = [404, 404];
  const path = rnd() < 0.2 ? `/api/items/${Math.floor(rnd() * 100_000)}` : PATHS[Math.floor(rnd() * PATHS.length)]!;
  const answered = target < 0 ? 29 : target;
  return {
    time: new Date(start + Math.round(answered * 1000)),
    requestCreationTime: new Date(start),
    clientIp: `10.0.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`,
    clientPort: 1024 + Math.floor(rnd() * 60_000),
    requestProcessingTime: 0.001,
    targetProcessingTime: Math.round(target * 1000) / 1000,
    responseProcessingTime: 0,
    elbStatusCode: elb,
    targetStatusCode: targetStatus,
    receivedBytes: 200 + Math.floor(rnd() * 800),
    sentBytes: 300 + Math.floor(rnd() * 20_000),
    method: rnd() < 0.8 ? 'GET' : 'POST',
    url: `https://shop.example.com${path}${rnd() < 0.3 ? `?page=${Math.floor(rnd() * 10)}` : ''}`,
    protocol: 'HTTP/1.1',
    userAgent: AGENTS[Math.floor(rnd() * AGENTS.length)]!,
    traceId: `Root=1-${Math.floor(start / 1000).toString(16)}-${i.toString(16).padStart(24, '0')}`,
    targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/retry-proxy/0123456789abcdef',
    errorReason: reason,
  };
}

async function generate(path: string): Promise<void> {
  // Deterministic, so every run measures the same log.
  const rnd = mulberry32(42);
  const out = createWriteStream(path);
  let batch: string[] = [];
  for (let i = 0; i < LINES; i++) {
    batch.push(formatAccessLogLine(record(i, rnd)));
    if (batch.length === 10_000 || i === LINES - 1) {
      if (!out.write(`${batch.join('\n')}\n`)) await once(out, 'drain');
      batch = [];
    }
  }
  out.end();
  await once(out, 'finish');
}

interface Measured {
  report: AnalysisReport;
  peakRssBytes: number;
  rssSource: string;
}

function measure(input: string): Promise<Measured> {
  const cli = [join(ROOT, 'node_modules', '.bin', 'tsx'), 'local/logs.ts', input, '--json'];
  const useTime = existsSync(TIME);
  const [cmd, args] = useTime ? [TIME, ['-v', ...cli]] : [cli[0]!, cli.slice(1)];
  return new Promise((done, fail) => {
    execFile(cmd, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return fail(new Error(`${cmd} failed: ${stderr}`));
      const report = JSON.parse(stdout) as AnalysisReport;
      const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      done(
        kb
          ? { report, peakRssBytes: Number(kb[1]) * 1024, rssSource: '/usr/bin/time -v (largest process)' }
          : { report, peakRssBytes: report.run!.peakRssBytes, rssSource: 'process.resourceUsage().maxRSS' },
      );
    });
  });
}

const dir = await mkdtemp(join(tmpdir(), 'logs-throughput-'));
try {
  const plain = join(dir, 'access.log');
  const gz = join(dir, 'access.log.gz');
  process.stdout.write(`generating ${LINES.toLocaleString('en-US')} lines in ${dir} ...\n`);
  await generate(plain);
  await pipeline(createReadStream(plain), createGzip(), createWriteStream(gz));
  for (const input of [plain, gz]) {
    const size = (await stat(input)).size;
    const m = await measure(input);
    const run = m.report.run!;
    process.stdout.write(
      `${input.endsWith('.gz') ? 'gzip ' : 'plain'}  ${(size / 1024 / 1024).toFixed(0).padStart(5)} MB  ` +
        `${m.report.lines.total.toLocaleString('en-US')} lines (${m.report.lines.malformed} malformed)  ` +
        `${run.elapsedSeconds.toFixed(2)} s  ${run.linesPerSecond.toLocaleString('en-US')} lines/s  ` +
        `peak RSS ${(m.peakRssBytes / 1024 / 1024).toFixed(0)} MB [${m.rssSource}]\n`,
    );
  }
} finally {
  if (values.keep) process.stdout.write(`kept ${dir}\n`);
  else await rm(dir, { recursive: true, force: true });
}
