import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetValue } from '@kiln/engine';
import { RecordBatchReader, tableFromIPC, type RecordBatch, type Table } from 'apache-arrow';
import type { ArtifactRef, ArtifactStore } from '@kiln/artifacts/artifact-store';
import type { ColumnPiece } from './column-builders';
import { piecesToArrow, type TypedColumn } from './columns-to-arrow';
import { csvToArrow, type CsvToArrowOptions } from './csv-to-arrow';
import { jsonlToArrow, type JsonlToArrowOptions } from './jsonl-to-arrow';
import { parquetToArrow, type ParquetToArrowOptions } from './parquet-to-arrow';
import type { TableWriteOptions, TableWriteResult } from './table-assembler';
import type { ByteInput } from './text-input';

/** Media type of an Arrow IPC file (the random-access format). */
export const ARROW_FILE_MEDIA_TYPE = 'application/vnd.apache.arrow.file';

/** The value on a `Dataset` port (its schema is the engine's `datasetValueSchema`). */
export type DatasetRef = DatasetValue;

/** Where ingestion writes its Arrow file before the store takes it (default: the OS temp folder). */
export interface IngestOptions {
  tmpDir?: string;
}

/** Converts a CSV (stream or path) to Arrow, puts the file in the store and returns the dataset. */
export function ingestCsvToDataset(
  store: ArtifactStore,
  input: ByteInput,
  options: CsvToArrowOptions & IngestOptions = {},
): Promise<DatasetRef> {
  return ingest(store, options.tmpDir, (path, sha256) => csvToArrow(input, path, { ...options, sha256 }));
}

/** Converts JSON Lines (stream or path) to Arrow, puts the file in the store and returns the dataset. */
export function ingestJsonlToDataset(
  store: ArtifactStore,
  input: ByteInput,
  options: JsonlToArrowOptions & IngestOptions = {},
): Promise<DatasetRef> {
  return ingest(store, options.tmpDir, (path, sha256) => jsonlToArrow(input, path, { ...options, sha256 }));
}

/** Converts a Parquet file (a local path) to Arrow, puts the file in the store and returns the dataset. */
export function ingestParquetToDataset(
  store: ArtifactStore,
  path: string,
  options: ParquetToArrowOptions & IngestOptions = {},
): Promise<DatasetRef> {
  return ingest(store, options.tmpDir, (out, sha256) => parquetToArrow(path, out, { ...options, sha256 }));
}

/** Writes typed column pieces (see {@link piecesToArrow}) to Arrow, puts the file in the store and returns the dataset. */
export function ingestPiecesToDataset(
  store: ArtifactStore,
  columns: readonly TypedColumn[],
  batches: Iterable<readonly ColumnPiece[]> | AsyncIterable<readonly ColumnPiece[]>,
  options: TableWriteOptions & IngestOptions & { source?: string } = {},
): Promise<DatasetRef> {
  return ingest(store, options.tmpDir, (out, sha256) => piecesToArrow(columns, batches, out, { ...options, sha256 }));
}

/**
 * Runs `write`, which writes the Arrow file at a temporary path, hashing its bytes as it writes them;
 * the store then adopts the file as it is (moved, not read again).
 */
async function ingest(
  store: ArtifactStore,
  tmpDir: string | undefined,
  write: (path: string, sha256: true) => Promise<TableWriteResult>,
): Promise<DatasetRef> {
  const dir = await mkdtemp(join(tmpDir ?? tmpdir(), 'kiln-dataset-'));
  try {
    const path = join(dir, 'table.arrow');
    const { schema, rowCount, stats, byteLength, sha256 } = await write(path, true);
    const stored = await store.adoptFile(path, `sha256:${sha256!}`, byteLength, { mediaType: ARROW_FILE_MEDIA_TYPE });
    const artifact: ArtifactRef = { ...stored, meta: { rowCount, columns: schema.length } };
    return { artifact, schema, rowCount, stats };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The whole dataset as an Arrow table (in memory: use {@link readDatasetBatches} for large ones). */
export async function readDataset(store: ArtifactStore, ref: DatasetRef): Promise<Table> {
  const path = await store.localPath(checkedDigest(ref));
  return tableFromIPC(await readFile(path));
}

/** The record batches of a dataset, read from its file one at a time. */
export async function* readDatasetBatches(
  store: ArtifactStore,
  ref: DatasetRef,
): AsyncGenerator<RecordBatch> {
  const path = await store.localPath(checkedDigest(ref));
  const handle = await open(path, 'r');
  try {
    const reader = await RecordBatchReader.from(handle);
    for await (const batch of reader) yield batch;
  } finally {
    await handle.close();
  }
}

function checkedDigest(ref: DatasetRef): string {
  if (ref.artifact.mediaType !== ARROW_FILE_MEDIA_TYPE) {
    throw new Error(
      `dataset artifact ${ref.artifact.digest} has media type ${JSON.stringify(ref.artifact.mediaType)}, ` +
        `not ${ARROW_FILE_MEDIA_TYPE}; it is not an Arrow IPC file`,
    );
  }
  return ref.artifact.digest;
}
