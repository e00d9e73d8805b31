/**
 * Writes access log lines in exactly the format of an Application Load Balancer with a Lambda
 * target, so `npm run logs` (and Athena, and any other ALB log tool) reads local runs the same way
 * as logs from AWS.
 *
 * Field order and the Lambda form (`target:port` is `-`, the target lists are `"-"`) follow the
 * "Access log entries" section and its "Example entries for Lambda functions" in the Elastic Load
 * Balancing user guide.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { dirname } from 'node:path';

/** What the local ALB emulator knows about one request. */
export interface AccessLogRecord {
  /** When the response was sent. */
  time: Date;
  /** When the request arrived. */
  requestCreationTime: Date;
  clientIp: string;
  clientPort: number;
  /** Seconds. */
  requestProcessingTime: number;
  /** Seconds; `-1` when the target did not answer. */
  targetProcessingTime: number;
  /** Seconds. */
  responseProcessingTime: number;
  elbStatusCode: number;
  /** `null` when the Lambda gave no usable response (the ALB logs `-`). */
  targetStatusCode: number | null;
  receivedBytes: number;
  sentBytes: number;
  method: string;
  /** Full URL as the client asked for it, e.g. `http://127.0.0.1:3000/path?q=1`. */
  url: string;
  /** e.g. `HTTP/1.1`. */
  protocol: string;
  userAgent: string;
  traceId: string;
  targetGroupArn: string;
  /** ALB's reason for a failed Lambda invocation, e.g. `LambdaUnhandled`; `null` on success. */
  errorReason: string | null;
}

export interface AccessLogFormatOptions {
  /**
   * The `elb` field: the load balancer's resource ID.
   * @default 'app/local-alb/0000000000000000'
   */
  elb?: string;
}

export const LOCAL_ELB_ID = 'app/local-alb/0000000000000000';

/** One log line (no newline) for `record`. Pure. */
export function formatAccessLogLine(record: AccessLogRecord, options: AccessLogFormatOptions = {}): string {
  const https = /^https:/i.test(record.url);
  const type = https ? (record.protocol.startsWith('HTTP/2') ? 'h2' : 'https') : 'http';
  const fields = [
    type,
    isoMicros(record.time),
    options.elb ?? LOCAL_ELB_ID,
    `${record.clientIp}:${record.clientPort}`,
    '-', // target:port: a Lambda target has none
    secs(record.requestProcessingTime),
    secs(record.targetProcessingTime),
    secs(record.responseProcessingTime),
    String(record.elbStatusCode),
    record.targetStatusCode === null ? '-' : String(record.targetStatusCode),
    String(record.receivedBytes),
    String(record.sentBytes),
    quote(`${record.method} ${withPort(record.url)} ${record.protocol}`),
    quote(record.userAgent),
    '-', // ssl_cipher: the local listener is plain HTTP
    '-', // ssl_protocol
    record.targetGroupArn,
    quote(record.traceId),
    quote(''), // domain_name (SNI)
    quote(''), // chosen_cert_arn
    '0', // matched_rule_priority: the default action
    isoMicros(record.requestCreationTime),
    quote('forward'),
    quote(''), // redirect_url
    quote(record.errorReason ?? ''),
    quote(''), // target:port_list: `-` for Lambda
    quote(''), // target_status_code_list: `-` for Lambda
    quote(''), // classification: the request complied with RFC 7230
    quote(''), // classification_reason
    connTraceId(record.clientIp, record.clientPort),
    quote(''), // transformed_host
    quote(''), // transformed_uri
    quote(''), // request_transform_status
  ];
  return fields.join(' ');
}

/** `2018-07-02T22:23:00.186000Z`: the log's microsecond form (a Date has milliseconds). */
function isoMicros(d: Date): string {
  return `${d.toISOString().slice(0, -1)}000Z`;
}

/** Seconds with millisecond precision, as ALB logs them; any negative value means "no answer" (-1). */
function secs(s: number): string {
  return s < 0 || !Number.isFinite(s) ? '-1' : s.toFixed(3);
}

/**
 * A quoted field; empty reads as `-`. `"` becomes `\x22` as ALB writes it; backslashes and control
 * characters are escaped the same way so no value can end its field or its line early.
 */
function quote(value: string): string {
  if (value === '') return '"-"';
  const escaped = value.replace(/["\\\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}"`;
}

/** ALB logs `scheme://host:port/uri` with the port always present; the URL is kept byte for byte otherwise. */
function withPort(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(url);
  if (!m) return url;
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const hasPort = /:\d*$/.test(authority) && !authority.endsWith(']');
  const port = scheme.toLowerCase() === 'https' ? 443 : 80;
  return `${scheme}://${hasPort ? authority : `${authority}:${port}`}${rest === '' ? '/' : rest}`;
}

/** A stable `TID_` + 16 hex per client connection (ip:port), like the connection traceability ID. */
function connTraceId(ip: string, port: number): string {
  return `TID_${createHash('sha1').update(`${ip}:${port}`).digest('hex').slice(0, 16)}`;
}

export interface AccessLogWriterOptions extends AccessLogFormatOptions {
  /**
   * Called when the file cannot be opened or written. Logging is side work: it never throws into
   * the request path.
   * @default emits one process warning
   */
  onError?: (error: Error) => void;
}

export interface AccessLogWriter {
  readonly path: string;
  /** Appends one line. Never throws; after `close()` it does nothing. */
  write(record: AccessLogRecord): void;
  /** Flushes and closes the file. Resolves even if writing failed (failures went to `onError`). */
  close(): Promise<void>;
}

/** Appends to `path` (created with its directory if missing). */
export function createAccessLogWriter(path: string, options: AccessLogWriterOptions = {}): AccessLogWriter {
  let warned = false;
  const onError =
    options.onError ??
    ((error: Error) => {
      if (warned) return;
      warned = true;
      process.emitWarning(`access log ${path}: ${error.message}`, { code: 'ACCESS_LOG_WRITE_FAILED' });
    });
  let failed = false;
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch {
    // createWriteStream below reports the same problem through 'error'.
  }
  const stream = createWriteStream(path, { flags: 'a' });
  stream.on('error', (error) => {
    failed = true;
    onError(error);
  });
  let closed = false;
  return {
    path,
    write(record) {
      if (closed || failed) return;
      let line: string;
      try {
        line = formatAccessLogLine(record, options);
      } catch (err) {
        // e.g. an invalid Date: lose this line, not the request.
        onError(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      stream.write(`${line}\n`);
    },
    async close() {
      if (closed) return;
      closed = true;
      stream.end();
      await finished(stream).catch(() => undefined);
    },
  };
}
