import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test origin received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface OriginReply {
  /** @default 200 */
  readonly status?: number;
  /** Undefined values are left out, so scripts can write `{ etag: tagged ? '"x"' : undefined }`. */
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: string | Buffer;
}

export type OriginScript = (request: ReceivedRequest) => OriginReply;

/** A scriptable HTTP origin on 127.0.0.1 that records every request it receives. */
export interface TestOrigin {
  readonly url: URL;
  readonly requests: ReceivedRequest[];
  /** Replace to change what the origin answers from now on. */
  script: OriginScript;
  /** Closes the listener and every connection: later requests are refused. */
  stop(): Promise<void>;
}

export async function startTestOrigin(script: OriginScript): Promise<TestOrigin> {
  const requests: ReceivedRequest[] = [];
  const origin = { script } as { script: OriginScript };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', target: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(received);
      const reply = origin.script(received);
      const headers = Object.entries(reply.headers ?? {}).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined);
      res.writeHead(reply.status ?? 200, Object.fromEntries(headers));
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  return Object.assign(origin, {
    url: new URL(`http://127.0.0.1:${port}`),
    requests,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
