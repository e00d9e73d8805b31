/** The local ALB's reply side: a Lambda result written back as HTTP the way ALB writes it, and ALB's own plain error pages. */
import { isUtf8 } from 'node:buffer';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ALBResult } from 'aws-lambda';
import { HOP_BY_HOP } from '../shared/http/headers.js';

/** What the local ALB wrote back to the client: the status and the body bytes (for the access log). */
export interface Written {
  readonly status: number;
  readonly bytes: number;
}

/**
 * Writes a Lambda reply the way ALB turns it into HTTP. A reply without `statusDescription` is
 * accepted and gets the standard reason phrase: AWS's guide lists it as required, but public
 * reports show ALB answering `{ statusCode: 200 }` alone (awsdocs/elb-application-load-balancers-user-guide#33;
 * Adyen/adyen-commercetools#1249: "at least statusCode ... the rest optional"), while a `null`
 * there is a 502 (aws/aws-lambda-dotnet#507), which validateAlbResult reports.
 */
export function writeResult(res: ServerResponse, result: ALBResult): Written {
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

/** ALB's own error page (`server: awselb/2.0`); `detail` goes to a header for local debugging only. */
export function sendPlain(res: ServerResponse, status: number, reason: string, detail?: string): Written {
  const body = errorPage(status, reason);
  if (detail) res.setHeader('x-local-alb-error', detail.replace(/[^\x20-\x7e]/g, '?').slice(0, 200));
  res.writeHead(status, reason, { 'content-type': 'text/html', 'content-length': String(body.length), server: 'awselb/2.0' });
  res.end(body);
  return { status, bytes: body.length };
}

/** The same page written on a raw socket (an `upgrade` request has no ServerResponse), then closed. */
export function sendPlainOnSocket(socket: Duplex, status: number, reason: string): Written {
  const body = errorPage(status, reason);
  const head = `HTTP/1.1 ${status} ${reason}\r\nserver: awselb/2.0\r\ncontent-type: text/html\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  return { status, bytes: body.length };
}

function errorPage(status: number, reason: string): Buffer {
  return Buffer.from(`<html><body><h1>${status} ${reason}</h1></body></html>\n`);
}

/** ALB answers 400 to headers that are not valid UTF-8 (node gives them to us as Latin-1). */
export function isUtf8Headers(rawHeaders: readonly string[]): boolean {
  return rawHeaders.every((h) => isUtf8(Buffer.from(h, 'latin1')));
}
