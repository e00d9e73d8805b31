/**
 * `s3://bucket/prefix` inputs: every `*.log` / `*.log.gz` object under the prefix (ListObjectsV2,
 * paginated), read as a stream with GetObject. An exact object key is read whatever its name.
 *
 * The client takes its credentials and region from the standard AWS environment. An endpoint from
 * `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) selects path-style addressing, which S3-compatible
 * servers (s3rver, MinIO) need, and checksums only when required, which they do not all support.
 */
import { GetObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { InputError, LOG_FILE_NAME, type LogSource } from './source.js';

export interface S3SourceOptions {
  /** A client to use instead of one built from the environment. */
  client?: S3Client;
  /**
   * Keys per ListObjectsV2 page.
   * @default 1000 (the S3 maximum)
   */
  pageSize?: number;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

export function parseS3Url(input: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(input);
  if (!m) throw new InputError(input, `${input}: expected s3://bucket/prefix`);
  return { bucket: m[1]!, prefix: m[2]! };
}

export function s3ClientFromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const keys =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}; // otherwise the SDK's default chain: profile, SSO, container or instance role
  return new S3Client({
    ...keys,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Without a configured region the SDK refuses to start; S3 redirects to the bucket's region anyway.
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    followRegionRedirects: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function listS3Sources(input: string, options: S3SourceOptions = {}): Promise<LogSource[]> {
  const { bucket, prefix } = parseS3Url(input);
  const client = options.client ?? s3ClientFromEnv(options.env);
  const sources: LogSource[] = [];
  try {
    const pages = paginateListObjectsV2(
      { client, pageSize: options.pageSize ?? 1000 },
      { Bucket: bucket, Prefix: prefix },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (key === undefined || !(key === prefix || LOG_FILE_NAME.test(key))) continue;
        sources.push(objectSource(client, bucket, key, object.Size ?? 0));
      }
    }
  } catch (err) {
    throw new InputError(input, `cannot list ${input}: ${describe(err)}`, { cause: err });
  }
  if (sources.length === 0) throw new InputError(input, `no *.log or *.log.gz objects under ${input}`);
  return sources;
}

function objectSource(client: S3Client, bucket: string, key: string, size: number): LogSource {
  const name = `s3://${bucket}/${key}`;
  return {
    name,
    size,
    async open() {
      try {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (got.Body instanceof Readable) return got.Body;
        throw new Error('the SDK returned a body that is not a Node.js stream');
      } catch (err) {
        throw new InputError(name, `cannot read ${name}: ${describe(err)}`, { cause: err });
      }
    },
  };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const hint =
    err.name === 'CredentialsProviderError'
      ? ' (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)'
      : err.name === 'NoSuchBucket'
        ? ' (check the bucket name and AWS_REGION)'
        : '';
  return `${err.name}: ${err.message}${hint}`;
}
