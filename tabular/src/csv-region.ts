import { columnBuilder, type ColumnBuilder, type ColumnPiece } from './column-builders';
import type { CsvChunk } from './csv-reader';
import { CsvTokenizer } from './csv-tokenizer';
import { DataInputError } from './input-error';
import { NullTokens, type ColumnType } from './type-inference';

/** What a worker thread needs to convert regions of a CSV whose header and types are known. */
export interface RegionSetup {
  delimiter: string;
  /** Whether the input has a header row (error messages say so). */
  header: boolean;
  columns: string[];
  /** Fields per record. */
  width: number;
  specs: { name: string; type: ColumnType; overridden: boolean }[];
  nullValues: string[];
  sampleRows: number;
}

/**
 * An error of a region, to be thrown again by the thread that reads the regions in order: a
 * {@link DataInputError}'s line counts from 1 at the start of the region.
 */
export interface RegionError {
  message: string;
  /** Set for a {@link DataInputError}: its message without the place. */
  detail?: string;
  line?: number;
  column?: number | string;
}

/** The first bad cell of a column, at row `row` of the region. */
export interface CellFailure {
  column: number;
  row: number;
  error: RegionError;
}

/** A region of whole records converted into column pieces. */
export interface RegionResult {
  /** Bytes of the region that hold complete records (all of them unless the region was cut wrong). */
  consumed: number;
  /** Line breaks in the consumed bytes. */
  lines: number;
  rowCount: number;
  pieces: ColumnPiece[];
  /** Invalid UTF-8 or broken CSV syntax: nothing else of the region counts. */
  failure: RegionError | null;
  /** Per column, the first cell that does not fit the column's type. */
  cellFailures: CellFailure[];
}

/**
 * Converts regions of a CSV (starting at a record boundary, after the header) into column pieces
 * with the same tokenizer and builders as the single-thread path: what runs on a worker thread.
 * Errors are returned, not thrown, with lines counted from the region start. The pieces' arrays are
 * in shared memory; once copied, they come back through {@link giveBack} to be filled again.
 */
export class RegionConverter {
  private readonly tokenizer: CsvTokenizer;
  private readonly builders: ColumnBuilder[];
  private readonly spares: CsvChunk[] = [];

  constructor(private readonly setup: RegionSetup) {
    this.tokenizer = new CsvTokenizer({ delimiter: setup.delimiter, header: setup.header }, undefined, this.spares);
    const context = { nulls: new NullTokens(setup.nullValues), sampleRows: setup.sampleRows, shared: true };
    this.tokenizer.readColumns(
      setup.specs.map((spec) => spec.type),
      context.nulls.values,
      context.nulls.numeric,
    );
    this.builders = setup.specs.map((spec) => columnBuilder(spec.name, spec.type, spec.overridden, context, 1));
  }

  /** The arrays of pieces this converter returned, free to fill again. */
  giveBack(pieces: readonly ColumnPiece[]): void {
    pieces.forEach((piece, c) => this.builders[c]!.giveBack(piece));
  }

  convert(bytes: Buffer, final: boolean): RegionResult {
    const { columns, width } = this.setup;
    this.tokenizer.resume({ line: 1, columns, width });
    let chunk: CsvChunk | null;
    let carry: Buffer;
    try {
      ({ chunk, carry } = this.tokenizer.feed(bytes, final));
    } catch (error) {
      return { consumed: 0, lines: 0, rowCount: 0, pieces: [], failure: regionError(error), cellFailures: [] };
    }
    const rowCount = chunk?.rowCount ?? 0;
    const cellFailures: CellFailure[] = [];
    const pieces = this.builders.map((builder, c) => {
      builder.startPiece(Math.max(1, rowCount));
      try {
        if (chunk !== null) builder.appendCsv(chunk, c, 0, rowCount);
      } catch (error) {
        const row = error instanceof DataInputError ? rowOfLine(chunk!.lines, error.line!) : 0;
        cellFailures.push({ column: c, row, error: regionError(error) });
      }
      return builder.takePiece();
    });
    if (chunk !== null) {
      chunk.release?.();
      this.spares.push(chunk);
    }
    return {
      consumed: bytes.byteLength - carry.byteLength,
      lines: this.tokenizer.state.line - 1,
      rowCount,
      pieces,
      failure: null,
      cellFailures,
    };
  }
}

function regionError(error: unknown): RegionError {
  if (error instanceof DataInputError) {
    return {
      message: error.message,
      detail: error.detail,
      ...(error.line === undefined ? {} : { line: error.line }),
      ...(error.column === undefined ? {} : { column: error.column }),
    };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/** The row that starts on `line` (rows start on increasing lines). */
function rowOfLine(lines: Float64Array, line: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]! < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A region error as the error to throw, its line counted from `firstLine`, the region's first line. */
export function regionErrorToThrow(error: RegionError, firstLine: number, source: string | undefined): Error {
  if (error.detail === undefined) return new Error(error.message);
  const where = {
    ...(source === undefined ? {} : { source }),
    ...(error.line === undefined ? {} : { line: error.line + firstLine - 1 }),
    ...(error.column === undefined ? {} : { column: error.column }),
  };
  return new DataInputError(error.detail, where);
}
