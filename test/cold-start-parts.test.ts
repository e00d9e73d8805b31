import { describe, expect, it } from 'vitest';
import { formatBreakdown, windowFigures, type ColdStartFigures } from '../bench/cold-start-report.js';
import { BREAKDOWN_ROWS, checkParts, parseParts } from '../bench/request-parts.js';
import { countFlag, FlagError } from '../bench/count-flag.js';

describe('cold-start bench --without', () => {
  it('reads any of log, metrics and cache, in a fixed order, and names what is not one', () => {
    expect(parseParts('cache,log')).toEqual(['log', 'cache']);
    expect(parseParts(' metrics ')).toEqual(['metrics']);
    expect(() => parseParts('log,disk')).toThrow('--without: expected some of log,metrics,cache, got "log,disk"');
    expect(() => parseParts(',')).toThrow('--without');
  });

  it('--breakdown measures as deployed, each part off in turn, then all three', () => {
    expect(BREAKDOWN_ROWS).toEqual([[], ['log'], ['metrics'], ['cache'], ['log', 'metrics', 'cache']]);
  });
});

describe('formatBreakdown', () => {
  const figures = (without: ColdStartFigures['without'], ownUs: number, ownCpuUs: number, steadyRatio?: number): ColdStartFigures => ({
    store: 'memory', without, coldStartBytes: 1, coldStartFiles: 1, allBytes: 1, importMs: 1, bareNodeMs: 1, importRatio: 1, firstRequestMs: 1,
    handlerUs: 400 + ownUs, directUs: 400, perRequestRatio: (400 + ownUs) / 400, ownUs, ownRatio: ownUs / 400,
    handlerCpuUs: 300 + ownCpuUs, directCpuUs: 300, ownCpuUs, httpRatio: 1, directHttpUs: 1, runs: 3,
    ...(steadyRatio ? { steady: { after: 2500, handlerUs: 200 * steadyRatio, directUs: 200, perRequestRatio: steadyRatio, directHttpUs: 1, httpRatio: 1, ownUs: 1, ownRatio: 1, handlerCpuUs: 1, directCpuUs: 1, ownCpuUs: 1 } } : {}),
  });

  it("shows each row's ratios and what its missing parts cost against the first row", () => {
    const text = formatBreakdown([figures([], 500, 600, 1.8), figures(['log'], 400, 480, 1.6), figures(['log', 'metrics', 'cache'], 200, 250)]);
    const lines = text.split('\n');
    expect(lines[0]).toContain('medians of 3 fresh processes per row');
    expect(lines[0]).toContain('POWERTOOLS_LOG_LEVEL=WARN, POWERTOOLS_METRICS_DISABLED=true, CACHE_STORE=off');
    expect(lines[1]).toMatch(/whole\s+steady\s+own\s+own cost/);
    expect(lines[2]).toMatch(/^  as deployed\s+2\.25x  1\.80x\s+1\.25x\s+500 us\s+600 us$/);
    expect(lines[3]).toMatch(/^  without log line\s+2\.00x  1\.60x\s+1\.00x\s+400 us\s+480 us\s+100 us,\s+120 us CPU$/);
    // A row measured without a steady window says so instead of a figure.
    expect(lines[4]).toMatch(/^  without log line, EMF metrics, cache\s+1\.50x\s+-\s+0\.50x\s+200 us\s+250 us\s+300 us,\s+350 us CPU$/);
  });
});

describe('countFlag', () => {
  it('reads a whole number of at least the minimum, and refuses anything else naming the flag', () => {
    expect(countFlag('--runs', '9')).toBe(9);
    expect(countFlag('--steady', '0', 0, 'a whole number of requests')).toBe(0);
    expect(() => countFlag('--runs', '0')).toThrow(new FlagError('--runs: expected a positive integer, got "0"'));
    expect(() => countFlag('--requests', '2.5')).toThrow('--requests: expected a positive integer, got "2.5"');
    expect(() => countFlag('--steady', '-1', 0, 'a whole number of requests')).toThrow('--steady: expected a whole number of requests, got "-1"');
    expect(() => countFlag('--runs', 'many')).toThrow(FlagError);
  });
});

describe('windowFigures', () => {
  it("takes each run's own ratio and difference, then the median (not the ratio of medians)", () => {
    const run = (handlerUs: number, directUs: number, httpUs = directUs) => ({ handlerUs, directUs, httpUs, handlerCpuUs: handlerUs, directCpuUs: directUs / 2 });
    const f = windowFigures([run(600, 300), run(1000, 400, 500), run(900, 600)]);
    expect(f).toMatchObject({ handlerUs: 900, directUs: 400, perRequestRatio: 2, ownUs: 300, ownRatio: 1, directHttpUs: 500, httpRatio: 2, ownCpuUs: 600 });
    // Each run's ratios are 2, 2.5 and 1.5: the median is 2, where the medians' ratio would be 2.25.
    expect(f.perRequestRatio).not.toBe(f.handlerUs / f.directUs);
  });
});

describe('checkParts', () => {
  const log = '{"level":"INFO","message":"request","status":200}';
  const emf = '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"Requests":1}';
  const printed = (logs: number, emfs: number) => [...Array(logs).fill(log), ...Array(emfs).fill(emf)].join('\n');

  it('passes when what is on printed and what is off did not, the cache included', () => {
    expect(() => checkParts(printed(2, 2), [], 2, 'alb-retry-proxy; fwd=stale; fwd-status=200; stored')).not.toThrow();
    expect(() => checkParts(printed(0, 0), ['log', 'metrics', 'cache'], 2, 'alb-retry-proxy; fwd=bypass; fwd-status=200')).not.toThrow();
  });

  it('fails a setting that did not switch its part off, or a part that stopped showing', () => {
    expect(() => checkParts(printed(2, 2), ['log'], 2, 'x; fwd=stale')).toThrow('with the log line off the handler printed 2 of them');
    expect(() => checkParts(printed(2, 1), [], 2, 'x; fwd=stale')).toThrow('with the EMF metrics on the handler printed 1 of them');
    expect(() => checkParts(printed(2, 2), ['cache'], 2, 'x; fwd=stale')).toThrow('with the cache off a request was not a bypass');
    expect(() => checkParts(printed(2, 2), [], 2, 'x; fwd=uri-miss')).toThrow('with the cache on a repeated request did not find the stored answer');
  });
});
