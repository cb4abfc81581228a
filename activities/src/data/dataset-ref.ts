import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordBatchReader, tableFromIPC, type RecordBatch, type Table } from 'apache-arrow';
import type { ArtifactRef, ArtifactStore } from '../store/artifact-store';
import { ByteChannel, type ByteCopy } from './byte-channel';
import type { ColumnStats } from './column-stats';
import { columnsToArrow, type TypedColumn } from './columns-to-arrow';
import { csvToArrow, type CsvToArrowOptions } from './csv-to-arrow';
import { jsonlToArrow, type JsonlToArrowOptions } from './jsonl-to-arrow';
import { parquetToArrow, type ParquetToArrowOptions } from './parquet-to-arrow';
import type { TableWriteOptions, TableWriteResult } from './table-assembler';
import type { ByteInput } from './text-input';
import type { ColumnSchema } from './type-inference';

/** Media type of an Arrow IPC file (the random-access format). */
export const ARROW_FILE_MEDIA_TYPE = 'application/vnd.apache.arrow.file';

/**
 * The value on a `Dataset` port: an Arrow IPC file in the artifact store, with what a consumer wants
 * to know before opening it. JSON-serialisable.
 */
export interface DatasetRef {
  artifact: ArtifactRef;
  schema: ColumnSchema[];
  rowCount: number;
  stats: ColumnStats[];
}

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
  return ingest(store, options.tmpDir, (path, copyTo) => csvToArrow(input, path, { ...options, copyTo }));
}

/** Converts JSON Lines (stream or path) to Arrow, puts the file in the store and returns the dataset. */
export function ingestJsonlToDataset(
  store: ArtifactStore,
  input: ByteInput,
  options: JsonlToArrowOptions & IngestOptions = {},
): Promise<DatasetRef> {
  return ingest(store, options.tmpDir, (path, copyTo) => jsonlToArrow(input, path, { ...options, copyTo }));
}

/** Converts a Parquet file (a local path) to Arrow, puts the file in the store and returns the dataset. */
export function ingestParquetToDataset(
  store: ArtifactStore,
  path: string,
  options: ParquetToArrowOptions & IngestOptions = {},
): Promise<DatasetRef> {
  return ingest(store, options.tmpDir, (out, copyTo) => parquetToArrow(path, out, { ...options, copyTo }));
}

/** Writes typed column batches (see {@link columnsToArrow}) to Arrow, puts the file in the store and returns the dataset. */
export function ingestColumnsToDataset(
  store: ArtifactStore,
  columns: readonly TypedColumn[],
  batches: Iterable<readonly (readonly unknown[])[]> | AsyncIterable<readonly (readonly unknown[])[]>,
  options: TableWriteOptions & IngestOptions & { source?: string } = {},
): Promise<DatasetRef> {
  return ingest(store, options.tmpDir, (out, copyTo) =>
    columnsToArrow(columns, batches, out, { ...options, copyTo }),
  );
}

/**
 * Runs `write`, which writes the Arrow file at a temporary path and copies its bytes, as it writes
 * them, to the store (which hashes and stores them meanwhile, so the file is not read again).
 */
async function ingest(
  store: ArtifactStore,
  tmpDir: string | undefined,
  write: (path: string, copyTo: ByteCopy) => Promise<TableWriteResult>,
): Promise<DatasetRef> {
  const dir = await mkdtemp(join(tmpDir ?? tmpdir(), 'kiln-dataset-'));
  try {
    const path = join(dir, 'table.arrow');
    const channel = new ByteChannel();
    // The row count is only known at the end; `meta` is not part of an artifact's identity, and the
    // ref gets it below.
    const put = store.put(channel, { mediaType: ARROW_FILE_MEDIA_TYPE });
    put.catch((e: unknown) => channel.stop(e instanceof Error ? e : new Error(String(e))));
    let written: TableWriteResult;
    try {
      written = await write(path, channel);
    } catch (error) {
      channel.fail(error);
      const putError = await put.then(
        () => null,
        (e: unknown) => e,
      );
      // When the store failed first, its error is the one that explains.
      throw channel.readerStopped && putError !== null ? putError : error;
    }
    channel.end();
    const { schema, rowCount, stats } = written;
    const artifact: ArtifactRef = { ...(await put), meta: { rowCount, columns: schema.length } };
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
