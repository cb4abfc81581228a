import { isUtf8 } from 'node:buffer';
import type { CsvChunk, CsvReadOptions } from './csv-chunk';
import { KERNEL_FLOAT, KERNEL_INT, KERNEL_TEXT, csvKernel, kernelTokens, type KernelOffsetsHolder, type KernelTokens } from './csv-kernel';
import { DataInputError } from './input-error';
import { invalidUtf8Error } from './text-input';

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** The text of a field given its (possibly `~`-marked) start and its end. */
export function fieldText(bytes: Buffer, start: number, end: number): string {
  return start >= 0
    ? bytes.toString('utf8', start, end)
    : bytes.toString('utf8', ~start, end).replaceAll('""', '"');
}

/** See {@link CsvTokenizer.state}. */
export interface TokenizerState {
  line: number;
  columns: string[] | null;
  width: number;
}

/** The state machine; `feed` gets regions of bytes that start at a record boundary. */
export class CsvTokenizer {
  private readonly delimiter: number;
  /** 1 for the bytes that end an unquoted field: the delimiter and line breaks. */
  private readonly stops = new Uint8Array(256);
  private readonly header: boolean;
  private readonly source: string | undefined;
  /** The line the next record starts on. */
  private line = 1;
  private columns: string[] | null = null;
  private width = -1;
  private starts: Int32Array = new Int32Array(0);
  private ends: Int32Array = new Int32Array(0);
  private lines: Float64Array = new Float64Array(0);
  private fields = 0;
  private rows = 0;
  private fieldEstimate = 16_384;
  /** The columns the WebAssembly kernel parses as it tokenizes (see {@link readColumns}). */
  private kinds: Uint8Array | null = null;
  private tokens: KernelTokens | null = null;

  /**
   * @param spares chunks the caller is done with: their offset arrays are filled again rather than
   *   new ones allocated.
   */
  constructor(
    options: CsvReadOptions,
    source: string | undefined,
    private readonly spares: CsvChunk[] = [],
    private readonly recycleBytes: (chunk: CsvChunk) => void = () => undefined,
  ) {
    const delimiter = options.delimiter ?? ',';
    const code = delimiter.charCodeAt(0);
    if (delimiter.length !== 1 || code > 127 || code === QUOTE || code === LF || code === CR) {
      throw new Error(
        `CSV delimiter must be one ASCII character other than a quote or a line break, got ${JSON.stringify(delimiter)}`,
      );
    }
    this.delimiter = code;
    this.stops[code] = 1;
    this.stops[LF] = 1;
    this.stops[CR] = 1;
    this.header = options.header ?? true;
    this.source = source;
  }

  /**
   * Has the WebAssembly kernel read these columns' cells as it tokenizes plain regions, for their
   * builders to copy: float and int cells parsed, text cells (`string`) copied unless they may be
   * one of the null tokens `nullValues` (the builders read those, and all cells of other types).
   * Not when a null token reads as a number (the numeric builders then check tokens first).
   */
  readColumns(types: readonly string[], nullValues: Iterable<string>, numericNulls: boolean): void {
    const kinds = new Uint8Array(types.length);
    types.forEach((type, c) => {
      if (type === 'float' && !numericNulls) kinds[c] = KERNEL_FLOAT;
      else if (type === 'int' && !numericNulls) kinds[c] = KERNEL_INT;
      else if (type === 'string') kinds[c] = KERNEL_TEXT;
    });
    this.kinds = kinds.some((kind) => kind !== 0) ? kinds : null;
    this.tokens = kernelTokens(nullValues);
  }

  /** Where the tokenizer stands: the line the next record starts on, the columns once known. */
  get state(): TokenizerState {
    return { line: this.line, columns: this.columns, width: this.width };
  }

  /** Continues from the state of another tokenizer (one that has read the header, if any). */
  resume(state: TokenizerState): void {
    this.line = state.line;
    this.columns = state.columns;
    this.width = state.width;
  }

  /** Tokenizes the complete records of `bytes`; returns them and the bytes of the incomplete one. */
  feed(bytes: Buffer, final: boolean): { chunk: CsvChunk | null; carry: Buffer } {
    // Regions end after a line break, so they never end inside a multi-byte character.
    const end = final ? bytes.byteLength : Math.max(bytes.lastIndexOf(LF), bytes.lastIndexOf(CR)) + 1;
    if (end === 0) return { chunk: null, carry: bytes };
    if (!isUtf8(bytes.subarray(0, end))) throw invalidUtf8Error(bytes, 0, end, this.line, true, this.source);
    const spare = this.spares.pop();
    if (spare !== undefined) this.recycleBytes(spare);
    // A kernel chunk's own arrays (reading its `starts` would copy offsets no one needs).
    const reused = spare instanceof KernelChunk ? spare.arrays : spare;
    if (
      reused !== undefined &&
      reused.starts.buffer.byteLength >= 4 * this.fieldEstimate &&
      spare!.lines.buffer.byteLength >= 8 * 64
    ) {
      this.starts = new Int32Array(reused.starts.buffer);
      this.ends = new Int32Array(reused.ends.buffer);
      this.lines = new Float64Array(spare!.lines.buffer);
    } else {
      this.starts = new Int32Array(this.fieldEstimate);
      this.ends = new Int32Array(this.fieldEstimate);
      this.lines = new Float64Array(Math.max(64, this.fieldEstimate >> 2));
    }
    this.fields = 0;
    this.rows = 0;
    const kernel = this.width > 0 && bytes[end - 1] === LF ? this.tokenizePlain(bytes, end) : 0;
    const consumed = kernel > 0 ? end : this.parse(bytes, end, final);
    this.fieldEstimate = Math.max(1024, Math.ceil(this.fields * 1.25));
    const carry = bytes.subarray(consumed);
    if (this.rows === 0) return { chunk: null, carry };
    const lines = this.lines.subarray(0, this.rows);
    if (kernel > 0) {
      const chunk = new KernelChunk(this.columns!, bytes, lines, this.rows, kernel, this.fields, {
        starts: this.starts,
        ends: this.ends,
      });
      csvKernel().hold(chunk);
      return { chunk, carry };
    }
    const chunk: CsvChunk = {
      columns: this.columns!,
      bytes,
      starts: this.starts.subarray(0, this.fields),
      ends: this.ends.subarray(0, this.fields),
      lines,
      rowCount: this.rows,
    };
    return { chunk, carry };
  }

  /** The columns, once the input has ended; throws if it held no record at all. */
  finish(): string[] {
    if (this.columns === null) {
      throw new DataInputError(
        this.header ? 'empty file: expected a header row naming the columns' : 'empty file: no rows',
        this.source === undefined ? {} : { source: this.source },
      );
    }
    return this.columns;
  }

  /**
   * The fast path: the WebAssembly kernel tokenizes `bytes[0, end)` when it is plain (every record
   * one line of `width` unquoted fields). Returns the kernel's generation, or 0 when the region is
   * not plain (`parse` then reads it, with its checks and messages).
   */
  private tokenizePlain(b: Buffer, end: number): number {
    const kernel = csvKernel();
    const fields = kernel.tokenize(b, end, this.delimiter, this.width, this.kinds, this.tokens);
    if (fields < 0) return 0;
    const rows = fields / this.width;
    if (this.lines.length < rows) this.lines = new Float64Array(rows);
    const lines = this.lines;
    const first = this.line;
    for (let r = 0; r < rows; r++) lines[r] = first + r;
    this.fields = fields;
    this.rows = rows;
    this.line = first + rows;
    return kernel.generation;
  }

  /** Tokenizes records from `bytes[0, end)`; returns where the first incomplete record starts. */
  private parse(b: Buffer, end: number, final: boolean): number {
    const delimiter = this.delimiter;
    const stops = this.stops;
    const delimiters = Math.imul(delimiter, 0x01010101);
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let starts = this.starts;
    let ends = this.ends;
    let capacity = starts.length;
    let line = this.line;
    let pos = 0;
    let recordStart = 0;
    let recordLine = line;
    let firstField = 0;
    // The field count lives in a local while scanning, and in `this.fields` around calls.
    let fields = this.fields;
    let incomplete = false;
    let c = 0;
    records: while (pos < end) {
      recordStart = pos;
      recordLine = line;
      firstField = fields;
      c = b[pos]!;
      if (c === LF || c === CR) {
        // A blank line.
        if (c === CR && pos + 1 === end && !final) {
          incomplete = true;
          break;
        }
        pos += c === CR && b[pos + 1] === LF ? 2 : 1;
        line++;
        continue;
      }
      for (;;) {
        if (fields === capacity) {
          this.fields = fields;
          this.grow();
          starts = this.starts;
          ends = this.ends;
          capacity = starts.length;
        }
        c = pos < end ? b[pos]! : -1;
        if (c === QUOTE) {
          const open = pos;
          const openLine = line;
          let escaped = false;
          let i = pos + 1;
          for (;;) {
            while (i < end && (c = b[i]!) !== QUOTE) {
              if (c === LF) line++;
              i++;
            }
            if (i + 1 >= end && !final) {
              incomplete = true;
              break records;
            }
            if (i >= end) {
              throw this.error(
                'unterminated quote: the quoted field that starts here never ends; close it with "',
                b,
                openLine,
                open,
              );
            }
            if (b[i + 1] === QUOTE) {
              escaped = true;
              i += 2;
              continue;
            }
            break;
          }
          starts[fields] = escaped ? ~(open + 1) : open + 1;
          ends[fields++] = i;
          pos = i + 1;
          c = pos < end ? b[pos]! : -1;
          if (c === delimiter) {
            pos++;
            continue;
          }
          if (c !== LF && c !== CR && c !== -1) {
            const shown = b.toString('utf8', pos, Math.min(pos + 4, end)).slice(0, 1);
            throw this.error(
              `unexpected ${JSON.stringify(shown)} after a closing quote; a quote inside a quoted field must be doubled ("")`,
              b,
              line,
              pos,
            );
          }
        } else {
          const start = pos;
          // Four bytes a step (SWAR zero-byte tests for the delimiter and line breaks): the lowest
          // flagged byte is the first one that ends the field (a false flag is only ever above a true one).
          while (pos + 4 <= end) {
            const w = view.getInt32(pos, true);
            const x = w ^ delimiters;
            const y = w ^ 0x0a0a0a0a;
            const z = w ^ 0x0d0d0d0d;
            const found = (((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y) | ((z - 0x01010101) & ~z)) & 0x80808080;
            if (found !== 0) {
              pos += (31 - Math.clz32(found & -found)) >> 3;
              break;
            }
            pos += 4;
          }
          while (pos < end && stops[b[pos]!] === 0) pos++;
          c = pos < end ? b[pos]! : -1;
          starts[fields] = start;
          ends[fields++] = pos;
          if (pos < end && c === delimiter) {
            pos++;
            continue;
          }
        }
        // The end of the record: a line break or the end of the input.
        if (pos < end) {
          if (b[pos] === LF) pos++;
          else if (pos + 1 < end) pos += b[pos + 1] === LF ? 2 : 1;
          else if (final) pos++;
          else {
            incomplete = true;
            break records;
          }
          line++;
        } else if (!final) {
          incomplete = true;
          break records;
        }
        break;
      }
      this.fields = fields;
      this.endRecord(b, firstField, recordLine);
      fields = this.fields;
    }
    if (incomplete) {
      // The partial record is tokenized again, whole, with the next region.
      fields = firstField;
      pos = recordStart;
      line = recordLine;
    }
    this.fields = fields;
    this.line = line;
    return pos;
  }

  private endRecord(b: Buffer, firstField: number, recordLine: number): void {
    const count = this.fields - firstField;
    if (this.width === -1) {
      this.width = count;
      if (this.header) {
        const names = [];
        for (let i = firstField; i < this.fields; i++)
          names.push(fieldText(b, this.starts[i]!, this.ends[i]!));
        this.columns = columnNames(names, recordLine, this.source);
        this.fields = firstField;
        return;
      }
      this.columns = Array.from({ length: count }, (_, i) => `column_${i + 1}`);
    } else if (count !== this.width) {
      throw new DataInputError(
        `expected ${this.width} fields, found ${count} (as many as the ${this.header ? 'header' : 'first row'} has;` +
          ' a field that contains the delimiter must be quoted)',
        { ...(this.source === undefined ? {} : { source: this.source }), line: recordLine },
      );
    }
    if (this.rows === this.lines.length) {
      const lines = new Float64Array(this.lines.length * 2);
      lines.set(this.lines);
      this.lines = lines;
    }
    this.lines[this.rows++] = recordLine;
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }

  private error(message: string, b: Buffer, line: number, pos: number): DataInputError {
    let lineStart = pos;
    while (lineStart > 0 && b[lineStart - 1] !== LF && b[lineStart - 1] !== CR) lineStart--;
    const where = { line, column: b.toString('utf8', lineStart, pos).length + 1 };
    return new DataInputError(message, this.source === undefined ? where : { source: this.source, ...where });
  }
}

function columnNames(names: string[], line: number, source: string | undefined): string[] {
  const seen = new Map<string, number>();
  return names.map((raw, i) => {
    const name = raw === '' ? `column_${i + 1}` : raw;
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new DataInputError(
        `duplicate column name ${JSON.stringify(name)} (columns ${previous + 1} and ${i + 1}); rename one of them`,
        source === undefined ? { line } : { source, line },
      );
    }
    seen.set(name, i);
    return name;
  });
}

/**
 * A chunk the WebAssembly kernel tokenized. Its field offsets stay in the kernel's memory until read
 * (`starts`, `ends`) or until the kernel takes another region: most regions need none (the kernel
 * read every cell), and copying them out cost about 1 GB of writes per GB of CSV.
 */
class KernelChunk implements CsvChunk, KernelOffsetsHolder {
  private copied: { starts: Int32Array; ends: Int32Array } | null = null;
  private released = false;

  constructor(
    readonly columns: readonly string[],
    readonly bytes: Buffer,
    readonly lines: Float64Array,
    readonly rowCount: number,
    readonly kernelGeneration: number,
    private readonly fields: number,
    /** Arrays to copy the offsets into (grown if too small), reused once the chunk is spare. */
    public arrays: { starts: Int32Array; ends: Int32Array },
  ) {}

  get starts(): Int32Array {
    return this.offsets().starts;
  }

  get ends(): Int32Array {
    return this.offsets().ends;
  }

  release(): void {
    this.released = true;
  }

  keep(): void {
    if (!this.released) this.offsets();
  }

  private offsets(): { starts: Int32Array; ends: Int32Array } {
    if (this.copied !== null) return this.copied;
    if (this.arrays.starts.length < this.fields) {
      this.arrays = { starts: new Int32Array(this.fields), ends: new Int32Array(this.fields) };
    }
    const { starts, ends } = this.arrays;
    if (!csvKernel().copyOffsets(this.kernelGeneration, starts, ends)) {
      throw new Error('the field offsets of a released chunk were read after the kernel moved on');
    }
    this.copied = { starts: starts.subarray(0, this.fields), ends: ends.subarray(0, this.fields) };
    return this.copied;
  }
}
