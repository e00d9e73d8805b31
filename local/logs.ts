/**
 * `npm run logs -- <file|dir|s3://bucket/prefix...> [--from ISO] [--to ISO] [--bucket minute|hour]
 * [--json] [--html out.html] [--target PERCENT] [--check]`: the ALB access log analyzer. See `--help` and docs/access-logs.md.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { ConfigError } from '../shared/http/errors.js';
import type { RouteSpec } from '../shared/routes/route-spec.js';
import { parseRoutes } from '../shared/routes/route-spec.js';
import { loadRoutes } from '../shared/routes/routes-source.js';
import { analyzeLogSources } from './access-log/analyze-logs.js';
import { parseCliArgs, USAGE, type CliOptions } from './access-log/cli-args.js';
import { pct, targetLabel } from './access-log/figures.js';
import { createProgress } from './access-log/progress.js';
import { InputError, listLogSources } from './access-log/read.js';
import { renderHtmlReport } from './access-log/report-html.js';
import { renderTextReport } from './access-log/report-text.js';
import { UsageError } from './cli-args.js';

async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`logs: ${err.message}\nTry --help for usage.\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let routes: RouteSpec[];
  try {
    routes = await routesFor(options.routesFile);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`logs: ${err.message}\n`);
    return 2;
  }
  try {
    const sources = await listLogSources(options.inputs);
    const progress = createProgress(sources.reduce((n, s) => n + s.size, 0));
    const report = await analyzeLogSources(sources, options.inputs, {
      ...options,
      routes,
      onBytes: (n) => progress.add(n),
    }).finally(() => progress.stop());
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderTextReport(report));
    if (options.html !== undefined) {
      try {
        await writeFile(options.html, renderHtmlReport(report));
      } catch (err) {
        process.stderr.write(`logs: cannot write --html ${options.html}: ${(err as Error).message}\n`);
        return 2;
      }
      process.stderr.write(`HTML report written to ${options.html}\n`);
    }
    if (options.check && report.meetsTarget !== true) {
      const why = report.successRate === null ? 'no request in range' : `success rate ${pct(report.successRate)}`;
      process.stderr.write(`logs: --check: target ${targetLabel(options.target)} missed (${why})\n`);
      return 1;
    }
    return 0;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    process.stderr.write(`logs: ${err.message}\n`);
    return 2;
  }
}

/** The routes the function would use (ROUTES, else routes.json), or those of `--routes FILE`. */
async function routesFor(file: string | undefined): Promise<RouteSpec[]> {
  if (file === undefined) return loadRoutes(process.env.ROUTES);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError('--routes', `cannot read ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('--routes', `${file} is not JSON (${(err as Error).message}); expected a JSON array of routes as in routes.json`);
  }
  return parseRoutes(value, file);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`logs: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
