import { readCsv, type CsvChunk, type CsvReadOptions } from './csv-reader';
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
export interface CsvToArrowOptions extends CsvReadOptions, TypeOptions, TableWriteOptions {}

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
  const chunks = readCsv(input, options, spares);
  try {
    const sample: CsvChunk[] = [];
    let sampled = 0;
    while (sampled < batchRows) {
      const next = await chunks.next();
      if (next.done) break;
      sample.push(next.value);
      sampled += next.value.rowCount;
    }
    // readCsv yields at least one chunk, or throws.
    const columns = sample[0]!.columns;
    const sampleRows = Math.min(sampled, batchRows);
    const { types, overridden } = resolveColumnTypes(
      columns,
      tallyCsvSample(sample, columns.length, sampleRows, nulls),
      options.types,
    );
    const source = sourceName(input, options.source);
    const context = source === undefined ? { nulls, sampleRows } : { nulls, sampleRows, source };
    const specs = columns.map((name, i) => ({ name, type: types[i]!, overridden: overridden[i]! }));
    const assembler = await TableAssembler.create(outPath, specs, context, options);
    try {
      for (const chunk of sample.splice(0)) await assembler.appendCsv(chunk);
      for await (const chunk of chunks) {
        await assembler.appendCsv(chunk);
        // The builders copied what they need: the reader may fill the chunk's arrays again.
        if (spares.length < 2) spares.push(chunk);
      }
      return await assembler.finish();
    } catch (error) {
      await assembler.abort();
      throw error;
    }
  } finally {
    await chunks.return(undefined);
  }
}
