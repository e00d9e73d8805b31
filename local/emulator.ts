import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isUtf8 } from 'node:buffer';
import type { ALBEvent, ALBResult, Context } from 'aws-lambda';
import { localContext } from './local-runtime.js';
import { HOP_BY_HOP } from '../shared/http-headers.js';
import { createAccessLogWriter, type AccessLogWriter } from './access-log/format.js';
import { buildAlbEvent, LOCAL_TARGET_GROUP_ARN } from './alb-event-builder.js';
import { validateAlbResult } from './alb-result-check.js';
import type { FunctionTarget } from './environments/target.js';

/** A Lambda handler as ALB calls it. */
export type LocalHandler = (event: ALBEvent, context: Context) => Promise<ALBResult>;

export interface EmulatorOptions {
  /**
   * The function as Lambda runs it: a pool of execution environments (local/environments/pool.ts).
   * When set, `handler` is ignored.
   */
  readonly target?: FunctionTarget;
  /** `--single` mode: one in-process handler serving every request at once (not like production). */
  readonly handler?: LocalHandler;
  /** 0 picks a free port. @default 3000 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** The target group's `lambda.multi_value_headers.enabled`. @default false */
  readonly multiValueHeaders?: boolean;
  /** The function's timeout, as Lambda enforces it. @default 30000 */
  readonly timeoutMs?: number;
  /** Append ALB-format access log lines to this file. @default none */
  readonly accessLogPath?: string;
  /** Called after every request (the running success-rate line). */
  readonly onRequest?: (status: number, ms: number) => void;
}

export interface RunningEmulator {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** ALB refuses request bodies over 1 MB with its own 413. */
const MAX_REQUEST_BODY_BYTES = 1_000_000;

/**
 * A local Application Load Balancer with one Lambda target: each HTTP request becomes the event ALB
 * would send, the handler runs in-process with a Lambda-like context and deadline, and the result is
 * checked the way ALB checks it (a malformed or oversize result, a throw or a timeout is a 502, as
 * the client would see it) before it is written back.
 */
export async function startAlbEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const log: AccessLogWriter | undefined = options.accessLogPath ? createAccessLogWriter(options.accessLogPath) : undefined;
  let invocations = 0;

  const server: Server = createServer((req, res) => {
    const arrived = new Date();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      serve(req, res, arrived, tooLarge ? undefined : Buffer.concat(chunks), size).catch((error: unknown) => {
        // A bug here must cost one request, not the whole emulator.
        process.stderr.write(`local ALB emulator: ${error instanceof Error ? error.message : String(error)}\n`);
        if (!res.headersSent) sendPlain(res, 502, 'Bad Gateway', 'emulator error');
        else res.destroy();
      });
    });
  });
  server.keepAliveTimeout = 65_000;

  async function serve(req: IncomingMessage, res: ServerResponse, arrived: Date, body: Buffer | undefined, received: number): Promise<void> {
    const port = (server.address() as AddressInfo).port;
    let targetStatus: number | null = null;
    let errorReason: string | null = null;
    let targetMs = -1;
    let status: number;
    let sentBytes = 0;
    const reply = (written: { status: number; bytes: number }): number => {
      sentBytes = written.bytes;
      return written.status;
    };
    if (body === undefined) {
      status = reply(sendPlain(res, 413, 'Request Entity Too Large'));
    } else if (!isUtf8Headers(req.rawHeaders)) {
      status = reply(sendPlain(res, 400, 'Bad Request'));
    } else {
      const event = buildAlbEvent(
        {
          method: req.method ?? 'GET',
          target: req.url ?? '/',
          rawHeaders: req.rawHeaders,
          body,
          clientIp: req.socket.remoteAddress ?? '127.0.0.1',
          listenerPort: port,
          protocol: 'http',
        },
        { multiValue: options.multiValueHeaders ?? false },
      );
      const invoked = Date.now();
      const outcome = options.target ? await options.target.invoke(event, timeoutMs) : await invoke(event);
      targetMs = Date.now() - invoked;
      if ('result' in outcome) {
        const problem = validateAlbResult(outcome.result, options.multiValueHeaders ?? false);
        if (problem) {
          errorReason = 'LambdaInvalidResponse';
          status = reply(sendPlain(res, 502, 'Bad Gateway', `invalid Lambda response: ${problem}`));
        } else {
          targetStatus = outcome.result.statusCode;
          status = reply(writeResult(res, outcome.result));
        }
      } else {
        errorReason = outcome.reason;
        targetMs = outcome.reason === 'LambdaTimeout' || outcome.reachedTarget === false ? -1 : targetMs;
        const failed = outcome.status ?? 502;
        status = reply(sendPlain(res, failed, failed === 503 ? 'Service Temporarily Unavailable' : 'Bad Gateway', outcome.message));
      }
    }
    const sent = new Date();
    options.onRequest?.(status, sent.getTime() - arrived.getTime());
    log?.write({
      time: sent,
      requestCreationTime: arrived,
      clientIp: req.socket.remoteAddress ?? '127.0.0.1',
      clientPort: req.socket.remotePort ?? 0,
      requestProcessingTime: 0,
      targetProcessingTime: targetMs < 0 ? -1 : targetMs / 1000,
      responseProcessingTime: 0,
      elbStatusCode: status,
      targetStatusCode: targetStatus,
      receivedBytes: received,
      sentBytes,
      method: req.method ?? 'GET',
      url: `http://${req.headers.host ?? `127.0.0.1:${port}`}${req.url ?? '/'}`,
      protocol: `HTTP/${req.httpVersion}`,
      userAgent: req.headers['user-agent'] ?? '-',
      traceId: '-',
      targetGroupArn: LOCAL_TARGET_GROUP_ARN,
      errorReason,
    });
  }

  async function invoke(event: ALBEvent): Promise<{ result: ALBResult } | { reason: string; message: string; status?: number; reachedTarget?: boolean }> {
    if (!options.handler) throw new Error('startAlbEmulator: give a target (the pool) or a handler (--single)');
    const context = localContext(Date.now() + timeoutMs, `local-${++invocations}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ reason: string; message: string }>((resolve) => {
      timer = setTimeout(() => resolve({ reason: 'LambdaTimeout', message: `function timed out after ${timeoutMs} ms` }), timeoutMs);
    });
    try {
      return await Promise.race([
        options.handler(event, context).then(
          (result) => ({ result }),
          (error: unknown) => ({ reason: 'LambdaUnhandled', message: `function error: ${error instanceof Error ? error.message : String(error)}` }),
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log?.close();
      await options.target?.close();
    },
  };
}

function writeResult(res: ServerResponse, result: ALBResult): { status: number; bytes: number } {
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  const reason = result.statusDescription?.replace(/^\d+\s*/, '') || undefined;
  const headers: Array<[string, string]> = result.multiValueHeaders
    ? Object.entries(result.multiValueHeaders).flatMap(([n, vs]) => vs.map((v): [string, string] => [n, String(v)]))
    : Object.entries(result.headers ?? {}).map(([n, v]): [string, string] => [n, String(v)]);
  // ALB drops hop-by-hop headers and computes content-length itself. It sends header values as
  // UTF-8 bytes; node writes a string's chars as Latin-1 bytes (and refuses chars above 255).
  const flat = headers
    .filter(([n]) => !HOP_BY_HOP.has(n.toLowerCase()))
    .map(([n, v]): [string, string] => [n, Buffer.from(v, 'utf8').toString('latin1')]);
  // A HEAD reply has no body to measure: its Content-Length is the target's, as the origin sent it.
  const declared = headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1];
  const length = res.req.method === 'HEAD' && declared !== undefined ? declared : String(body.length);
  res.writeHead(result.statusCode, reason, [...flat.flat(), 'content-length', length]);
  res.end(body);
  return { status: result.statusCode, bytes: body.length };
}

function sendPlain(res: ServerResponse, status: number, reason: string, detail?: string): { status: number; bytes: number } {
  const body = Buffer.from(`<html><body><h1>${status} ${reason}</h1></body></html>\n`);
  if (detail) res.setHeader('x-local-alb-error', detail.replace(/[^\x20-\x7e]/g, '?').slice(0, 200));
  res.writeHead(status, reason, { 'content-type': 'text/html', 'content-length': String(body.length), server: 'awselb/2.0' });
  res.end(body);
  return { status, bytes: body.length };
}

/** ALB answers 400 to headers that are not valid UTF-8 (node gives them to us as Latin-1). */
function isUtf8Headers(rawHeaders: readonly string[]): boolean {
  return rawHeaders.every((h) => isUtf8(Buffer.from(h, 'latin1')));
}
