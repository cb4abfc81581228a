import { stat } from 'node:fs/promises';
import { RegionWorkers, convertInWorkers, defaultCsvThreads } from './csv-parallel';
import { CsvReader, type CsvChunk, type CsvReadOptions } from './csv-reader';
import { RegionConverter } from './csv-region';
import {
  DEFAULT_BATCH_ROWS,
  TableAssembler,
  type TableWriteOptions,
  type TableWriteResult,
} from './table-assembler';
import { sourceName, type ByteInput } from './text-input';
import {
  DEFAULT_NULL_VALUES,
  NullTokens,
  resolveColumnTypes,
  tallyCsvSample,
  type TypeOptions,
} from './type-inference';

/** Options of {@link csvToArrow}. */
export interface CsvToArrowOptions extends CsvReadOptions, TypeOptions, TableWriteOptions {
  /**
   * Worker threads that parse the input once its sample is read (a file of `parallelFrom` bytes or
   * more; a stream once that many bytes are read); 0 keeps everything on the calling thread. Default: 1 for a file path (its size is known) when there are 2 cores or
   * more, else 0. The calling thread still assembles batches, computes statistics, writes and hashes,
   * which costs about as much as parsing, so more than one thread rarely pays off.
   */
  threads?: number;
  /** The smallest input worth the threads (default 16 MB): see {@link threads}. */
  parallelFrom?: number;
}

const MAX_THREADS = 8;
const PARALLEL_FROM = 16 << 20;

/**
 * Converts a CSV (a byte stream or a file path) into an Arrow IPC file at `outPath`, streaming:
 * column types are inferred from the first `batchRows` rows (or set by `types`), then rows are
 * converted and written one record batch at a time, so memory does not grow with the input.
 * Statistics come from the same pass plus one pass over the written file (for histograms).
 * On an error the partial file is removed.
 */
export async function csvToArrow(
  input: ByteInput,
  outPath: string,
  options: CsvToArrowOptions = {},
): Promise<TableWriteResult> {
  const batchRows = Math.max(1, options.batchRows ?? DEFAULT_BATCH_ROWS);
  const nulls = new NullTokens(options.nullValues ?? DEFAULT_NULL_VALUES);
  const spares: CsvChunk[] = [];
  const reader = new CsvReader(input, options, spares);
  const threads = Math.max(
    0,
    Math.min(MAX_THREADS, Math.floor(options.threads ?? (typeof input === 'string' ? defaultCsvThreads() : 0))),
  );
  const parallelFrom = options.parallelFrom ?? PARALLEL_FROM;
  // Threads load their code while this one reads the sample, if the input is known to be large.
  // (A file that cannot be read fails as before, when the reader opens it.)
  const size = threads > 0 && typeof input === 'string' ? await fileSize(input) : 0;
  let workers = size >= parallelFrom && size > 0 ? new RegionWorkers(threads) : null;
  // A file large enough goes to the threads right after the sample; a stream, once that many bytes are read.
  const switchAt = workers !== null ? 0 : parallelFrom;
  try {
    const sample: CsvChunk[] = [];
    let sampled = 0;
    while (sampled < batchRows) {
      const next = await reader.next();
      if (next === null) break;
      sample.push(next);
      sampled += next.rowCount;
    }
    // readCsv yields at least one chunk, or throws.
    const columns = sample[0]!.columns;
    const sampleRows = Math.min(sampled, batchRows);
    const { types, overridden } = resolveColumnTypes(
      columns,
      tallyCsvSample(sample, columns.length, sampleRows, nulls),
      options.types,
    );
    reader.readColumns(types, nulls.values, nulls.numeric);
    const source = sourceName(input, options.source);
    const context = source === undefined ? { nulls, sampleRows, tolerant: true } : { nulls, sampleRows, source, tolerant: true };
    const specs = columns.map((name, i) => ({ name, type: types[i]!, overridden: overridden[i]! }));
    // With threads, one of them hashes the file (this one assembles, writes and counts).
    const hasher = workers !== null && options.sha256 ? { hasher: workers.hasher(outPath) } : {};
    const assembler = await TableAssembler.create(outPath, specs, context, { ...options, ...hasher });
    try {
      const appendSample = async () => {
        for (const chunk of sample.splice(0)) await assembler.appendCsv(chunk);
      };
      const toThreads = () => threads > 0 && reader.bytesRead >= switchAt;
      // Straight to the threads: they start on the first regions while this thread appends the sample.
      if (!toThreads()) await appendSample();
      for (;;) {
        if (toThreads()) {
          const rest = reader.takeRest();
          const setup = {
            delimiter: options.delimiter ?? ',',
            header: options.header ?? true,
            columns: [...columns],
            width: columns.length,
            specs,
            nullValues: [...nulls.values],
            sampleRows,
          };
          if (rest) {
            workers ??= new RegionWorkers(threads);
            workers.setup(setup);
            await convertInWorkers(rest, assembler, workers, { ...options, here: new RegionConverter(setup), first: appendSample });
          }
          await appendSample();
          break;
        }
        const chunk = await reader.next();
        if (chunk === null) break;
        await assembler.appendCsv(chunk);
        // The builders copied what they need: the reader may fill the chunk's arrays again.
        chunk.release?.();
        if (spares.length < 2) spares.push(chunk);
      }
      // The threads, done with the regions, count shares of the second pass (moments and histograms).
      return await assembler.finish(workers ?? undefined);
    } catch (error) {
      await assembler.abort();
      throw error;
    }
  } finally {
    workers?.close();
    await reader.close();
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
