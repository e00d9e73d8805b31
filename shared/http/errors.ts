/**
 * One small error hierarchy (after Powertools' `errors.ts`): every error the proxy raises on purpose
 * is a `ProxyError` with a stable `name`, so the ALB boundary can map it to a status and a
 * `Proxy-Status` error type (RFC 9209) without string matching, and logs keep the `cause`.
 */
export class ProxyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProxyError';
  }
}

/** A configuration value is missing or malformed. Thrown at cold start, never per request. */
export class ConfigError extends ProxyError {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The ALB event is not one ALB could have sent; `where` names the field (e.g. `headers.host`). */
export class EventError extends ProxyError {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`invalid ALB event at ${where}: ${message}`);
    this.name = 'EventError';
  }
}

/**
 * One origin attempt failed without an HTTP response. `kind` follows RFC 9209's error types so it
 * can go straight into `Proxy-Status`; `sent` tells whether any request byte may have reached the
 * origin, which decides whether a non-idempotent request may be tried again.
 */
export class OriginError extends ProxyError {
  constructor(
    readonly kind: OriginErrorKind,
    readonly sent: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OriginError';
  }
}

export type OriginErrorKind =
  | 'connection_refused'
  | 'connection_timeout'
  | 'connection_terminated'
  | 'destination_unavailable'
  | 'dns_error'
  | 'tls_protocol_error'
  | 'tls_certificate_error'
  | 'http_response_timeout'
  | 'http_response_incomplete'
  | 'http_response_body_size'
  | 'http_request_error'
  | 'http_protocol_error'
  | 'proxy_internal_error';
