/**
 * An HTTP proxy in front of s3rver that answers chosen S3 calls with a real S3 error document
 * (503 SlowDown, 403 AccessDenied...) instead of passing them on: the store's failure paths, without
 * a mock of the SDK.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An S3 error to answer with, or undefined to pass the call on. */
export type FaultRule = (method: string, url: string) => { status: number; code: string } | undefined;

export interface S3FaultProxy {
  readonly endpoint: string;
  /** Replaced by the test; by default every call passes. */
  rule: FaultRule;
  /** `METHOD url -> passed|CODE`, one per call, in order. */
  readonly calls: string[];
  stop(): Promise<void>;
}

export async function startS3FaultProxy(target: string): Promise<S3FaultProxy> {
  const upstream = new URL(target);
  const proxy: S3FaultProxy = {
    endpoint: '',
    rule: () => undefined,
    calls: [],
    stop: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const fault = proxy.rule(req.method ?? '', req.url ?? '');
      proxy.calls.push(`${req.method} ${req.url} -> ${fault ? fault.code : 'passed'}`);
      if (fault) {
        res.writeHead(fault.status, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>${fault.code}</Message></Error>`);
        return;
      }
      const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.destroy());
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
