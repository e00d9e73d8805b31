/**
 * One access log line -> a typed `AlbLogEntry`. Never throws: a malformed line comes back as
 * `{ ok: false, error }` naming the field at fault, so one bad line in a 1 GB log is counted and
 * reported, not fatal. Field meanings: see `fields.ts`.
 */
import { ALB_LOG_FIELDS, MIN_FIELDS, type AlbLogEntry } from './fields.js';
import { tokenize } from './tokenize.js';

export type ParseResult = { ok: true; entry: AlbLogEntry } | { ok: false; error: string };

/** Thrown inside this module only, to leave the field decoders short; never escapes `parseAccessLogLine`. */
class FieldError extends Error {}

// One token buffer for the whole process: parsing is synchronous, so it is never shared.
const tokens: string[] = [];

export function parseAccessLogLine(line: string): ParseResult {
  const first = parseWith(line, true);
  // A backslash is not always an escape (a user agent may end in one): read the line again with
  // backslashes as plain text before calling it malformed.
  if (!first.ok && line.includes('\\')) {
    const second = parseWith(line, false);
    if (second.ok) return second;
  }
  return first;
}

function parseWith(line: string, escapes: boolean): ParseResult {
  const problem = tokenize(line, tokens, escapes);
  if (problem !== null) return { ok: false, error: problem };
  if (tokens.length < MIN_FIELDS) {
    return {
      ok: false,
      error: `${tokens.length} fields, expected at least ${MIN_FIELDS} (${ALB_LOG_FIELDS.slice(0, MIN_FIELDS).join(' ')})`,
    };
  }
  try {
    return { ok: true, entry: toEntry(tokens) };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, error: err.message };
    throw err;
  }
}

function toEntry(t: string[]): AlbLogEntry {
  const client = hostPort(t, 3);
  const target = t[4] === '-' ? null : hostPort(t, 4);
  const time = t[1]!;
  const requestLine = t[12]!;
  const req = splitRequestLine(requestLine);
  const creation = opt(t, 21);
  const known = ALB_LOG_FIELDS.length;
  return {
    type: t[0]!,
    time,
    timeMs: timestamp(time, 1),
    elb: t[2]!,
    clientIp: client.host,
    clientPort: client.port,
    targetIp: target?.host ?? null,
    targetPort: target?.port ?? null,
    requestProcessingTime: seconds(t, 5),
    targetProcessingTime: seconds(t, 6),
    responseProcessingTime: seconds(t, 7),
    elbStatusCode: status(t, 8),
    targetStatusCode: status(t, 9),
    receivedBytes: integer(t, 10),
    sentBytes: integer(t, 11),
    request: requestLine,
    method: req.method,
    url: req.url,
    protocol: req.protocol,
    userAgent: opt(t, 13),
    sslCipher: opt(t, 14),
    sslProtocol: opt(t, 15),
    targetGroupArn: opt(t, 16),
    traceId: opt(t, 17),
    domainName: opt(t, 18),
    chosenCertArn: opt(t, 19),
    matchedRulePriority: integer(t, 20),
    requestCreationTime: creation,
    requestCreationTimeMs: creation === null ? null : timestamp(creation, 21),
    actionsExecuted: list(t, 22, ','),
    redirectUrl: opt(t, 23),
    errorReason: opt(t, 24),
    targetPortList: list(t, 25, ' '),
    targetStatusCodeList: list(t, 26, ' ').map((code) => statusValue(code, 26)),
    classification: opt(t, 27),
    classificationReason: opt(t, 28),
    connTraceId: opt(t, 29),
    transformedHost: opt(t, 30),
    transformedUri: opt(t, 31),
    requestTransformStatus: opt(t, 32),
    extra: t.length > known ? t.slice(known) : [],
  };
}

function fail(index: number, value: string, what: string): never {
  throw new FieldError(`field ${index + 1} (${ALB_LOG_FIELDS[index]}): ${JSON.stringify(value)} is not ${what}`);
}

/** A field that may be absent (older format) or `-`. */
function opt(t: string[], i: number): string | null {
  const v = t[i];
  return v === undefined || v === '-' ? null : v;
}

function seconds(t: string[], i: number): number | null {
  const v = opt(t, i);
  if (v === null) return null;
  const n = Number(v);
  return v !== '' && Number.isFinite(n) ? n : fail(i, v, 'a number of seconds');
}

function integer(t: string[], i: number): number | null {
  const v = opt(t, i);
  if (v === null) return null;
  const n = Number(v);
  return v !== '' && Number.isInteger(n) ? n : fail(i, v, 'an integer');
}

function status(t: string[], i: number): number | null {
  const v = opt(t, i);
  return v === null ? null : statusValue(v, i);
}

/** 100..599, or 000: ALB's "response code of 000", a connection closed without any status. */
function statusValue(v: string, i: number): number {
  const n = Number(v);
  return v.length === 3 && Number.isInteger(n) && ((n >= 100 && n <= 599) || v === '000') ? n : fail(i, v, 'an HTTP status code (100-599, or 000)');
}

function list(t: string[], i: number, separator: string): string[] {
  const v = opt(t, i);
  return v === null || v === '' ? [] : v.split(separator).filter((item) => item !== '' && item !== '-');
}

/** `ip:port`; the port follows the last colon so IPv6 addresses (`2001:db8::5:52000`) work too. */
function hostPort(t: string[], i: number): { host: string; port: number } {
  const v = t[i]!;
  const colon = v.lastIndexOf(':');
  const port = Number(v.slice(colon + 1));
  if (colon <= 0 || colon === v.length - 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
    fail(i, v, 'an ip:port pair');
  }
  return { host: v.slice(0, colon), port };
}

/**
 * ISO 8601 time. The logged form is always `YYYY-MM-DDTHH:MM:SS.ffffffZ`, decoded here by hand
 * (Date.parse dominates the profile otherwise); anything else falls back to Date.parse.
 */
function timestamp(v: string, i: number): number {
  if (v.length >= 20 && v.charCodeAt(4) === 45 && v.charCodeAt(10) === 84 && v.charCodeAt(v.length - 1) === 90) {
    const ms = v.length >= 23 && v.charCodeAt(19) === 46 ? digits(v, 20, 23) : v.length === 20 ? 0 : NaN;
    const month = digits(v, 5, 7);
    const day = digits(v, 8, 10);
    const hour = digits(v, 11, 13);
    const minute = digits(v, 14, 16);
    const second = digits(v, 17, 19);
    // Date.UTC rolls month 13 over into next year instead of failing; check the ranges first.
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60) {
      const value = Date.UTC(digits(v, 0, 4), month - 1, day, hour, minute, second, ms);
      if (Number.isFinite(value)) return value;
    }
  }
  // Date.parse alone would take "12" for a date in 2001: insist on an ISO date first.
  const parsed = ISO_DATE_TIME.test(v) ? Date.parse(v) : NaN;
  return Number.isFinite(parsed) ? parsed : fail(i, v, 'an ISO 8601 time');
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function digits(v: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const d = v.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `METHOD URL VERSION`; the URL may itself hold spaces (ALB logs it as the client sent it, see the
 * `SpaceInUri` classification), so the method ends at the first space and the version starts
 * after the last. An unparsable request is logged as `- - -`.
 */
export function splitRequestLine(request: string): {
  method: string | null;
  url: string | null;
  protocol: string | null;
} {
  const line = request.trim();
  const first = line.indexOf(' ');
  const last = line.lastIndexOf(' ');
  if (first === -1 || first === last) {
    return { method: dash(first === -1 ? line : line.slice(0, first)), url: null, protocol: null };
  }
  return {
    method: dash(line.slice(0, first)),
    url: dash(line.slice(first + 1, last)),
    protocol: dash(line.slice(last + 1)),
  };
}

function dash(v: string): string | null {
  return v === '-' || v === '' ? null : v;
}
