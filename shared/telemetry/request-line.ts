/**
 * The request log line: the JSON line Powertools Logger writes for `logger.info('request', fields)`
 * after `injectLambdaContext`, built here and written with the request's EMF document in one write.
 */
import { LogFormatter, type LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Utility } from '@aws-lambda-powertools/commons';
import { getNumberFromEnv, getXRayTraceIdFromEnv, isDevMode } from '@aws-lambda-powertools/commons/utils/env';

/** The Lambda context fields Powertools puts on each line; the local emulator provides them too. */
export interface LineContext {
  readonly invokedFunctionArn?: string;
  readonly memoryLimitInMB?: string;
  readonly functionName?: string;
  readonly awsRequestId?: string;
  readonly tenantId?: string;
}

/**
 * Only for its public `formatTimestamp`: Powertools' own timestamp, TZ included. The line itself
 * is built by `requestLine`, never through this formatter.
 */
class Timestamps extends LogFormatter {
  formatAttributes(_attributes: UnformattedAttributes, _extra: LogAttributes): LogItem {
    throw new Error('Timestamps formats timestamps only');
  }
}

const timestamps = new Timestamps();

/**
 * Powertools' cold-start rule (AWS_LAMBDA_INITIALIZATION_TYPE on-demand, first invocation), from its
 * `Utility` as its Logger, Metrics and Tracer extend it; an instance of its own, so the logger's is untouched.
 */
class ColdStarts extends Utility {
  take(): boolean {
    return this.getColdStart();
  }
}

const coldStarts = new ColdStarts();

/** Read once, as Powertools Logger reads it when it is created: a value outside 0..1 is 0. */
const SAMPLE_RATE = ((value: number) => (value >= 0 && value <= 1 ? value : 0))(getNumberFromEnv({ key: 'POWERTOOLS_LOGGER_SAMPLE_RATE', defaultValue: 0 }));

/**
 * Dev mode (POWERTOOLS_DEV): Powertools indents its lines for people reading a terminal, and writes
 * them through the global `console`, which the Lambda runtime makes one event per call; an
 * indented line written to stdout would be split at every newline.
 */
const DEV_MODE = isDevMode();
const INDENT = DEV_MODE ? 4 : 0;

/**
 * Called once per invocation, whether a line is written or not, as `injectLambdaContext` calls
 * Powertools' own: the first invocation of an on-demand environment is its cold start.
 */
export function takeColdStart(): boolean {
  return coldStarts.take();
}

/**
 * The line, without its newline. Same keys in the same order as Powertools' line, empty values
 * dropped as Powertools drops them (`undefined`, `null`, `''`); `test/request-line.test.ts` prints
 * both and compares them.
 *
 * Why by hand: through `logger.info` the line cost 44 us of CPU per request in-process against 16
 * us here (its stores read `process.env` on every call, its JSON replacer visits every key), and
 * about 100 us of wall time per request in a fresh container's first ones (docs/memory-and-cost.md).
 *
 * Keys appended to the Powertools logger (`appendKeys`, persistent keys, correlation ids) are not on
 * this line: Powertools has no public way to read its temporary keys. Nothing appends any;
 * `test/request-line.test.ts` fails when code starts to.
 */
export function requestLine(service: string, context: LineContext | undefined, coldStart: boolean, fields: LogAttributes): string {
  const base: LogAttributes = {
    level: 'INFO',
    message: 'request',
    timestamp: timestamps.formatTimestamp(new Date()),
    service,
    cold_start: context ? coldStart : undefined,
    function_arn: context?.invokedFunctionArn,
    function_memory_size: context?.memoryLimitInMB,
    function_name: context?.functionName,
    function_request_id: context?.awsRequestId,
    sampling_rate: SAMPLE_RATE,
    xray_trace_id: getXRayTraceIdFromEnv(),
    tenant_id: context?.tenantId,
  };
  const line: LogAttributes = {};
  for (const key in base) if (!empty(base[key])) line[key] = base[key];
  for (const key in fields) if (!empty(fields[key])) line[key] = fields[key];
  return JSON.stringify(line, undefined, INDENT);
}

const empty = (value: unknown): boolean => value === undefined || value === null || value === '';

/**
 * The line and the EMF document, each undefined when not written: one write to stdout, two lines
 * (CloudWatch makes each line an event, and reads EMF from any line), as Powertools writes to stdout
 * and not through `console`, whose Lambda prefix would hide the JSON. In dev mode the line goes
 * through `console.info`, as Powertools sends it there.
 */
export function printRequest(line: string | undefined, emf: string | undefined): void {
  if (DEV_MODE && line !== undefined) console.info(line);
  let out = line === undefined || DEV_MODE ? '' : `${line}\n`;
  if (emf !== undefined) out += `${emf}\n`;
  if (out !== '') process.stdout.write(out);
}
