/**
 * What `npm run bench -- --cold-start` counts as loaded is what a process running the bundle loads,
 * observed with a module load hook: in memory mode the cold-start files, in S3 mode those and the
 * S3 client's chunks, not the SDK's own lazy ones (found by review: every output was counted).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { PROBE } from '../bench/cold-start-probe.js';
import { runProbe } from '../bench/probe-process.js';
import { buildBundle } from '../scripts/build.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../local/s3rver.js';

// A module hook that prints every file the child loads (on stdout, which runProbe hands to onStdout).
const HOOK = `import { writeSync } from 'node:fs';
export async function load(url, context, next) { if (url.startsWith('file:')) writeSync(1, '\\nLOADED ' + url + '\\n'); return next(url, context); }`;
const REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`)}`;

test('S3 mode: the files the first requests load are the cold-start files and the S3 client\'s chunks (bundle.firstS3Request)', async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cold-start-loads-s3-'));
  const origin = createServer((_req, res) => res.end('ok'));
  const s3 = await startS3rver({ buckets: ['bench-cold-start'] });
  try {
    const bundle = await buildBundle(outdir);
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const port = (origin.address() as { port: number }).port;
    // The environment bench/cold-start.ts gives S3 mode (s3Env).
    const env: NodeJS.ProcessEnv = {
      ...process.env, ORIGIN_URL: `http://127.0.0.1:${port}`, CACHE_STORE: 's3', CACHE_BUCKET: 'bench-cold-start', CACHE_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    let printed = '';
    const undici = pathToFileURL(createRequire(import.meta.url).resolve('undici')).href;
    const seen = await runProbe<{ status: number; second: string }>(PROBE, 'COLDSTART', [pathToFileURL(bundle.file).href, undici, '5', 'unique', '0'], {
      env, nodeFlags: ['--import', REGISTER], onStdout: (s) => (printed = s),
    });
    expect(seen.status).toBe(200);
    const loaded = new Set(printed.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => basename(new URL(l.slice(7)).pathname)));
    const outputs = bundle.outputs.map((f) => ({ name: basename(f.file), bytes: f.bytes }));
    const loadedBytes = outputs.filter((f) => loaded.has(f.name)).reduce((s, f) => s + f.bytes, 0);
    const allBytes = outputs.reduce((s, f) => s + f.bytes, 0);
    const notLoaded = outputs.filter((f) => !loaded.has(f.name));
    // The files the cold-start bench counts for S3 mode (bench/cold-start.ts), no more and no fewer.
    expect([...loaded].filter((n) => outputs.some((f) => f.name === n)).sort()).toEqual(bundle.firstS3Request.map((f) => basename(f.file)).sort());
    expect(loadedBytes).toBe(bundle.firstS3Request.reduce((sum, f) => sum + f.bytes, 0));
    expect(notLoaded.length).toBeGreaterThan(0);
    expect(loadedBytes).toBeLessThan(allBytes);
  } finally {
    origin.close();
    await s3.stop();
    rmSync(outdir, { recursive: true, force: true });
  }
}, 120_000);

test('memory mode: the files loaded are exactly bundle.coldStart (the figure the docs give), S3 chunks excluded', async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cold-start-loads-mem-'));
  const origin = createServer((_req, res) => res.end('ok'));
  try {
    const bundle = await buildBundle(outdir);
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const port = (origin.address() as { port: number }).port;
    let printed = '';
    const undici = pathToFileURL(createRequire(import.meta.url).resolve('undici')).href;
    await runProbe(PROBE, 'COLDSTART', [pathToFileURL(bundle.file).href, undici, '5', 'same', '0'], {
      env: { ...process.env, ORIGIN_URL: `http://127.0.0.1:${port}`, CACHE_STORE: 'memory' }, nodeFlags: ['--import', REGISTER], onStdout: (s) => (printed = s),
    });
    const loaded = new Set(printed.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => basename(new URL(l.slice(7)).pathname)).filter((n) => bundle.outputs.some((f) => basename(f.file) === n)));
    expect([...loaded].sort()).toEqual(bundle.coldStart.map((f) => basename(f.file)).sort());
  } finally {
    origin.close();
    rmSync(outdir, { recursive: true, force: true });
  }
}, 120_000);
