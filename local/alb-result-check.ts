/** The checks ALB makes of a Lambda reply before answering, so a reply that would be a 502 on AWS is one locally. */
import { ALB_LIMITS } from '../shared/alb/limits.js';

/** The problem of a reply over ALB's 1 MB, which ALB logs as `LambdaResponseTooLarge` (not `LambdaInvalidResponse`). */
export const RESPONSE_TOO_LARGE = 'the response JSON is over 1 MB';

/**
 * What ALB checks in a Lambda reply before it answers the client, per ALB-CONTRACT.md. Returns the
 * problem (ALB would answer 502) or undefined. Used by the local emulator so that a reply that would
 * fail on AWS fails locally too.
 */
export function validateAlbResult(result: unknown, multiValue: boolean): string | undefined {
  if (typeof result !== 'object' || result === null) return 'the response is not a JSON object';
  const r = result as Record<string, unknown>;
  // A field that is there but null is a 502 (LambdaInvalidResponse), even where leaving the field
  // out is accepted: aws/aws-lambda-dotnet#507 (statusDescription and multiValueHeaders null),
  // aws-powertools/powertools-lambda-python#4671 (body None), awsdocs/elb-application-load-balancers-user-guide#33.
  const nulls = Object.keys(r).filter((field) => r[field] === null);
  if (nulls.length > 0) return `${nulls.join(', ')} ${nulls.length > 1 ? 'are' : 'is'} null`;
  if (!Number.isInteger(r.statusCode) || (r.statusCode as number) < 100 || (r.statusCode as number) > 599) {
    return `statusCode ${JSON.stringify(r.statusCode)} is not an HTTP status`;
  }
  for (const field of ['statusDescription', 'body'] as const) {
    if (field in r && typeof r[field] !== 'string') return `${field} must be a string, got ${JSON.stringify(r[field])}`;
  }
  if ('isBase64Encoded' in r && typeof r.isBase64Encoded !== 'boolean') return 'isBase64Encoded must be a boolean';
  const expected = multiValue ? 'multiValueHeaders' : 'headers';
  const other = multiValue ? 'headers' : 'multiValueHeaders';
  if (other in r) return `${other} in the response, but the target group is in ${multiValue ? 'multi' : 'single'}-value mode`;
  let section = 0;
  if (expected in r) {
    const headers = r[expected];
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return `${expected} must be an object`;
    for (const [name, value] of Object.entries(headers)) {
      const values = multiValue ? value : [value];
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
        return `${expected}.${name} must be ${multiValue ? 'an array of strings' : 'a string'}`;
      }
      for (const v of values as string[]) {
        const size = Buffer.byteLength(name) + Buffer.byteLength(v) + 4;
        if (size > ALB_LIMITS.maxHeaderBytes) return `header ${name} is over 16 KB`;
        section += size;
      }
    }
  }
  if (section > ALB_LIMITS.maxHeaderSectionBytes) return 'response headers are over 32 KB';
  if (Buffer.byteLength(JSON.stringify(result)) > ALB_LIMITS.maxResponseJsonBytes) return RESPONSE_TOO_LARGE;
  return undefined;
}
