import type { Readable } from 'node:stream';
import { isNoSuchKey, s3Client, s3ConnectionFromEnv } from '@kiln/artifacts/s3-connection';
import { NodeFailure } from '../define-node';
import { parseS3Uri } from '../access';

/**
 * Opens `s3://bucket/key` as a byte stream, with the S3 connection the S3 artifact store uses
 * (`S3_ENDPOINT`, `S3_ACCESS_KEY`/`S3_SECRET_KEY` or the AWS variables, `S3_REGION`). A missing
 * bucket or key is a non-retryable failure naming the URI.
 */
export async function openS3Uri(
  uri: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ stream: Readable; size: number; name: string }> {
  const parsed = parseS3Uri(uri);
  if (!parsed) throw new NodeFailure(`${uri} is not an S3 URI: write s3://bucket/key`, { type: 'BadUri', retryable: false });
  const { bucket, key } = parsed;
  let connection;
  try {
    connection = s3ConnectionFromEnv(env);
  } catch (error) {
    throw new NodeFailure(`cannot read ${uri}: ${(error as Error).message}`, { type: 'S3NotConfigured', retryable: false });
  }
  if (!connection) {
    throw new NodeFailure(
      `cannot read ${uri}: no S3 endpoint is configured; set S3_ENDPOINT and S3_ACCESS_KEY/S3_SECRET_KEY on the worker`,
      { type: 'S3NotConfigured', retryable: false },
    );
  }
  const client = s3Client(connection);
  const where = `${uri} (S3 endpoint ${connection.endpoint})`;
  let size: number;
  try {
    size = (await client.statObject(bucket, key)).size;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'NoSuchBucket') throw notFound(`cannot read ${where}: bucket "${bucket}" does not exist`);
    if (isNoSuchKey(error)) {
      // HEAD answers 404 without a body for a missing bucket too: ask which it is.
      const bucketExists = await client.bucketExists(bucket).catch(() => true);
      throw notFound(
        bucketExists
          ? `cannot read ${where}: no object "${key}" in bucket "${bucket}"`
          : `cannot read ${where}: bucket "${bucket}" does not exist`,
      );
    }
    throw new NodeFailure(`cannot read ${where}: ${(error as Error).message}`, { type: 'FetchFailed' });
  }
  try {
    const stream = await client.getObject(bucket, key);
    return { stream, size, name: key.split('/').pop() || key };
  } catch (error) {
    if (isNoSuchKey(error)) throw notFound(`cannot read ${where}: no object "${key}" in bucket "${bucket}"`);
    throw new NodeFailure(`cannot read ${where}: ${(error as Error).message}`, { type: 'FetchFailed' });
  }
}

function notFound(message: string): NodeFailure {
  return new NodeFailure(message, { type: 'NotFound', retryable: false });
}
