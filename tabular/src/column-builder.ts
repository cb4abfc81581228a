import type { Data, DataType } from 'apache-arrow';
import type { CsvChunk } from './csv-reader';
import { DataInputError, quoteValue } from './input-error';
import { OFFENDER_SAMPLES, type ColumnType, type NullTokens, type TypeOffenders } from './type-inference';
import { isNonFiniteLiteral, parseDecimal } from './value-parsers';

/**
 * Rows of one column as plain arrays (what a worker thread sends back): `validity` has bit `i` set
 * for a non-null row `i` (null when no row is null); `values` are the numbers (float and date:
 * Float64Array, int: Int32Array) or the bits (bool); text is `data[offsets[i], offsets[i + 1])`.
 */
export interface ColumnPiece {
  length: number;
  nullCount: number;
  validity: Uint8Array | null;
  values: Float64Array | Int32Array | Uint8Array | null;
  offsets: Int32Array | null;
  data: Uint8Array | null;
}

/** What a builder needs to know to convert cells and to explain a bad one. */
export interface BuilderContext {
  source?: string;
  nulls: NullTokens;
  /** Rows the types were inferred from (for error messages). */
  sampleRows: number;
  /** Messages name rows, not lines: the input has no lines (Parquet). */
  rows?: boolean;
  /**
   * Arrays in shared memory: a worker thread's pieces then reach the calling thread without a copy
   * or a transfer, and come back to be filled again (see {@link ColumnBuilder.giveBack}), so neither
   * thread keeps allocating memory the garbage collector must account for.
   */
  shared?: boolean;
  /**
   * Cells that do not fit a column's inferred type are read as null and recorded
   * ({@link ColumnBuilder.offenders}) rather than thrown; a column whose type was set in `types`
   * still throws. Off on worker threads: a region with such a cell is converted on the calling thread.
   */
  tolerant?: boolean;
}

/** A typed array of `length` elements, in shared memory if `shared`. */
export function newArray<T>(
  Type: { new (length: number): T; new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
  shared: boolean | undefined,
): T {
  return shared ? new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT)) : new Type(length);
}

/** A Buffer of `size` bytes (not zeroed unless shared), in shared memory if `shared`. */
export function newBuffer(size: number, shared: boolean | undefined): Buffer {
  return shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafe(size);
}

/**
 * Converts one column's cells into an Arrow array of up to `capacity` rows, then starts over; or
 * (on a worker thread) into pieces, one per region, whose arrays come back once copied. A cell that
 * does not fit the column type throws {@link DataInputError} naming the line, the column and the
 * value, and saying how to fix it.
 */
export abstract class ColumnBuilder {
  abstract readonly arrowType: DataType;
  protected length = 0;
  protected nullCount = 0;
  protected validity: Uint8Array;
  /** Arrays handed out with each batch, oldest first; arrays free to fill again, by kind. */
  private readonly lent: Map<string, ArrayBufferView>[] = [];
  private readonly spare = new Map<string, ArrayBufferView[]>();
  /** Kinds of array handed out with the last piece (the builder needs others for the next one). */
  private readonly handedOut = new Set<string>();
  /** Cells read as null because they do not fit the inferred type (tolerant builders only). */
  readonly offenders: TypeOffenders = { count: 0, samples: [] };
  /** The error the first offender would have thrown (the message when there are too many). */
  firstOffence: Error | null = null;

  constructor(
    readonly name: string,
    readonly type: ColumnType,
    protected readonly overridden: boolean,
    protected readonly context: BuilderContext,
    protected capacity: number,
  ) {
    this.validity = newArray(Uint8Array, (capacity + 7) >> 3, context.shared);
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

  /** The rows appended so far as a {@link ColumnPiece}; then {@link startPiece} starts the next. */
  abstract takePiece(): ColumnPiece;

  /**
   * Starts a new piece of up to `capacity` rows after {@link takePiece}: arrays the last piece took
   * are replaced by ones given back, if any is big enough, else by new ones.
   */
  startPiece(capacity: number): void {
    this.capacity = capacity;
    this.length = 0;
    this.nullCount = 0;
    const bytes = (capacity + 7) >> 3;
    this.validity = this.pieceArray('validity', this.validity, bytes, (n) => newArray(Uint8Array, n, this.context.shared));
    this.validity.fill(0, 0, bytes);
  }

  /** The arrays of a piece this builder made, copied and free to fill again. */
  giveBack(piece: ColumnPiece): void {
    if (piece.validity !== null) this.keepSpare('validity', new Uint8Array(piece.validity.buffer));
  }

  /** Appends rows `[from, to)` of a piece taken from a builder of the same type. */
  abstract appendPiece(piece: ColumnPiece, from: number, to: number): void;

  /** The validity part of {@link takePiece}. */
  protected pieceValidity(): Pick<ColumnPiece, 'length' | 'nullCount' | 'validity'> {
    this.handedOut.clear();
    if (this.nullCount > 0) this.handedOut.add('validity');
    return {
      length: this.length,
      nullCount: this.nullCount,
      validity: this.nullCount > 0 ? this.validity : null,
    };
  }

  /** Records that the piece being taken holds the builder's array of this kind. */
  protected handOut(kind: string): void {
    this.handedOut.add(kind);
  }

  /**
   * The array of a kind for the next piece: `current` unless the last piece took it, else a spare of
   * at least `length` elements, else a new one with room to spare (regions vary a little in rows).
   */
  protected pieceArray<T extends ArrayBufferView & { length: number }>(
    kind: string,
    current: T,
    length: number,
    make: (length: number) => T,
  ): T {
    if (!this.handedOut.has(kind) && current.length >= length) return current;
    const spares = this.spare.get(kind) as T[] | undefined;
    while (spares !== undefined && spares.length > 0) {
      const spare = spares.pop()!;
      if (spare.length >= length) return spare;
    }
    return make(length + (length >> 3));
  }

  /** Keeps an array given back for a later piece (a few per kind; others are left to the collector). */
  protected keepSpare(kind: string, array: ArrayBufferView): void {
    let spares = this.spare.get(kind);
    if (spares === undefined) this.spare.set(kind, (spares = []));
    if (spares.length < MAX_SPARES) spares.push(array);
  }

  /** Appends the validity of rows `[from, to)` of a piece (the values are the caller's). */
  protected appendPieceValidity(piece: ColumnPiece, from: number, to: number): void {
    const at = this.length;
    const validity = this.validity;
    if (piece.validity === null) setBits(validity, at, to - from);
    else this.nullCount += to - from - copyBits(piece.validity, from, to, validity, at);
    this.length += to - from;
  }

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
    this.lent.push(new Map());
    if (this.lent.length > MAX_LENT) this.lent.shift();
    this.lend('validity', this.validity);
    const spare = this.reuse('validity', () => newArray(Uint8Array, (this.capacity + 7) >> 3, this.context.shared));
    this.validity = spare.fill(0);
    this.nullCount = 0;
    this.length = 0;
    return taken;
  }

  /**
   * The batches handed out by {@link finish} other than the last one are written (and nothing else
   * holds their arrays): the arrays are filled again for later batches instead of new ones.
   */
  releaseWritten(): void {
    while (this.lent.length > 1) {
      for (const [kind, array] of this.lent.shift()!) this.keepSpare(kind, array);
    }
  }

  /** An array a written batch gave back (see {@link releaseWritten}), else a new one. */
  protected reuse<T extends ArrayBufferView>(kind: string, make: () => T): T {
    return (this.spare.get(kind)?.pop() as T | undefined) ?? make();
  }

  /** Records an array handed out with the batch being finished (after {@link takeValidity}). */
  protected lend(kind: string, array: ArrayBufferView): void {
    this.lent.at(-1)?.set(kind, array);
  }

  /**
   * Whether a cell that does not fit may be read as null and recorded (an inferred type in a
   * tolerant context); then records it.
   */
  protected tolerate(line: number, text: string, error: () => Error): boolean {
    if (!this.context.tolerant || this.overridden) return false;
    this.firstOffence ??= error();
    if (this.offenders.samples.length < OFFENDER_SAMPLES) this.offenders.samples.push({ line, value: text.length > 200 ? `${text.slice(0, 197)}...` : text });
    this.offenders.count++;
    return true;
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

/** Batches whose arrays a builder remembers, to take them back once written. */
const MAX_LENT = 4;
/** Spare arrays kept per kind: as many as pieces or batches are in flight at once. */
const MAX_SPARES = 4;

/** Sets bits `[at, at + count)`. */
export function setBits(bits: Uint8Array, at: number, count: number): void {
  let i = at;
  const end = at + count;
  while (i < end && (i & 7) !== 0) {
    bits[i >> 3] = bits[i >> 3]! | (1 << (i & 7));
    i++;
  }
  const wholeBytes = (end - i) >> 3;
  if (wholeBytes > 0) {
    bits.fill(0xff, i >> 3, (i >> 3) + wholeBytes);
    i += wholeBytes << 3;
  }
  for (; i < end; i++) bits[i >> 3] = bits[i >> 3]! | (1 << (i & 7));
}

/**
 * Sets in `target`, from bit `at`, the bits set among `[from, to)` of `source` (the target's bits
 * there are clear); returns how many. A whole target byte at a time, from two source bytes: a bit at
 * a time cost about 2 ns a row.
 */
export function copyBits(source: Uint8Array, from: number, to: number, target: Uint8Array, at: number): number {
  let set = 0;
  let r = from;
  let i = at;
  for (; r < to && (i & 7) !== 0; r++, i++) {
    if ((source[r >> 3]! >> (r & 7)) & 1) {
      target[i >> 3] = target[i >> 3]! | (1 << (i & 7));
      set++;
    }
  }
  const shift = r & 7;
  for (; r + 8 <= to; r += 8, i += 8) {
    const k = r >> 3;
    // The bits of the next source byte complete this one (a byte past the range is masked off).
    const byte = shift === 0 ? source[k]! : ((source[k]! >> shift) | (source[k + 1]! << (8 - shift))) & 0xff;
    target[i >> 3] = byte;
    set += BITS_SET[byte]!;
  }
  for (; r < to; r++, i++) {
    if ((source[r >> 3]! >> (r & 7)) & 1) {
      target[i >> 3] = target[i >> 3]! | (1 << (i & 7));
      set++;
    }
  }
  return set;
}

/** Bits set in each byte value. */
const BITS_SET = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x > 0; x >>= 1) n += x & 1;
  return n;
});

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
    let value: number;
    try {
      value = this.parseText(text, line);
    } catch (error) {
      // A fraction in an int column, Infinity in a float one: offenders too when tolerated.
      if (error instanceof DataInputError && this.tolerate(line, text, () => error)) return this.appendNull();
      throw error;
    }
    if (Number.isNaN(value)) {
      const error = () =>
        this.fail(
          line,
          `${this.notThisType(quoteValue(text))}; ${this.asText}, or list ${quoteValue(text)} in nullValues to read it as null`,
        );
      if (this.tolerate(line, text, error)) return this.appendNull();
      throw error();
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
    let parsed: number | undefined;
    try {
      parsed = this.fromJson(value, line);
    } catch (error) {
      if (error instanceof DataInputError && this.tolerate(line, JSON.stringify(value) ?? String(value), () => error)) return this.appendNull();
      throw error;
    }
    if (parsed === undefined || Number.isNaN(parsed)) {
      const shown = JSON.stringify(value) ?? String(value);
      const error = () =>
        this.fail(line, `${this.notThisType(shown.length > 60 ? `${shown.slice(0, 57)}...` : shown)}; ${this.asText}`);
      if (this.tolerate(line, shown, error)) return this.appendNull();
      throw error();
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
