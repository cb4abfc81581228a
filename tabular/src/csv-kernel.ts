import { CSV_KERNEL_WASM } from './csv-kernel-wasm';
import { WASM_PAGE, ensureMemory, instantiateKernel, type KernelMemory } from './wasm-instance';

interface KernelExports extends KernelMemory {
  tokenize(
    src: number,
    end: number,
    delimiter: number,
    width: number,
    starts: number,
    ends: number,
    kinds: number,
    values: number,
    status: number,
    rows: number,
    text: number,
    textBytes: number,
    offsets: number,
    tokens: number,
    tokenLengths: bigint,
  ): number;
  validity(status: number, count: number, bits: number, bitOffset: number): number;
  run(status: number, count: number): number;
}

/** Where the kernel leaves its count of empty cells (NULLS in wasm/csv-kernel.ts). */
const NULLS = 2048;
/** Where the region's bytes start in the kernel's memory (below: the module's constants). */
const SRC = 65_536;
/** Larger regions (only a record longer than a region makes one) go the JavaScript way. */
const MAX_REGION = 8 << 20;

/** What the kernel parses a column as: see `tokenize` in wasm/csv-kernel.ts. */
export const KERNEL_FLOAT = 1;
export const KERNEL_INT = 2;
export const KERNEL_TEXT = 3;
/** Text areas beyond this (columns × region bytes) and the text columns go the JavaScript way. */
const MAX_TEXT_AREA = 128 << 20;

/**
 * The WebAssembly kernel of the CSV fast path (wasm/csv-kernel.ts), one per thread. It tokenizes a
 * plain region (no quotes, carriage returns or blank lines) and, in the same pass while the bytes
 * are in cache, parses its numeric cells and copies its text cells; it holds them until the next
 * region, for the builders to copy (`generation` tells which region it holds). Why WebAssembly:
 * SIMD, and byte loops without JavaScript's bounds checks and number boxing; the JavaScript path
 * stays for everything else and for every error, so the output is the same either way.
 */
export class CsvKernel {
  private readonly exports: KernelExports;
  private bytes: Uint8Array;
  /** The layout of the region held: where each area starts, and the rows one column has room for. */
  private starts = 0;
  private ends = 0;
  private kindsAt = 0;
  private values = 0;
  private status = 0;
  private bits = 0;
  private textAt = 0;
  private textBytes = 0;
  private offsets = 0;
  private tokensAt = 0;
  private rows = 0;
  /** The column kinds the region held was parsed with. */
  private kinds: Uint8Array = new Uint8Array(0);
  /** Counts regions tokenized: the one whose values the memory holds now. */
  generation = 0;
  /** Regions tokenized here (a test checks the fast path ran). */
  regions = 0;
  /** The empty cells among the rows of the last {@link numbers}. */
  nulls = 0;
  /** Fields of the region held. */
  private fields = 0;
  /** Who may still need the offsets of the region held. */
  private holder: KernelOffsetsHolder | null = null;

  constructor() {
    this.exports = instantiateKernel<KernelExports>(CSV_KERNEL_WASM);
    this.bytes = new Uint8Array(this.exports.memory.buffer);
  }

  /**
   * Tokenizes `bytes[0, end)` (ending with a line feed) if it is plain: no quote, carriage return or
   * blank line, every record `width` fields; parses the cells of the columns `kinds` marks
   * (KERNEL_FLOAT, KERNEL_INT). Returns the field count (the offsets stay here: see {@link copyOffsets}),
   * or -1 (the caller's tokenizer then reads the region itself). The region before, if its holder
   * has not released it, has its offsets copied out first.
   */
  tokenize(
    bytes: Uint8Array,
    end: number,
    delimiter: number,
    width: number,
    kinds: Uint8Array | null,
    tokens: KernelTokens | null,
  ): number {
    if (end > MAX_REGION) return -1;
    this.holder?.keep();
    this.holder = null;
    this.generation++;
    // Every record holds at least `width` bytes (its delimiters and line feed).
    const rows = Math.floor(end / width) + 1;
    const text = kinds !== null && tokens !== null && width * (end + 16) <= MAX_TEXT_AREA;
    this.layout(end, width, rows, text ? (tokens?.bytes.byteLength ?? 0) : 0);
    this.bytes.set(bytes.subarray(0, end), SRC);
    this.kinds = kinds === null ? new Uint8Array(width) : text ? kinds : kinds.map((kind) => (kind === KERNEL_TEXT ? 0 : kind));
    this.bytes.set(this.kinds, this.kindsAt);
    if (text) this.bytes.set(tokens!.bytes, this.tokensAt);
    const fields = this.exports.tokenize(
      SRC,
      end,
      delimiter,
      width,
      this.starts,
      this.ends,
      this.kindsAt,
      this.values,
      this.status,
      rows,
      this.textAt,
      this.textBytes,
      this.offsets,
      this.tokensAt,
      text ? tokens!.lengths : 0n,
    );
    if (fields < 0) {
      this.generation++;
      return -1;
    }
    this.regions++;
    this.fields = fields;
    return fields;
  }

  /**
   * Until the next region: whose offsets these are, to copy them out ({@link KernelOffsetsHolder.keep})
   * before the kernel takes another region unless it has released them.
   */
  hold(holder: KernelOffsetsHolder): void {
    this.holder = holder;
  }

  /** Copies the field offsets of region `generation` into `starts` and `ends`; false if the kernel holds another. */
  copyOffsets(generation: number, starts: Int32Array, ends: Int32Array): boolean {
    if (generation !== this.generation) return false;
    const buffer = this.exports.memory.buffer;
    starts.set(new Int32Array(buffer, this.starts, this.fields));
    ends.set(new Int32Array(buffer, this.ends, this.fields));
    return true;
  }

  /**
   * Copies column `column` of rows `[from, to)` of region `generation`, as the kernel parsed it,
   * into `values` and `validity` from row `at` (the validity bits from there on clear): returns how
   * many rows in a row it copied (0 when the kernel holds another region or did not parse this
   * column as `values`' type), stopping at the first cell the JavaScript path must read, and leaves
   * the count of empty cells among them in `nulls`.
   */
  numbers(
    generation: number,
    column: number,
    from: number,
    to: number,
    values: Float64Array | Int32Array,
    validity: Uint8Array,
    at: number,
  ): number {
    this.nulls = 0;
    const integer = values instanceof Int32Array;
    if (generation !== this.generation || this.kinds[column] !== (integer ? KERNEL_INT : KERNEL_FLOAT)) return 0;
    const n = this.exports.validity(this.status + column * this.rows + from, to - from, this.bits, at & 7);
    if (n === 0) return 0;
    const buffer = this.exports.memory.buffer;
    const base = this.values + column * this.rows * 8;
    values.set(integer ? new Int32Array(buffer, base + 4 * from, n) : new Float64Array(buffer, base + 8 * from, n), at);
    const bits = new Uint8Array(buffer, this.bits, ((at & 7) + n + 7) >> 3);
    const first = at >> 3;
    for (let i = 0; i < bits.length; i++) validity[first + i] = validity[first + i]! | bits[i]!;
    this.nulls = new Int32Array(buffer, NULLS, 1)[0]!;
    return n;
  }

  /**
   * Appends text column `column` of rows `[from, to)` of region `generation`, as the kernel copied
   * it, to `builder`: returns how many rows in a row it appended (0 when the kernel holds another
   * region or did not copy this column), stopping at the first cell the JavaScript path must read.
   */
  text(generation: number, column: number, from: number, to: number, builder: KernelTextTarget): number {
    if (generation !== this.generation || this.kinds[column] !== KERNEL_TEXT) return 0;
    const n = this.exports.run(this.status + column * this.rows + from, to - from);
    if (n === 0) return 0;
    const bytes = this.bytes;
    const offsets = new Int32Array(this.exports.memory.buffer, this.offsets + 4 * column * (this.rows + 1) + 4 * from, n + 1);
    const data = this.textAt + column * this.textBytes;
    builder.appendCopied(bytes.subarray(data + offsets[0]!, data + offsets[n]!), offsets);
    return n;
  }

  /** Lays out the memory for a region of `size` bytes, `width` columns and at most `rows` rows. */
  private layout(size: number, width: number, rows: number, tokenBytes: number): void {
    const align = (n: number) => Math.ceil(n / WASM_PAGE) * WASM_PAGE;
    // At most one field per byte, plus the start of the one after the last.
    this.starts = align(SRC + size + 16);
    this.ends = align(this.starts + 4 * (size + 1));
    this.kindsAt = align(this.ends + 4 * (size + 1));
    this.values = align(this.kindsAt + width);
    this.status = align(this.values + 8 * width * rows);
    this.bits = align(this.status + width * rows);
    this.tokensAt = align(this.bits + (rows >> 3) + 16);
    this.offsets = align(this.tokensAt + tokenBytes + 16);
    this.textAt = align(this.offsets + 4 * width * (rows + 1));
    this.textBytes = tokenBytes > 0 ? size + 16 : 0;
    this.rows = rows;
    const total = align(this.textAt + width * this.textBytes + 16);
    if (ensureMemory(this.exports.memory, total)) this.bytes = new Uint8Array(this.exports.memory.buffer);
  }
}

/** The null tokens as the kernel reads them: see `copyCell` in wasm/csv-kernel.ts. */
export interface KernelTokens {
  bytes: Uint8Array;
  /** Bit `n` set when a token is `n` bytes long. */
  lengths: bigint;
}

/** The tokens' bytes for the kernel, or null when one is too long for it (64 bytes or more). */
export function kernelTokens(tokens: Iterable<string>): KernelTokens | null {
  const parts: Buffer[] = [];
  let lengths = 0n;
  for (const token of tokens) {
    const bytes = Buffer.from(token, 'utf8');
    if (bytes.byteLength >= 64) return null;
    lengths |= 1n << BigInt(bytes.byteLength);
    parts.push(Buffer.of(bytes.byteLength), bytes);
  }
  parts.push(Buffer.of(255));
  return { bytes: Buffer.concat(parts), lengths };
}

/** A chunk whose field offsets the kernel holds (see {@link CsvKernel.hold}). */
export interface KernelOffsetsHolder {
  /** Copies the offsets out now, unless released. */
  keep(): void;
}

/** What takes the text the kernel copied (StringBuilder). */
export interface KernelTextTarget {
  /** Appends cells `data[offsets[i] - offsets[0], offsets[i + 1] - offsets[0])`. */
  appendCopied(data: Uint8Array, offsets: Int32Array): void;
}

let kernel: CsvKernel | null = null;

/** This thread's kernel. */
export function csvKernel(): CsvKernel {
  return (kernel ??= new CsvKernel());
}
