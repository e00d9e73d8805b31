/**
 * What a failed attempt means, from the socket or `node:http` error it failed with: the RFC 9209
 * error type, and whether any byte may have reached the origin (what POST safety rests on).
 */
import { OriginError, type OriginErrorKind } from '../http/errors.js';

/** What a write to a keep-alive socket the origin already closed fails with. */
export function isStaleSocketError(error: unknown): boolean {
  const code = findCode(error);
  return code === 'ECONNRESET' || code === 'EPIPE';
}

const CODES: Record<string, [OriginErrorKind, boolean | undefined]> = {
  ECONNREFUSED: ['connection_refused', false],
  ENOTFOUND: ['dns_error', false],
  EAI_AGAIN: ['dns_error', false],
  EHOSTUNREACH: ['destination_unavailable', false],
  ENETUNREACH: ['destination_unavailable', false],
  ETIMEDOUT: ['connection_timeout', false],
  ECONNRESET: ['connection_terminated', undefined],
  EPIPE: ['connection_terminated', undefined],
  HPE_INVALID_CONSTANT: ['http_protocol_error', undefined],
  ERR_INVALID_CHAR: ['http_request_error', false],
  ERR_INVALID_HTTP_TOKEN: ['http_request_error', false],
  ERR_HTTP_INVALID_HEADER_VALUE: ['http_request_error', false],
  ERR_INVALID_ARG_TYPE: ['http_request_error', false],
  ERR_UNESCAPED_CHARACTERS: ['http_request_error', false],
  ERR_TLS_CERT_ALTNAME_INVALID: ['tls_protocol_error', false],
};

/**
 * Maps a socket or `node:http` error to an RFC 9209 error type. `sent` is false only when the failure is
 * known to happen before any byte was written (refused, DNS, connect timeout); otherwise it is what
 * the handler saw.
 */
export function classify(error: unknown, sent: boolean): OriginError {
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
