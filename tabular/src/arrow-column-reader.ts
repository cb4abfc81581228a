import { open, type FileHandle } from 'node:fs/promises';
import { DataType, Message, type Schema } from 'apache-arrow';

/** One column's buffers in one record batch, read into memory the reader reuses. */
export interface ColumnBuffers {
  /** Rows in the batch. */
  length: number;
  nullCount: number;
  /** Bit `i` set for a non-null row `i`; null when no row is null. */
  validity: Uint8Array | null;
  /** The fixed-width values buffer (a view is valid only during the callback). */
  values: Uint8Array;
}

const MAGIC = 'ARROW1';
const EMPTY = Buffer.alloc(0) as Buffer;

/** The columns' buffers of one record batch, and where the next message starts. */
interface BatchRead {
  next: number;
  buffers: ColumnBuffers[];
}
/** "ARROW1" and two bytes of padding open the file; the footer's length and "ARROW1" close it. */
const HEAD = 8;
const TAIL = 10;

/**
 * Reads the validity and value buffers of some fixed-width columns (numbers, dates, booleans) of an
 * Arrow IPC file with the given schema, batch by batch, each into one reused buffer: what a statistics
 * pass over a written dataset needs, without reading or decoding the other columns, and without
 * allocating memory per batch. Only flat schemas without dictionaries or compression (as Kiln writes
 * them) are read. (The schema is the caller's: a file may hold it in its footer only.)
 */
export async function readFixedWidthColumns(
  path: string,
  schema: Schema,
  columns: readonly number[],
  visit: (column: number, buffers: ColumnBuffers) => void,
): Promise<void> {
  await readColumnsByLayout(path, fixedWidthLayout(schema, path), columns, visit);
}

/** Which record batches of a file a reader visits: those whose index is `part` modulo `parts`. */
export interface BatchShare {
  part: number;
  parts: number;
}

/**
 * {@link readFixedWidthColumns} with the file's {@link fixedWidthLayout} (what another thread, which
 * has no `Schema`, is given), visiting a share of the record batches: the others' bodies are not read.
 */
export async function readColumnsByLayout(
  path: string,
  layout: readonly number[],
  columns: readonly number[],
  visit: (column: number, buffers: ColumnBuffers) => void,
  share: BatchShare = { part: 0, parts: 1 },
): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const reader = new PositionalReader(handle);
    const { size } = await handle.stat();
    if (size < HEAD + TAIL || (await reader.read(size - 6, 6)).toString('latin1') !== MAGIC) {
      throw new Error(`${path} is not an Arrow IPC file (no ARROW1 footer)`);
    }
    const end = size - TAIL - (await reader.read(size - TAIL, 4)).readInt32LE(0);
    const firstBuffer = layout;
    let batchIndex = 0;
    // Two sets of buffers: the next batch is read while the caller looks at this one.
    const memory = [0, 1].map(() => columns.map(() => ({ validity: EMPTY, values: EMPTY })));
    const readBatch = async (from: number, set: number): Promise<BatchRead | null> => {
      for (let at = from; at + 8 <= end;) {
        const prefix = await reader.read(at, 8);
        // A continuation marker, then the metadata's length (or, in the pre-1.0 format, the length alone).
        const marked = prefix.readInt32LE(0) === -1;
        const metadataLength = marked ? prefix.readInt32LE(4) : prefix.readInt32LE(0);
        if (metadataLength === 0) return null;
        const metadataAt = at + (marked ? 8 : 4);
        const message = Message.decode(Buffer.from(await reader.read(metadataAt, metadataLength)));
        const bodyAt = metadataAt + metadataLength;
        at = bodyAt + message.bodyLength;
        if (message.isDictionaryBatch()) throw new Error(`${path}: dictionary batches are not supported here`);
        if (!message.isRecordBatch()) continue;
        if (batchIndex++ % share.parts !== share.part) continue;
        const batch = message.header();
        if (batch.nodes.length !== firstBuffer.length) {
          throw new Error(`${path}: a record batch has ${batch.nodes.length} columns, the schema ${firstBuffer.length}`);
        }
        if (batch.compression !== null) throw new Error(`${path}: compressed Arrow buffers are not supported`);
        const read = columns.map(async (column, k): Promise<ColumnBuffers> => {
          const node = batch.nodes[column]!;
          const validityRegion = batch.buffers[firstBuffer[column]!]!;
          const valuesRegion = batch.buffers[firstBuffer[column]! + 1]!;
          const scratch = memory[set]![k]!;
          let validity: Uint8Array | null = null;
          if (node.nullCount > 0 && validityRegion.length > 0) {
            scratch.validity = room(scratch.validity, validityRegion.length);
            validity = await reader.readInto(scratch.validity, bodyAt + validityRegion.offset, validityRegion.length);
          }
          scratch.values = room(scratch.values, valuesRegion.length);
          const values = await reader.readInto(scratch.values, bodyAt + valuesRegion.offset, valuesRegion.length);
          return { length: node.length, nullCount: node.nullCount, validity, values };
        });
        return { next: at, buffers: await Promise.all(read) };
      }
      return null;
    };
    let set = 0;
    let pending = readBatch(HEAD, set);
    for (let batch = await pending; batch !== null; batch = await pending) {
      set = 1 - set;
      pending = readBatch(batch.next, set);
      // Not left unhandled if a visit throws.
      pending.catch(() => undefined);
      batch.buffers.forEach((buffers, k) => visit(columns[k]!, buffers));
    }
  } finally {
    await handle.close();
  }
}

/** Index of each column's first buffer in a record batch (flat schemas only; `path` names the file in errors). */
export function fixedWidthLayout(schema: Schema, path: string): number[] {
  const first: number[] = [];
  let next = 0;
  for (const field of schema.fields) {
    first.push(next);
    const type = field.type as DataType;
    if (DataType.isUtf8(type) || DataType.isBinary(type) || DataType.isLargeUtf8(type) || DataType.isLargeBinary(type)) {
      next += 3;
    } else if (
      DataType.isInt(type) ||
      DataType.isFloat(type) ||
      DataType.isBool(type) ||
      DataType.isDate(type) ||
      DataType.isTimestamp(type) ||
      DataType.isTime(type) ||
      DataType.isDuration(type) ||
      DataType.isInterval(type) ||
      DataType.isDecimal(type) ||
      DataType.isFixedSizeBinary(type)
    ) {
      next += 2;
    } else {
      throw new Error(`${path}: column ${JSON.stringify(field.name)} has type ${String(type)}, which is not flat`);
    }
  }
  return first;
}

/** `buffer` if it holds `size` bytes, else a bigger one (8-byte aligned, for typed views). */
function room(buffer: Buffer, size: number): Buffer {
  return buffer.byteLength >= size ? buffer : Buffer.allocUnsafeSlow(Math.max(size, buffer.byteLength * 2));
}

/** Positional reads that fill the range asked for (or fail on a short file). */
class PositionalReader {
  private readonly small = Buffer.allocUnsafeSlow(1 << 16);

  constructor(private readonly handle: FileHandle) {}

  /** Bytes `[at, at + length)`; the view of a small read is overwritten by the next one. */
  read(at: number, length: number): Promise<Buffer> {
    return this.readInto(length <= this.small.byteLength ? this.small : Buffer.allocUnsafe(length), at, length);
  }

  async readInto(target: Buffer, at: number, length: number): Promise<Buffer> {
    for (let done = 0; done < length;) {
      const { bytesRead } = await this.handle.read(target, done, length - done, at + done);
      if (bytesRead === 0) throw new Error(`the Arrow file ends before byte ${at + length}`);
      done += bytesRead;
    }
    return target.subarray(0, length);
  }
}
