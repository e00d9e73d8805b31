import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/**
 * `npm run bench -- --quick` end to end: it completes and writes a well-formed report. Timing
 * figures are the bench's business, never asserted here. nginx may or may not be installed: its rows
 * are then run or marked skipped, and either passes. `--no-install` keeps apt out of the test.
 */
describe('npm run bench -- --quick --scenario flaky', () => {
  let out: string;
  let run: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
    run = await new Promise((resolve, reject) => {
      const child = spawn('npm', ['run', '--silent', 'bench', '--', '--quick', '--scenario', 'flaky', '--no-install', '--out', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }, 120_000);
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
    expect(report.scenarios.map((s: { id: string }) => s.id)).toEqual(['flaky']);
    const planned: string[] = report.scenarios[0].contenders;
    expect(report.results.map((r: { contender: string }) => r.contender)).toEqual(planned);
    expect(report.contenders.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(planned));

    for (const r of report.results) {
      expect(['ok', 'skipped'], `${r.contender}: ${r.reason}`).toContain(r.status);
      if (r.status === 'skipped') {
        expect(r.reason).toEqual(expect.any(String));
        continue;
      }
      expect(r.sent).toBe(r.planned);
      expect(r.successRate).toBeGreaterThanOrEqual(0);
      expect(r.successRate).toBeLessThanOrEqual(1);
      expect(r.succeeded).toBe(Math.round(r.successRate * r.sent));
      for (const k of ['p50', 'p95', 'p99', 'max']) expect(r.latencyMs[k]).toBeGreaterThanOrEqual(0);
      expect(r.latencyMs.p50).toBeLessThanOrEqual(r.latencyMs.p99);
      expect(r.cdf.length).toBeGreaterThan(0);
      // Not >= sent: nginx with max_fails=1 answers 502 itself once every peer is marked down.
      expect(Number.isInteger(r.origin.requests) && r.origin.requests >= 0).toBe(true);
    }
    // The origin fails 20% of answers: the direct row must show it, a retrying proxy must beat it.
    const direct = report.results.find((r: { contender: string }) => r.contender === 'direct');
    expect(direct.status).toBe('ok');
    expect(direct.successRate).toBeGreaterThan(0.6);
    expect(direct.successRate).toBeLessThan(0.95);
    expect(direct.origin.perClientRequest).toBe(1);
    const ours = report.results.find((r: { contender: string }) => r.contender === 'ours');
    if (ours.status === 'ok') expect(ours.successRate).toBeGreaterThan(direct.successRate);
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
