import { inject, test, expect } from 'vitest';
import { PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { s3rverClient } from '../local/s3rver.js';

test('the global s3rver stores and returns bytes exactly', async () => {
  const client = s3rverClient(inject('s3Endpoint'));
  const body = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
  await client.send(new PutObjectCommand({ Bucket: 'cache-test', Key: 'smoke/x', Body: body }));
  const got = await client.send(new GetObjectCommand({ Bucket: 'cache-test', Key: 'smoke/x' }));
  expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
});
