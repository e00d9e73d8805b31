/**
 * The responses the handler sends besides the origin's own: the origin's answer with a
 * `Proxy-Status` member saying what the proxy did, and the proxy's own error replies.
 */
import type { ForwardError, ForwardResult, HeaderMap, OriginResponse } from '../http/types.js';
import { proxyStatusHeader } from '../http/proxy-status.js';

/** A response on its way to the ALB translation; `headers` is replaced, never shared with a stored entry. */
export interface ProxyResponse {
  status: number;
  headers: HeaderMap;
  body: Buffer;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  421: 'Misdirected Request',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * `response` for the client, with a `Proxy-Status` member when the proxy did more than pass it
 * through (retried, hedged or gave up): operators see at a glance why a 503 reached the client.
 * What the origin said comes from `forwarded` as the forwarder reported it, which is not
 * `response` when the cache answered with a stale copy over the origin's failure.
 */
export function annotated(name: string, response: OriginResponse, forwarded: ForwardResult | undefined, route: string | undefined): ProxyResponse {
  const headers: HeaderMap = { ...response.headers };
  const stop = forwarded?.decisions?.stop;
  if (forwarded && (forwarded.attempts.length > 1 || (stop !== undefined && stop !== 'done' && stop !== 'not-retryable'))) {
    const lastError = [...forwarded.attempts].reverse().find((a) => typeof a.outcome === 'string' && a.outcome !== 'cancelled')?.outcome;
    const member = proxyStatusHeader(name, {
      receivedStatus: forwarded.response?.status,
      error: forwarded.response ? undefined : (forwarded.error?.type ?? (typeof lastError === 'string' ? lastError : undefined)),
      details: describe(forwarded, route),
    });
    headers['proxy-status'] = [...(headers['proxy-status'] ?? []), member];
  }
  return { status: response.status, headers, body: response.body };
}

/**
 * The proxy's own error reply. The body names the error type only: origin addresses and error
 * messages stay in the log (they can reveal internal hosts).
 */
export function errorResponse(
  name: string,
  error: Omit<ForwardError, 'status'> & { status: number },
  publicDetail?: string,
  forwarded?: ForwardResult,
  route?: string,
): ProxyResponse {
  const headers: HeaderMap = {
    'content-type': ['text/plain; charset=utf-8'],
    'proxy-status': [proxyStatusHeader(name, { error: error.type, details: forwarded ? describe(forwarded, route) : publicDetail })],
    'cache-control': ['no-store'],
  };
  const body = `${error.status} ${REASONS[error.status] ?? 'Error'}: ${error.type}${publicDetail ? ` (${publicDetail})` : ''}\n`;
  return { status: error.status, headers, body: Buffer.from(body) };
}

/** Proxy-Status details: the route (when routes are configured), attempts and why they stopped. */
function describe(result: ForwardResult, route: string | undefined): string {
  const d = result.decisions;
  const tries = `${route !== undefined ? `route=${route}; ` : ''}${result.attempts.filter((a) => a.outcome !== 'cancelled').length} attempt(s)`;
  if (!d) return tries;
  const hedges = d.hedgesSent > 0 ? `; hedges=${d.hedgesSent}; hedge-won=${d.hedgesWon > 0 ? 1 : 0}` : '';
  const budget = d.budgetDenied > 0 ? `; budget-denied=${d.budgetDenied}` : '';
  const stopped = d.retriesStopped && d.retriesStopped !== d.stop ? `; retries-stopped=${d.retriesStopped}` : '';
  return `${tries}; stop=${d.stop}${hedges}${budget}${stopped}`;
}
