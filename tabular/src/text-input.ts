import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { DataInputError } from './input-error';

/** Tabular input: a stream of bytes (a Node `Readable` is one) or the path of a local file. */
export type ByteInput = AsyncIterable<Uint8Array> | string;

const READ_CHUNK = 4 << 20;
/**
 * Free bytes before each chunk read from a file, in the same (unshared) memory: a reader may put the
 * tail of the previous chunk there instead of concatenating the two.
 */
export const CHUNK_HEADROOM = 1 << 16;
const fileChunkMemory = new WeakSet<ArrayBufferLike>();

/** Whether `chunk` came from {@link openInput} reading a file, so it has {@link CHUNK_HEADROOM}. */
export function hasHeadroom(chunk: Uint8Array): boolean {
  return fileChunkMemory.has(chunk.buffer) && chunk.byteOffset === CHUNK_HEADROOM;
}

/**
 * Memory of file chunks their reader is done with, oldest first. One is filled again only once a
 * later one was given back too, so a reader may still hold the tail of the last chunk it returned
 * (until it has asked for the next chunk and put that tail in its headroom).
 */
export type ChunkMemoryPool = ArrayBufferLike[];

/** Gives back the memory of a chunk read by {@link openInput} (nothing if it is not one). */
export function recycleChunkMemory(pool: ChunkMemoryPool, chunk: Uint8Array): void {
  if (fileChunkMemory.has(chunk.buffer) && pool.length < 4 && !pool.includes(chunk.buffer))
    pool.push(chunk.buffer);
}

/**
 * The chunks of a file, the next read already under way while one is used. Their memory is shared
 * (a `SharedArrayBuffer`), so worker threads can read them without a copy.
 */
async function* fileChunks(path: string, pool: ChunkMemoryPool | undefined): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  const read = async (): Promise<Buffer> => {
    const reused = pool !== undefined && pool.length >= 2 ? pool.shift() : undefined;
    const memory =
      reused === undefined
        ? Buffer.from(new SharedArrayBuffer(CHUNK_HEADROOM + READ_CHUNK))
        : Buffer.from(reused);
    fileChunkMemory.add(memory.buffer);
    const { bytesRead } = await handle.read(memory, CHUNK_HEADROOM, READ_CHUNK, null);
    return memory.subarray(CHUNK_HEADROOM, CHUNK_HEADROOM + bytesRead);
  };
  let next = read();
  try {
    for (;;) {
      const chunk = await next;
      if (chunk.byteLength === 0) return;
      next = read();
      yield chunk;
    }
  } finally {
    await next.catch(() => undefined);
    await handle.close();
  }
}

/** The bytes of an input, and a name for error messages (see {@link sourceName}). */
export function openInput(
  input: ByteInput,
  source?: string,
  pool?: ChunkMemoryPool,
): { chunks: AsyncIterable<Uint8Array>; source?: string } {
  const chunks = typeof input === 'string' ? fileChunks(input, pool) : input;
  const name = sourceName(input, source);
  return name === undefined ? { chunks } : { chunks, source: name };
}

/** The name of an input in error messages: the one given, else the file name of a path. */
export function sourceName(input: ByteInput, source?: string): string | undefined {
  return source ?? (typeof input === 'string' ? basename(input) : undefined);
}

/** Counts line breaks in `bytes[start, end)`: LF, and CR not followed by LF when `loneCr` is set. */
export function countLineBreaks(bytes: Uint8Array, start: number, end: number, loneCr: boolean): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === 10 || (loneCr && b === 13 && bytes[i + 1] !== 10)) count++;
  }
  return count;
}

/**
 * The error for the first invalid UTF-8 sequence in `bytes[start, end)`, which is known to hold one.
 * `firstLine` is the line number at `start`. Only called once validation has failed, so it can be slow.
 */
export function invalidUtf8Error(
  bytes: Uint8Array,
  start: number,
  end: number,
  firstLine: number,
  loneCr: boolean,
  source: string | undefined,
): DataInputError {
  const bad = firstInvalidUtf8(bytes, start, end);
  let lineStart = start;
  for (let i = bad - 1; i >= start; i--) {
    const b = bytes[i]!;
    if (b === 10 || (loneCr && b === 13 && bytes[i + 1] !== 10)) {
      lineStart = i + 1;
      break;
    }
  }
  const line = firstLine + countLineBreaks(bytes, start, bad, loneCr);
  const column =
    Buffer.from(bytes.buffer, bytes.byteOffset + lineStart, bad - lineStart).toString('utf8').length + 1;
  const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
  return new DataInputError(
    `invalid UTF-8 (byte 0x${byte}); the input must be UTF-8: re-save or convert it (it may be Latin-1 or Windows-1252)`,
    source === undefined ? { line, column } : { source, line, column },
  );
}

/** Index of the first byte that starts an invalid (or truncated) UTF-8 sequence, or `end` if none. */
function firstInvalidUtf8(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= end) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return end;
}
