import { CsvTokenizer, fieldText } from './csv-tokenizer';
import {
  CHUNK_HEADROOM,
  hasHeadroom,
  openInput,
  recycleChunkMemory,
  type ByteInput,
  type ChunkMemoryPool,
} from './text-input';
import { asBuffer } from './value-parsers';

export { fieldText } from './csv-tokenizer';

/** Options of {@link readCsv}. */
export interface CsvReadOptions {
  /** One character (default `,`). */
  delimiter?: string;
  /** Whether the first record names the columns (default true); without one they are `column_1`, …. */
  header?: boolean;
  /** A name for the input in error messages (default: the file name when reading a path). */
  source?: string;
}

/**
 * Complete rows of a CSV as byte ranges into validated UTF-8: field `i = row * columns.length + col`
 * is `bytes[starts[i], ends[i])`. A quoted field whose doubled quotes (`""`) still need undoing has
 * its start stored as `~start` (negative); {@link fieldText} handles both.
 */
export interface CsvChunk {
  /** Column names (the same array in every chunk). */
  columns: readonly string[];
  bytes: Buffer;
  starts: Int32Array;
  ends: Int32Array;
  /** The line each row starts on (1-based, counting the header). */
  lines: Float64Array;
  rowCount: number;
}

const MIN_REGION = 1 << 20;

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
  const pool: ChunkMemoryPool = [];
  const { chunks, source } = openInput(input, options.source, pool);
  const tokenizer = new CsvTokenizer(options, source, spares, (chunk) =>
    recycleChunkMemory(pool, chunk.bytes),
  );
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let minRegion = MIN_REGION;
  let first = true;
  let yielded = false;

  function region(final: boolean): CsvChunk | null {
    let bytes: Buffer;
    if (pending.length === 1) bytes = asBuffer(pending[0]!);
    else if (pending.length === 2 && pending[0]!.byteLength <= CHUNK_HEADROOM && hasHeadroom(pending[1]!)) {
      // The previous region's incomplete record goes in the free bytes before the new chunk: no copy.
      const [carry, chunk] = pending as [Uint8Array, Uint8Array];
      const from = chunk.byteOffset - carry.byteLength;
      bytes = Buffer.from(chunk.buffer, from, pendingBytes);
      bytes.set(carry, 0);
    } else bytes = Buffer.concat(pending, pendingBytes);
    if (first) {
      first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    const { chunk, carry } = tokenizer.feed(bytes, final);
    pending = carry.byteLength > 0 ? [carry] : [];
    pendingBytes = carry.byteLength;
    // A record longer than a region (a huge quoted field) is scanned again from its start with more
    // bytes; doubling the region each time keeps that linear overall.
    if (carry.byteLength * 2 > minRegion) minRegion = carry.byteLength * 2;
    return chunk;
  }

  for await (const piece of chunks) {
    if (piece.byteLength === 0) continue;
    pending.push(piece);
    pendingBytes += piece.byteLength;
    if (pendingBytes < minRegion) continue;
    const chunk = region(false);
    if (chunk) {
      yielded = true;
      yield chunk;
    }
  }
  const last = region(true);
  const columns = tokenizer.finish();
  if (last) yield last;
  else if (!yielded) {
    yield {
      columns,
      bytes: Buffer.alloc(0),
      starts: new Int32Array(0),
      ends: new Int32Array(0),
      lines: new Float64Array(0),
      rowCount: 0,
    };
  }
}

/** The text of field `i` of a chunk. */
export function csvField(chunk: CsvChunk, i: number): string {
  return fieldText(chunk.bytes, chunk.starts[i]!, chunk.ends[i]!);
}
