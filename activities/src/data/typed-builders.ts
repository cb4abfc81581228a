import { Bool, Float64, Int32, TimestampMillisecond, makeData, type Data } from 'apache-arrow';
import { TypedBuilder, copyBits, type BuilderContext, type ColumnPiece } from './column-builder';
import type { CsvChunk } from './csv-reader';
import { fieldText } from './csv-reader';
import { quoteValue } from './input-error';
import { parseBool, parseDecimal, parseTimestamp, parseTimestampText } from './value-parsers';

/** float: Float64. */
export class FloatBuilder extends TypedBuilder {
  readonly arrowType = new Float64();
  private values: Float64Array;

  constructor(name: string, overridden: boolean, context: BuilderContext, capacity: number) {
    super(name, 'float', overridden, context, capacity);
    this.values = new Float64Array(capacity);
  }

  appendCsv(chunk: CsvChunk, column: number, from: number, to: number): void {
    const { bytes, starts, ends, lines } = chunk;
    const width = chunk.columns.length;
    const values = this.values;
    const validity = this.validity;
    const fast = !this.context.nulls.numeric;
    for (let r = from; r < to; r++) {
      const i = r * width + column;
      const start = starts[i]!;
      const end = ends[i]!;
      if (fast && start >= 0) {
        if (start === end) {
          this.appendNull();
          continue;
        }
        const value = parseDecimal(bytes, start, end);
        if (value - value === 0) {
          const n = this.length++;
          values[n] = value;
          validity[n >> 3] = validity[n >> 3]! | (1 << (n & 7));
          continue;
        }
      }
      this.appendText(fieldText(bytes, start, end), lines[r]!);
    }
  }

  /** A null's slot is 0 (its array may hold values of an earlier batch). */
  protected override appendNull(): void {
    this.values[this.length] = 0;
    super.appendNull();
  }

  takePiece(): ColumnPiece {
    return { ...this.pieceValidity(), values: this.values.subarray(0, this.length), offsets: null, data: null };
  }

  appendPiece(piece: ColumnPiece, from: number, to: number): void {
    this.values.set((piece.values as Float64Array).subarray(from, to), this.length);
    this.appendPieceValidity(piece, from, to);
  }

  finish(): Data {
    const { length, nullCount, nullBitmap } = this.takeValidity();
    const data = makeData({
      type: this.arrowType,
      length,
      nullCount,
      nullBitmap,
      data: this.values.subarray(0, length),
    });
    this.lend('values', this.values);
    this.values = this.reuse('values', () => new Float64Array(this.capacity));
    return data;
  }

  protected parseText(text: string, line: number): number {
    return this.finiteNumber(text, line);
  }

  protected store(index: number, value: number): void {
    this.values[index] = value;
  }

  protected notThisType(shown: string): string {
    return `${shown} is not a number ${this.why}`;
  }

  protected fromJson(value: unknown): number | undefined {
    return typeof value === 'number' ? value : undefined;
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** int: Int32 (a fraction or a value beyond ±2^31 is an error that suggests float). */
export class IntBuilder extends TypedBuilder {
  readonly arrowType = new Int32();
  private values: Int32Array;

  constructor(name: string, overridden: boolean, context: BuilderContext, capacity: number) {
    super(name, 'int', overridden, context, capacity);
    this.values = new Int32Array(capacity);
  }

  appendCsv(chunk: CsvChunk, column: number, from: number, to: number): void {
    const { bytes, starts, ends, lines } = chunk;
    const width = chunk.columns.length;
    const values = this.values;
    const validity = this.validity;
    const fast = !this.context.nulls.numeric;
    for (let r = from; r < to; r++) {
      const i = r * width + column;
      const start = starts[i]!;
      const end = ends[i]!;
      if (fast && start >= 0) {
        if (start === end) {
          this.appendNull();
          continue;
        }
        const value = parseDecimal(bytes, start, end);
        // True only for an integer in the Int32 range.
        if (value === (value | 0)) {
          const n = this.length++;
          values[n] = value;
          validity[n >> 3] = validity[n >> 3]! | (1 << (n & 7));
          continue;
        }
      }
      this.appendText(fieldText(bytes, start, end), lines[r]!);
    }
  }

  /** A null's slot is 0 (its array may hold values of an earlier batch). */
  protected override appendNull(): void {
    this.values[this.length] = 0;
    super.appendNull();
  }

  takePiece(): ColumnPiece {
    return { ...this.pieceValidity(), values: this.values.subarray(0, this.length), offsets: null, data: null };
  }

  appendPiece(piece: ColumnPiece, from: number, to: number): void {
    this.values.set((piece.values as Int32Array).subarray(from, to), this.length);
    this.appendPieceValidity(piece, from, to);
  }

  finish(): Data {
    const { length, nullCount, nullBitmap } = this.takeValidity();
    const data = makeData({
      type: this.arrowType,
      length,
      nullCount,
      nullBitmap,
      data: this.values.subarray(0, length),
    });
    this.lend('values', this.values);
    this.values = this.reuse('values', () => new Int32Array(this.capacity));
    return data;
  }

  protected parseText(text: string, line: number): number {
    const value = this.finiteNumber(text, line);
    return Number.isNaN(value) ? value : this.checkInt(value, quoteValue(text), line);
  }

  private checkInt(value: number, shown: string, line: number): number {
    const toFloat = `set types: { ${JSON.stringify(this.name)}: "float" }`;
    if (!Number.isInteger(value)) throw this.fail(line, `${shown} is not an integer ${this.why}; ${toFloat}`);
    if (value < INT32_MIN || value > INT32_MAX) {
      throw this.fail(line, `${shown} does not fit a 32-bit integer ${this.why}; ${toFloat}`);
    }
    return value;
  }

  protected store(index: number, value: number): void {
    this.values[index] = value;
  }

  protected notThisType(shown: string): string {
    return `${shown} is not a number ${this.why}`;
  }

  protected fromJson(value: unknown, line: number): number | undefined {
    return typeof value === 'number' ? this.checkInt(value, String(value), line) : undefined;
  }
}

/** bool: Arrow Bool (true/false in any case, 1/0). */
export class BoolBuilder extends TypedBuilder {
  readonly arrowType = new Bool();
  private values: Uint8Array;

  constructor(name: string, overridden: boolean, context: BuilderContext, capacity: number) {
    super(name, 'bool', overridden, context, capacity);
    this.values = new Uint8Array((capacity + 7) >> 3);
  }

  appendCsv(chunk: CsvChunk, column: number, from: number, to: number): void {
    const { bytes, starts, ends, lines } = chunk;
    const width = chunk.columns.length;
    for (let r = from; r < to; r++) {
      const i = r * width + column;
      const start = starts[i]!;
      const end = ends[i]!;
      if (start >= 0) {
        const value = parseBool(bytes, start, end, false);
        if (value !== -1) {
          this.appendValue(value);
          continue;
        }
      }
      this.appendText(fieldText(bytes, start, end), lines[r]!);
    }
  }

  takePiece(): ColumnPiece {
    return { ...this.pieceValidity(), values: this.values, offsets: null, data: null };
  }

  appendPiece(piece: ColumnPiece, from: number, to: number): void {
    copyBits(piece.values as Uint8Array, from, to, this.values, this.length);
    this.appendPieceValidity(piece, from, to);
  }

  finish(): Data {
    const { length, nullCount, nullBitmap } = this.takeValidity();
    const data = makeData({ type: this.arrowType, length, nullCount, nullBitmap, data: this.values });
    this.values = new Uint8Array((this.capacity + 7) >> 3);
    return data;
  }

  protected parseText(text: string): number {
    const bytes = Buffer.from(text, 'utf8');
    const value = parseBool(bytes, 0, bytes.byteLength, false);
    return value === -1 ? NaN : value;
  }

  protected store(index: number, value: number): void {
    if (value === 1) this.values[index >> 3] = this.values[index >> 3]! | (1 << (index & 7));
  }

  protected notThisType(shown: string): string {
    return `${shown} is not a boolean (true, false, 1 or 0) ${this.why}`;
  }

  protected fromJson(value: unknown): number | undefined {
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value === 1 || value === 0 ? value : undefined;
  }
}

/** date: Arrow Timestamp in milliseconds, UTC. */
export class DateBuilder extends TypedBuilder {
  readonly arrowType = new TimestampMillisecond('UTC');
  private values: Float64Array;

  constructor(name: string, overridden: boolean, context: BuilderContext, capacity: number) {
    super(name, 'date', overridden, context, capacity);
    this.values = new Float64Array(capacity);
  }

  appendCsv(chunk: CsvChunk, column: number, from: number, to: number): void {
    const { bytes, starts, ends, lines } = chunk;
    const width = chunk.columns.length;
    for (let r = from; r < to; r++) {
      const i = r * width + column;
      const start = starts[i]!;
      const end = ends[i]!;
      if (start >= 0 && end > start) {
        const value = parseTimestamp(bytes, start, end);
        if (!Number.isNaN(value)) {
          this.appendValue(value);
          continue;
        }
      }
      this.appendText(fieldText(bytes, start, end), lines[r]!);
    }
  }

  takePiece(): ColumnPiece {
    return { ...this.pieceValidity(), values: this.values.subarray(0, this.length), offsets: null, data: null };
  }

  appendPiece(piece: ColumnPiece, from: number, to: number): void {
    this.values.set((piece.values as Float64Array).subarray(from, to), this.length);
    this.appendPieceValidity(piece, from, to);
  }

  finish(): Data {
    const { length, nullCount, nullBitmap } = this.takeValidity();
    const millis = new BigInt64Array(length);
    for (let i = 0; i < length; i++) millis[i] = BigInt(this.values[i]!);
    return makeData({ type: this.arrowType, length, nullCount, nullBitmap, data: millis });
  }

  protected parseText(text: string): number {
    return parseTimestampText(text);
  }

  protected store(index: number, value: number): void {
    this.values[index] = value;
  }

  protected notThisType(shown: string): string {
    return `${shown} is not an ISO 8601 date or date-time such as 2024-03-01 or 2024-03-01T12:30:00Z ${this.why}`;
  }

  /** A `Date` (from Parquet) is its time; JSON has no date values. */
  protected fromJson(value: unknown): number | undefined {
    return value instanceof Date ? value.getTime() : undefined;
  }
}
