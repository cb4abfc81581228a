import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { FolderArtifactStore } from '@kiln/artifacts/folder-store';
import {
  ARROW_FILE_MEDIA_TYPE,
  ingestCsvToDataset,
  ingestJsonlToDataset,
  readDataset,
  readDatasetBatches,
  type DatasetRef,
} from './dataset-ref';

const scratch = await mkdtemp(join(tmpdir(), 'kiln-dataset-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const csv =
  'species,petal_length,petal_width\nsetosa,1.4,0.2\nversicolor,4.7,1.4\nvirginica,6.0,2.5\nsetosa,1.3,\n';

describe('Dataset refs', () => {
  it('ingests a CSV into the store and reads the same values back', async () => {
    const store = new FolderArtifactStore(join(scratch, 'store-a'));
    const tmpDir = join(scratch, 'tmp-a');
    await mkdir(tmpDir);
    const ref = await ingestCsvToDataset(store, Readable.from([Buffer.from(csv)]), { tmpDir, batchRows: 2 });

    expect(ref.artifact).toMatchObject({
      mediaType: ARROW_FILE_MEDIA_TYPE,
      meta: { rowCount: 4, columns: 3 },
    });
    expect(ref.artifact.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await store.has(ref.artifact.digest)).toBe(true);
    expect(ref.rowCount).toBe(4);
    expect(ref.schema).toEqual([
      { name: 'species', type: 'string', nullable: false },
      { name: 'petal_length', type: 'float', nullable: false },
      { name: 'petal_width', type: 'float', nullable: true },
    ]);
    expect(ref.stats[0]).toMatchObject({
      distinctCount: 3,
      topValues: [
        { value: 'setosa', count: 2 },
        { value: 'versicolor', count: 1 },
        { value: 'virginica', count: 1 },
      ],
    });
    // The temp file is gone once the store has the bytes.
    expect(await readdir(tmpDir)).toEqual([]);
    // A ref is plain JSON.
    expect(JSON.parse(JSON.stringify(ref))).toEqual(ref);

    const table = await readDataset(store, ref);
    expect(table.numRows).toBe(4);
    expect([...table.getChild('species')!]).toEqual(['setosa', 'versicolor', 'virginica', 'setosa']);
    expect([...table.getChild('petal_length')!]).toEqual([1.4, 4.7, 6, 1.3]);
    expect([...table.getChild('petal_width')!]).toEqual([0.2, 1.4, 2.5, null]);

    const sizes: number[] = [];
    for await (const batch of readDatasetBatches(store, ref)) sizes.push(batch.numRows);
    expect(sizes).toEqual([2, 2]);
  });

  it('gives the same artifact for the same data, from a path or a stream', async () => {
    const store = new FolderArtifactStore(join(scratch, 'store-b'));
    const path = join(scratch, 'iris.csv');
    await writeFile(path, csv);
    const fromPath = await ingestCsvToDataset(store, path);
    const fromStream = await ingestCsvToDataset(store, Readable.from([Buffer.from(csv)]));
    expect(fromStream).toEqual(fromPath);
  });

  it('ingests JSON Lines the same way', async () => {
    const store = new FolderArtifactStore(join(scratch, 'store-c'));
    const ref = await ingestJsonlToDataset(
      store,
      Readable.from([Buffer.from('{"a": 1, "b": "x"}\n{"a": 2, "b": null}\n')]),
    );
    expect(ref.schema).toEqual([
      { name: 'a', type: 'int', nullable: false },
      { name: 'b', type: 'string', nullable: true },
    ]);
    expect((await readDataset(store, ref)).toArray().map((row) => row.toJSON())).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: null },
    ]);
  });

  it('refuses an artifact that is not an Arrow file', async () => {
    const store = new FolderArtifactStore(join(scratch, 'store-d'));
    const artifact = await store.put(Buffer.from('not arrow'), { mediaType: 'text/plain' });
    const ref: DatasetRef = { artifact, schema: [], rowCount: 0, stats: [] };
    await expect(readDataset(store, ref)).rejects.toThrow(
      `dataset artifact ${artifact.digest} has media type "text/plain", not ${ARROW_FILE_MEDIA_TYPE}; it is not an Arrow IPC file`,
    );
  });

  it('leaves nothing behind when ingestion fails', async () => {
    const store = new FolderArtifactStore(join(scratch, 'store-e'));
    const tmpDir = join(scratch, 'tmp-e');
    await mkdir(tmpDir);
    await expect(
      ingestCsvToDataset(store, Readable.from([Buffer.from('a,b\n1\n')]), { tmpDir }),
    ).rejects.toThrow('line 2: expected 2 fields, found 1');
    expect(await readdir(tmpDir)).toEqual([]);
  });
});
