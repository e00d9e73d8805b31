/**
 * `npm run bench`: direct vs nginx vs ours against the simulated HOSP origin, on 127.0.0.1.
 *
 *   npm run bench                          full run (about 10 minutes on 2 cores)
 *   npm run bench -- --quick               smoke run, under a minute
 *   npm run bench -- --scenario flaky      one scenario (repeatable)
 *   npm run bench -- --markdown            also print the table as Markdown
 *   npm run bench -- --cold-start [--runs N] [--requests N] [--steady N] [--entry FILE] [--s3] [--bare] [--without log,metrics,cache] [--breakdown]  cold start and per-request cost of the bundle (bench/cold-start.ts)
 *   npm run bench -- --handler-js [--runs N] [--requests N]  the handler's own JavaScript per request, no I/O (bench/handler-js.ts)
 *   npm run bench -- --memory [--sizes MIB,...] [--body-bytes N]  peak RSS with the memory cache full (bench/memory.ts)
 *   npm run bench -- --nginx PATH          that nginx binary (default: nginx on PATH, else apt-get installs it)
 *   npm run bench -- --no-install          never run apt-get; nginx rows are skipped when nginx is missing
 *   npm run bench -- --access-logs DIR     ours writes ALB-format access logs there (npm run logs -- DIR reads them)
 *
 * Writes bench/results/<ISO date>.json and .html. Every process it starts is stopped at the end,
 * on failure and on Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { runOne, unavailable, type RunResult } from './measure.js';
import { findNginx, nginxConfig } from './nginx.js';
import { startOriginProcess } from './origin-process.js';
import { installCleanup, stopAll } from './processes.js';
import { addDirectDeltas, REPORT_SCHEMA } from './report.js';
import { writeReport } from './write-report.js';
import { buildBundle } from '../scripts/build.js';
import { measureColdStartAndCost } from './cold-start-and-cost.js';
import { CONTENDERS, SCENARIOS } from './scenarios.js';
import { markdownTable, rows, terminalTable } from './table.js';

// The in-process handler loads Powertools lazily, after this: no per-request log or metric lines,
// like nginx's `access_log off` (the emulator children get the same through their env).
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const USAGE = `usage: npm run bench -- --cold-start [--runs N] [--requests N] [--steady N] [--entry FILE] [--s3] [--bare] [--without log,metrics,cache] [--breakdown]\n       npm run bench -- --handler-js [--runs N] [--requests N]\n       npm run bench -- --memory [--sizes MIB,...] [--body-bytes N] [--entry FILE]\n       npm run bench -- [--quick] [--scenario ${SCENARIOS.map((s) => s.id).join('|')}]... [--seed N] [--out DIR] [--nginx PATH] [--no-install] [--access-logs DIR] [--markdown]`;

function parse() {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        scenario: { type: 'string', multiple: true },
        seed: { type: 'string', default: '20260607' },
        out: { type: 'string', default: fileURLToPath(new URL('./results', import.meta.url)) },
        'no-install': { type: 'boolean', default: false },
        'access-logs': { type: 'string' },
        nginx: { type: 'string' },
        markdown: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const seed = Number(values.seed);
    if (!Number.isSafeInteger(seed)) throw new Error(`--seed: expected an integer, got ${JSON.stringify(values.seed)}`);
    const unknown = (values.scenario ?? []).filter((id) => !SCENARIOS.some((s) => s.id === id));
    if (unknown.length) throw new Error(`--scenario: unknown ${unknown.join(', ')}`);
    return { ...values, seed };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

// Cold start alone: its own flags (--runs), no origin process, no nginx.
if (process.argv.includes('--cold-start')) {
  const { main } = await import('./cold-start.js');
  process.exit(await main(process.argv.slice(2)));
}

// The handler's JavaScript alone: an in-process client, no origin, no socket.
if (process.argv.includes('--handler-js')) {
  const { main } = await import('./handler-js.js');
  process.exit(await main(process.argv.slice(2)));
}

// Memory alone: peak RSS of one environment at several cache sizes.
if (process.argv.includes('--memory')) {
  const { main } = await import('./memory.js');
  process.exit(await main(process.argv.slice(2)));
}

const args = parse();
const log = (line: string) => process.stderr.write(`${line}\n`);
const scenarios = SCENARIOS.filter((s) => !args.scenario || args.scenario.includes(s.id));
const bar = new cliProgress.SingleBar(
  { format: ' {bar} {percentage}% | {value}/{total} requests | {run}', hideCursor: true, stream: process.stderr },
  cliProgress.Presets.shades_classic,
);
let interrupted = false;
installCleanup(() => {
  interrupted = true;
  bar.stop();
});

const startedAt = new Date();
const bundleDir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
const results: RunResult[] = [];
let exitCode = 0;
try {
  const nginx = await findNginx(!args['no-install'], log, args.nginx);
  if ('missing' in nginx) log(`skipping the nginx contenders: ${nginx.missing}`);
  for (const c of CONTENDERS) {
    const why = c.kind !== 'nginx' && c.kind !== 'direct' ? unavailable(c, { nginx }) : undefined;
    if (why && scenarios.some((s) => s.contenders.includes(c.id))) log(`skipping ${c.label}: ${why}`);
  }
  const origin = await startOriginProcess(args.seed);
  // "ours" runs the function as a pool of execution environments: one bundle for every run, built
  // into a directory of its own so a concurrent `npm start` or `npm run build` cannot swap it mid-run.
  const bundleFile = (await buildBundle(bundleDir)).file;
  const plan = scenarios.flatMap((s) => s.contenders.map((id) => ({ scenario: s, contender: CONTENDERS.find((c) => c.id === id)! })));
  bar.start(plan.reduce((n, p) => n + (args.quick ? p.scenario.requests.quick : p.scenario.requests.full), 0), 0, { run: '' });
  for (const { scenario, contender } of plan) {
    bar.update({ run: `${scenario.id} / ${contender.label}` });
    const result = await runOne(scenario, contender, { origin, nginx, quick: args.quick, seed: args.seed, accessLogDir: args['access-logs'], bundleFile, onOutcome: () => bar.increment() });
    // Ctrl-C: the children are being stopped under the running load; what it reports now is noise.
    if (interrupted) await new Promise(() => undefined);
    if (result.status === 'skipped') bar.increment(result.planned);
    if (result.status === 'failed') log(`\n${scenario.id} / ${contender.label} failed: ${result.reason}`);
    results.push(result);
  }
  bar.stop();
  addDirectDeltas(results);
  log('measuring the cold start and the cost per request');
  const extras = await measureColdStartAndCost(results, args.quick);

  const usedContenders = CONTENDERS.filter((c) => scenarios.some((s) => s.contenders.includes(c.id)));
  const finishedAt = new Date();
  const report = {
    schema: REPORT_SCHEMA,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick: args.quick,
    seed: args.seed,
    environment: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      nginx: 'missing' in nginx ? null : nginx.version,
    },
    contenders: usedContenders.map(({ id, label, description, kind }) => ({ id, label, description, kind })),
    scenarios: scenarios.map(({ id, label, description, origin: o, concurrency, ratePerSec, contenders, outage, requests }) => ({
      id, label, description, origin: o, concurrency, ratePerSec, contenders, outage, requests: args.quick ? requests.quick : requests.full,
    })),
    results,
    coldStart: extras.coldStart,
    cost: extras.cost,
    nginxConfigExample: nginxConfig({ maxFails: 0, useStale: true }, 8080, origin.port, false),
  } as const;
  const cells = rows(results, scenarios, usedContenders);
  process.stdout.write(`${terminalTable(cells)}\n\n${extras.text}\n`);
  if (args.markdown) process.stdout.write(`\n${markdownTable(cells)}\n\n`);
  const files = await writeReport(args.out, report);
  log(`report: ${files.json}\n        ${files.html}`);
  if (results.some((r) => r.status === 'failed')) {
    log('some contenders failed to run (see the table): exit code 1');
    exitCode = 1;
  }
} catch (err) {
  bar.stop();
  log(`bench failed: ${(err as Error).stack ?? String(err)}`);
  exitCode = 1;
} finally {
  await stopAll();
  rmSync(bundleDir, { recursive: true, force: true });
}
// In-process handlers keep origin connections alive; the run is over, so exit rather than wait for them.
process.exit(exitCode);
