/**
 * The local ALB: an HTTP server that turns each request into ALB's Lambda event, invokes the target
 * (the pool, or `--single`'s in-process handler), checks and writes the reply, and logs it as ALB does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createAccessLogWriter, type AccessLogWriter } from './access-log/format.js';
import { buildAlbEvent, LOCAL_TARGET_GROUP_ARN } from './alb-event-builder.js';
import { RESPONSE_TOO_LARGE, validateAlbResult } from './alb-result-check.js';
import { isUtf8Headers, sendPlain, sendPlainOnSocket, writeResult, type Written } from './alb-reply.js';
import { InProcessTarget, type LocalHandler } from './environments/in-process.js';
import type { FunctionTarget } from './environments/target.js';

/** ALB's quota for all request headers together, and for any one of them (name and value). */
const ALB_REQUEST_HEADERS_BYTES = 64 * 1024;
const ALB_REQUEST_HEADER_BYTES = 16 * 1024;

/** A single request header over ALB's 16 KB quota (node enforces only the total). */
function headerOverQuota(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i]!.length + 2 + rawHeaders[i + 1]!.length > ALB_REQUEST_HEADER_BYTES) return true;
  return false;
}

export type { LocalHandler };

export interface EmulatorOptions {
  /**
   * The function as Lambda runs it: a pool of execution environments (local/environments/pool.ts).
   * When set, `handler` is ignored.
   */
  readonly target?: FunctionTarget;
  /** `--single` mode: one in-process handler serving every request at once (not like production), as an InProcessTarget. */
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

/** How one request ended, for its access-log line. */
interface Recorded {
  readonly written: Written;
  readonly received: number;
  /** Milliseconds the function ran; -1 when it was never invoked or gave no answer. */
  readonly targetMs?: number;
  readonly targetStatus?: number;
  readonly traceId?: string;
  readonly errorReason?: string;
}

/** The pool, or `--single` mode's handler as a target invoked the same way. */
function targetOf(options: EmulatorOptions): FunctionTarget {
  if (options.target) return options.target;
  if (options.handler) return new InProcessTarget(options.handler);
  throw new Error('startAlbEmulator: give a target (the pool) or a handler (--single)');
}

/** ALB refuses request bodies over 1 MB with its own 413. */
const MAX_REQUEST_BODY_BYTES = 1_000_000;

/**
 * A local Application Load Balancer with one Lambda target: each HTTP request becomes the event ALB
 * would send, the target (the pool, or `--single`'s in-process handler) runs it with a Lambda-like
 * context and deadline, and the result is
 * checked the way ALB checks it (a malformed or oversize result, a throw or a timeout is a 502, as
 * the client would see it) before it is written back.
 */
export async function startAlbEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const target = targetOf(options);
  const log: AccessLogWriter | undefined = options.accessLogPath ? createAccessLogWriter(options.accessLogPath) : undefined;

  // ALB's request header quotas: 64 KB in all, 16 KB per header (node's default is 16 KB in all).
  const server: Server = createServer({ maxHeaderSize: ALB_REQUEST_HEADERS_BYTES }, (req, res) => {
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
  // ELB user guide, "Use Lambda functions as targets", Limits: "WebSockets are not supported.
  // Upgrade requests are rejected with an HTTP 400 code." Node hands a request with
  // `Connection: upgrade` here instead of to the request listener; serve() catches the others.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const arrived = new Date();
    socket.on('error', () => undefined);
    record(req, arrived, { written: sendPlainOnSocket(socket, 400, 'Bad Request'), received: 0 });
  });

  async function serve(req: IncomingMessage, res: ServerResponse, arrived: Date, body: Buffer | undefined, received: number): Promise<void> {
    const port = (server.address() as AddressInfo).port;
    if (body === undefined) {
      // ALB refuses the body itself; the access log names it as a Lambda request limit.
      return record(req, arrived, { written: sendPlain(res, 413, 'Request Entity Too Large'), received, errorReason: 'LambdaRequestTooLarge' });
    }
    if (!isUtf8Headers(req.rawHeaders) || req.headers.upgrade !== undefined) {
      return record(req, arrived, { written: sendPlain(res, 400, 'Bad Request'), received });
    }
    if (headerOverQuota(req.rawHeaders)) {
      return record(req, arrived, { written: sendPlain(res, 431, 'Request Header Fields Too Large'), received });
    }
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
    // What ALB logs is the header as it forwarded it: with the Root it made or the Self it added.
    const traceId = event.headers?.['x-amzn-trace-id'] ?? event.multiValueHeaders?.['x-amzn-trace-id']?.[0];
    const invoked = Date.now();
    const outcome = await target.invoke(event, timeoutMs);
    const targetMs = Date.now() - invoked;
    if ('result' in outcome) {
      const problem = validateAlbResult(outcome.result, options.multiValueHeaders ?? false);
      if (problem) {
        const written = sendPlain(res, 502, 'Bad Gateway', `invalid Lambda response: ${problem}`);
        const errorReason = problem === RESPONSE_TOO_LARGE ? 'LambdaResponseTooLarge' : 'LambdaInvalidResponse';
        return record(req, arrived, { written, received, targetMs, traceId, errorReason });
      }
      return record(req, arrived, { written: writeResult(res, outcome.result), received, targetMs, traceId, targetStatus: outcome.result.statusCode });
    }
    // Every failed invocation ALB reports is a 502 (target.ts cites the page), a throttle too.
    const written = sendPlain(res, outcome.status, 'Bad Gateway', outcome.message);
    // A throttled invocation never ran: -1, as for a target that never answered. A timed-out one ran for the whole timeout.
    const ranMs = outcome.reachedTarget ? (outcome.durationMs ?? targetMs) : -1;
    return record(req, arrived, { written, received, targetMs: ranMs, traceId, errorReason: outcome.reason });
  }

  /** One access-log line and the onRequest callback, for every request however it ended. */
  function record(req: IncomingMessage, arrived: Date, outcome: Recorded): void {
    const port = (server.address() as AddressInfo).port;
    const sent = new Date();
    const { written, targetMs = -1 } = outcome;
    options.onRequest?.(written.status, sent.getTime() - arrived.getTime());
    log?.write({
      time: sent,
      requestCreationTime: arrived,
      clientIp: req.socket.remoteAddress ?? '127.0.0.1',
      clientPort: req.socket.remotePort ?? 0,
      requestProcessingTime: 0,
      targetProcessingTime: targetMs < 0 ? -1 : targetMs / 1000,
      responseProcessingTime: 0,
      elbStatusCode: written.status,
      targetStatusCode: outcome.targetStatus ?? null,
      receivedBytes: outcome.received,
      sentBytes: written.bytes,
      method: req.method ?? 'GET',
      url: `http://${req.headers.host ?? `127.0.0.1:${port}`}${req.url ?? '/'}`,
      protocol: `HTTP/${req.httpVersion}`,
      userAgent: req.headers['user-agent'] ?? '-',
      traceId: outcome.traceId ?? '-',
      targetGroupArn: LOCAL_TARGET_GROUP_ARN,
      errorReason: outcome.errorReason ?? null,
    });
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
      await target.close();
    },
  };
}
