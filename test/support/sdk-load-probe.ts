/**
 * Child-process probe for the cold-start claim: builds a response cache with CACHE_STORE from the
 * environment, sends one request through it, and reports on stdout whether anything imported
 * `@aws-sdk/client-s3` meanwhile. Run as `node --import tsx test/support/sdk-load-probe.ts`.
 */
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  if (specifier === '@aws-sdk/client-s3') process.stdout.write('client-s3 imported\\n');
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const { createResponseCache } = await import('../../shared/cache/index.js');
const { loadConfig } = await import('../../shared/config/config.js');

const origin = 'http://127.0.0.1:9';
const config = loadConfig({ ORIGIN_URL: origin, CACHE_STORE: process.env.CACHE_STORE, CACHE_BUCKET: 'probe', CACHE_S3_ENDPOINT: origin });
const cache = createResponseCache(config.cache, new URL(origin));
const result = await cache.handle(
  { method: 'GET', path: '/', rawQuery: '', headers: {}, body: Buffer.alloc(0) },
  async () => ({ response: { status: 200, headers: { 'cache-control': ['max-age=60'] }, body: Buffer.from('x') }, attempts: [] }),
  { remainingMs: () => 1_000 },
);
process.stdout.write(`status ${result.response?.status}\n`);
