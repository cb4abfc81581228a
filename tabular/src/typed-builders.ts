import { Bool, Float64, Int32, TimestampMillisecond, makeData, type Data } from 'apache-arrow';
import { TypedBuilder, copyBits, newArray, type BuilderContext, type ColumnPiece } from './column-builder';
import type { CsvChunk } from './csv-reader';
import { csvKernel } from './csv-kernel';
import { fieldText } from './csv-reader';
import { quoteValue } from './input-error';
import { parseBool, parseDecimal, plainDecimal, parseTimestamp, parseTimestampText } from './value-parsers';

/** Float64Array or Int32Array: the value arrays of the numeric builders. */
type NumberArray = Float64Array | Int32Array;

/**
 * float, int and date: one fixed-width number per row in a value array, which pieces from worker
 * threads are copied into, and which is reused once a batch is written (so a null's slot is zeroed:
 * it may hold a value of an earlier batch, and the file's bytes must not depend on that).
 */
abstract class NumberArrayBuilder<T extends NumberArray> extends TypedBuilder {
  protected values: T;

  constructor(
    name: string,
    type: 'float' | 'int' | 'date',
    overridden: boolean,
    context: BuilderContext,
    capacity: number,
    private readonly Type: { new (length: number): T; new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  ) {
    super(name, type, overridden, context, capacity);
    this.values = this.makeArray(capacity);
  }

  private makeArray(length: number): T {
    return newArray(this.Type, length, this.context.shared);
  }

  /**
   * Cells parsed from their bytes: the plain-decimal fast path first (small enough to be inlined, so
   * no number is boxed per cell), the general parser only for what it rejects. A value the column
   * cannot hold (a fraction or beyond Int32 for int, ±Infinity for float) goes the text path, which
   * explains it.
   */
  appendCsv(chunk: CsvChunk, column: number, from: number, to: number): void {
    const { bytes, lines } = chunk;
    // Read only for the cells the kernel left (its chunks copy their offsets out when first read).
    let starts: Int32Array | null = null;
    let ends: Int32Array | null = null;
    const width = chunk.columns.length;
    const values = this.values;
    const validity = this.validity;
    const fast = !this.context.nulls.numeric;
    const integer = this.type === 'int';
    const generation = fast ? (chunk.kernelGeneration ?? 0) : 0;
    const kernel = generation > 0 ? csvKernel() : null;
    for (let r = from; r < to; r++) {
      if (kernel !== null) {
        // The plain and empty cells from here on, read by the WebAssembly kernel; the loop takes
        // the first cell it stopped at.
        const n = kernel.numbers(generation, column, r, to, values, validity, this.length);
        if (n > 0) {
          this.length += n;
          this.nullCount += kernel.nulls;
          r += n;
          if (r === to) break;
        }
      }
      const i = r * width + column;
      starts ??= chunk.starts;
      ends ??= chunk.ends;
      const start = starts[i]!;
      const end = ends[i]!;
      if (fast && start >= 0) {
        if (start === end) {
          this.appendNull();
          continue;
        }
        let value = plainDecimal(bytes, start, end);
        if (value !== value) value = parseDecimal(bytes, start, end);
        // An integer in the Int32 range, or a finite number.
        if (integer ? value === (value | 0) : value - value === 0) {
          const n = this.length++;
          values[n] = value;
          validity[n >> 3] = validity[n >> 3]! | (1 << (n & 7));
          continue;
        }
      }
      this.appendText(fieldText(bytes, start, end), lines[r]!);
    }
  }

  protected override appendNull(): void {
    this.values[this.length] = 0;
    super.appendNull();
  }

  takePiece(): ColumnPiece {
    const piece = { ...this.pieceValidity(), values: this.values.subarray(0, this.length), offsets: null, data: null };
    this.handOut('values');
    return piece;
  }

  override startPiece(capacity: number): void {
    super.startPiece(capacity);
    this.values = this.pieceArray('values', this.values, capacity, (n) => this.makeArray(n));
  }

  override giveBack(piece: ColumnPiece): void {
    super.giveBack(piece);
    this.keepSpare('values', new this.Type(piece.values!.buffer as SharedArrayBuffer));
  }

  appendPiece(piece: ColumnPiece, from: number, to: number): void {
    this.values.set((piece.values as T).subarray(from, to), this.length);
    this.appendPieceValidity(piece, from, to);
  }

  protected store(index: number, value: number): void {
    this.values[index] = value;
  }

  /** The batch's values (its first `length`), lent to its Arrow data; a spare array takes their place. */
  protected takeValues(length: number): T {
    const values = this.values.subarray(0, length) as T;
    this.lend('values', this.values);
    this.values = this.reuse('values', () => this.makeArray(this.capacity));
    return values;
  }
}

/** float: Float64. */
export class FloatBuilder extends NumberArrayBuilder<Float64Array> {
  readonly arrowType = new Float64();

  constructor(name: string, overridden: boolean, context: BuilderContext, capacity: number) {
    super(name, 'float', overridden, context, capacity, Float64Array);
  }

  finish(): Data {
    const { length, nullCount, nullBitmap } = this.takeValidity();
    return makeData({ type: this.arrowType, length, nullCount, nullBitmap, data: this.takeValues(length) });
  }

  protected parseText(text: string, line: number): number {
    return this.finiteNumber(text, line);
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
export class IntBuilder extends NumberArrayBuilder<Int32Array> {
  readonly arrowType = new Int32();

  constructor(name: string, overridden: boolean, context: BuilderContext, capacity: number) {
    super(name, 'int', overridden, context, capacity, Int32Array);
  }

  finish(): Data {
    const { length, nullCount, nullBitmap } = this.takeValidity();
    return makeData({ type: this.arrowType, length, nullCount, nullBitmap, data: this.takeValues(length) });
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
    this.values = newArray(Uint8Array, (capacity + 7) >> 3, context.shared);
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
    const piece = { ...this.pieceValidity(), values: this.values, offsets: null, data: null };
    this.handOut('values');
    return piece;
  }

  override startPiece(capacity: number): void {
    super.startPiece(capacity);
    const bytes = (capacity + 7) >> 3;
    this.values = this.pieceArray('values', this.values, bytes, (n) => newArray(Uint8Array, n, this.context.shared));
    this.values.fill(0, 0, bytes);
  }

  override giveBack(piece: ColumnPiece): void {
    super.giveBack(piece);
    this.keepSpare('values', new Uint8Array(piece.values!.buffer));
  }

  appendPiece(piece: ColumnPiece, from: number, to: number): void {
    copyBits(piece.values as Uint8Array, from, to, this.values, this.length);
    this.appendPieceValidity(piece, from, to);
  }

  finish(): Data {
    const { length, nullCount, nullBitmap } = this.takeValidity();
    const data = makeData({ type: this.arrowType, length, nullCount, nullBitmap, data: this.values });
    this.values = newArray(Uint8Array, (this.capacity + 7) >> 3, this.context.shared);
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
export class DateBuilder extends NumberArrayBuilder<Float64Array> {
  readonly arrowType = new TimestampMillisecond('UTC');

  constructor(name: string, overridden: boolean, context: BuilderContext, capacity: number) {
    super(name, 'date', overridden, context, capacity, Float64Array);
  }

  override appendCsv(chunk: CsvChunk, column: number, from: number, to: number): void {
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

  finish(): Data {
    const { length, nullCount, nullBitmap } = this.takeValidity();
    const millis = new BigInt64Array(length);
    for (let i = 0; i < length; i++) millis[i] = BigInt(this.values[i]!);
    return makeData({ type: this.arrowType, length, nullCount, nullBitmap, data: millis });
  }

  protected parseText(text: string): number {
    return parseTimestampText(text);
  }

  protected notThisType(shown: string): string {
    return `${shown} is not an ISO 8601 date or date-time such as 2024-03-01 or 2024-03-01T12:30:00Z ${this.why}`;
  }

  /** A `Date` (from Parquet) is its time; JSON has no date values. */
  protected fromJson(value: unknown): number | undefined {
    return value instanceof Date ? value.getTime() : undefined;
  }
}
