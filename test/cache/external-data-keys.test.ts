// The node cache keys data a node reads by its content, end to end on Temporal: an `s3://` object by
// its ETag (a real MinIO) and an `http(s)://` URL by its ETag (a loopback server the policy is told
// to allow). The same URI with new content computes again; a URL that gives no validator is never
// reused.
import { createHash } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunState } from '@kiln/engine';
import { type Harness, openHarness, run, spec, tempDir } from '../support/harness';
import { type MinioServer, startMinio } from '../support/minio-server';

const csv = (rows: number) => `${['id,value', ...Array.from({ length: rows }, (_, i) => `${i},${i * 2}`)].join('\n')}\n`;
const ingest = (uri: string) => spec('external-data', [{ id: 'ingest', type: 'ingest.file', params: { uri } }]);
const rowsOf = (state: RunState) => (state.nodes.ingest!.outputs!.dataset as { rowCount: number }).rowCount;

let h: Harness;
let minio: MinioServer;
let s3: Client;
let http: Server;
let base: string;
/** What the loopback server answers, by path. */
const served = new Map<string, { body: string; etag: boolean }>();
const saved = { ...process.env };
const SETTINGS = ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'KILN_S3_BUCKETS', 'KILN_FETCH_ALLOW'];

beforeAll(async () => {
  minio = await startMinio();
  const url = new URL(minio.endpoint);
  s3 = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: minio.accessKey, secretKey: minio.secretKey });
  await s3.makeBucket('raw-data');
  http = createServer((req, res) => {
    const file = served.get(req.url ?? '');
    if (!file) return void res.writeHead(404).end();
    const headers: Record<string, string> = { 'content-type': 'text/csv' };
    if (file.etag) headers.etag = `"${createHash('sha256').update(file.body).digest('hex').slice(0, 16)}"`;
    res.writeHead(200, headers).end(file.body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  // The in-process workers read these when they key and run a node.
  Object.assign(process.env, {
    S3_ENDPOINT: minio.endpoint,
    S3_ACCESS_KEY: minio.accessKey,
    S3_SECRET_KEY: minio.secretKey,
    KILN_S3_BUCKETS: 'raw-data',
    KILN_FETCH_ALLOW: new URL(base).host,
  });
  h = await openHarness({ artifactsDir: tempDir('kiln-external-keys-') });
});
afterAll(async () => {
  await h?.close();
  for (const key of SETTINGS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await new Promise((resolve) => http?.close(resolve));
  await minio?.stop();
});

describe('cache keys of external data', () => {
  it('an s3:// object: reused while its ETag holds, computed again once the object is replaced', async () => {
    const uri = 's3://raw-data/tables/points.csv';
    await s3.putObject('raw-data', 'tables/points.csv', csv(10));
    const first = await run(h, ingest(uri));
    expect(first.nodes.ingest!.status).toBe('succeeded');
    expect(rowsOf(first)).toBe(10);
    expect((await run(h, ingest(uri))).nodes.ingest).toMatchObject({ status: 'cached', cachedFrom: { runId: first.runId } });

    await s3.putObject('raw-data', 'tables/points.csv', csv(25));
    const changed = await run(h, ingest(uri));
    expect(changed.nodes.ingest!.status).toBe('succeeded');
    expect(rowsOf(changed)).toBe(25);
    expect((await run(h, ingest(uri))).nodes.ingest).toMatchObject({ status: 'cached', cachedFrom: { runId: changed.runId } });
  });

  it('an http URL with an ETag: reused while it holds, computed again when the content (and ETag) change', async () => {
    const uri = `${base}/points.csv`;
    served.set('/points.csv', { body: csv(7), etag: true });
    const first = await run(h, ingest(uri));
    expect(first.nodes.ingest!.status).toBe('succeeded');
    expect(rowsOf(first)).toBe(7);
    expect((await run(h, ingest(uri))).nodes.ingest).toMatchObject({ status: 'cached', cachedFrom: { runId: first.runId } });

    served.set('/points.csv', { body: csv(12), etag: true });
    const changed = await run(h, ingest(uri));
    expect(changed.nodes.ingest!.status).toBe('succeeded');
    expect(rowsOf(changed)).toBe(12);
  });

  it('an http URL with neither ETag nor Last-Modified is never reused', async () => {
    served.set('/plain.csv', { body: csv(5), etag: false });
    for (let i = 0; i < 2; i++) {
      const state = await run(h, ingest(`${base}/plain.csv`));
      expect(state.nodes.ingest).toMatchObject({ status: 'succeeded', attempts: 1 });
    }
  });
});
