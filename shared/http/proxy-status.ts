/**
 * The `Proxy-Status` response header (RFC 9209): one list member per intermediary, this proxy's
 * appended after any the origin sent (the member closest to the origin comes first).
 */
export interface ProxyStatusParams {
  /** RFC 9209 error type, e.g. `connection_refused`, `http_response_timeout`. */
  readonly error?: string;
  /** The status the origin last answered, when it answered at all. */
  readonly receivedStatus?: number;
  /** Free text for operators; never secrets, bodies or cookie values. */
  readonly details?: string;
}

/** One member, e.g. `alb-retry-proxy; error=connection_refused; details="5 attempts"`. */
export function proxyStatusHeader(name: string, params: ProxyStatusParams): string {
  let member = name;
  if (params.error) member += `; error=${params.error}`;
  if (params.receivedStatus !== undefined) member += `; received-status=${params.receivedStatus}`;
  if (params.details) member += `; details=${sfString(params.details)}`;
  return member;
}

/** An RFC 8941 sf-string: printable ASCII only, with `"` and `\` escaped. */
function sfString(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
  return `"${printable.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
