/** The retry proxy's Lambda entry: reads the configuration once and wires the handler; nothing else. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadConfig } from '../../shared/config/config.js';
import { createProxyHandler } from '../../shared/handler/proxy-handler.js';
import { logger } from '../../shared/telemetry/telemetry.js';

// Read once at cold start: a missing or malformed variable fails the init with a message naming it.
const config = loadConfig();

/**
 * The ALB target: the proxy, with Powertools' Lambda context on every log line. No metrics
 * middleware: each request writes its log line and its EMF document itself (shared/telemetry).
 */
export const handler = middy(createProxyHandler(config))
  .use(injectLambdaContext(logger));
