/**
 * `npm run conformance -- <suite-dir>`: the public HTTP caching conformance suite
 * (github.com/http-tests/cache-tests) run through the local ALB emulator and the proxy.
 *
 * docs/caching.md says how to get the suite; it runs against the suite's own origin server. For developers only: CI cannot
 * reach the suite. Runs once at the defaults and once cache-only (RETRY_MAX_ATTEMPTS=1), prints
 * required / optimal pass counts per file and in total as the suite's results.mjs classifies them,
 * and writes a JSON result per mode.
 *
 * Options: --mode both|defaults|cache-only (default both), --out DIR for the JSON (default the OS
 * temp dir), --id TEST to run one test verbosely (the suite prints its request/response dump).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { countResults, formatCounts, type RawResult, type SuiteFile } from './conformance/classify.js';
import { freePort } from '../bench/nginx.js';

const MODES = { defaults: {}, 'cache-only': { RETRY_MAX_ATTEMPTS: '1' } } as const satisfies Record<string, Record<string, string>>;
type Mode = keyof typeof MODES;

const { values: flags, positionals } = parseArgs({
  options: { mode: { type: 'string', default: 'both' }, out: { type: 'string' }, id: { type: 'string' } },
  allowPositionals: true,
  strict: true,
});
if (positionals.length !== 1) {
  process.stderr.write('usage: npm run conformance -- <cache-tests checkout> [--mode both|defaults|cache-only] [--out DIR] [--id TEST]\n');
  process.exit(2);
}
const suiteDir = resolve(positionals[0]!);
const modes: Mode[] = flags.mode === 'both' ? ['defaults', 'cache-only'] : [flags.mode as Mode];
if (!modes.every((m) => m in MODES)) {
  process.stderr.write(`--mode: got ${JSON.stringify(flags.mode)}, expected both, defaults or cache-only\n`);
  process.exit(2);
}
let files: SuiteFile[];
try {
  files = (await import(pathToFileURL(join(suiteDir, 'tests', 'index.mjs')).href)).default as SuiteFile[];
} catch (error) {
  process.stderr.write(`${suiteDir} is not a cache-tests checkout with npm install done (${(error as Error).message})\n`);
  process.exit(2);
}
const commit = await output('git', ['-C', suiteDir, 'rev-parse', 'HEAD']).catch(() => 'unknown');

for (const mode of modes) {
  const started: ChildProcess[] = [];
  try {
    const originPort = await freePort();
    const proxyPort = await freePort();
    const pidfile = join(tmpdir(), `cache-tests-server-${process.pid}.pid`);
    // The suite's server reads its settings from the variables `npm run` sets.
    const env = { ...process.env, npm_config_protocol: 'http', npm_config_port: String(originPort), npm_config_pidfile: pidfile };
    started.push(await startUntil(process.execPath, ['test-engine/server/server.mjs'], { cwd: suiteDir, env }, 'Listening on'));
    const proxyEnv = { ...process.env, ...MODES[mode], ORIGIN_URL: `http://127.0.0.1:${originPort}`, POWERTOOLS_LOG_LEVEL: 'ERROR' };
    // --single: the suite measures one HTTP cache and runs its tests concurrently. In pool mode each
    // execution environment has a memory cache of its own (as Lambda containers do) and the pool
    // throttles past MAX_ENVIRONMENTS, so the figures would measure the pool, not the cache.
    started.push(await startUntil(process.execPath, ['--import', 'tsx', 'local/start.ts', '--single', '--port', String(proxyPort)], { env: proxyEnv }, 'ALB emulator listening'));
    const cliEnv = { ...process.env, npm_config_base: `http://127.0.0.1:${proxyPort}`, npm_config_id: flags.id ?? '', npm_package_config_id: flags.id ?? '' };
    const printed = await output(process.execPath, ['--no-warnings', 'test-engine/cli.mjs'], { cwd: suiteDir, env: cliEnv });
    if (flags.id !== undefined) {
      process.stdout.write(`${mode}:\n${printed}\n`);
      continue;
    }
    const results = JSON.parse(printed) as Record<string, RawResult>;
    const counts = countResults(files, results);
    const file = join(flags.out ?? tmpdir(), `alb-retry-proxy-conformance-${mode}.json`);
    writeFileSync(file, JSON.stringify({ mode, suiteCommit: commit, env: MODES[mode], ...counts, results }, null, 2) + '\n');
    process.stdout.write(formatCounts(`${mode} (suite ${commit.slice(0, 12)})`, counts) + `  JSON: ${file}\n\n`);
  } finally {
    for (const child of started) child.kill('SIGTERM');
  }
}

/** A port nothing listens on now. */
/** Spawns a server and resolves once its output contains `ready`; rejects if it exits first. */
function startUntil(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }, ready: string): Promise<ChildProcess> {
  return new Promise((done, failed) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const watch = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (seen.includes(ready)) done(child);
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    child.on('exit', (code) => failed(new Error(`${args.join(' ')} exited (${code}) before "${ready}":\n${seen}`)));
  });
}

/** Runs a command to completion and returns its stdout; rejects with its stderr on failure. */
function output(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((done, failed) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? done(out.trim()) : failed(new Error(`${command} ${args.join(' ')} exited ${code}: ${err}`))));
  });
}
