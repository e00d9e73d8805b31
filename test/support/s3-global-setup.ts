import type { TestProject } from 'vitest/node';
import { startS3rver } from '../../local/s3rver.js';

/**
 * vitest global setup: one s3rver for the whole run with the buckets the tests use. Tests read
 * the endpoint with `inject('s3Endpoint')`. Tests that stop S3 mid-test start their own instance.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const s3 = await startS3rver({ buckets: ['cache-test', 'logs-test'] });
  project.provide('s3Endpoint', s3.endpoint);
  return () => s3.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
  }
}
