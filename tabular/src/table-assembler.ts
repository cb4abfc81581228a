import { rm } from 'node:fs/promises';
import { Field, RecordBatch, Schema, Struct, makeData } from 'apache-arrow';
import { ArrowFileWriter } from './arrow-file-writer';
import { columnBuilder, type BuilderContext, type ColumnBuilder, type ColumnPiece } from './column-builders';
import { StatsCollector, secondPassOverFile, type ColumnStats, type StatsOptions } from './column-stats';
import type { CsvChunk } from './csv-reader';
import type { HistogramHelpers } from './histogram-pass';
import { DataInputError } from './input-error';
import { MAX_OFFENDER_SHARE, MIN_VALUES_FOR_MAJORITY, toleratedOffenders, type ColumnSchema, type ColumnType } from './type-inference';
import { InlineHasher, type WriteHasher } from './write-hasher';

/** Options shared by the CSV and JSON Lines converters. */
export interface TableWriteOptions {
  /** Rows per Arrow record batch, and rows sampled to infer column types (default 65,536). */
  batchRows?: number;
  stats?: StatsOptions;
  /** Stops the conversion between batches. */
  signal?: AbortSignal;
  /** Hash the file's bytes as they are written (ingestion then stores the file without reading it again). */
  sha256?: boolean;
  /** What hashes them when `sha256` is set (default: this thread, as they go by). */
  hasher?: WriteHasher;
}

/** What a conversion wrote. */
export interface TableWriteResult {
  schema: ColumnSchema[];
  rowCount: number;
  stats: ColumnStats[];
  /** Size of the Arrow IPC file. */
  byteLength: number;
  /** SHA-256 (hex) of the file, when asked for. */
  sha256?: string;
}

export const DEFAULT_BATCH_ROWS = 65_536;

/**
 * Turns rows into Arrow record batches of `batchRows` rows, writes each to the file as soon as it is
 * full and adds it to the statistics; then the second pass (moments and histograms) reads the file back.
 */
export class TableAssembler {
  private readonly stats: StatsCollector;
  private rows = 0;
  private total = 0;

  private constructor(
    private readonly path: string,
    private readonly writer: ArrowFileWriter,
    private readonly schema: Schema,
    private readonly builders: readonly ColumnBuilder[],
    private readonly batchRows: number,
    private readonly options: TableWriteOptions,
  ) {
    this.stats = new StatsCollector(builders, options.stats);
  }

  static async create(
    path: string,
    columns: readonly { name: string; type: ColumnType; overridden: boolean }[],
    context: BuilderContext,
    options: TableWriteOptions,
  ): Promise<TableAssembler> {
    const batchRows = Math.max(1, options.batchRows ?? DEFAULT_BATCH_ROWS);
    const builders = columns.map((c) => columnBuilder(c.name, c.type, c.overridden, context, batchRows));
    const schema = new Schema(builders.map((b) => new Field(b.name, b.arrowType, true)));
    const hasher = options.sha256 ? (options.hasher ?? new InlineHasher()) : null;
    const writer = await ArrowFileWriter.create(path, schema, hasher);
    return new TableAssembler(path, writer, schema, builders, batchRows, options);
  }

  async appendCsv(chunk: CsvChunk): Promise<void> {
    for (let from = 0; from < chunk.rowCount;) {
      const to = Math.min(chunk.rowCount, from + this.batchRows - this.rows);
      this.builders.forEach((builder, c) => builder.appendCsv(chunk, c, from, to));
      this.rows += to - from;
      from = to;
      if (this.rows === this.batchRows) await this.flush();
    }
  }

  /** Appends the rows of column pieces (one per column, `rowCount` rows each). */
  async appendPieces(pieces: readonly ColumnPiece[], rowCount: number): Promise<void> {
    for (let from = 0; from < rowCount;) {
      const to = Math.min(rowCount, from + this.batchRows - this.rows);
      this.builders.forEach((builder, c) => builder.appendPiece(pieces[c]!, from, to));
      this.rows += to - from;
      from = to;
      if (this.rows === this.batchRows) await this.flush();
    }
  }

  /** Appends row-major JSON values (`undefined` for a missing key). */
  async appendJson(cells: readonly unknown[], lines: ArrayLike<number>, rowCount: number): Promise<void> {
    const width = this.builders.length;
    for (let from = 0; from < rowCount;) {
      const to = Math.min(rowCount, from + this.batchRows - this.rows);
      this.builders.forEach((builder, c) => builder.appendJson(cells, width, c, from, to, lines));
      this.rows += to - from;
      from = to;
      if (this.rows === this.batchRows) await this.flush();
    }
  }

  /**
   * Appends column-major values (Parquet): `columns[c]` holds `rowCount` values of column `c`, typed
   * as JSON values are (`null` or `undefined` for a null, a `Date` for a date); `rows[r]` numbers row
   * `r` for messages.
   */
  async appendColumns(
    columns: readonly (readonly unknown[])[],
    rows: ArrayLike<number>,
    rowCount: number,
  ): Promise<void> {
    for (let from = 0; from < rowCount;) {
      const to = Math.min(rowCount, from + this.batchRows - this.rows);
      // A column is a one-wide row-major table, so the JSON path converts it.
      this.builders.forEach((builder, c) => builder.appendJson(columns[c]!, 1, 0, from, to, rows));
      this.rows += to - from;
      from = to;
      if (this.rows === this.batchRows) await this.flush();
    }
  }

  /**
   * Writes the last batch and the footer, runs the second pass (with `helpers`' threads counting
   * shares of it) and reports.
   */
  async finish(helpers?: HistogramHelpers): Promise<TableWriteResult> {
    if (this.rows > 0) await this.flush();
    const { byteLength, sha256 } = await this.writer.close();
    await secondPassOverFile(this.path, this.schema, this.stats, helpers);
    const stats = this.stats.finish().map((s, i) => {
      const builder = this.builders[i]!;
      const { count } = builder.offenders;
      if (count === 0) return s;
      const values = s.count + count;
      if (count > toleratedOffenders(values)) throw tooManyOffenders(builder, values);
      return { ...s, offenders: builder.offenders };
    });
    return {
      schema: this.builders.map((b, i) => ({
        name: b.name,
        type: b.type,
        nullable: stats[i]!.nullCount > 0,
      })),
      rowCount: this.total,
      stats,
      byteLength,
      ...(sha256 === undefined ? {} : { sha256 }),
    };
  }

  /** Closes and removes the unfinished file. */
  async abort(): Promise<void> {
    await this.writer.abort().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private async flush(): Promise<void> {
    this.options.signal?.throwIfAborted();
    const children = this.builders.map((b) => b.finish());
    const data = makeData({
      type: new Struct(this.schema.fields),
      length: this.rows,
      nullCount: 0,
      children,
    });
    const batch = new RecordBatch(this.schema, data);
    this.stats.addBatch(batch);
    await this.writer.write(batch);
    // The batch before this one is on disk: its arrays can be filled again.
    for (const builder of this.builders) builder.releaseWritten();
    this.total += this.rows;
    this.rows = 0;
  }
}

/** The first offender's error, saying that too many cells break the column's inferred type to read them as null. */
function tooManyOffenders(builder: ColumnBuilder, values: number): Error {
  const first = builder.firstOffence!;
  if (!(first instanceof DataInputError)) return first;
  const { count } = builder.offenders;
  const more =
    ` (${count.toLocaleString('en-US')} of ${values.toLocaleString('en-US')} values do not fit ${builder.type}; ` +
    `up to ${MAX_OFFENDER_SHARE * 100}% of ${MIN_VALUES_FOR_MAJORITY} values or more are read as null and reported instead)`;
  return new DataInputError(first.detail + more, {
    ...(first.source === undefined ? {} : { source: first.source }),
    ...(first.row === undefined ? {} : { row: first.row }),
    ...(first.line === undefined ? {} : { line: first.line }),
    ...(first.column === undefined ? {} : { column: first.column }),
  });
}
