import type { ColumnPiece } from './column-builders';
import { TableAssembler, type TableWriteOptions, type TableWriteResult } from './table-assembler';
import { NullTokens, type ColumnType } from './type-inference';

/** One typed column of {@link piecesToArrow}'s input. */
export interface TypedColumn {
  name: string;
  type: ColumnType;
}

/**
 * Writes columns that already have their types (rows of a dataset read back, a split) to an Arrow IPC
 * file with statistics, through the same builders as CSV, JSON Lines and Parquet. Each batch is one
 * {@link ColumnPiece} per column (of the builder's kind: Int32 for int, Float64 for float and date as
 * epoch ms, bits for bool, UTF-8 with offsets for text), appended as the CSV threads' pieces are.
 */
export async function piecesToArrow(
  columns: readonly TypedColumn[],
  batches: Iterable<readonly ColumnPiece[]> | AsyncIterable<readonly ColumnPiece[]>,
  outPath: string,
  options: TableWriteOptions & { source?: string } = {},
): Promise<TableWriteResult> {
  const context = { nulls: new NullTokens([]), sampleRows: 0, rows: true, ...(options.source ? { source: options.source } : {}) };
  const specs = columns.map((c) => ({ name: c.name, type: c.type, overridden: true }));
  const assembler = await TableAssembler.create(outPath, specs, context, options);
  try {
    for await (const pieces of batches) await assembler.appendPieces(pieces, pieces[0]?.length ?? 0);
    return await assembler.finish();
  } catch (error) {
    await assembler.abort();
    throw error;
  }
}
