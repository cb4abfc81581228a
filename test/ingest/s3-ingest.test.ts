import { join } from 'node:path';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetRef } from '@kiln/tabular';
import { NodeFailure, type NodeContext, ingestFile as ingestType } from '@kiln/nodes';
import { REPO_ROOT } from '@kiln/engine/home';
import { testContext } from '@kiln/nodes/testing';
import { type MinioServer, startMinio } from '../support/minio-server';

const ingestFile = await ingestType.load();

// ingest.file reading s3://bucket/key from a real MinIO with the S3 settings the artifact store uses
// (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY), compared with reading the same files from disk.
const fixtures = join(REPO_ROOT, 'tabular', 'src', 'fixtures');
let minio: MinioServer;
const saved = { ...process.env };

beforeAll(async () => {
  minio = await startMinio();
  process.env.S3_ENDPOINT = minio.endpoint;
  process.env.S3_ACCESS_KEY = minio.accessKey;
  process.env.S3_SECRET_KEY = minio.secretKey;
  process.env.KILN_S3_BUCKETS = 'raw-data,no-such-bucket'; // data buckets besides the artifact bucket (one missing)
  const url = new URL(minio.endpoint);
  const client = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: minio.accessKey, secretKey: minio.secretKey });
  await client.makeBucket('raw-data');
  await client.fPutObject('raw-data', 'sales/2024/mixed.csv', join(fixtures, 'mixed.csv'));
  await client.fPutObject('raw-data', 'sales/2024/mixed.parquet', join(fixtures, 'mixed.parquet'));
});
afterAll(async () => {
  for (const key of ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'KILN_S3_BUCKETS']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await minio?.stop();
});

function context(): NodeContext {
  // A fresh folder store and scratch folder for each run.
  return testContext();
}

const ingest = async (uri: string) =>
  (await ingestFile.run(context(), {}, ingestFile.params.parse({ uri }))).outputs.dataset as DatasetRef;

describe('ingest.file from s3:// on a real MinIO', () => {
  it('streams a CSV and a Parquet object into the same datasets as the local files', async () => {
    for (const name of ['mixed.csv', 'mixed.parquet']) {
      const fromS3 = await ingest(`s3://raw-data/sales/2024/${name}`);
      const local = await ingest(join(fixtures, name));
      expect(fromS3.rowCount).toBe(300);
      // Same Arrow bytes (same content digest), schema and statistics.
      expect({ ...fromS3, artifact: { ...fromS3.artifact, uri: '' } }).toEqual({ ...local, artifact: { ...local.artifact, uri: '' } });
      expect(fromS3.artifact.digest).toBe(local.artifact.digest);
    }
  });

  it('names the URI when the key or the bucket is missing, without retrying', async () => {
    const noKey = (await ingest('s3://raw-data/sales/2024/none.csv').catch((e: unknown) => e)) as NodeFailure;
    expect(noKey).toBeInstanceOf(NodeFailure);
    expect(noKey.retryable).toBe(false);
    expect(noKey.message).toContain('cannot read s3://raw-data/sales/2024/none.csv');
    expect(noKey.message).toContain('no object "sales/2024/none.csv" in bucket "raw-data"');
    const noBucket = (await ingest('s3://no-such-bucket/x.parquet').catch((e: unknown) => e)) as NodeFailure;
    expect(noBucket).toBeInstanceOf(NodeFailure);
    expect(noBucket.retryable).toBe(false);
    expect(noBucket.message).toContain('cannot read s3://no-such-bucket/x.parquet');
    expect(noBucket.message).toContain('bucket "no-such-bucket" does not exist');
  });

  it('says what is missing when no S3 endpoint is configured', async () => {
    const endpoint = process.env.S3_ENDPOINT;
    delete process.env.S3_ENDPOINT;
    try {
      await expect(ingest('s3://raw-data/sales/2024/mixed.csv')).rejects.toThrow(
        'cannot read s3://raw-data/sales/2024/mixed.csv: no S3 endpoint is configured; set S3_ENDPOINT',
      );
    } finally {
      process.env.S3_ENDPOINT = endpoint;
    }
  });
});
