import { basename } from 'node:path';
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
  type SchemaTree,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DataInputError } from './input-error';
import {
  DEFAULT_BATCH_ROWS,
  TableAssembler,
  type TableWriteOptions,
  type TableWriteResult,
} from './table-assembler';
import { NullTokens, TypeTally, resolveColumnTypes, type ColumnType, type TypeOptions } from './type-inference';

/** Options of {@link parquetToArrow}. */
export interface ParquetToArrowOptions extends TypeOptions, TableWriteOptions {
  /** A name for the input in error messages (default: the file name). */
  source?: string;
}

/**
 * How a Parquet column becomes one of ours. `int64` columns are integers wider than Int32 in the
 * file; their type comes from their values, as a CSV column's does.
 */
type ParquetKind = ColumnType | 'integer' | 'nested';

/**
 * Converts a Parquet file (a local path) into an Arrow IPC file, like {@link csvToArrow}: one row
 * group is read and decoded at a time (hyparquet, pure JS; snappy, gzip, zstd, brotli and lz4 pages),
 * so memory is bounded by the largest row group, not the file. Types come from the Parquet schema:
 * booleans are `bool`; 8–32-bit integers `int`; 64-bit and unsigned 32-bit integers `int` when the
 * first `batchRows` values fit Int32, else `float`, or `string` beyond 2^53; floats, doubles and
 * decimals `float` (NaN is null); DATE, TIMESTAMP and INT96 `date`; text, enums, UUIDs and binary
 * `string`; lists, maps and structs `string` holding JSON. Nulls stay null. `types` overrides as for
 * CSV. `nullValues` (default none) makes matching strings null.
 */
export async function parquetToArrow(
  input: string | AsyncBuffer,
  outPath: string,
  options: ParquetToArrowOptions = {},
): Promise<TableWriteResult> {
  const source = options.source ?? (typeof input === 'string' ? basename(input) : undefined);
  const where = source === undefined ? {} : { source };
  const file = typeof input === 'string' ? await asyncBufferFromFile(input) : input;
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new DataInputError(`not a readable Parquet file: ${(error as Error).message}`, where);
  }
  const tree = parquetSchema(metadata);
  const columns = tree.children.map((child) => child.element.name);
  if (columns.length === 0) throw new DataInputError('the Parquet file has no columns', where);
  const kinds = tree.children.map(parquetKind);

  const batchRows = Math.max(1, options.batchRows ?? DEFAULT_BATCH_ROWS);
  const nulls = new NullTokens(options.nullValues ?? []);
  const groups = rowGroups(metadata);
  const read = (group: { start: number; end: number }) => readGroup(file, metadata, columns, group, where);

  // Wide integers are typed by their first values, which are in the first row group(s).
  const tallies = columns.map(() => new TypeTally());
  const pending: { group: { start: number; end: number }; values: unknown[][] }[] = [];
  let sampleRows = 0;
  if (kinds.includes('integer')) {
    for (const group of groups) {
      if (sampleRows >= batchRows) break;
      const values = await read(group);
      const take = Math.min(batchRows - sampleRows, group.end - group.start);
      kinds.forEach((kind, c) => {
        if (kind !== 'integer') return;
        const column = values[c]!;
        for (let r = 0; r < take; r++) {
          const value = column[r];
          if (value !== null && value !== undefined) tallies[c]!.addJson(Number(value));
        }
      });
      sampleRows += take;
      pending.push({ group, values });
    }
  }
  const resolved = resolveColumnTypes(columns, tallies, options.types).types;
  const types = kinds.map((kind, c) =>
    Object.hasOwn(options.types ?? {}, columns[c]!)
      ? resolved[c]!
      : kind === 'integer'
        ? tallies[c]!.type() === 'string' && tallies[c]!.nonNull === 0
          ? 'int'
          : tallies[c]!.type()
        : kind === 'nested'
          ? 'string'
          : kind,
  );
  const overridden = columns.map((name) => Object.hasOwn(options.types ?? {}, name));
  const context = {
    nulls,
    sampleRows: Math.max(sampleRows, Math.min(batchRows, Number(metadata.num_rows))),
    rows: true,
    ...where,
  };
  const specs = columns.map((name, c) => ({ name, type: types[c]!, overridden: overridden[c]! }));
  const assembler = await TableAssembler.create(outPath, specs, context, options);
  try {
    for (const group of groups) {
      options.signal?.throwIfAborted();
      const values = pending.length > 0 ? pending.shift()!.values : await read(group);
      const rowCount = group.end - group.start;
      const cells = values.map((column, c) =>
        toCells(column, types[c]!, kinds[c]!, rowCount, group.start, columns[c]!, where),
      );
      const rows = new Float64Array(rowCount);
      for (let r = 0; r < rowCount; r++) rows[r] = group.start + r + 1;
      await assembler.appendColumns(cells, rows, rowCount);
    }
    return await assembler.finish();
  } catch (error) {
    await assembler.abort();
    throw error;
  }
}

function parquetKind(node: SchemaTree): ParquetKind {
  const { type, converted_type: converted, logical_type: logical, repetition_type: repetition } = node.element;
  if (node.children.length > 0 || repetition === 'REPEATED') return 'nested';
  if (logical?.type === 'DATE' || logical?.type === 'TIMESTAMP') return 'date';
  if (converted === 'DATE' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS') return 'date';
  if (logical?.type === 'DECIMAL' || converted === 'DECIMAL' || logical?.type === 'FLOAT16') return 'float';
  switch (type) {
    case 'BOOLEAN':
      return 'bool';
    case 'INT32':
      return converted === 'UINT_32' || (logical?.type === 'INTEGER' && !logical.isSigned && logical.bitWidth === 32)
        ? 'integer'
        : 'int';
    case 'INT64':
      return 'integer';
    case 'INT96':
      return 'date';
    case 'FLOAT':
    case 'DOUBLE':
      return 'float';
    default:
      return 'string';
  }
}

function rowGroups(metadata: FileMetaData): { start: number; end: number }[] {
  const groups: { start: number; end: number }[] = [];
  let start = 0;
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    if (rows > 0) groups.push({ start, end: start + rows });
    start += rows;
  }
  return groups;
}

/** Decodes one row group: one array of values per top-level column. */
async function readGroup(
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: readonly string[],
  group: { start: number; end: number },
  where: { source?: string },
): Promise<unknown[][]> {
  const pieces = columns.map(() => [] as { rowStart: number; data: ArrayLike<unknown> }[]);
  const index = new Map(columns.map((name, c) => [name, c]));
  try {
    await parquetRead({
      file,
      metadata,
      compressors,
      rowStart: group.start,
      rowEnd: group.end,
      onChunk: ({ columnName, columnData, rowStart }) => {
        pieces[index.get(columnName)!]!.push({ rowStart, data: columnData });
      },
    });
  } catch (error) {
    throw new DataInputError(
      `cannot decode the Parquet row group of rows ${group.start + 1}–${group.end}: ${(error as Error).message}`,
      where,
    );
  }
  const rowCount = group.end - group.start;
  return pieces.map((list, c) => {
    const values = new Array<unknown>(rowCount);
    let filled = 0;
    for (const { rowStart, data } of list) {
      for (let i = 0; i < data.length; i++) {
        const r = rowStart - group.start + i;
        if (r < 0 || r >= rowCount) continue;
        values[r] = data[i];
        filled++;
      }
    }
    if (filled !== rowCount) {
      throw new DataInputError(
        `column ${JSON.stringify(columns[c])} has ${filled} values in the row group of rows ${group.start + 1}–${group.end}`,
        where,
      );
    }
    return values;
  });
}

/** Values as the builders take JSON values: NaN is null, wide integers numbers, nested values JSON. */
function toCells(
  values: unknown[],
  type: ColumnType,
  kind: ParquetKind,
  rowCount: number,
  firstRow: number,
  column: string,
  where: { source?: string },
): unknown[] {
  for (let r = 0; r < rowCount; r++) {
    const value = values[r];
    if (value === null || value === undefined) continue;
    if (typeof value === 'number') {
      if (Number.isNaN(value)) values[r] = null;
      else if (!Number.isFinite(value) && type !== 'string') {
        throw new DataInputError(`${value} is not a finite number; set types: { ${JSON.stringify(column)}: "string" } to keep it as text`, {
          ...where,
          row: firstRow + r + 1,
          column,
        });
      }
    } else if (typeof value === 'bigint') {
      values[r] = type === 'string' || !Number.isSafeInteger(Number(value)) ? String(value) : Number(value);
    } else if (value instanceof Date) {
      if (type !== 'date') values[r] = Number.isNaN(value.getTime()) ? null : value.toISOString();
      else if (Number.isNaN(value.getTime())) values[r] = null;
    } else if (value instanceof Uint8Array) {
      values[r] = Buffer.from(value).toString('base64');
    } else if (kind === 'nested' || (type === 'string' && typeof value === 'object')) {
      values[r] = jsonText(value);
    }
  }
  return values;
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : String(v)) : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
  );
}
