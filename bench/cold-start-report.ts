/**
 * The cold-start bench's figures and how they print: one block per mode, and the breakdown table of
 * what each part of a request costs.
 */
import { median } from './stats.js';
import { firstRequestParts, PART_OFF, REQUEST_PARTS, withoutLabel, type RequestPart } from './request-parts.js';

/**
 * `memory`: CACHE_STORE=memory, as deployed. `s3`: CACHE_STORE=s3 against a local s3rver, so the S3
 * client's chunk loads and every request reads and writes S3.
 */
export type ColdStartStore = 'memory' | 's3';

/** What the probe times in one window: means per request over its alternating blocks. */
export interface ProbeTimes {
  readonly handlerUs: number;
  readonly directUs: number;
  readonly httpUs: number;
  readonly handlerCpuUs: number;
  readonly directCpuUs: number;
}

/** One window's figures (warm, or steady), medians over the runs. */
export interface WindowFigures {
  /** Mean time of one sequential handler invocation. */
  readonly handlerUs: number;
  /** Mean time of one direct undici request to the same origin. */
  readonly directUs: number;
  /** Median over the runs of handler time / direct undici time (the whole invocation, round trip included). */
  readonly perRequestRatio: number;
  /** Median over the runs of the handler's own time (handler - direct undici) in microseconds. */
  readonly ownUs: number;
  /** Median over the runs of (handler - direct undici) / direct undici: what the handler adds, per round trip. */
  readonly ownRatio: number;
  /** CPU microseconds per request (the whole process, user + system), handler and direct undici; medians over the runs. */
  readonly handlerCpuUs: number;
  readonly directCpuUs: number;
  /** Median over the runs of the handler's CPU per request minus the direct request's. */
  readonly ownCpuUs: number;
  /** Median over the runs of handler time / direct node:http time. */
  readonly httpRatio: number;
  /**
   * Mean time of one direct `node:http` keep-alive request (the transport the handler's origin
   * client uses): handlerUs / directHttpUs separates the handler's own work from the difference
   * between the two HTTP clients.
   */
  readonly directHttpUs: number;
}

/**
 * The runs' times of one window as its figures. Ratios and differences are the median of each run's
 * own: both sides of a run saw the same load, another run may not have.
 */
export function windowFigures(runs: readonly ProbeTimes[]): WindowFigures {
  return {
    handlerUs: median(runs.map((r) => r.handlerUs)),
    directUs: median(runs.map((r) => r.directUs)),
    perRequestRatio: median(runs.map((r) => r.handlerUs / r.directUs)),
    ownUs: median(runs.map((r) => r.handlerUs - r.directUs)),
    ownRatio: median(runs.map((r) => (r.handlerUs - r.directUs) / r.directUs)),
    handlerCpuUs: median(runs.map((r) => r.handlerCpuUs)),
    directCpuUs: median(runs.map((r) => r.directCpuUs)),
    ownCpuUs: median(runs.map((r) => r.handlerCpuUs - r.directCpuUs)),
    httpRatio: median(runs.map((r) => r.handlerUs / r.httpUs)),
    directHttpUs: median(runs.map((r) => r.httpUs)),
  };
}

/** The cold start, and the warm window's figures (a fresh process's first timed requests). */
export interface ColdStartFigures extends WindowFigures {
  readonly store: ColdStartStore;
  /** The parts of each request switched off (none: as deployed). */
  readonly without: readonly RequestPart[];
  readonly coldStartBytes: number;
  readonly coldStartFiles: number;
  readonly allBytes: number;
  readonly importMs: number;
  readonly bareNodeMs: number;
  /** importMs / bareNodeMs */
  readonly importRatio: number;
  readonly firstRequestMs: number;
  /** The same requests timed again after `after` more on each side; absent when not measured. */
  readonly steady?: SteadyFigures;
  readonly runs: number;
}

/** The steady window's figures, as the warm ones. */
export interface SteadyFigures extends WindowFigures {
  /** Requests on each side between the warm window and this one. */
  readonly after: number;
}

const MODE_LABEL: Record<ColdStartStore, string> = {
  memory: 'memory mode',
  s3: 'S3 mode (CACHE_STORE=s3 against s3rver; every request reads and writes S3)',
};

export function formatColdStart(f: ColdStartFigures): string {
  const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
  return [
    `cold start, ${MODE_LABEL[f.store]}${withoutLabel(f.without)} (medians of ${f.runs} fresh processes, Node ${process.version})`,
    `  bundle loaded ${f.store === 's3' ? 'by 1st request' : 'at cold start '} ${kb(f.coldStartBytes)} in ${f.coldStartFiles} file(s) (all files ${kb(f.allBytes)})`,
    `  import, inside the process   ${f.importMs.toFixed(1)} ms = ${f.importRatio.toFixed(2)}x a bare node start (${f.bareNodeMs.toFixed(1)} ms)`,
    `  first request                ${f.firstRequestMs.toFixed(1)} ms (local origin${firstRequestParts(f.without)})`,
    `  handler's own cost, warm     ${f.ownUs.toFixed(0)} us per request on top of the round trip = ${f.ownRatio.toFixed(2)}x a direct undici round trip (${f.directUs.toFixed(0)} us)`,
    `  whole invocation, warm       ${f.handlerUs.toFixed(0)} us = ${f.perRequestRatio.toFixed(2)}x a direct undici round trip`,
    `                               = ${f.httpRatio.toFixed(2)}x a direct node:http keep-alive round trip (${f.directHttpUs.toFixed(0)} us)`,
    `  CPU per request, warm        handler ${f.handlerCpuUs.toFixed(0)} us, direct undici ${f.directCpuUs.toFixed(0)} us: the handler's own ${f.ownCpuUs.toFixed(0)} us (whole process)`,
    ...(f.steady ? steadyLine(f.steady) : []),
  ].join('\n');
}

/** The steady window: the whole invocation over the direct round trip, and the handler's own time and CPU. */
function steadyLine(s: SteadyFigures): string[] {
  return [
    `  whole invocation, steady     ${s.handlerUs.toFixed(0)} us = ${s.perRequestRatio.toFixed(2)}x a direct undici round trip (${s.directUs.toFixed(0)} us), after ${s.after} more requests`,
    `                               = ${s.httpRatio.toFixed(2)}x a direct node:http keep-alive round trip (${s.directHttpUs.toFixed(0)} us); own ${s.ownUs.toFixed(0)} us, own CPU ${s.ownCpuUs.toFixed(0)} us`,
  ];
}

/**
 * One line per row: the whole invocation and the handler's own cost over the direct round trip, its
 * own CPU, and how much of the own cost and CPU the row's missing parts took (against the first row).
 */
export function formatBreakdown(rows: readonly ColdStartFigures[]): string {
  const base = rows[0]!;
  const name = (f: ColdStartFigures): string => (f.without.length === 0 ? 'as deployed' : `without ${f.without.map((p) => PART_OFF[p].what).join(', ')}`);
  const lines = rows.map((f) => {
    const saved = f === base ? '' : `  ${(base.ownUs - f.ownUs).toFixed(0).padStart(5)} us, ${(base.ownCpuUs - f.ownCpuUs).toFixed(0).padStart(5)} us CPU`;
    const steady = f.steady ? `${f.steady.perRequestRatio.toFixed(2)}x` : '  -  ';
    return `  ${name(f).padEnd(44)} ${f.perRequestRatio.toFixed(2)}x  ${steady}   ${f.ownRatio.toFixed(2)}x  ${f.ownUs.toFixed(0).padStart(6)} us  ${f.ownCpuUs.toFixed(0).padStart(6)} us${saved}`;
  });
  return [
    `per-request cost of each part, memory mode (medians of ${base.runs} fresh processes per row; switched off as an operator would: ${REQUEST_PARTS.map((p) => Object.entries(PART_OFF[p].env).map(([k, v]) => `${k}=${v}`).join(' ')).join(', ')})`,
    `  ${''.padEnd(44)} whole  steady  own    own cost   own CPU   the part's cost (own, CPU)`,
    ...lines,
  ].join('\n');
}
