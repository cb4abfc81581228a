import { S3_BUCKETS_SETTING, type DataAccessPolicy } from './policy';

/** The bucket and key of `s3://bucket/key` (the key may hold slashes; `%XX` is decoded), or undefined. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/i.exec(uri);
  if (!match) return undefined;
  try {
    return { bucket: match[1]!, key: decodeURIComponent(match[2]!) };
  } catch {
    return undefined;
  }
}

/**
 * Why `s3://` may not read this URI, or undefined. Objects are always read from the configured
 * endpoint (`S3_ENDPOINT`, as the artifact store); the bucket must be a valid S3 bucket name (so
 * it cannot smuggle a host or port) and allowed: the artifact bucket, `KILN_S3_BUCKETS`, or all with `*`.
 */
export function s3Refusal(uri: string, policy: DataAccessPolicy): string | undefined {
  const parsed = parseS3Uri(uri);
  if (!parsed) return 'not an S3 URI: write s3://bucket/key';
  const { bucket } = parsed;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) return `"${bucket}" is not a valid S3 bucket name`;
  if (policy.s3Buckets === '*' || policy.s3Buckets.has(bucket)) return undefined;
  return (
    `bucket "${bucket}" is not allowed (allowed: ${[...policy.s3Buckets].join(', ')}); ` +
    `add it to ${S3_BUCKETS_SETTING} (buckets separated by commas, or * for all) to allow it`
  );
}
