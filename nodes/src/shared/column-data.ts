import { DataType, Precision, makeVector, type Data } from 'apache-arrow';
import type { ColumnPiece } from '@kiln/tabular/column-builders';
import { hashBytes } from '@kiln/tabular/hash-bytes';
import type { ColumnType } from '@kiln/tabular/type-inference';
import { type Cell, type ColumnData, Dictionary, cellNumber } from '@kiln/ml/preprocess/column-data';

// Datasets read into the ML code's typed columns (`@kiln/ml/preprocess/column-data`) and written back.

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  return String(v);
}

/**
 * {@link Dictionary} for UTF-8 values, keyed by their bytes in an open-addressing table: a value is
 * decoded to a string only the first time it is seen.
 */
class ByteDictionary {
  readonly values: string[] = [];
  private table = new Int32Array(2 * 1024);
  private starts: number[] = [];
  private arena = Buffer.allocUnsafe(1 << 12);
  private used = 0;

  code(bytes: Buffer, view: DataView, start: number, end: number): number {
    const hash = hashBytes(view, start, end);
    const length = end - start;
    let mask = (this.table.length >> 1) - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = this.table[2 * slot + 1]! - 1;
      if (entry < 0) break;
      if (this.table[2 * slot] === hash && this.same(entry, bytes, start, length)) return entry;
      slot = (slot + 1) & mask;
    }
    const entry = this.values.length;
    this.values.push(bytes.toString('utf8', start, end));
    if (this.used + length > this.arena.byteLength) {
      const next = Buffer.allocUnsafe(Math.max(2 * this.arena.byteLength, this.used + length));
      this.arena.copy(next, 0, 0, this.used);
      this.arena = next;
    }
    bytes.copy(this.arena, this.used, start, end);
    this.starts.push(this.used);
    this.used += length;
    this.starts.push(this.used);
    this.table[2 * slot] = hash;
    this.table[2 * slot + 1] = entry + 1;
    if (4 * this.values.length > this.table.length) {
      // Keep the table at most half full.
      const old = this.table;
      this.table = new Int32Array(2 * old.length);
      mask = (this.table.length >> 1) - 1;
      for (let i = 0; i < old.length; i += 2) {
        if (old[i + 1] === 0) continue;
        let at = old[i]! & mask;
        while (this.table[2 * at + 1] !== 0) at = (at + 1) & mask;
        this.table[2 * at] = old[i]!;
        this.table[2 * at + 1] = old[i + 1]!;
      }
    }
    return entry;
  }

  private same(entry: number, bytes: Buffer, start: number, length: number): boolean {
    const from = this.starts[2 * entry]!;
    if (this.starts[2 * entry + 1]! - from !== length) return false;
    const arena = this.arena;
    for (let i = 0; i < length; i++) if (arena[from + i] !== bytes[start + i]) return false;
    return true;
  }
}

/**
 * Reads one column's Arrow chunks into a {@link ColumnData}: straight from the buffers for the Int32,
 * Float64, Bool and Utf8 columns ingest writes, through `get` for anything else.
 */
export function columnDataFromArrow(chunks: readonly Data[], rowCount: number, type: ColumnType): ColumnData {
  if (type === 'string') {
    const codes = new Int32Array(rowCount).fill(-1);
    if (chunks.every((data) => DataType.isUtf8(data.type))) {
      const dictionary = new ByteDictionary();
      let at = 0;
      for (const data of chunks) {
        const n = data.length;
        const valid = validBits(data);
        const offsets = data.valueOffsets as Int32Array;
        const bytes = data.values as Uint8Array;
        const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i < n; i++)
          if (valid(i)) codes[at + i] = dictionary.code(text, view, offsets[i]!, offsets[i + 1]!);
        at += n;
      }
      return { kind: 'text', codes, dictionary: dictionary.values };
    }
    const dictionary = new Dictionary();
    let at = 0;
    for (const data of chunks) {
      const vector = makeVector(data);
      for (let i = 0; i < data.length; i++) {
        const v = toCell(vector.get(i));
        if (v !== null) codes[at + i] = dictionary.code(String(v));
      }
      at += data.length;
    }
    return { kind: 'text', codes, dictionary: dictionary.values };
  }
  const values = new Float64Array(rowCount).fill(NaN);
  let at = 0;
  for (const data of chunks) {
    const n = data.length;
    const valid = validBits(data);
    const t = data.type;
    if (
      (DataType.isInt(t) && t.bitWidth === 32 && t.isSigned) ||
      (DataType.isFloat(t) && t.precision === Precision.DOUBLE)
    ) {
      const source = data.values as Int32Array | Float64Array;
      for (let i = 0; i < n; i++) if (valid(i)) values[at + i] = source[i]!;
    } else if (DataType.isBool(t)) {
      const bits = data.values as Uint8Array;
      for (let i = 0; i < n; i++) {
        const b = data.offset + i;
        if (valid(i)) values[at + i] = (bits[b >> 3]! >> (b & 7)) & 1;
      }
    } else {
      const vector = makeVector(data);
      for (let i = 0; i < n; i++) values[at + i] = cellNumber(toCell(vector.get(i)));
    }
    at += n;
  }
  return { kind: 'number', values };
}

function validBits(data: Data): (i: number) => boolean {
  const bitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
  if (bitmap === undefined) return () => true;
  const offset = data.offset;
  return (i) => ((bitmap[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) === 1;
}

/** The UTF-8 bytes of a text column's dictionary: value k is `bytes[offsets[k], offsets[k + 1])`. */
export interface Utf8Values {
  bytes: Buffer;
  offsets: Int32Array;
}

export function utf8Values(dictionary: readonly string[]): Utf8Values {
  const offsets = new Int32Array(dictionary.length + 1);
  dictionary.forEach((t, k) => (offsets[k + 1] = offsets[k]! + Buffer.byteLength(t, 'utf8')));
  const bytes = Buffer.allocUnsafe(offsets[dictionary.length]!);
  dictionary.forEach((t, k) => bytes.write(t, offsets[k]!, 'utf8'));
  return { bytes, offsets };
}

/**
 * Rows `rows[from, to)` of a column as a {@link ColumnPiece} for the builder of its type (nulls'
 * value slots zeroed, as the builders write them).
 */
export function columnPiece(
  data: ColumnData,
  type: ColumnType,
  rows: ArrayLike<number>,
  from: number,
  to: number,
  utf8?: Utf8Values,
): ColumnPiece {
  const length = to - from;
  const validity = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  if (data.kind === 'text') {
    const { codes } = data;
    const { bytes: source, offsets: at } = utf8 ?? utf8Values(data.dictionary);
    const offsets = new Int32Array(length + 1);
    let size = 0;
    for (let i = 0; i < length; i++) {
      const k = codes[rows[from + i]!]!;
      if (k >= 0) size += at[k + 1]! - at[k]!;
      offsets[i + 1] = size;
    }
    const bytes = Buffer.allocUnsafe(size);
    for (let i = 0; i < length; i++) {
      const k = codes[rows[from + i]!]!;
      if (k < 0) nullCount++;
      else {
        validity[i >> 3] = validity[i >> 3]! | (1 << (i & 7));
        // Values are short: a byte loop beats a native copy per value.
        for (let b = at[k]!, e = at[k + 1]!, o = offsets[i]!; b < e; b++, o++) bytes[o] = source[b]!;
      }
    }
    return {
      length,
      nullCount,
      validity: nullCount > 0 ? validity : null,
      values: null,
      offsets,
      data: bytes,
    };
  }
  const source = data.values;
  let values: Float64Array | Int32Array | Uint8Array;
  if (type === 'bool') {
    const bits = new Uint8Array((length + 7) >> 3);
    for (let i = 0; i < length; i++) {
      const x = source[rows[from + i]!]!;
      if (x !== x) nullCount++;
      else {
        validity[i >> 3] = validity[i >> 3]! | (1 << (i & 7));
        if (x === 1) bits[i >> 3] = bits[i >> 3]! | (1 << (i & 7));
      }
    }
    values = bits;
  } else {
    const out = type === 'int' ? new Int32Array(length) : new Float64Array(length);
    for (let i = 0; i < length; i++) {
      const x = source[rows[from + i]!]!;
      if (x !== x) nullCount++;
      else {
        validity[i >> 3] = validity[i >> 3]! | (1 << (i & 7));
        out[i] = x;
      }
    }
    values = out;
  }
  return { length, nullCount, validity: nullCount > 0 ? validity : null, values, offsets: null, data: null };
}
