// The Python SDK's store and TypeScript's are one store: the same keys, digests and refs for the same
// bytes, each side reading (and verifying) what the other wrote, in a folder and in MinIO; datasets
// written by Python read as Kiln datasets in TypeScript and the other way round.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArtifactStore, FolderArtifactStore, S3ArtifactStore } from '@kiln/artifacts';
import { ingestCsvToDataset, readDataset } from '@kiln/tabular';
import type { DatasetValue } from '@kiln/engine';
import { Readable } from 'node:stream';
import { tempDir } from '../support/harness';
import { type MinioServer, startMinio } from '../support/minio-server';
import { pythonEnv, sdkPython } from '../support/python-sdk';

const run = promisify(execFile);
let python: string;
let minio: MinioServer;

beforeAll(async () => {
  [python, minio] = await Promise.all([sdkPython(), startMinio()]);
}, 900_000);
afterAll(async () => {
  await minio?.stop();
});

async function pythonSide(env: Record<string, string>, request: unknown): Promise<any> {
  const { stdout } = await run(
    python,
    [`${import.meta.dirname}/store_roundtrip.py`, JSON.stringify(request)],
    { env: pythonEnv([import.meta.dirname], env) },
  );
  return JSON.parse(stdout);
}

const stores: Record<string, () => { store: ArtifactStore; env: Record<string, string> }> = {
  folder: () => {
    const dir = tempDir('kiln-py-store-');
    return { store: new FolderArtifactStore(dir), env: { KILN_ARTIFACTS: dir } };
  },
  s3: () => {
    const bucket = `kiln-py-${randomBytes(4).toString('hex')}`;
    return {
      store: new S3ArtifactStore({
        endpoint: minio.endpoint,
        bucket,
        accessKey: minio.accessKey,
        secretKey: minio.secretKey,
        cacheDir: tempDir(),
      }),
      env: {
        S3_ENDPOINT: minio.endpoint,
        S3_BUCKET: bucket,
        S3_ACCESS_KEY: minio.accessKey,
        S3_SECRET_KEY: minio.secretKey,
        KILN_HOME: tempDir(),
      },
    };
  },
};

describe.each(Object.keys(stores))('the %s store', (kind) => {
  it('holds the same bytes under the same digest and ref for both languages', async () => {
    const { store, env } = stores[kind]!();
    const bytes = randomBytes(100_000);
    const ts = await store.put(bytes, { mediaType: 'application/octet-stream' });
    const text = `written by Python ${randomBytes(8).toString('hex')}`;
    const answer = await pythonSide(env, { get: [ts.digest], put: text });
    expect(answer.got[ts.digest]).toBe(ts.digest.slice(7));
    expect(answer.local[ts.digest]).toBe(ts.digest.slice(7));
    // What Python stored, TypeScript reads (verifying it), and its own put of the same bytes names it alike.
    expect(Buffer.from(await store.get(answer.put.digest)).toString('utf8')).toBe(text);
    expect(await store.put(Buffer.from(text), { mediaType: 'text/plain' })).toEqual(answer.put);
  });

  it('reads datasets across languages', async () => {
    const { store, env } = stores[kind]!();
    const answer = await pythonSide(env, { dataset: true });
    const ds = answer.dataset as DatasetValue;
    expect(ds.schema).toEqual([
      { name: 'id', type: 'int', nullable: true },
      { name: 'score', type: 'float', nullable: true },
      { name: 'flag', type: 'bool', nullable: true },
      { name: 'when', type: 'date', nullable: true },
      { name: 'name', type: 'string', nullable: true },
    ]);
    expect(ds.stats[3]).toEqual({
      name: 'when',
      type: 'date',
      kind: 'date',
      count: 3,
      nullCount: 1,
      min: '1970-01-01T00:00:00.000Z',
      max: '2023-11-14T22:13:20.123Z',
    });
    expect(ds.stats[4]).toMatchObject({
      kind: 'categorical',
      count: 3,
      distinctCount: 2,
      topValues: [
        { value: 'a', count: 2 },
        { value: 'b', count: 1 },
      ],
    });
    const table = await readDataset(store, ds);
    expect(table.schema.fields.map((f) => String(f.type))).toEqual([
      'Int32',
      'Float64',
      'Bool',
      'Timestamp<MILLISECOND, UTC>',
      'Utf8',
    ]);
    expect(table.toArray().map((r) => r.toJSON())).toEqual([
      { id: 1, score: 0.5, flag: true, when: 0, name: 'a' },
      { id: 2, score: null, flag: false, when: 86_400_000, name: 'b' },
      { id: 3, score: 2.25, flag: null, when: null, name: null },
      { id: null, score: -1, flag: true, when: 1_700_000_000_123, name: 'a' },
    ]);

    const ingested = await ingestCsvToDataset(
      store,
      Readable.from([Buffer.from('x,label\n1.5,yes\n,no\n3,yes\n')]),
    );
    const read = (await pythonSide(env, { read_dataset: ingested })).read;
    expect(read).toEqual({
      rows: 3,
      columns: ['x', 'label'],
      types: ['double', 'string'],
      first: { x: 1.5, label: 'yes' },
    });
  });
});
