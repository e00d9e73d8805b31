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
  EHOSTUNREACH: ['destination_unavailable', undefined],
  ENETUNREACH: ['destination_unavailable', undefined],
  ETIMEDOUT: ['connection_timeout', undefined],
  ECONNRESET: ['connection_terminated', undefined],
  EPIPE: ['connection_terminated', undefined],
  HPE_INVALID_CONSTANT: ['http_protocol_error', undefined],
  ERR_INVALID_CHAR: ['http_request_error', false],
  ERR_INVALID_HTTP_TOKEN: ['http_request_error', false],
  ERR_HTTP_INVALID_HEADER_VALUE: ['http_request_error', false],
  ERR_INVALID_ARG_TYPE: ['http_request_error', false],
  ERR_UNESCAPED_CHARACTERS: ['http_request_error', false],
};

/**
 * The origin's certificate failed verification (OpenSSL's verify codes as Node reports them, and
 * Node's own host name check): RFC 9209's tls_certificate_error, nothing sent (the request is
 * written only once the handshake is done). Still retried as any connection failure: behind one
 * name, another node may present a valid certificate. A private CA is trusted with
 * NODE_EXTRA_CA_CERTS (docs/deploy.md).
 */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
]);
for (const code of CERTIFICATE_CODES) CODES[code] = ['tls_certificate_error', false];

/**
 * Codes that end a connection attempt (nothing sent) but also an established connection: TCP
 * keepalive, which node:http's agent turns on for kept-alive sockets, or retransmissions giving up
 * (ETIMEDOUT), an ICMP unreachable (EHOSTUNREACH, ENETUNREACH). On a connected socket the request
 * may have reached the origin, so only the client's own `sent` tells, and the connection was lost.
 */
const CONNECT_OR_LOST = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Maps a socket or `node:http` error to an RFC 9209 error type. `sent` is false only when the failure is
 * known to happen before any byte was written (refused, DNS, an invalid header); otherwise it is what
 * the handler saw (a connect timeout has not connected, so the handler saw nothing sent).
 */
export function classify(error: unknown, sent: boolean): OriginError {
  if (error instanceof OriginError) return error;
  const code = findCode(error);
  const lost = sent && CONNECT_OR_LOST.has(code);
  const [kind, knownSent] = lost ? (['connection_terminated', true] as const) : (CODES[code] ?? (code.startsWith('HPE_') ? ['http_protocol_error', undefined] : ['connection_terminated', undefined]));
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
