import { Utf8, makeData, type Data } from 'apache-arrow';
import { ColumnBuilder, newArray, newBuffer, setBits, type BuilderContext, type ColumnPiece } from './column-builder';
import { csvKernel, type KernelTextTarget } from './csv-kernel';
import type { CsvChunk } from './csv-reader';
import { fieldText } from './csv-reader';

const MAX_TEXT_BYTES = 2 ** 31 - 1;

/** Text, stored as UTF-8 bytes copied straight from the input. */
export class StringBuilder extends ColumnBuilder implements KernelTextTarget {
  readonly arrowType = new Utf8();
  private offsets: Int32Array;
  private data!: Buffer;
  /** `data` as a DataView, for four-byte copies. */
  private dataView!: DataView;
  private used = 0;

  constructor(name: string, overridden: boolean, context: BuilderContext, capacity: number) {
    super(name, 'string', overridden, context, capacity);
    this.offsets = newArray(Int32Array, capacity + 1, context.shared);
    this.setData(newBuffer(1 << 16, context.shared));
  }

  private setData(data: Buffer): void {
    this.data = data;
    this.dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  appendCsv(chunk: CsvChunk, column: number, from: number, to: number): void {
    const { bytes } = chunk;
    // Read only for the cells the kernel left (its chunks copy their offsets out when first read).
    let starts: Int32Array | null = null;
    let ends: Int32Array | null = null;
    const width = chunk.columns.length;
    const nulls = this.context.nulls;
    const source = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const generation = chunk.kernelGeneration ?? 0;
    const kernel = generation > 0 ? csvKernel() : null;
    for (let r = from; r < to; r++) {
      if (kernel !== null) {
        // The cells from here on that the WebAssembly kernel copied; the loop takes the first it left.
        r += kernel.text(generation, column, r, to, this);
        if (r === to) break;
      }
      const i = r * width + column;
      starts ??= chunk.starts;
      ends ??= chunk.ends;
      const start = starts[i]!;
      const end = ends[i]!;
      if (start < 0) {
        this.appendString(fieldText(bytes, start, end));
      } else if (nulls.matches(bytes, start, end)) {
        this.appendNull();
      } else {
        const size = end - start;
        if (this.used + size > this.data.byteLength) this.grow(size);
        const data = this.data;
        let at = this.used;
        if (size < 24) {
          // Short values: four bytes a step, then the rest (a native copy costs more than this).
          const target = this.dataView;
          let k = start;
          for (; k + 4 <= end; k += 4, at += 4) target.setInt32(at, source.getInt32(k, true), true);
          for (; k < end; k++) data[at++] = bytes[k]!;
        } else {
          bytes.copy(data, at, start, end);
          at += size;
        }
        this.used = at;
        this.appendValid();
      }
    }
  }

  takePiece(): ColumnPiece {
    const piece = {
      ...this.pieceValidity(),
      values: null,
      offsets: this.offsets.subarray(0, this.length + 1),
      data: this.data.subarray(0, this.used),
    };
    this.handOut('offsets');
    this.handOut('data');
    return piece;
  }

  override startPiece(capacity: number): void {
    super.startPiece(capacity);
    this.offsets = this.pieceArray('offsets', this.offsets, capacity + 1, (n) => newArray(Int32Array, n, this.context.shared));
    this.offsets[0] = 0;
    // Any spare will do: text grows as needed.
    this.setData(this.pieceArray('data', this.data, 1, () => newBuffer(1 << 16, this.context.shared)));
    this.used = 0;
  }

  override giveBack(piece: ColumnPiece): void {
    super.giveBack(piece);
    this.keepSpare('offsets', new Int32Array(piece.offsets!.buffer));
    const data = piece.data!;
    this.keepSpare('data', Buffer.from(data.buffer, 0, data.buffer.byteLength));
  }

  appendPiece(piece: ColumnPiece, from: number, to: number): void {
    const source = piece.offsets!;
    const first = source[from]!;
    const size = source[to]! - first;
    if (this.used + size > this.data.byteLength) this.grow(size);
    this.data.set(piece.data!.subarray(first, first + size), this.used);
    const offsets = this.offsets;
    const shift = this.used - first;
    for (let r = from + 1, i = this.length + 1; r <= to; r++, i++) offsets[i] = source[r]! + shift;
    this.used += size;
    this.appendPieceValidity(piece, from, to);
  }

  finish(): Data {
    const { length, nullCount, nullBitmap } = this.takeValidity();
    const data = makeData({
      type: this.arrowType,
      length,
      nullCount,
      nullBitmap,
      valueOffsets: this.offsets.subarray(0, length + 1),
      data: new Uint8Array(this.data.buffer, this.data.byteOffset, this.used),
    });
    this.lend('offsets', this.offsets);
    this.lend('data', this.data);
    this.offsets = this.reuse('offsets', () => newArray(Int32Array, this.capacity + 1, this.context.shared));
    const size = Math.max(1 << 16, this.data.byteLength);
    const spare = this.reuse('data', () => newBuffer(size, this.context.shared));
    this.setData(spare.byteLength >= size ? spare : newBuffer(size, this.context.shared));
    this.used = 0;
    return data;
  }

  protected override appendNull(): void {
    super.appendNull();
    this.offsets[this.length] = this.used;
  }

  protected appendJsonValue(value: unknown): void {
    this.appendString(
      typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value),
    );
  }

  private appendString(text: string): void {
    if (this.context.nulls.values.has(text)) return this.appendNull();
    const size = Buffer.byteLength(text, 'utf8');
    if (this.used + size > this.data.byteLength) this.grow(size);
    this.used += this.data.write(text, this.used, 'utf8');
    this.appendValid();
  }

  /** See {@link KernelTextTarget}. */
  appendCopied(data: Uint8Array, ends: Int32Array): void {
    const count = ends.length - 1;
    if (this.used + data.byteLength > this.data.byteLength) this.grow(data.byteLength);
    this.data.set(data, this.used);
    const offsets = this.offsets;
    const shift = this.used - ends[0]!;
    for (let i = 1, at = this.length + 1; i <= count; i++, at++) offsets[at] = ends[i]! + shift;
    setBits(this.validity, this.length, count);
    this.length += count;
    this.used += data.byteLength;
  }

  private appendValid(): void {
    const i = this.length++;
    this.validity[i >> 3] = this.validity[i >> 3]! | (1 << (i & 7));
    this.offsets[this.length] = this.used;
  }

  private grow(size: number): void {
    const needed = this.used + size;
    if (needed > MAX_TEXT_BYTES) {
      throw new Error(
        `column ${JSON.stringify(this.name)}: more than 2 GB of text in one batch; lower batchRows`,
      );
    }
    const next = newBuffer(Math.min(MAX_TEXT_BYTES, Math.max(needed, this.data.byteLength * 2)), this.context.shared);
    this.data.copy(next, 0, 0, this.used);
    this.setData(next);
  }
}
