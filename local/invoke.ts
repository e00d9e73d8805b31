/**
 * `npm run invoke -- events/<file>.json [more.json ...]`: a docker-free `sam local invoke`. Runs the
 * function's handler (the same middy-wrapped export the bundle deploys) on each recorded event and
 * prints the ALB result JSON to stdout. With no ORIGIN_URL, a simulated origin that never fails is
 * started so the events have something to reach (its URL goes to stderr).
 *
 * Exit codes: 0 all invoked, 2 bad arguments or event file.
 */
import { readEventFile } from './event-file.js';
import { startSimulatedOrigin, type SimulatedOrigin } from './origin.js';

const files = process.argv.slice(2).filter((a) => a !== '--');
if (files.length === 0 || files.includes('--help') || files.includes('-h')) {
  process.stderr.write('usage: npm run invoke -- events/<file>.json [...]\n(ORIGIN_URL and the other function variables apply; unset ORIGIN_URL starts a simulated origin)\n');
  process.exit(files.length === 0 ? 2 : 0);
}

process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
let origin: SimulatedOrigin | undefined;
if (!process.env.ORIGIN_URL) {
  origin = await startSimulatedOrigin({ failureRate: 0, latencyMs: { min: 0, max: 0 } });
  process.env.ORIGIN_URL = origin.url;
  process.stderr.write(`ORIGIN_URL not set: using a simulated origin at ${origin.url}\n`);
}

let status = 0;
try {
  const { handler } = await import('../functions/retry-proxy/index.js');
  for (const file of files) {
    const event = await readEventFile(file);
    const deadline = Date.now() + Number(process.env.FUNCTION_TIMEOUT_S ?? 55) * 1000;
    const context = {
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      functionName: 'alb-retry-proxy-local',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:alb-retry-proxy-local',
      memoryLimitInMB: '512',
      awsRequestId: `invoke-${Date.now()}`,
      logGroupName: '/aws/lambda/alb-retry-proxy-local',
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const result = await handler(event, context);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  status = 2;
} finally {
  await origin?.close();
}
process.exit(status);
