/**
 * The origin client: one attempt over a keep-alive node:http agent to the configured origin only, with
 * one timeout over connect, headers and body, a body cap, and 'was anything sent' for POST safety.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { isIP } from 'node:net';
import { ALB_LIMITS } from '../alb/limits.js';
import { BODILESS_METHODS } from '../http/methods.js';
import { OriginError } from '../http/errors.js';
import { classify, isStaleSocketError } from './errors.js';
import { originRequestHeaders } from '../http/headers.js';
import { asUtf8Bytes, rawHeaderMap } from './raw-headers.js';
import type { CancelSignal, OriginRequest, OriginResponse } from '../http/types.js';
import { originHost, type OriginHostHeader } from '../http/host-policy.js';

export interface OriginClientOptions {
  /** The only origin this client can reach: scheme, host and port. */
  readonly origin: URL;
  /** Keep-alive connections to the origin (one request in flight on each). @default 32 */
  readonly connections?: number;
  /**
   * Bodies larger than this are aborted: ALB cannot return more than 1 MB of JSON, so reading
   * further only wastes memory. @default ALB_LIMITS.maxResponseJsonBytes
   */
  readonly maxBodyBytes?: number;
  /** ORIGIN_HOST_HEADER: the Host sent (TLS SNI stays the origin's name). @default { mode: 'origin' } */
  readonly hostHeader?: OriginHostHeader;
  /**
   * A request that cannot be sent again (a POST, anything with a body) first closes every pooled socket
   * idle longer than this: the origin or a NAT may have dropped it while the container was frozen, and
   * such a request fails on it as sent. Below Node's and Apache's 5 s keep-alive timeout. @default 4000
   */
  readonly idleReuseMs?: number;
  /** Clock of `idleReuseMs` and of a response's `bodyMs`. @default Date.now */
  readonly now?: () => number;
}

export interface AttemptOptions {
  /** Budget of this attempt: connect, headers and the whole body. */
  readonly timeoutMs: number;
  /** Aborts the attempt (a hedge that lost, the deadline). */
  readonly signal?: CancelSignal;
}

/** Sends one attempt; throws `OriginError` for anything that is not a complete HTTP response. */
export interface OriginClient {
  send(request: OriginRequest, options: AttemptOptions): Promise<OriginResponse>;
  close(): Promise<void>;
}

/** Safe methods without a body: sent again once after a keep-alive socket the origin had closed. */
const RESEND_ON_STALE_SOCKET = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the request carries a body (a POST or PUT always declares one, if only `content-length: 0`). */
const hasBody = (request: OriginRequest): boolean => request.body.length > 0 || !BODILESS_METHODS.has(request.method);

/** Whether a failure on a reused socket may be met by sending it again: a safe method without a body. */
const mayResend = (request: OriginRequest): boolean => !hasBody(request) && RESEND_ON_STALE_SOCKET.has(request.method);

/**
 * A `node:http` keep-alive agent bound to the origin, made once per container (undici's Pool cost
 * 280 KB of bundle and 50 ms of cold start). Bodies pass through undecompressed; response headers
 * come from `rawHeaders`, every repeated field kept.
 *
 * Only the request target (path and query) comes from the client. The agent and the request options
 * are bound to the configured origin, the path must be origin-form (`/...`, checked when the event is
 * parsed and again here), and `host` is set by ORIGIN_HOST_HEADER, so nothing in a request can
 * choose another scheme, host or port (a client Host only names a virtual host on the origin).
 *
 * A frozen Lambda container may wake up with keep-alive sockets the origin closed meanwhile. A
 * request on such a reused socket that fails before any response byte is sent again once on a
 * fresh connection, within the same attempt timeout, but only for GET, HEAD and OPTIONS without a
 * body; anything else reports the failure with `sent` true, and the retry policy decides. Such a
 * request first closes the pooled sockets idle longer than `idleReuseMs` (timed per socket from its
 * pooling), so it goes on a socket that answered within that time or on a new connection.
 */
export function createOriginClient(options: OriginClientOptions): OriginClient {
  const origin = options.origin;
  const maxBodyBytes = options.maxBodyBytes ?? ALB_LIMITS.maxResponseJsonBytes;
  const hostHeader = options.hostHeader ?? { mode: 'origin' };
  const secure = origin.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: options.connections ?? 32, scheduling: 'lifo' as const };
  const https = secure ? loadHttps() : undefined;
  const agent = https ? new https.Agent(agentOptions) : new HttpAgent(agentOptions);
  const hostname = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
  const base: RequestOptions = {
    agent,
    protocol: origin.protocol,
    hostname,
    port: origin.port || (secure ? 443 : 80),
    // SNI names a host, never an address (RFC 6066; Node warns): '' keeps the agent from taking Host's.
    ...(secure ? { servername: isIP(hostname) ? '' : origin.hostname } : {}),
  };
  const send = https ? https.request : httpRequest;
  const now = options.now ?? Date.now;
  const idleReuseMs = options.idleReuseMs ?? 4000;
  // When each socket was pooled: the agent calls keepSocketAlive (its default kept) on pooling one.
  const idleSince = new WeakMap<object, number>();
  const keepSocketAlive = agent.keepSocketAlive.bind(agent);
  agent.keepSocketAlive = (socket) => {
    idleSince.set(socket, now());
    return keepSocketAlive(socket);
  };
  // Waits for each 'close' (a tick later): the agent drops a destroyed socket only then.
  const closeIdleSockets = async (): Promise<void> => {
    const idle = Object.values(agent.freeSockets).flatMap((list) => list!.filter((s) => now() - (idleSince.get(s) ?? -Infinity) > idleReuseMs));
    await Promise.all(idle.map((s) => new Promise((closed) => s.once('close', closed).destroy())));
  };

  const sendOne: OriginClient['send'] = async (request, attempt) => {
    if (!mayResend(request)) await closeIdleSockets();
    return sendAttempt(send, base, originHost(hostHeader, origin, request.headers), request, attempt, maxBodyBytes, now);
  };
  return { send: sendOne, close: async () => agent.destroy() };
}

/**
 * node:https (and node:tls) only for an https origin: about 2 ms of cold start an http origin does not
 * need. Synchronous, at init: `process.getBuiltinModule` (Node 20.16, 22.3; the banner takes `createRequire`).
 */
function loadHttps(): typeof import('node:https') {
  return process.getBuiltinModule('node:https');
}

function sendAttempt(
  send: typeof httpRequest,
  base: RequestOptions,
  host: string,
  request: OriginRequest,
  attempt: AttemptOptions,
  maxBodyBytes: number,
  now: () => number,
): Promise<OriginResponse> {
  if (!request.path.startsWith('/')) {
    return Promise.reject(new OriginError('http_request_error', false, 'request path must be origin-form'));
  }
  const target = request.rawQuery === '' ? request.path : `${request.path}?${request.rawQuery}`;
  // `host` must be a string for node:http's agent (it derives the TLS servername from it); it is one value anyway.
  // A fresh object from originRequestHeaders, so set in place rather than copied once more.
  const headers: Record<string, string | string[]> = originRequestHeaders(request.headers, host);
  asUtf8Bytes(headers);
  headers.host = host;
  const withBody = hasBody(request);
  if (withBody) headers['content-length'] = String(request.body.length);
  const resend = mayResend(request);

  return new Promise<OriginResponse>((resolve, reject) => {
    let sent = false;
    let settled = false;
    let req: ClientRequest | undefined;
    let res: IncomingMessage | undefined;

    const finish = (error: OriginError | undefined, response?: OriginResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      attempt.signal?.removeEventListener('abort', onAbort);
      if (error) {
        req?.destroy(error);
        res?.destroy();
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

    // `fresh`: the resend after a stale socket, on a connection of its own (the pool may hold more stale
    // ones), and the only one: only the first sending may be followed by a resend.
    const start = (fresh: boolean): void => {
      let current: ClientRequest;
      try {
        current = send({ ...base, ...(fresh ? { agent: false } : {}), method: request.method, path: target, headers });
      } catch (error) {
        return finish(classify(error, false));
      }
      req = current;
      let responded = false;
      current.once('socket', (socket) => {
        // From the connection on, bytes may reach the origin: a failure can no longer prove it did not.
        if (socket.connecting) socket.once('connect', () => (sent = true));
        else sent = true;
      });
      current.once('response', (response) => {
        responded = true;
        res = response;
        onResponse(response);
      });
      current.on('error', (error) => {
        if (settled || req !== current) return;
        if (!responded && resend && !fresh && current.reusedSocket && isStaleSocketError(error)) {
          sent = false;
          return start(true);
        }
        finish(classify(error, sent));
      });
      current.end(withBody ? request.body : undefined);
    };

    const onResponse = (response: IncomingMessage): void => {
      const status = response.statusCode ?? 0;
      const responseHeaders = rawHeaderMap(response.rawHeaders);
      // A HEAD, 204 or 304 declares the length of a body it does not carry: only a body counts.
      const bodiless = request.method === 'HEAD' || status === 204 || status === 304;
      // Complete with its headers: nothing after them is part of it. An origin that sends body bytes
      // anyway (a HEAD with its GET's body, a common bug) makes the next parse fail on this socket,
      // which must not throw away the answer already here (nginx keeps it too).
      if (bodiless) {
        response.resume();
        return finish(undefined, { status, headers: responseHeaders, body: Buffer.alloc(0) });
      }
      const declared = Number(responseHeaders['content-length']?.[0] ?? 0);
      if (declared > maxBodyBytes) return finish(tooLarge(declared));
      const headersAt = now();
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBodyBytes) return finish(tooLarge(received));
        chunks.push(chunk);
      });
      response.once('end', () => {
        // `complete` is false when the connection closed before the declared length or last chunk.
        if (!response.complete) {
          return finish(new OriginError('http_response_incomplete', true, 'the connection closed before the body was complete'));
        }
        // A body that came in one chunk is used as is, not copied: node:http hands each chunk over
        // in its own allocation of exactly its length, so a stored body keeps nothing else alive.
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
        const bodyMs = now() - headersAt;
        finish(undefined, { status, headers: responseHeaders, body, ...(bodyMs > 0 ? { bodyMs } : {}) });
      });
      response.once('aborted', () =>
        finish(new OriginError('http_response_incomplete', true, 'the connection closed before the body was complete')),
      );
      response.on('error', (error) => finish(classify(error, true)));
    };

    start(false);
  });

  function tooLarge(bytes: number): OriginError {
    return new OriginError('http_response_body_size', true, `response body of ${bytes}+ bytes exceeds the ${maxBodyBytes} bytes ALB can return`);
  }
}
