import { TableAssembler, type TableWriteOptions, type TableWriteResult } from './table-assembler';
import { NullTokens, type ColumnType } from './type-inference';

/** One typed column of {@link columnsToArrow}'s input. */
export interface TypedColumn {
  name: string;
  type: ColumnType;
}

/**
 * Writes columns that already have their types (rows of a dataset read back, a split) to an Arrow IPC
 * file with statistics, through the same builders as CSV, JSON Lines and Parquet. `batches` yields
 * column-major values, one array per column, as the JSON path takes them: `null` or `undefined` for a
 * null, numbers, booleans, strings, and `Date`s or ISO text for `date` columns.
 */
export async function columnsToArrow(
  columns: readonly TypedColumn[],
  batches: Iterable<readonly (readonly unknown[])[]> | AsyncIterable<readonly (readonly unknown[])[]>,
  outPath: string,
  options: TableWriteOptions & { source?: string } = {},
): Promise<TableWriteResult> {
  const context = { nulls: new NullTokens([]), sampleRows: 0, rows: true, ...(options.source ? { source: options.source } : {}) };
  const specs = columns.map((c) => ({ name: c.name, type: c.type, overridden: true }));
  const assembler = await TableAssembler.create(outPath, specs, context, options);
  try {
    let first = 1;
    for await (const batch of batches) {
      const rowCount = batch[0]?.length ?? 0;
      const rows = new Float64Array(rowCount);
      for (let r = 0; r < rowCount; r++) rows[r] = first + r;
      await assembler.appendColumns(batch, rows, rowCount);
      first += rowCount;
    }
    return await assembler.finish();
  } catch (error) {
    await assembler.abort();
    throw error;
  }
}
