import { Client } from 'minio';

/** How to reach an S3 (or MinIO) API: shared by the S3 artifact store and `s3://` inputs. */
export interface S3Connection {
  /** `http(s)://host:port` of the S3 API. */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region?: string;
}

/**
 * The S3 connection of this process's environment: `S3_ENDPOINT`, `S3_ACCESS_KEY`/`S3_SECRET_KEY`
 * (or `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`), `S3_REGION`; undefined without `S3_ENDPOINT`.
 * Throws when the endpoint is set but the credentials are not.
 */
export function s3ConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): S3Connection | undefined {
  if (!env.S3_ENDPOINT) return undefined;
  const accessKey = env.S3_ACCESS_KEY ?? env.AWS_ACCESS_KEY_ID;
  const secretKey = env.S3_SECRET_KEY ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKey || !secretKey) {
    throw new Error(
      'S3_ENDPOINT is set but S3_ACCESS_KEY/S3_SECRET_KEY (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are not',
    );
  }
  return { endpoint: env.S3_ENDPOINT, accessKey, secretKey, ...(env.S3_REGION ? { region: env.S3_REGION } : {}) };
}

/** A `minio` client for the connection. */
export function s3Client(connection: S3Connection, options: { partSize?: number } = {}): Client {
  const url = new URL(connection.endpoint);
  return new Client({
    endPoint: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    useSSL: url.protocol === 'https:',
    accessKey: connection.accessKey,
    secretKey: connection.secretKey,
    ...(connection.region ? { region: connection.region } : {}),
    ...(options.partSize ? { partSize: options.partSize } : {}),
  });
}

/** Whether a `minio` error says the object (or, on HEAD, possibly its bucket) does not exist. */
export function isNoSuchKey(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchObject';
}
