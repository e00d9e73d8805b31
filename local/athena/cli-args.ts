/** Command-line arguments of `npm run athena` (node:util parseArgs), checked before any log is read. */
import { isoDate, parseFlags, UsageError } from '../cli-args.js';
import type { LocalAthenaOptions } from './runner.js';

export const USAGE = `usage: npm run athena -- <input...> (--sql "<query>" | --saved NAME | --all | --list)
                               [--now ISO] [--day yyyy/MM/dd] [--param Name=Value]...
                               [--target-group-arn ARN] [--json] [--show-sql]

Runs Athena SQL locally (DuckDB) over ALB access logs: the Glue table of template.yaml is built
from the lines with its RegexSerDe regex, named as in Athena ("<AthenaDatabaseName>"."alb_access_logs"),
with the day partition from each file's yyyy/mm/dd folder, ALB file name, or modification date.
The query is translated from Trino SQL first (docs/athena.md lists every difference).

inputs: files, directories (every *.log and *.log.gz below) and s3:// prefixes, as npm run logs reads
        them; not needed with --list

options:
  --sql QUERY             run this query (Athena engine 3 SQL)
  --saved NAME            run the saved query NAME (an AWS::Athena::NamedQuery of template.yaml)
  --all                   run every saved query
  --list                  list the saved queries
  --now ISO               what current_date / now() stand for (default: now); e.g. to rerun a
                          saved query's 7-day window over old logs
  --day yyyy/MM/dd        the day partition of every input, over what its path or date says
  --param Name=Value      a template parameter for the !Sub placeholders (default: its Default),
                          e.g. --param SuccessRateTarget=99.9
  --target-group-arn ARN  what \${RetryProxyTargetGroup} stands for (default: the local emulator's)
  --json                  print rows as JSON
  --show-sql              also print the DuckDB SQL that ran
  -h, --help              show this help

exit status: 0 rows printed, 1 the query failed, 2 bad arguments or unreadable input
`;

export type Action = { kind: 'sql'; sql: string } | { kind: 'saved'; name: string } | { kind: 'all' } | { kind: 'list' };

export interface AthenaCliOptions {
  inputs: string[];
  action: Action;
  run: LocalAthenaOptions;
  json: boolean;
  showSql: boolean;
  help: boolean;
}

export function parseAthenaArgs(argv: string[]): AthenaCliOptions {
  const parsed = parseFlags(argv, {
    sql: { type: 'string' },
    saved: { type: 'string' },
    all: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    now: { type: 'string' },
    day: { type: 'string' },
    param: { type: 'string', multiple: true, default: [] },
    'target-group-arn': { type: 'string' },
    json: { type: 'boolean', default: false },
    'show-sql': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const v = parsed.values;
  const base = { json: v.json, showSql: v['show-sql'], help: v.help, inputs: parsed.positionals };
  const actions: Action[] = [
    ...(v.sql !== undefined ? [{ kind: 'sql', sql: v.sql } as const] : []),
    ...(v.saved !== undefined ? [{ kind: 'saved', name: v.saved } as const] : []),
    ...(v.all ? [{ kind: 'all' } as const] : []),
    ...(v.list ? [{ kind: 'list' } as const] : []),
  ];
  if (v.help) return { ...base, action: { kind: 'list' }, run: {} };
  if (actions.length !== 1) throw new UsageError('give exactly one of --sql, --saved, --all, --list');
  const action = actions[0]!;
  if (action.kind !== 'list' && parsed.positionals.length === 0) throw new UsageError('no input: give log files, directories or s3:// prefixes');
  const run: LocalAthenaOptions = { parameters: {} };
  if (v.now !== undefined) run.now = isoDate('--now', v.now);
  // Checked where it is used (LocalAthena.open, before anything is read), for the CLI and the API alike.
  if (v.day !== undefined) run.day = v.day;
  for (const p of v.param) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param ${p}: expected Name=Value, e.g. SuccessRateTarget=99.9`);
    run.parameters![p.slice(0, eq)] = p.slice(eq + 1);
  }
  if (v['target-group-arn'] !== undefined) run.targetGroupArn = v['target-group-arn'];
  return { ...base, action, run };
}
