import type { Data, DataType } from 'apache-arrow';
import type { CsvChunk } from './csv-reader';
import { DataInputError, quoteValue } from './input-error';
import type { ColumnType, NullTokens } from './type-inference';
import { isNonFiniteLiteral, parseDecimal } from './value-parsers';

/** What a builder needs to know to convert cells and to explain a bad one. */
export interface BuilderContext {
  source?: string;
  nulls: NullTokens;
  /** Rows the types were inferred from (for error messages). */
  sampleRows: number;
  /** Messages name rows, not lines: the input has no lines (Parquet). */
  rows?: boolean;
}

/**
 * Converts one column's cells into an Arrow array of up to `capacity` rows, then starts over. A cell
 * that does not fit the column type throws {@link DataInputError} naming the line, the column and the
 * value, and saying how to fix it.
 */
export abstract class ColumnBuilder {
  abstract readonly arrowType: DataType;
  protected length = 0;
  protected nullCount = 0;
  protected validity: Uint8Array;

  constructor(
    readonly name: string,
    readonly type: ColumnType,
    protected readonly overridden: boolean,
    protected readonly context: BuilderContext,
    protected readonly capacity: number,
  ) {
    this.validity = new Uint8Array((capacity + 7) >> 3);
  }

  /** Appends rows `[from, to)` of a CSV chunk. */
  abstract appendCsv(chunk: CsvChunk, column: number, from: number, to: number): void;

  /** Appends rows `[from, to)` of row-major JSON values (`undefined` for a missing key). */
  appendJson(
    cells: readonly unknown[],
    width: number,
    column: number,
    from: number,
    to: number,
    lines: ArrayLike<number>,
  ): void {
    for (let r = from; r < to; r++) {
      const value = cells[r * width + column];
      if (
        value === null ||
        value === undefined ||
        (typeof value === 'string' && this.context.nulls.values.has(value))
      ) {
        this.appendNull();
      } else {
        this.appendJsonValue(value, lines[r]!);
      }
    }
  }

  /** The Arrow data of the rows appended since the last call. */
  abstract finish(): Data;

  protected abstract appendJsonValue(value: unknown, line: number): void;

  protected appendNull(): void {
    this.nullCount++;
    this.length++;
  }

  protected takeValidity(): { nullCount: number; nullBitmap: Uint8Array | undefined; length: number } {
    const taken = {
      nullCount: this.nullCount,
      nullBitmap: this.nullCount > 0 ? this.validity : undefined,
      length: this.length,
    };
    this.validity = new Uint8Array((this.capacity + 7) >> 3);
    this.nullCount = 0;
    this.length = 0;
    return taken;
  }

  protected fail(line: number, message: string): DataInputError {
    const where = this.context.rows ? { row: line, column: this.name } : { line, column: this.name };
    return new DataInputError(
      message,
      this.context.source === undefined ? where : { source: this.context.source, ...where },
    );
  }

  /** Why the column has its type, for messages. */
  protected get why(): string {
    return this.overridden
      ? `(the column is ${this.type}, as set in types)`
      : `(the column is ${this.type}, inferred from the first ${this.context.sampleRows} rows)`;
  }

  protected get asText(): string {
    return `set types: { ${JSON.stringify(this.name)}: "string" } to keep the column as text`;
  }
}

/** int, float, date and bool: one number per row, parsed from bytes on the fast path. */
export abstract class TypedBuilder extends ColumnBuilder {
  /** The value of a non-null text cell, or NaN if it is not of this type (or throws a precise error). */
  protected abstract parseText(text: string, line: number): number;
  protected abstract store(index: number, value: number): void;
  /** The message for text that is not of this type. */
  protected abstract notThisType(text: string): string;

  /** The slow path for one cell: null tokens, escaped quotes, errors. */
  protected appendText(text: string, line: number): void {
    if (this.context.nulls.values.has(text) || text.trim() === '') return this.appendNull();
    const value = this.parseText(text, line);
    if (Number.isNaN(value)) {
      throw this.fail(
        line,
        `${this.notThisType(quoteValue(text))}; ${this.asText}, or list ${quoteValue(text)} in nullValues to read it as null`,
      );
    }
    this.appendValue(value);
  }

  protected appendValue(value: number): void {
    this.store(this.length, value);
    const i = this.length++;
    this.validity[i >> 3] = this.validity[i >> 3]! | (1 << (i & 7));
  }

  protected appendJsonValue(value: unknown, line: number): void {
    if (typeof value === 'string') return this.appendText(value, line);
    const parsed = this.fromJson(value, line);
    if (parsed === undefined || Number.isNaN(parsed)) {
      const shown = JSON.stringify(value) ?? String(value);
      throw this.fail(
        line,
        `${this.notThisType(shown.length > 60 ? `${shown.slice(0, 57)}...` : shown)}; ${this.asText}`,
      );
    }
    this.appendValue(parsed);
  }

  /** The value of a non-string JSON value, or undefined if it does not fit. */
  protected abstract fromJson(value: unknown, line: number): number | undefined;

  /** Parses a finite number or throws, for int and float columns. */
  protected finiteNumber(text: string, line: number): number {
    const bytes = Buffer.from(text, 'utf8');
    const value = parseDecimal(bytes, 0, bytes.byteLength);
    if (Number.isFinite(value)) return value;
    if (!Number.isNaN(value) || isNonFiniteLiteral(text)) {
      throw this.fail(
        line,
        `${quoteValue(text)} is not a finite number; list ${quoteValue(text.trim())} in nullValues to read it as null`,
      );
    }
    return NaN;
  }
}
