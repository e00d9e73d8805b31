import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { loadConfig } from '../../shared/config/config.js';
import { createProxyHandler } from '../../shared/handler/proxy-handler.js';
import { logger, metrics } from '../../shared/telemetry/telemetry.js';

// Read once at cold start: a missing or malformed variable fails the init with a message naming it.
const config = loadConfig();

/** The ALB target: wires the proxy with Powertools' context logging and EMF metrics flushing. */
export const handler = middy(createProxyHandler(config))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
