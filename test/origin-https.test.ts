/**
 * An https origin: the client loads node:https only for one (an http origin's cold start does not
 * pay for TLS), sends the origin's name as SNI, and talks to a real TLS server with a certificate made
 * here by openssl, trusted the way a Lambda trusts a private CA (NODE_EXTRA_CA_CERTS).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OriginError } from '../shared/http/errors.js';
import { createOriginClient } from '../shared/origin/client.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'origin-https-'));
const CERT = join(dir, 'cert.pem');
const KEY = join(dir, 'key.pem');

let server: Server;
let port = 0;
const seen: { sni: string[]; hosts: string[] } = { sni: [], hosts: [] };

beforeAll(async () => {
  // A self-signed certificate for localhost, valid a day: what an origin with a private CA presents.
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', KEY, '-out', CERT]).catch((error: unknown) => {
    throw new Error(`this test makes its certificate with openssl (Debian package openssl): ${String(error)}`);
  });
  server = createServer({ cert: readFileSync(CERT), key: readFileSync(KEY) }, (req, res) => {
    seen.hosts.push(String(req.headers.host));
    res.setHeader('x-origin', 'tls');
    res.end('secure');
  });
  // A client that refuses the certificate aborts the handshake: expected in the last test.
  server.on('tlsClientError', () => undefined);
  server.prependListener('secureConnection', (socket: { servername?: string | false }) => seen.sni.push(String(socket.servername)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  // undefined when openssl failed: that error is the one to see.
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const REQUEST = { method: 'GET', path: '/secure', rawQuery: 'a=1', headers: { 'user-agent': ['test'] }, body: Buffer.alloc(0) };

/** Runs the client in a fresh Node (NODE_EXTRA_CA_CERTS is read at process start), printing what it got. */
async function inChild(origin: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown> & { stderr: string }> {
  const script = `
    const before = process.moduleLoadList.includes('NativeModule https');
    const { createOriginClient } = await import(${JSON.stringify(new URL('../shared/origin/client.ts', import.meta.url).href)});
    const client = createOriginClient({ origin: new URL(${JSON.stringify(origin)}) });
    const loaded = process.moduleLoadList.includes('NativeModule https');
    let answer;
    try {
      const r = await client.send({ ...${JSON.stringify({ ...REQUEST, body: undefined })}, body: Buffer.alloc(0) }, { timeoutMs: 10000 });
      answer = { status: r.status, body: r.body.toString(), origin: r.headers['x-origin'] };
    } catch (error) { answer = { error: error.kind ?? String(error), message: error.message }; }
    await client.close();
    process.stdout.write(JSON.stringify({ before, loaded, ...answer }));`;
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, ...env }, timeout: 60_000 });
  return { ...(JSON.parse(stdout) as Record<string, unknown>), stderr };
}

describe('an https origin', () => {
  it('is reached over TLS with the origin name as SNI when its CA is trusted (NODE_EXTRA_CA_CERTS)', async () => {
    const got = await inChild(`https://localhost:${port}`, { NODE_EXTRA_CA_CERTS: CERT });
    expect(got).toMatchObject({ before: false, loaded: true, status: 200, body: 'secure', origin: ['tls'] });
    expect(seen.sni.at(-1)).toBe('localhost');
    expect(seen.hosts.at(-1)).toBe(`localhost:${port}`);
  });

  it('an http origin never loads node:https', async () => {
    const got = await inChild(`http://127.0.0.1:${port}`, {});
    expect(got).toMatchObject({ before: false, loaded: false });
    // Plain HTTP to a TLS port is no HTTP answer: an error, never a response.
    expect(got).toHaveProperty('error');
  });

  it('an untrusted certificate fails the attempt as tls_certificate_error, nothing sent, its reason in the message', async () => {
    const client = createOriginClient({ origin: new URL(`https://localhost:${port}`) });
    try {
      const sent = client.send(REQUEST, { timeoutMs: 10_000 });
      await expect(sent).rejects.toBeInstanceOf(OriginError);
      await expect(sent).rejects.toMatchObject({ kind: 'tls_certificate_error', sent: false });
      await expect(sent).rejects.toThrow(/DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed/i);
    } finally {
      await client.close();
    }
  });

  it('an origin given by IP address sends no SNI (no Node warning in the log) and checks the certificate against the address', async () => {
    // The certificate names localhost only: trusted, but not for 127.0.0.1.
    const got = await inChild(`https://127.0.0.1:${port}`, { NODE_EXTRA_CA_CERTS: CERT });
    expect(got).toMatchObject({ error: 'tls_certificate_error' });
    expect(String(got.message)).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(got.stderr).not.toMatch(/DEP0123|ServerName/);
  });
});
