import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/s3-global-setup.ts'],
    // Integration tests start real servers and child processes on 127.0.0.1. No test asserts on
    // time (races run in virtual time), so these limits only catch a hang: they are generous, as the
    // suite must pass on a machine whose cores are both busy with other work.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // The SDK warns once per process that it will drop Node 20 in 2027; Lambda runs nodejs22.x.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
