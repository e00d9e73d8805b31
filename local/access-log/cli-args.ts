/**
 * Command-line arguments of `npm run logs` (node:util parseArgs), checked up front so a typo in a
 * date fails before a 1 GB read, with a message that names the flag and the accepted form.
 */
import { isoDate, parseFlags, UsageError } from '../cli-args.js';
import { DEFAULT_TARGET } from './analyze.js';
import type { BucketSize } from './timeline.js';

export const USAGE = `usage: npm run logs -- <input...> [--from ISO] [--to ISO] [--bucket minute|hour] [--json] [--html out.html]
                             [--target PERCENT] [--check] [--routes FILE] [--target-group-arn ARN]

Reads Application Load Balancer access logs and reports requests, success rate against the
availability target (99% unless --target; success = an elb_status_code of 100-499), 5xx from the load
balancer vs the target, latency percentiles, top failing paths and a timeline.

inputs (any number, mixed):
  FILE                    one log file, plain or gzip (read whatever its name)
  DIR                     every *.log and *.log.gz below it, e.g. a copy of
                          AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/
  s3://BUCKET[/PREFIX]    every *.log and *.log.gz object under the prefix; credentials and region
                          from the usual AWS environment, AWS_ENDPOINT_URL_S3 for an S3-compatible
                          server

options:
  --from ISO              only requests with time >= ISO (e.g. 2026-05-01T10:00:00Z; no zone = UTC)
  --to ISO                only requests with time < ISO
  --bucket minute|hour    timeline resolution (default: per minute up to 6 hours of data, else per hour)
  --json                  print the report as JSON instead of tables
  --html FILE             also write a self-contained HTML report with charts
  --target PERCENT        the availability target the success rate is judged against (default 99)
  --check                 exit 1 when the target is missed or no request is in range, e.g. in a
                          deployment pipeline; the report is printed all the same
  --routes FILE           route policies (JSON, as routes.json) for the per-route breakdown;
                          default: ROUTES from the environment, else the repository's routes.json
  --target-group-arn ARN  only requests routed to this target group (the proxy's), as the saved
                          Athena queries count; default: every line
  -h, --help              show this help

exit status: 0 report printed, 1 target missed (only with --check), 2 bad arguments or
             unreadable input
`;

export interface CliOptions {
  inputs: string[];
  from?: Date;
  to?: Date;
  bucket: BucketSize | 'auto';
  json: boolean;
  html?: string;
  /** The availability target as a share, 0.99 for `--target 99`. */
  target: number;
  /** Exit 1 when the target is missed (or nothing was counted). */
  check: boolean;
  /** `--routes FILE`: the routes to break the requests down by, instead of ROUTES / routes.json. */
  routesFile?: string;
  /** `--target-group-arn`: only lines of this target group. */
  targetGroupArn?: string;
  help: boolean;
}

export function parseCliArgs(argv: string[]): CliOptions {
  const parsed = parseFlags(argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    bucket: { type: 'string' },
    json: { type: 'boolean', default: false },
    html: { type: 'string' },
    target: { type: 'string' },
    check: { type: 'boolean', default: false },
    routes: { type: 'string' },
    'target-group-arn': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const { values: v, positionals } = parsed;
  if (v.help) return { inputs: positionals, bucket: 'auto', json: false, target: DEFAULT_TARGET, check: false, help: true };
  if (positionals.length === 0) throw new UsageError('no input: give a log file, a directory or an s3://bucket/prefix');
  const bucket = v.bucket ?? 'auto';
  if (bucket !== 'auto' && bucket !== 'minute' && bucket !== 'hour') {
    throw new UsageError(`--bucket: ${JSON.stringify(bucket)} is not one of minute, hour`);
  }
  const from = v.from === undefined ? undefined : isoDate('--from', v.from);
  const to = v.to === undefined ? undefined : isoDate('--to', v.to);
  if (from && to && from.getTime() >= to.getTime()) throw new UsageError(`--from ${v.from} is not before --to ${v.to}`);
  if (v.html !== undefined && v.html.trim() === '') throw new UsageError('--html: give the path of the file to write');
  const target = v.target === undefined ? DEFAULT_TARGET : targetShare(v.target);
  return {
    inputs: positionals,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    bucket,
    json: v.json ?? false,
    ...(v.html !== undefined ? { html: v.html } : {}),
    target,
    check: v.check ?? false,
    ...(v.routes !== undefined ? { routesFile: v.routes } : {}),
    ...(v['target-group-arn'] !== undefined ? { targetGroupArn: targetGroupArn(v['target-group-arn']) } : {}),
    help: false,
  };
}

/** An ALB target group ARN, as the log's target_group_arn field holds it. */
function targetGroupArn(value: string): string {
  if (!/^arn:[\w-]+:elasticloadbalancing:[\w-]+:\d{12}:targetgroup\/[\w-]+\/[0-9a-f]+$/.test(value)) {
    throw new UsageError(`--target-group-arn: ${JSON.stringify(value)} is not a target group ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID)`);
  }
  return value;
}

/** `--target 99.9` as 0.999: a percentage above 0 and at most 100. */
function targetShare(value: string): number {
  const percent = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!(percent > 0 && percent <= 100)) {
    throw new UsageError(`--target: ${JSON.stringify(value)} is not a percentage above 0 and at most 100 (e.g. 99 or 99.9)`);
  }
  return percent / 100;
}
