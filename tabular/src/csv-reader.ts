import { CsvTokenizer, fieldText, type TokenizerState } from './csv-tokenizer';
import {
  CHUNK_HEADROOM,
  hasHeadroom,
  openInput,
  recycleChunkMemory,
  type ByteInput,
  type ChunkMemoryPool,
} from './text-input';
import { asBuffer } from './value-parsers';
import type { CsvChunk, CsvReadOptions } from './csv-chunk';

export { fieldText } from './csv-tokenizer';
export type { CsvChunk, CsvReadOptions } from './csv-chunk';

const MIN_REGION = 1 << 20;

/** What is left of an input once a {@link CsvReader} hands it over (see {@link CsvReader.takeRest}). */
export interface CsvRest {
  /** Bytes read but not yet tokenized, from a record boundary. */
  carry: Uint8Array[];
  /** The rest of the input. */
  pieces: AsyncIterator<Uint8Array>;
  /** The tokenizer's state at the start of `carry`. */
  state: TokenizerState;
  /** Where memory of file chunks goes back once used (see {@link recycleChunkMemory}). */
  pool: ChunkMemoryPool;
  source: string | undefined;
}

/**
 * Streams a CSV (RFC 4180: quoted fields with doubled quotes and line breaks, CRLF or LF) as chunks
 * of complete rows. Always yields at least one chunk, so the columns are known even with no rows.
 * Blank lines are skipped; a quote inside an unquoted field is kept as a character; a UTF-8 byte
 * order mark is dropped. Bad input throws {@link DataInputError} naming the line (and column).
 *
 * The input is cut into regions of whole lines (≥ 1 MB), each validated as UTF-8 in one call and
 * tokenized byte by byte into offset arrays: no string is created per field. A chunk's buffers are
 * not reused, so it stays valid after the next one is read, unless the caller puts it in `spares`
 * (once done with it): then its offset arrays and its bytes are filled again.
 */
export async function* readCsv(
  input: ByteInput,
  options: CsvReadOptions = {},
  spares?: CsvChunk[],
): AsyncGenerator<CsvChunk> {
  const reader = new CsvReader(input, options, spares);
  try {
    for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) yield chunk;
  } finally {
    await reader.close();
  }
}

/**
 * {@link readCsv} one chunk at a time, which can also hand the rest of its input (from a record
 * boundary) to another reader: the parallel converter gives it to worker threads.
 */
export class CsvReader {
  readonly source: string | undefined;
  /** Bytes of input read so far. */
  bytesRead = 0;
  private readonly pool: ChunkMemoryPool;
  private readonly pieces: AsyncIterator<Uint8Array>;
  private readonly tokenizer: CsvTokenizer;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private minRegion: number;
  private first = true;
  private yielded = false;
  private done = false;
  private handedOver = false;

  /**
   * @param input the input, or the rest of one that another reader handed over.
   */
  constructor(input: ByteInput | CsvRest, options: CsvReadOptions = {}, spares?: CsvChunk[]) {
    const rest = typeof input === 'object' && 'pieces' in input ? input : null;
    if (rest === null) {
      this.pool = [];
      const { chunks, source } = openInput(input as ByteInput, options.source, this.pool);
      this.source = source;
      this.pieces = chunks[Symbol.asyncIterator]();
    } else {
      this.pool = rest.pool;
      this.source = rest.source;
      this.pieces = rest.pieces;
      this.pending = rest.carry;
      this.pendingBytes = rest.carry.reduce((n, c) => n + c.byteLength, 0);
      this.first = false;
      this.yielded = true;
    }
    this.tokenizer = new CsvTokenizer(options, this.source, spares, (chunk) =>
      recycleChunkMemory(this.pool, chunk.bytes),
    );
    if (rest !== null) this.tokenizer.resume(rest.state);
    this.minRegion = options.regionBytes ?? MIN_REGION;
  }

  /** See {@link CsvTokenizer.readColumns}. */
  readColumns(types: readonly string[], nullValues: Iterable<string>, numericNulls: boolean): void {
    this.tokenizer.readColumns(types, nullValues, numericNulls);
  }

  /** The next chunk of rows, or null at the end. */
  async next(): Promise<CsvChunk | null> {
    while (!this.done) {
      const piece = await this.pieces.next();
      if (piece.done) {
        this.done = true;
        const last = this.region(true);
        const columns = this.tokenizer.finish();
        if (last) return last;
        if (this.yielded) return null;
        this.yielded = true;
        return {
          columns,
          bytes: Buffer.alloc(0),
          starts: new Int32Array(0),
          ends: new Int32Array(0),
          lines: new Float64Array(0),
          rowCount: 0,
        };
      }
      if (piece.value.byteLength === 0) continue;
      this.pending.push(piece.value);
      this.pendingBytes += piece.value.byteLength;
      this.bytesRead += piece.value.byteLength;
      if (this.pendingBytes < this.minRegion) continue;
      const chunk = this.region(false);
      if (chunk) {
        this.yielded = true;
        return chunk;
      }
    }
    return null;
  }

  /**
   * Hands over the input not yet tokenized (null once it has all been read): this reader is done
   * and its caller closes the rest.
   */
  takeRest(): CsvRest | null {
    if (this.done) return null;
    this.done = true;
    this.handedOver = true;
    return {
      carry: this.pending,
      pieces: this.pieces,
      state: this.tokenizer.state,
      pool: this.pool,
      source: this.source,
    };
  }

  /** Stops reading (closes the file). */
  async close(): Promise<void> {
    if (!this.handedOver) await this.pieces.return?.();
  }

  private region(final: boolean): CsvChunk | null {
    let bytes = joinPieces(this.pending, this.pendingBytes);
    if (this.first) {
      this.first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    const { chunk, carry } = this.tokenizer.feed(bytes, final);
    this.pending = carry.byteLength > 0 ? [carry] : [];
    this.pendingBytes = carry.byteLength;
    // A record longer than a region (a huge quoted field) is scanned again from its start with more
    // bytes; doubling the region each time keeps that linear overall.
    if (carry.byteLength * 2 > this.minRegion) this.minRegion = carry.byteLength * 2;
    return chunk;
  }
}

/** Pieces of input as one buffer: the first one when alone, else in the second's headroom or a copy. */
export function joinPieces(pending: readonly Uint8Array[], total: number): Buffer {
  if (pending.length === 0) return Buffer.alloc(0);
  if (pending.length === 1) return asBuffer(pending[0]!);
  if (pending.length === 2 && pending[0]!.byteLength <= CHUNK_HEADROOM && hasHeadroom(pending[1]!)) {
    // The previous region's incomplete record goes in the free bytes before the new chunk: no copy.
    const [carry, chunk] = pending as [Uint8Array, Uint8Array];
    const from = chunk.byteOffset - carry.byteLength;
    const bytes = Buffer.from(chunk.buffer, from, total);
    bytes.set(carry, 0);
    return bytes;
  }
  return Buffer.concat(pending, total);
}

/** The text of field `i` of a chunk. */
export function csvField(chunk: CsvChunk, i: number): string {
  return fieldText(chunk.bytes, chunk.starts[i]!, chunk.ends[i]!);
}
