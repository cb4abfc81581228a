import { open, type FileHandle } from 'node:fs/promises';
import { AsyncByteQueue, RecordBatchFileWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { writeFully } from '@kiln/artifacts/file-writes';
import type { WriteHasher } from './write-hasher';

/**
 * Collects what the Arrow writer emits instead of queueing it for a reader: the caller takes the
 * bytes after each batch and writes them out, so at most one batch is ever buffered.
 */
class TakeQueue extends AsyncByteQueue {
  private pending: Uint8Array[] = [];

  override write(value: Parameters<AsyncByteQueue['write']>[0]): void {
    if (value instanceof Uint8Array) this.pending.push(value);
    else if (ArrayBuffer.isView(value))
      this.pending.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    else throw new Error('unexpected chunk from the Arrow writer');
  }

  take(): Uint8Array[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}

/**
 * Writes an Arrow IPC file (the random-access format, with a footer) batch by batch. One batch may be
 * in flight to disk while the next is built, never more, so memory holds at most two batches
 * whatever the table size.
 */
export class ArrowFileWriter {
  private bytes = 0;
  private inFlight: Promise<void> = Promise.resolve();

  private constructor(
    private readonly handle: FileHandle,
    private readonly writer: RecordBatchFileWriter,
    private readonly queue: TakeQueue,
    private readonly hasher: WriteHasher | null,
  ) {}

  /** @param hasher hashes the bytes, in order, as they are written (see {@link close}). */
  static async create(path: string, schema: Schema, hasher: WriteHasher | null = null): Promise<ArrowFileWriter> {
    const handle = await open(path, 'w');
    const writer = new RecordBatchFileWriter();
    const queue = new TakeQueue();
    writer.reset(queue, schema);
    return new ArrowFileWriter(handle, writer, queue, hasher);
  }

  /** Resolves once the previous batch is on disk and this one is on its way. */
  async write(batch: RecordBatch): Promise<void> {
    await this.inFlight;
    this.writer.write(batch);
    this.inFlight = this.writeOut(this.queue.take());
    // Failures surface from the next write or close; this only keeps Node from calling them unhandled.
    this.inFlight.catch(() => undefined);
  }

  /** Writes the footer and closes the file; returns its size in bytes, and its SHA-256 (hex) if asked. */
  async close(): Promise<{ byteLength: number; sha256?: string }> {
    await this.inFlight;
    this.writer.close();
    await this.writeOut(this.queue.take());
    await this.handle.close();
    return { byteLength: this.bytes, ...(this.hasher ? { sha256: await this.hasher.digest() } : {}) };
  }

  /** Closes the file without finishing it (after an error); the caller removes it. */
  async abort(): Promise<void> {
    await this.inFlight.catch(() => undefined);
    await this.handle.close();
  }

  private async writeOut(chunks: Uint8Array[]): Promise<void> {
    // Written as they are (no concatenation into one buffer): the Arrow writer's output is views of
    // the batch's own arrays, which stay alive until the write completes.
    const pending = chunks.filter((c) => c.byteLength > 0);
    this.hasher?.update(pending);
    this.bytes += await writeFully(this.handle, pending);
    this.hasher?.written(this.bytes);
  }
}
