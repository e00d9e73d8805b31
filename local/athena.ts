/**
 * `npm run athena -- <input...> (--sql "<query>" | --saved NAME | --all | --list)`: the saved Athena
 * queries (or any Athena SQL) run locally with DuckDB over ALB access logs. See `--help` and docs/athena.md.
 */
import Table from 'cli-table3';
import { InputError } from './access-log/read.js';
import { parseAthenaArgs, USAGE, type AthenaCliOptions } from './athena/cli-args.js';
import { DEFAULT_TEMPLATE, LocalAthena, type QueryResult } from './athena/runner.js';
import { TemplateModel } from './athena/template.js';
import { UsageError } from './cli-args.js';

function render(title: string, result: QueryResult, options: AthenaCliOptions): string {
  const sql = options.showSql ? `-- DuckDB SQL:\n${result.sql}\n` : '';
  if (options.json) return `${sql}${JSON.stringify({ query: title, columns: result.columns, rows: result.rows }, null, 2)}\n`;
  const table = new Table({ head: result.columns, style: { head: [], border: [] } });
  for (const row of result.rows) table.push(result.columns.map((c) => (row[c] === null ? 'NULL' : String(row[c]))));
  return `${sql}${title}: ${result.rows.length} row(s)\n${table.toString()}\n`;
}

/** The options, or null once a usage error has been reported. */
function parsedOrNull(argv: string[]): AthenaCliOptions | null {
  try {
    return parseAthenaArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`athena: ${err.message}\nTry --help for usage.\n`);
    return null;
  }
}

async function main(argv: string[]): Promise<number> {
  const options = parsedOrNull(argv);
  if (options === null) return 2;
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { action } = options;
  if (action.kind === 'list') {
    for (const q of new TemplateModel(options.run.templatePath ?? DEFAULT_TEMPLATE, options.run).savedQueries()) {
      process.stdout.write(`${q.name}\n  ${q.description}\n`);
    }
    return 0;
  }
  let athena: LocalAthena;
  try {
    athena = await LocalAthena.open(options.inputs, options.run);
  } catch (err) {
    process.stderr.write(`athena: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    const { lines, unmatched } = athena.loaded;
    process.stderr.write(`${lines} line(s) loaded, ${unmatched} not matching the Glue regex (rows of NULLs, as in Athena)\n`);
    const names = action.kind === 'all' ? athena.savedQueries().map((q) => q.name) : action.kind === 'saved' ? [action.name] : [];
    if (action.kind === 'sql') process.stdout.write(render('query', await athena.run(action.sql), options));
    for (const name of names) process.stdout.write(render(name, await athena.runSaved(name), options));
    return 0;
  } catch (err) {
    process.stderr.write(`athena: ${(err as Error).message}\n`);
    return err instanceof InputError ? 2 : 1;
  } finally {
    athena.close();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`athena: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
