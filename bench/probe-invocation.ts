/** The ALB event, Lambda context and `invoke` that every bench probe drives its handler with, as probe source text. */

/**
 * Source that defines `event` (a GET of `path`), `context` and `invoke(e = event)`, for a probe
 * that has defined `handler` before it. Each invocation gets the template's 55 s from its own start,
 * as Lambda's context does, and the template's 256 MB.
 */
export function invocationSource(path: string): string {
  return `
const event = { requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/bench/0123456789abcdef' } },
  httpMethod: 'GET', path: ${JSON.stringify(path)}, queryStringParameters: {}, headers: { host: 'bench' }, body: '', isBase64Encoded: false };
const context = { functionName: 'bench', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '256', awsRequestId: 'bench',
  deadline: 0, getRemainingTimeInMillis() { return this.deadline - Date.now(); } };
const invoke = (e = event) => { context.deadline = Date.now() + 55000; return handler(e, context); };
`;
}
