import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/**
 * `npm run bench -- --quick` end to end: it completes and writes a well-formed report. Timing
 * figures are the bench's business, never asserted here. nginx may or may not be installed: its rows
 * are then run or marked skipped, and either passes. Every other row must run (ours is only skipped
 * when local/start.ts is missing), so the checks on ours can never be skipped. `--no-install` keeps
 * apt out of the test.
 */
describe('npm run bench -- --quick --scenario flaky --scenario broken', () => {
  let out: string;
  let run: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
    // node itself, not npm: the timeout's SIGTERM must reach the bench, whose cleanup stops
    // every process it started (npm would not pass the signal on).
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--quick', '--scenario', 'flaky', '--scenario', 'broken', '--no-install', '--out', out],
        // "ours" rows start their execution environments cold (32 inits at once on 2 cores): room for that.
        { timeout: 280_000, maxBuffer: 16 * 1024 * 1024 },
      );
      run = { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string; message: string };
      run = { code: typeof e.code === 'number' ? e.code : null, stdout: e.stdout ?? '', stderr: `${e.stderr ?? ''}\n${e.message}` };
    }
  }, 300_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  test('exits 0 and prints the results table', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Scenario.*Contender.*Success/s);
    expect(run.stdout).toContain('direct');
  });

  test('writes a JSON report with a row per contender and figures in range', async () => {
    const files = await readdir(out);
    const jsonFile = files.find((f) => f.endsWith('.json'));
    expect(jsonFile).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.json$/);
    const report = JSON.parse(await readFile(join(out, jsonFile!), 'utf8'));
    expect(report).toMatchObject({ schema: 'alb-retry-proxy-bench/1', quick: true, seed: expect.any(Number) });
    expect(report.scenarios.map((s: { id: string }) => s.id)).toEqual(['flaky', 'broken']);
    const planned: string[] = report.scenarios.flatMap((s: { id: string; contenders: string[] }) => s.contenders.map((c) => `${s.id}/${c}`));
    expect(report.results.map((r: { scenario: string; contender: string }) => `${r.scenario}/${r.contender}`)).toEqual(planned);
    expect(report.contenders.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(planned.map((p) => p.split('/')[1])));

    const kindOf = (id: string) => report.contenders.find((c: { id: string }) => c.id === id)?.kind;
    for (const r of report.results) {
      // Only nginx may be absent from the machine; a skipped row of any other contender fails.
      expect(kindOf(r.contender) === 'nginx' ? ['ok', 'skipped'] : ['ok'], `${r.contender}: ${r.reason}`).toContain(r.status);
      if (r.status === 'skipped') {
        expect(r.reason).toEqual(expect.any(String));
        continue;
      }
      expect(r.sent).toBe(r.planned);
      expect(r.successRate).toBeGreaterThanOrEqual(0);
      expect(r.successRate).toBeLessThanOrEqual(1);
      for (const k of ['p50', 'p95', 'p99', 'max']) expect(r.latencyMs[k]).toBeGreaterThanOrEqual(0);
      expect(r.latencyMs.p50).toBeLessThanOrEqual(r.latencyMs.p99);
      expect(r.cdf.length).toBeGreaterThan(0);
    }
    // The origin fails 20% of answers: the direct row must show it, a retrying proxy must beat it.
    const flaky = report.results.filter((r: { scenario: string }) => r.scenario === 'flaky');
    const direct = flaky.find((r: { contender: string }) => r.contender === 'direct');
    expect(direct.status).toBe('ok');
    expect(direct.successRate).toBeGreaterThan(0.6);
    expect(direct.successRate).toBeLessThan(0.95);
    expect(direct.origin.perClientRequest).toBe(1);
    const ours = flaky.find((r: { contender: string }) => r.contender === 'ours');
    expect(ours.status, ours.reason).toBe('ok');
    expect(ours.successRate).toBeGreaterThan(direct.successRate);
    // It retried (more than one origin request per client request), within RETRY_MAX_ATTEMPTS.
    expect(ours.origin.perClientRequest).toBeGreaterThan(1);
    expect(ours.origin.perClientRequest).toBeLessThanOrEqual(5);
    // Pool mode: environments capped at the scenario's concurrency, billed GB-s for a cost model.
    expect(ours.pool).toMatchObject({ mode: 'pool', memoryMb: 256, throttles: 0 });
    expect(ours.pool.environments).toBeGreaterThanOrEqual(1);
    expect(ours.pool.environments).toBeLessThanOrEqual(report.scenarios[0].concurrency);
    expect(ours.pool.coldStartsTotal).toBeGreaterThanOrEqual(ours.pool.environments);
    expect(ours.pool.billedGbSeconds).toBeGreaterThan(0);
  });

  test('broken endpoint: success per path, and the broken path costs ours no retries once known', async () => {
    const report = JSON.parse(await readFile(join(out, (await readdir(out)).find((f) => f.endsWith('.json'))!), 'utf8'));
    const broken = report.results.filter((r: { scenario: string }) => r.scenario === 'broken');
    const row = (id: string) => broken.find((r: { contender: string }) => r.contender === id);
    expect(broken.map((r: { contender: string }) => r.contender)).toEqual(['direct', 'nginx', 'ours']);
    const direct = row('direct');
    expect(direct.status).toBe('ok');
    // Every request is counted in exactly one path group, and /status/500 never succeeds.
    expect(Object.keys(direct.groups).sort()).toEqual(['broken', 'healthy']);
    expect(direct.groups.healthy.sent + direct.groups.broken.sent).toBe(direct.sent);
    expect(direct.groups.broken.sent).toBeGreaterThan(0);
    expect(direct.groups.broken.successRate).toBe(0);
    expect(direct.groups.healthy.successRate).toBeLessThan(0.95);
    const ours = row('ours');
    // What ours got, printed with any failure below (a run on a loaded machine is hard to repeat).
    const seen = JSON.stringify({ statuses: ours.statuses, errors: ours.errors, failedStops: ours.failedStops, groups: ours.groups, origin: ours.origin, direct: direct.groups });
    expect(ours.status, ours.reason).toBe('ok');
    expect(ours.groups.broken.successRate, seen).toBe(0);
    expect(ours.groups.healthy.successRate, seen).toBeGreaterThan(direct.groups.healthy.successRate);
    // Never more than RETRY_MAX_ATTEMPTS per request. How fast the guards learn that the path is
    // broken is not checked here: in pool mode each of up to 32 environments starts with a full
    // bucket and sees a handful of a quick run's requests, as Lambda containers would (the full run's
    // figures are in docs/bench-results.md; test/overload-guards.test.ts pins the guard itself).
    expect(ours.origin.perClientRequest, seen).toBeLessThanOrEqual(5);
    // Every failed request of ours says why the proxy stopped (its Proxy-Status); direct says nothing.
    const stopped = Object.values(ours.failedStops as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(stopped, seen).toBe(ours.sent - ours.succeeded);
    expect(Object.keys(ours.failedStops).every((stop) => /^[a-z-]+$/.test(stop))).toBe(true);
    expect(direct.failedStops).toEqual({});
  });

  test('keeps one single-instance in-process row, labelled as such', async () => {
    const files = await readdir(out);
    const report = JSON.parse(await readFile(join(out, files.find((f) => f.endsWith('.json'))!), 'utf8'));
    const single = report.results.find((r: { contender: string }) => r.contender === 'in-process');
    expect(single.status).toBe('ok');
    expect(single.pool).toMatchObject({ mode: 'single', environments: 1, coldStarts: 0 });
    expect(run.stdout).toContain('1 instance serving all at once');
  });

  test('ends with the cold-start figures and the cost per million requests, also in the JSON report', async () => {
    expect(run.stdout).toMatch(/bundle loaded at cold start\s+\d+(\.\d+)? KB/);
    expect(run.stdout).toMatch(/cost per million requests: Lambda arm64 at \d+ MB/);
    const files = await readdir(out);
    const report = JSON.parse(await readFile(join(out, files.find((f) => f.endsWith('.json'))!), 'utf8'));
    expect(report.coldStart[0]).toMatchObject({ store: 'memory', coldStartBytes: expect.any(Number), importMs: expect.any(Number) });
    const ours = report.results.find((r: { contender: string }) => r.contender === 'ours');
    expect(ours.status, ours.reason).toBe('ok');
    const rows = report.cost.rows.filter((r: { contender: string; scenario: string }) => r.contender === 'ours' && r.scenario === ours.scenario);
    // One row per HOSP latency, each billing the retries the run measured.
    expect(rows.map((r: { originMs: number }) => r.originMs)).toEqual([2000, 5000, 10000, 20000]);
    for (const r of rows) {
      expect(r.attemptsPerRequest).toBe(ours.origin.perClientRequest);
      expect(r.billedMs).toBeGreaterThanOrEqual(r.attemptsPerRequest * r.originMs);
      expect(r.lambdaUsdPerMillion).toBeGreaterThan(0);
    }
  });

  test('writes a self-contained HTML report with charts', async () => {
    const files = await readdir(out);
    const html = await readFile(join(out, files.find((f) => f.endsWith('.html'))!), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toContain('</html>');
    expect(html).not.toMatch(/<script|<link|src=|href="http/);
  });
});

describe('npm run bench -- --cold-start --runs 1', () => {
  test('prints the cold-start bytes, the import ratio and the first request', { timeout: 120_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--cold-start', '--runs', '1', '--requests', '20', '--steady', '30', '--bare', '--breakdown'], {
      timeout: 110_000,
    });
    expect(stdout).toMatch(/bundle loaded at cold start\s+\d+(\.\d+)? KB in \d+ file/);
    expect(stdout).toMatch(/import, inside the process\s+\d+(\.\d+)? ms = \d+\.\d\dx a bare node start/);
    expect(stdout).toMatch(/first request\s+\d+(\.\d+)? ms/);
    expect(stdout).toMatch(/handler's own cost, warm\s+-?\d+ us per request on top of the round trip = -?\d+\.\d\dx a direct undici round trip \(\d+ us\)/);
    expect(stdout).toMatch(/whole invocation, warm\s+\d+ us = \d+\.\d\dx a direct undici round trip/);
    expect(stdout).toMatch(/CPU per request, warm\s+handler \d+ us, direct undici \d+ us: the handler's own -?\d+ us/);
    expect(stdout).toMatch(/whole invocation, steady\s+\d+ us = \d+\.\d\dx a direct undici round trip \(\d+ us\), after 30 more requests\n\s+= \d+\.\d\dx a direct node:http keep-alive round trip \(\d+ us\); own -?\d+ us, own CPU -?\d+ us/);
    // --bare: the same figures once more, without log line, metrics and cache.
    expect(stdout).toMatch(
      /cold start, memory mode without the log line, EMF metrics and cache \(POWERTOOLS_LOG_LEVEL=WARN, POWERTOOLS_METRICS_DISABLED=true, CACHE_STORE=off\)[^\n]*\n(.*\n){2}  first request\s+\d+(\.\d+)? ms \(local origin\)\n  handler's own cost, warm\s+-?\d+ us/,
    );
    // --breakdown: as deployed, each part off in turn, then all three; each row after the first with its part's cost.
    const rows = stdout.slice(stdout.indexOf('per-request cost of each part')).split('\n').slice(2, 7);
    expect(rows.map((r) => r.trim().split(/\s{2,}/)[0])).toEqual(['as deployed', 'without log line', 'without EMF metrics', 'without cache', 'without log line, EMF metrics, cache']);
    for (const row of rows) expect(row).toMatch(/ \d+\.\d\dx  \d+\.\d\dx   -?\d+\.\d\dx\s+-?\d+ us\s+-?\d+ us/);
    for (const row of rows.slice(1)) expect(row).toMatch(/-?\d+ us,\s+-?\d+ us CPU$/);
  });
});

describe('npm run bench -- --handler-js --runs 1', () => {
  test("prints the handler's JavaScript per request as deployed and with each part off", { timeout: 120_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--handler-js', '--runs', '1', '--requests', '300'], {
      timeout: 110_000,
    });
    const rows = stdout.slice(stdout.indexOf("the handler's JavaScript per request")).split('\n').slice(2, 7);
    expect(rows.map((r) => r.trim().split(/\s{2,}/)[0])).toEqual(['as deployed', 'without log line', 'without EMF metrics', 'without cache', 'without log line, EMF metrics, cache']);
    for (const row of rows) expect(row).toMatch(/ \d+\.\d us\s+\d+\.\d us/);
    for (const row of rows.slice(1)) expect(row).toMatch(/us\s+-?\d+\.\d us$/);
  });
});
