/**
 * The simulated origin's endpoints that name its own address, like an origin that builds absolute
 * URLs and cookie domains from the name it is reached at: what the proxy must rewrite (issue 12).
 *
 * `/redirect?to=/path` answers 302 to `<self>/path` (default `/echo`); `/cookies` sets two cookies,
 * one scoped with `Domain=127.0.0.1`. Pure: the caller writes the reply.
 */
export interface SelfLinkReply {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: string;
}

/** The reply for `path`, or undefined when it is not one of these endpoints. `self` is `http://127.0.0.1:PORT`. */
export function selfLinkReply(path: string, rawQuery: string, self: string): SelfLinkReply | undefined {
  const text = { 'content-type': 'text/plain' };
  if (path === '/redirect') {
    const to = new URLSearchParams(rawQuery).get('to') ?? '/echo';
    if (!/^\/(?!\/)[\x21-\x7e]*$/.test(to)) return { status: 400, headers: text, body: 'to must be a path starting with a single /\n' };
    return { status: 302, headers: { ...text, location: `${self}${to}` }, body: `see ${self}${to}\n` };
  }
  if (path === '/cookies') {
    const cookies = ['session=s1; Domain=127.0.0.1; Path=/; HttpOnly', 'theme=dark; Path=/'];
    return { status: 200, headers: { ...text, 'set-cookie': cookies }, body: 'two cookies\n' };
  }
  return undefined;
}
