/**
 * Reads inputs and feeds every line to an `AccessLogAnalyzer`: the glue between `read.ts` and
 * `analyze.ts`, plus the run's own figures (lines per second, peak memory) for the benchmark.
 */
import { AccessLogAnalyzer, type AnalyzeOptions } from './analyze.js';
import { listLogSources, readLineBatches, type LogSource, type ReadOptions } from './read.js';
import type { AnalysisReport } from './report.js';

/** Reads and analyses `inputs` (paths, directories, s3:// prefixes). Throws `InputError` for unreadable input. */
export async function analyzeAccessLogs(
  inputs: string[],
  options: AnalyzeOptions & ReadOptions = {},
): Promise<AnalysisReport> {
  return analyzeLogSources(await listLogSources(inputs, options), inputs, options);
}

/** Analyses sources already listed (the CLI lists first to size its progress bar). */
export async function analyzeLogSources(
  sources: readonly LogSource[],
  inputs: string[],
  options: AnalyzeOptions & ReadOptions = {},
): Promise<AnalysisReport> {
  const started = process.hrtime.bigint();
  let bytesRead = 0;
  const analyzer = new AccessLogAnalyzer(options);
  const onBytes = (n: number): void => {
    bytesRead += n;
    options.onBytes?.(n);
  };
  for await (const batch of readLineBatches(sources, { ...options, onBytes })) {
    for (let k = 0; k < batch.lines.length; k++) analyzer.addLine(batch.lines[k]!, batch.source, batch.firstLine + k);
  }
  const report = analyzer.report(inputs, sources.length);
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  report.run = {
    elapsedSeconds: Math.round(elapsedSeconds * 1000) / 1000,
    linesPerSecond: Math.round(report.lines.total / Math.max(elapsedSeconds, 1e-9)),
    bytesRead,
    // maxRSS is in kilobytes on Linux and macOS.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  return report;
}
