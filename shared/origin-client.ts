import { Pool, type Dispatcher } from 'undici';
import { ALB_LIMITS } from './alb-result.js';
import { OriginError, type OriginErrorKind } from './errors.js';
import { decodeHeaderBytes, originRequestHeaders } from './http-headers.js';
import type { HeaderMap, OriginRequest, OriginResponse } from './http-types.js';

export interface OriginClientOptions {
  /** The only origin this client can reach: scheme, host and port. */
  readonly origin: URL;
  /** Keep-alive connections in the pool. @default 32 */
  readonly connections?: number;
  /**
   * Bodies larger than this are aborted: ALB cannot return more than 1 MB of JSON, so reading
   * further only wastes memory. @default ALB_LIMITS.maxResponseJsonBytes
   */
  readonly maxBodyBytes?: number;
  /** A dispatcher to use instead of the pool (tests). */
  readonly dispatcher?: Dispatcher;
}

export interface AttemptOptions {
  /** Budget of this attempt: connect, headers and the whole body. */
  readonly timeoutMs: number;
  /** Aborts the attempt (a hedge that lost, the deadline). */
  readonly signal?: AbortSignal;
}

/** Sends one attempt; throws `OriginError` for anything that is not a complete HTTP response. */
export interface OriginClient {
  send(request: OriginRequest, options: AttemptOptions): Promise<OriginResponse>;
  close(): Promise<void>;
}

/**
 * An undici pool bound to the origin. The pool is created once per container and reused by warm
 * invocations (keep-alive). undici is used rather than `fetch`, which would decompress bodies a
 * proxy must pass through untouched.
 *
 * Only the request target (path and query) comes from the client. The pool is bound to the
 * configured origin, the path must be origin-form (`/...`, checked when the event is parsed and
 * again here), and `host` is overwritten, so nothing in a request can choose another scheme, host
 * or port.
 */
export function createOriginClient(options: OriginClientOptions): OriginClient {
  const origin = options.origin;
  const maxBodyBytes = options.maxBodyBytes ?? ALB_LIMITS.maxResponseJsonBytes;
  const dispatcher =
    options.dispatcher ??
    new Pool(origin.origin, {
      connections: options.connections ?? 32,
      // Per-attempt timeouts are enforced by the abort timer below; these only stop undici's
      // own defaults (300 s) from outliving a Lambda invocation.
      headersTimeout: 0,
      bodyTimeout: 0,
      connectTimeout: 10_000,
    });

  return {
    send: (request, attempt) => sendAttempt(dispatcher, origin, request, attempt, maxBodyBytes),
    close: () => dispatcher.close(),
  };
}

function sendAttempt(
  dispatcher: Dispatcher,
  origin: URL,
  request: OriginRequest,
  attempt: AttemptOptions,
  maxBodyBytes: number,
): Promise<OriginResponse> {
  if (!request.path.startsWith('/') || request.path.startsWith('//')) {
    return Promise.reject(new OriginError('http_request_error', false, 'request path must be origin-form'));
  }
  const target = request.rawQuery === '' ? request.path : `${request.path}?${request.rawQuery}`;
  const headers = originRequestHeaders(request.headers, origin.host);
  const hasBody = request.body.length > 0 || !['GET', 'HEAD', 'OPTIONS', 'TRACE', 'DELETE'].includes(request.method);

  return new Promise<OriginResponse>((resolve, reject) => {
    let sent = false;
    let settled = false;
    let status = 0;
    let responseHeaders: HeaderMap = {};
    const chunks: Buffer[] = [];
    let received = 0;
    let controller: Dispatcher.DispatchController | undefined;

    const finish = (error: OriginError | undefined, response?: OriginResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      attempt.signal?.removeEventListener('abort', onAbort);
      if (error) {
        controller?.abort(error);
        reject(error);
      } else resolve(response!);
    };
    const timer = setTimeout(
      () => finish(new OriginError('http_response_timeout', sent, `no complete response within ${attempt.timeoutMs} ms`)),
      attempt.timeoutMs,
    );
    const onAbort = (): void =>
      finish(new OriginError('http_response_timeout', sent, 'attempt cancelled', { cause: attempt.signal?.reason }));
    if (attempt.signal?.aborted) return onAbort();
    attempt.signal?.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        // From here on bytes may reach the origin: a failure can no longer prove it did not.
        sent = true;
        if (settled) c.abort(new Error('attempt already settled'));
      },
      onResponseStart(c, statusCode) {
        status = statusCode;
        responseHeaders = rawHeaderMap((c as { rawHeaders?: Buffer[] }).rawHeaders ?? []);
        // A HEAD, 204 or 304 declares the length of a body it does not carry: only a body counts.
        const bodiless = request.method === 'HEAD' || statusCode === 204 || statusCode === 304;
        const declared = Number(responseHeaders['content-length']?.[0] ?? 0);
        if (!bodiless && declared > maxBodyBytes) finish(tooLarge(declared));
      },
      onResponseData(_c, chunk) {
        received += chunk.length;
        if (received > maxBodyBytes) return finish(tooLarge(received));
        chunks.push(Buffer.from(chunk));
      },
      onResponseEnd() {
        finish(undefined, { status, headers: responseHeaders, body: Buffer.concat(chunks, received) });
      },
      onResponseError(_c, error) {
        finish(classify(error, sent));
      },
    };

    try {
      dispatcher.dispatch(
        {
          origin: origin.origin,
          path: target,
          method: request.method as Dispatcher.HttpMethod,
          headers: Object.entries(headers).flatMap(([name, values]) => values.flatMap((v) => [name, v])),
          body: hasBody ? request.body : null,
        },
        handler,
      );
    } catch (error) {
      finish(classify(error, false));
    }
  });

  function tooLarge(bytes: number): OriginError {
    return new OriginError('http_response_body_size', true, `response body of ${bytes}+ bytes exceeds the ${maxBodyBytes} bytes ALB can return`);
  }
}

/** Raw header pairs to a HeaderMap: every repeated field kept, names lowercased, bytes decoded faithfully. */
function rawHeaderMap(raw: Buffer[]): HeaderMap {
  const out: HeaderMap = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    (out[name] ??= []).push(decodeHeaderBytes(raw[i + 1]!));
  }
  return out;
}

const CODES: Record<string, [OriginErrorKind, boolean | undefined]> = {
  ECONNREFUSED: ['connection_refused', false],
  ENOTFOUND: ['dns_error', false],
  EAI_AGAIN: ['dns_error', false],
  EHOSTUNREACH: ['destination_unavailable', false],
  ENETUNREACH: ['destination_unavailable', false],
  UND_ERR_CONNECT_TIMEOUT: ['connection_timeout', false],
  ECONNRESET: ['connection_terminated', undefined],
  EPIPE: ['connection_terminated', undefined],
  UND_ERR_SOCKET: ['connection_terminated', undefined],
  UND_ERR_CLOSED: ['connection_terminated', undefined],
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: ['http_response_incomplete', undefined],
  HPE_INVALID_CONSTANT: ['http_protocol_error', undefined],
  UND_ERR_INVALID_ARG: ['http_request_error', false],
  ERR_TLS_CERT_ALTNAME_INVALID: ['tls_protocol_error', false],
};

/**
 * Maps an undici/socket error to an RFC 9209 error type. `sent` is false only when the failure is
 * known to happen before any byte was written (refused, DNS, connect timeout); otherwise it is what
 * the handler saw.
 */
function classify(error: unknown, sent: boolean): OriginError {
  if (error instanceof OriginError) return error;
  const code = findCode(error);
  const [kind, knownSent] = CODES[code] ?? (code.startsWith('HPE_') ? ['http_protocol_error', undefined] : ['connection_terminated', undefined]);
  const message = error instanceof Error ? error.message : String(error);
  return new OriginError(kind, knownSent ?? sent, `${code || 'error'}: ${message}`, { cause: error });
}

function findCode(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return '';
}
