/**
 * Runs Athena SQL over local ALB log files with DuckDB.
 *
 * The lines are loaded whole (one `line` column plus the `day` partition), the Glue table of
 * template.yaml is built from them by its RegexSerDe regex, under the database and table names the
 * saved queries use, and each query is translated from Trino SQL before it runs.
 */
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection, type Json } from '@duckdb/node-api';
import { listLogSources, readLineBatches, LINE_TOO_LONG, type ReadOptions } from '../access-log/read.js';
import { serdeSelect, sqlIdent } from './glue-regex.js';
import { partitionDay } from './partition-day.js';
import { TemplateModel, type SavedQuery, type TemplateValues } from './template.js';
import { translateQuery } from './translate.js';

export const DEFAULT_TEMPLATE = fileURLToPath(new URL('../../template.yaml', import.meta.url));

export interface LocalAthenaOptions extends TemplateValues, ReadOptions {
  /** @default the repository's template.yaml */
  templatePath?: string;
  /** What `current_date` and `now()` stand for. @default the time each query runs */
  now?: Date;
  /** The `day` partition of every file, over what its path or date says (`yyyy/MM/dd`). */
  day?: string;
}

export interface QueryResult {
  columns: string[];
  /** Rows as JSON values: BIGINT and DECIMAL as strings, timestamps as DuckDB prints them. */
  rows: Record<string, Json>[];
  /** The DuckDB SQL that ran. */
  sql: string;
}

export class LocalAthena {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly instance: DuckDBInstance,
    private readonly model: TemplateModel,
    private readonly options: LocalAthenaOptions,
    /** Lines loaded, and how many the regex did not match (rows of NULLs, as in Athena). */
    readonly loaded: { lines: number; unmatched: number },
  ) {}

  /** Loads `inputs` (files, directories, s3:// prefixes, as `npm run logs` reads them). */
  static async open(inputs: string[], options: LocalAthenaOptions = {}): Promise<LocalAthena> {
    const model = new TemplateModel(options.templatePath ?? DEFAULT_TEMPLATE, options);
    const table = model.glueTable();
    const partitions = table.partitionKeys.map((k) => k.name);
    if (partitions.join() !== 'day') {
      throw new Error(`${table.name}: partition keys ${partitions.join(', ') || '(none)'}: only the projected day partition is supported locally`);
    }
    if (options.day !== undefined && !/^\d{4}\/\d{2}\/\d{2}$/.test(options.day)) {
      throw new Error(`--day ${options.day}: expected yyyy/MM/dd, e.g. 2026/12/02`);
    }
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      // Athena sessions run in UTC; Trino divides integers as integers (5 / 2 = 2), DuckDB by default not.
      await connection.run("SET TimeZone = 'UTC'");
      await connection.run('SET integer_division = true');
      await connection.run('CREATE TABLE main.alb_lines (line VARCHAR, day VARCHAR)');
      const appender = await connection.createAppender('alb_lines');
      let lines = 0;
      const sources = await listLogSources(inputs, options);
      for (const source of sources) {
        const day = options.day ?? (await partitionDay(source.name));
        for await (const batch of readLineBatches([source], options)) {
          for (const line of batch.lines) {
            // An over-long line could not match the regex anyway: it reads as a row of NULLs.
            appender.appendVarchar(line === LINE_TOO_LONG ? '' : line);
            appender.appendVarchar(day);
            appender.endRow();
            lines++;
          }
        }
      }
      appender.closeSync();
      const schema = sqlIdent(table.database);
      await connection.run(`CREATE SCHEMA ${schema}`);
      // Built once: every query then reads typed columns instead of matching the regex again.
      await connection.run(`CREATE TABLE ${schema}.${sqlIdent(table.name)} AS ${serdeSelect(table.regex, table.columns, 'main.alb_lines', ['day'])}`);
      await connection.run('DROP TABLE main.alb_lines');
      // The named queries' Database is the default schema, as in the Athena console.
      await connection.run(`SET search_path = '${table.database.replace(/'/g, "''")},main'`);
      const unmatched = Number(
        (await connection.runAndReadAll(`SELECT count(*) AS n FROM ${schema}.${sqlIdent(table.name)} WHERE ${sqlIdent(table.columns[0]!.name)} IS NULL`)).getRowObjectsJson()[0]!.n,
      );
      return new LocalAthena(connection, instance, model, options, { lines, unmatched });
    } catch (err) {
      connection.closeSync();
      instance.closeSync();
      throw err;
    }
  }

  /** The saved queries of the template. */
  savedQueries(): SavedQuery[] {
    return this.model.savedQueries();
  }

  /** Runs saved query `name` (its Name, e.g. `success-rate-per-hour`, or its logical id). */
  async runSaved(name: string): Promise<QueryResult> {
    const all = this.savedQueries();
    const query = all.find((q) => q.name === name || q.logicalId === name);
    if (query === undefined) throw new Error(`no saved query named ${name}: one of ${all.map((q) => q.name).join(', ')}`);
    return this.run(query.sql);
  }

  /** Runs Athena SQL, translated for DuckDB. */
  async run(athenaSql: string): Promise<QueryResult> {
    const sql = translateQuery(athenaSql, { now: this.options.now ?? new Date() });
    const reader = await this.connection.runAndReadAll(sql).catch((err: unknown) => {
      throw new Error(`DuckDB refused the translated query: ${(err as Error).message}\n-- translated SQL:\n${sql}`, { cause: err });
    });
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJson(), sql };
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
