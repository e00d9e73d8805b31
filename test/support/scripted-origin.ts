import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the scripted origin does with one request. */
export interface Step {
  readonly status?: number;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** Wait before answering. */
  readonly delayMs?: number;
  /** Destroy the socket without answering (after `delayMs`). */
  readonly reset?: boolean;
  /** Never answer (the client must time out). */
  readonly hang?: boolean;
  /** Send headers, then the body in two halves this far apart. */
  readonly slowBodyMs?: number;
  /** Status line reason phrase. */
  readonly reason?: string;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export interface ScriptedOrigin {
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly received: ReceivedRequest[];
  /** Requests whose connection the client closed before the answer was complete (aborted). */
  aborted(): number;
  /** Replaces the script: request i gets steps[i], later ones the last step. */
  script(...steps: Step[]): void;
  /** Requests received whose response has not ended (answered, reset or closed by the client). */
  open(): number;
  /** The most requests open at once since the start or the last `restart`. */
  peakOpen(): number;
  /** Timers of the origin's own (delayed answers, slow bodies) still pending. */
  pendingTimers(): number;
  /** A new script from request 0 on: forgets what was received, aborted and the peak. */
  restart(...steps: Step[]): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that fails in scripted ways (5xx n times then 200, resets, hangs,
 * slow bodies, Retry-After) and records exactly what it received, so tests assert both sides.
 */
export async function startScriptedOrigin(...initial: Step[]): Promise<ScriptedOrigin> {
  let steps: Step[] = initial.length > 0 ? initial : [{ status: 200, body: 'ok' }];
  const received: ReceivedRequest[] = [];
  let aborted = 0;
  let [open, peak] = [0, 0];
  const timers = new Set<NodeJS.Timeout>();
  // A delayed answer or slow body the client has gone from is dropped, so no timer outlives it.
  const later = (res: ServerResponse, fn: () => void, ms: number): void => {
    const timer = setTimeout(() => (timers.delete(timer), fn()), ms);
    timers.add(timer);
    res.on('close', () => (clearTimeout(timer), timers.delete(timer)));
  };
  const resetByOrigin = new WeakSet<ServerResponse>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    peak = Math.max(peak, ++open);
    res.on('close', () => {
      open -= 1;
      if (!res.writableFinished && !resetByOrigin.has(res)) aborted += 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = received.length;
      received.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
      const step = steps[Math.min(index, steps.length - 1)]!;
      later(res, () => answer(res, step), step.delayMs ?? 0);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  function answer(res: ServerResponse, step: Step): void {
    if (step.hang) return;
    if (step.reset) {
      resetByOrigin.add(res);
      res.socket?.destroy();
      return;
    }
    const body = Buffer.isBuffer(step.body) ? step.body : Buffer.from(step.body ?? '');
    const headers: Record<string, string | string[]> = { 'content-length': String(body.length), ...step.headers };
    res.writeHead(step.status ?? 200, step.reason, headers);
    if (step.slowBodyMs) {
      const half = Math.floor(body.length / 2);
      res.write(body.subarray(0, half));
      later(res, () => res.end(body.subarray(half)), step.slowBodyMs);
    } else res.end(body);
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    aborted: () => aborted,
    script(...next: Step[]) {
      steps = next;
    },
    open: () => open,
    peakOpen: () => peak,
    pendingTimers: () => timers.size,
    restart(...next: Step[]) {
      steps = next;
      received.splice(0);
      [aborted, peak] = [0, open];
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
