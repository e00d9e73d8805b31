import { describe, expect, it } from 'vitest';
import { loadConfig } from '../shared/config/config.js';
import { CONFIG_OPTIONS } from '../shared/config/options.js';
import { ConfigError } from '../shared/http/errors.js';

const base = { ORIGIN_URL: 'https://hosp.internal:8443' };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  return expect.unreachable('loadConfig should have thrown');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.origin.origin).toBe('https://hosp.internal:8443');
    expect(config.retry).toMatchObject({ maxAttempts: 5, backoff: 'exponential', baseDelayMs: 100, maxDelayMs: 3000, nonIdempotent: false });
    expect([...config.retry.statuses]).toEqual([500, 502, 503, 504]);
    expect(config.attemptTimeoutMs).toBe(25_000);
    expect(config.cache.store).toBe('memory');
    expect(config.hedge.after).toBeUndefined();
    expect(config.budget).toEqual({ ratio: 0.5, minTokens: 10 });
    expect(config.healthCheckTimeoutMs).toBe(5000);
  });

  it('has a default in the option table for every option but ORIGIN_URL, ALLOWED_HOSTS (empty: every Host), ROUTES (empty: routes.json) and CACHE_*', () => {
    const empty = CONFIG_OPTIONS.filter((o) => o.default === '').map((o) => o.name);
    expect(empty).toEqual(['ORIGIN_URL', 'ALLOWED_HOSTS', 'ROUTES', 'CACHE_BUCKET', 'CACHE_S3_ENDPOINT']);
  });

  it("sends the origin its own Host and rewrites its address by default", () => {
    const config = loadConfig(base);
    expect(config.originHostHeader).toEqual({ mode: 'origin' });
    expect(config.allowedHosts).toBeUndefined();
    expect(config.rewrite).toEqual({ redirects: true, cookieDomain: true });
    expect(config.cache.keyHost).toBe(false);
  });

  it('accepts a CACHE_PREFIX of exactly 960 characters, which leaves room for the 64-digit id', () => {
    expect(loadConfig({ ...base, CACHE_PREFIX: `${'a'.repeat(959)}/` }).cache.prefix).toHaveLength(960);
  });

  it('reads the host options: client mode keys the cache by Host, a literal name is kept as given and keys it too', () => {
    const client = loadConfig({ ...base, ORIGIN_HOST_HEADER: 'client', ALLOWED_HOSTS: ' App.example.org , www.example.org.' });
    expect(client.originHostHeader).toEqual({ mode: 'client' });
    expect([...client.allowedHosts!]).toEqual(['app.example.org', 'www.example.org']);
    expect(client.cache.keyHost).toBe(true);
    const literal = loadConfig({ ...base, ORIGIN_HOST_HEADER: 'Public.Example:8443', REWRITE_REDIRECTS: 'false', REWRITE_COOKIE_DOMAIN: '0' });
    expect(literal.originHostHeader).toEqual({ mode: 'literal', host: 'public.example:8443' });
    // The fixed name joins the cache key: another name may be another site on the same origin address.
    expect(literal.cache.keyHost).toBe('public.example:8443');
    expect(literal.rewrite).toEqual({ redirects: false, cookieDomain: false });
  });

  it('accepts a bare trailing slash on ORIGIN_URL (it is not a path)', () => {
    expect(loadConfig({ ORIGIN_URL: 'http://hosp:8080/' }).origin.host).toBe('hosp:8080');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...base,
      RETRY_MAX_ATTEMPTS: '3',
      RETRY_STATUSES: '429, 503',
      RETRY_BACKOFF: 'fixed',
      RETRY_BASE_DELAY_MS: '3000',
      RETRY_NON_IDEMPOTENT: 'true',
      HEDGE_AFTER_MS: 'auto',
      CACHE_STORE: 's3',
      CACHE_BUCKET: 'b',
      CACHE_S3_ENDPOINT: 'http://127.0.0.1:4568',
    });
    expect(config.retry.maxAttempts).toBe(3);
    expect([...config.retry.statuses]).toEqual([429, 503]);
    expect(config.retry.backoff).toBe('fixed');
    expect(config.retry.nonIdempotent).toBe(true);
    expect(config.hedge.after).toBe('auto');
    expect(config.cache).toMatchObject({ store: 's3', bucket: 'b', s3Endpoint: 'http://127.0.0.1:4568' });
  });

  it.each([
    [{}, 'ORIGIN_URL', /is not set/],
    [{ ORIGIN_URL: 'hosp' }, 'ORIGIN_URL', /not a URL/],
    [{ ORIGIN_URL: 'ftp://hosp' }, 'ORIGIN_URL', /scheme ftp:/],
    [{ ORIGIN_URL: 'https://hosp/api' }, 'ORIGIN_URL', /a path is not allowed/],
    [{ ORIGIN_URL: 'https://u:p@hosp' }, 'ORIGIN_URL', /credentials/],
    [{ ORIGIN_URL: 'https://hosp?x=1' }, 'ORIGIN_URL', /query/],
    [{ ...base, RETRY_MAX_ATTEMPTS: 'five' }, 'RETRY_MAX_ATTEMPTS', /got "five", expected integer 1\.\.20/],
    [{ ...base, RETRY_MAX_ATTEMPTS: '0' }, 'RETRY_MAX_ATTEMPTS', /expected/],
    [{ ...base, RETRY_STATUSES: '500,abc' }, 'RETRY_STATUSES', /comma-separated/],
    [{ ...base, RETRY_BACKOFF: 'linear' }, 'RETRY_BACKOFF', /exponential \| fixed/],
    [{ ...base, RETRY_NON_IDEMPOTENT: 'yes' }, 'RETRY_NON_IDEMPOTENT', /true \| false/],
    [{ ...base, ATTEMPT_TIMEOUT_MS: '-1' }, 'ATTEMPT_TIMEOUT_MS', /expected/],
    [{ ...base, HEALTH_CHECK_TIMEOUT_MS: '0' }, 'HEALTH_CHECK_TIMEOUT_MS', /got "0", expected integer milliseconds 1..900000/],
    [{ ...base, HEDGE_AFTER_MS: 'soon' }, 'HEDGE_AFTER_MS', /expected/],
    // Past setTimeout's 2^31-1 ms Node fires a timer after 1 ms: every attempt would time out, every request hedge at once.
    [{ ...base, ATTEMPT_TIMEOUT_MS: '2147483648' }, 'ATTEMPT_TIMEOUT_MS', /got "2147483648", expected integer milliseconds 1..900000/],
    [{ ...base, HEDGE_AFTER_MS: '900001' }, 'HEDGE_AFTER_MS', /expected off \| auto \| integer milliseconds 1..900000/],
    [{ ...base, ORIGIN_MAX_CONNECTIONS: '20000' }, 'ORIGIN_MAX_CONNECTIONS', /got "20000", expected integer 1..10000/],
    [{ ...base, RETRY_BUDGET_MIN_TOKENS: '2000000' }, 'RETRY_BUDGET_MIN_TOKENS', /expected number 1..1000000/],
    [{ ...base, POWERTOOLS_LOG_LEVEL: 'LOUD' }, 'POWERTOOLS_LOG_LEVEL', /got "LOUD", expected TRACE \| DEBUG \| INFO \| WARN \| ERROR \| CRITICAL \| SILENT/],
    // Powertools reads the level as written: a lower-case one would silently log at INFO.
    [{ ...base, POWERTOOLS_LOG_LEVEL: 'warn' }, 'POWERTOOLS_LOG_LEVEL', /got "warn"/],
    [{ ...base, ROUTES: '[{"name":"r","pattern":"/**","hedgeAfterMs":2147483648}]' }, 'ROUTES', /hedgeAfterMs/],
    [{ ...base, POWERTOOLS_METRICS_NAMESPACE: 'AWS/Lambda' }, 'POWERTOOLS_METRICS_NAMESPACE', /not starting with AWS\//],
    [{ ...base, POWERTOOLS_METRICS_NAMESPACE: 'Alb|Proxy' }, 'POWERTOOLS_METRICS_NAMESPACE', /expected CloudWatch namespace/],
    [{ ORIGIN_URL: 'http://hosp.internal:0' }, 'ORIGIN_URL', /port 0/],
    // The role grants bucket/<prefix>*: without the final slash or with a wildcard it grants more.
    [{ ...base, CACHE_PREFIX: 'cache' }, 'CACHE_PREFIX', /got "cache", expected S3 key prefix/],
    [{ ...base, CACHE_PREFIX: 'cache/*' }, 'CACHE_PREFIX', /expected S3 key prefix/],
    [{ ...base, CACHE_PREFIX: '../cache/' }, 'CACHE_PREFIX', /expected S3 key prefix/],
    // S3 keys hold 1024 bytes: the prefix and a 64-digit id (found by review: every cache call failed, logged as misses).
    [{ ...base, CACHE_PREFIX: `${'a'.repeat(960)}/` }, 'CACHE_PREFIX', /at most 960 characters/],
    [{ ...base, RETRY_BUDGET_RATIO: '11' }, 'RETRY_BUDGET_RATIO', /expected/],
    [{ ...base, CACHE_STORE: 'redis' }, 'CACHE_STORE', /off \| memory \| s3 \| tiered/],
    [{ ...base, CACHE_STORE: 'tiered' }, 'CACHE_BUCKET', /required when CACHE_STORE=tiered/],
    [{ ...base, CACHE_S3_ENDPOINT: 'localhost:4568' }, 'CACHE_S3_ENDPOINT', /expected/],
    [{ ...base, ORIGIN_HOST_HEADER: 'client' }, 'ALLOWED_HOSTS', /required when ORIGIN_HOST_HEADER=client: list the host names/],
    [{ ...base, ORIGIN_HOST_HEADER: 'http://app.example' }, 'ORIGIN_HOST_HEADER', /origin \| client \| host\[:port\]/],
    [{ ...base, ALLOWED_HOSTS: 'app.example:443' }, 'ALLOWED_HOSTS', /comma-separated host names/],
    [{ ...base, ALLOWED_HOSTS: 'a.example,,b.example' }, 'ALLOWED_HOSTS', /expected/],
    [{ ...base, REWRITE_REDIRECTS: 'yes' }, 'REWRITE_REDIRECTS', /true \| false/],
  ])('fails at cold start on %j, naming %s', (env, variable, message) => {
    const error = errorOf(env as Record<string, string>);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });
});
