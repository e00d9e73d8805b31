import { Agent, request } from 'undici';
import type { Forward, ForwardResult, HeaderMap } from '../../shared/http/types.js';

/** Request headers undici sets itself or that belong to one connection. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'te', 'upgrade', 'trailer']);

/**
 * A stand-in for the proxy's retrying forwarder in cache tests: one attempt against a real HTTP
 * origin with undici, no retries. A 5xx comes back as the response; no response becomes a
 * ForwardError (502 connection_refused and the like, 504 on timeout) like the real one.
 */
export function httpForward(origin: URL, options: { timeoutMs?: number } = {}): Forward & { close(): Promise<void> } {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const agent = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs });
  const forward = async (req: Parameters<Forward>[0]): Promise<ForwardResult> => {
    const started = Date.now();
    const headers: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(req.headers)) if (!NOT_FORWARDED.has(name)) headers[name] = values;
    try {
      const res = await request(new URL(`${req.path}${req.rawQuery === '' ? '' : `?${req.rawQuery}`}`, origin), {
        method: req.method as 'GET',
        headers,
        body: req.body.length > 0 ? req.body : null,
        dispatcher: agent,
        // A fresh connection per request: a stopped origin then reliably refuses, as in production.
        reset: true,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      const responseHeaders: HeaderMap = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value : [value];
      }
      return { response: { status: res.statusCode, headers: responseHeaders, body }, attempts: [{ n: 1, outcome: res.statusCode, ms: Date.now() - started }] };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      const [status, type] = code.includes('TIMEOUT') ? ([504, 'http_response_timeout'] as const) : code === 'ECONNREFUSED' ? ([502, 'connection_refused'] as const) : ([502, 'connection_terminated'] as const);
      return { error: { status, type, detail: code }, attempts: [{ n: 1, outcome: type, ms: Date.now() - started }] };
    }
  };
  return Object.assign(forward, { close: () => agent.close() });
}
