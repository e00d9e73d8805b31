import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { costSection, DEFAULT_MEMORY_MB } from '../bench/cost-report.js';
import type { RunResult } from '../bench/measure.js';
import { loadTemplate } from './support/cloudformation.js';
import { breakEvenRequestsPerMonth, ec2Cost, EC2_M7G_LARGE, HOURS_PER_MONTH, lambdaCost, LAMBDA_ARM64_US_EAST_1 } from '../bench/cost-model.js';

const PRICES = { gbSecondUsd: 0.00001, requestUsd: 0.0000002, source: 'test' };

describe('lambdaCost', () => {
  test('bills memory x (attempts x origin latency + own time), rounded up to the ms, plus the request price', () => {
    // 1 GB x 2.0005 s -> 2001 ms billed = 2.001 GB-s; no cold starts.
    const cost = lambdaCost({ attemptsPerRequest: 1, originMs: 2000, ownMs: 0.5, memoryMb: 1024, initMs: 300, coldStartShare: 0, prices: PRICES });
    expect(cost.billedMs).toBe(2001);
    expect(cost.gbSeconds).toBeCloseTo(2.001, 12);
    expect(cost.usdPerMillion).toBeCloseTo(1_000_000 * (2.001 * 0.00001 + 0.0000002), 9);
  });

  test('rounds up to the ms what is a whole number of ms, not what floating point makes of it (found by review)', () => {
    // 1.104 x 5000 is 5520.000000000001 in doubles: 5520 ms billed, not 5521; a real fraction still rounds up.
    const base = { originMs: 5000, ownMs: 0, memoryMb: 256, initMs: 0, coldStartShare: 0, prices: PRICES };
    expect(lambdaCost({ ...base, attemptsPerRequest: 1.104 }).billedMs).toBe(5520);
    expect(lambdaCost({ ...base, attemptsPerRequest: 1.104, ownMs: 0.01 }).billedMs).toBe(5521);
  });

  test('retries multiply the origin time, a cache hit (0 attempts) leaves only the own time', () => {
    const base = { originMs: 5000, ownMs: 10, memoryMb: 256, initMs: 0, coldStartShare: 0, prices: PRICES };
    expect(lambdaCost({ ...base, attemptsPerRequest: 1.5 }).billedMs).toBe(7510);
    expect(lambdaCost({ ...base, attemptsPerRequest: 0 }).billedMs).toBe(10);
    // 256 MB is a quarter GB.
    expect(lambdaCost({ ...base, attemptsPerRequest: 0 }).gbSeconds).toBeCloseTo(0.25 * 0.01, 12);
  });

  test('INIT is billed on the share of requests that start an environment (1% by default)', () => {
    const input = { attemptsPerRequest: 1, originMs: 1000, ownMs: 0, memoryMb: 1024, initMs: 400, prices: PRICES };
    expect(lambdaCost(input).gbSeconds).toBeCloseTo(1 + 0.01 * 0.4, 12);
    expect(lambdaCost({ ...input, coldStartShare: 1 }).gbSeconds).toBeCloseTo(1.4, 12);
  });

  test('defaults to the dated arm64 prices', () => {
    const cost = lambdaCost({ attemptsPerRequest: 1, originMs: 1000, ownMs: 0, memoryMb: 1024, initMs: 0, coldStartShare: 0 });
    expect(cost.usdPerMillion).toBeCloseTo(1_000_000 * LAMBDA_ARM64_US_EAST_1.gbSecondUsd + 0.2, 9);
    expect(LAMBDA_ARM64_US_EAST_1.source).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(EC2_M7G_LARGE.source).toMatch(/\d{4}-\d{2}-\d{2}/);
  });
});

describe('ec2Cost and the break-even', () => {
  const offer = { instanceType: 'test.large', hourlyUsd: 0.1, instances: 2, concurrentPerInstance: 100, source: 'test' };

  test('a fixed monthly price shared by the requests', () => {
    const cost = ec2Cost(10_000_000, 2000, offer);
    expect(cost.instances).toBe(2);
    expect(cost.usdPerMonth).toBeCloseTo(2 * 0.1 * HOURS_PER_MONTH, 9);
    expect(cost.usdPerMillion).toBeCloseTo(cost.usdPerMonth / 10, 9);
  });

  test('more instances when the requests in flight exceed what the minimum count holds', () => {
    // 2,628,000,000 a month is 1,000 per second; at 1 s each, 1,000 in flight: 10 instances of 100.
    expect(ec2Cost(HOURS_PER_MONTH * 3600 * 1000, 1000, offer).instances).toBe(10);
  });

  test('at the break-even volume both cost the same; below it Lambda is cheaper', () => {
    const lambda = lambdaCost({ attemptsPerRequest: 1, originMs: 4000, ownMs: 2, memoryMb: 256, initMs: 150, prices: PRICES });
    const volume = breakEvenRequestsPerMonth(lambda, offer);
    const lambdaMonthly = (v: number): number => (v / 1_000_000) * lambda.usdPerMillion;
    expect(lambdaMonthly(volume)).toBeCloseTo(ec2Cost(volume, 4000, offer).usdPerMonth, 6);
    expect(lambdaMonthly(volume / 2)).toBeLessThan(ec2Cost(volume / 2, 4000, offer).usdPerMonth);
    expect(lambdaMonthly(volume * 2)).toBeGreaterThan(ec2Cost(volume * 2, 4000, offer).usdPerMonth);
  });
});

test("the cost report prices the template's default memory size", () => {
  const template = loadTemplate(fileURLToPath(new URL('../template.yaml', import.meta.url)));
  expect(Number(template.Parameters.FunctionMemorySize?.Default)).toBe(DEFAULT_MEMORY_MB);
});

describe('costSection (the bench report)', () => {
  const row = (contender: string, mean: number, perClientRequest: number) =>
    ({ scenario: 'flaky', contender, status: 'ok', latencyMs: { p50: mean, p90: mean, p95: mean, p99: mean, max: mean, mean }, origin: { perClientRequest } }) as unknown as RunResult;

  test("takes attempts and the proxy's own time from each proxy row, against the direct row of its scenario", () => {
    // ours: 1.5 attempts of 100 ms each = 150 ms, measured 250 ms -> 100 ms of its own.
    const section = costSection([row('direct', 100, 1), row('nginx', 120, 1), row('ours', 250, 1.5)], { initMs: 200, memoryMb: 1024, latenciesMs: [2000] });
    expect(section.rows).toHaveLength(1);
    expect(section.rows[0]).toMatchObject({ scenario: 'flaky', contender: 'ours', attemptsPerRequest: 1.5, ownMs: 100, billedMs: 3100 });
    const expected = lambdaCost({ attemptsPerRequest: 1.5, ownMs: 100, originMs: 2000, memoryMb: 1024, initMs: 200 });
    expect(section.rows[0]!.lambdaUsdPerMillion).toBeCloseTo(expected.usdPerMillion, 9);
    expect(section.rows[0]!.breakEvenPerMonth).toBeCloseTo(breakEvenRequestsPerMonth(expected), 3);
  });

  test('cache hits lower the attempts per request below one, and the billed origin time with them', () => {
    const section = costSection([row('direct', 100, 1), row('ours-cache', 20, 0.1)], { initMs: 0, latenciesMs: [5000] });
    expect(section.rows[0]).toMatchObject({ ownMs: 10, billedMs: 510 });
  });
});
