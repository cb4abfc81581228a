import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { BatchShare } from './arrow-column-reader';
import type { ColumnPiece } from './column-builder';
import { RegionConverter, type RegionResult, type RegionSetup } from './csv-region';
import { countHistogramShare, type HistogramColumn, type HistogramShareCounts } from './histogram-pass';

/** Messages to a CSV worker thread; `job` tells conversions that share the thread apart. */
export type ToCsvWorker =
  | { op: 'setup'; job: number; setup: RegionSetup }
  | { op: 'end'; job: number }
  /** Pieces the calling thread has copied: their (shared) arrays can be filled again. */
  | { op: 'giveBack'; job: number; pieces: ColumnPiece[] }
  | {
      op: 'region';
      job: number;
      id: number;
      buffer: SharedArrayBuffer | ArrayBuffer;
      offset: number;
      length: number;
      final: boolean;
    }
  /**
   * The Arrow file of conversion `job` (`path`) is written up to byte `to`: hash what was not hashed
   * yet, read back from the file (see `RegionWorkers.hasher`).
   */
  | { op: 'hash'; job: number; path: string; to: number }
  /** The SHA-256 of what conversion `job` had hashed. */
  | { op: 'digest'; id: number; job: number }
  /** A share of the second (moments and histograms) pass over a written Arrow file (see `countHistogramShare`). */
  | {
      op: 'histogram';
      id: number;
      path: string;
      layout: number[];
      columns: HistogramColumn[];
      share: BatchShare;
    };

/**
 * A worker's answer: the converted region (its arrays in shared memory, so not copied); or, once, that
 * it has loaded its code.
 */
export type FromCsvWorker =
  | {
      id: number;
      /** null for a region of a conversion that has ended. */
      result: RegionResult | null;
    }
  | { id: number; histogram: HistogramShareCounts }
  | { id: number; digest: string }
  | { id: number; error: string }
  | { ready: true };

// The thread's entry: converts the regions it is sent, one at a time, in order.
const converters = new Map<number, RegionConverter>();
const hashes = new Map<number, FileHash>();
parentPort?.on('message', (message: ToCsvWorker) => {
  if (message.op === 'hash') {
    let hash = hashes.get(message.job);
    if (hash === undefined) hashes.set(message.job, (hash = new FileHash(message.path)));
    hash.upTo(message.to);
    return;
  }
  if (message.op === 'digest') {
    const hash = hashes.get(message.job);
    hashes.delete(message.job);
    hash?.close();
    const reply: FromCsvWorker =
      hash === undefined || hash.failed !== null
        ? { id: message.id, error: hash?.failed ?? 'nothing was hashed' }
        : { id: message.id, digest: hash.digest() };
    parentPort!.postMessage(reply);
    return;
  }
  if (message.op === 'histogram') {
    const { id, path, layout, columns, share } = message;
    countHistogramShare(path, layout, columns, share).then(
      (histogram) => parentPort!.postMessage({ id, histogram } satisfies FromCsvWorker),
      (error: unknown) => parentPort!.postMessage({ id, error: String(error) } satisfies FromCsvWorker),
    );
    return;
  }
  if (message.op === 'setup') {
    converters.set(message.job, new RegionConverter(message.setup));
    return;
  }
  if (message.op === 'end') {
    converters.delete(message.job);
    hashes.get(message.job)?.close();
    hashes.delete(message.job);
    return;
  }
  if (message.op === 'giveBack') {
    converters.get(message.job)?.giveBack(message.pieces);
    return;
  }
  const converter = converters.get(message.job);
  if (converter === undefined) {
    // The conversion has ended (after an error): nobody waits for the answer but its call.
    parentPort!.postMessage({ id: message.id, result: null } satisfies FromCsvWorker);
    return;
  }
  const bytes = Buffer.from(message.buffer, message.offset, message.length);
  const result = converter.convert(bytes, message.final);
  parentPort!.postMessage({ id: message.id, result } satisfies FromCsvWorker);
});

parentPort?.postMessage({ ready: true } satisfies FromCsvWorker);

/** SHA-256 of a file being written, read back as it grows (from the page cache: about a fifth of the hashing's cost). */
class FileHash {
  private readonly hash = createHash('sha256');
  private fd: number | null = null;
  private at = 0;
  /** Why hashing failed, if it did (the calling thread then hashes the file itself). */
  failed: string | null = null;

  constructor(private readonly path: string) {}

  upTo(to: number): void {
    if (this.failed !== null) return;
    try {
      this.fd ??= openSync(this.path, 'r');
      while (this.at < to) {
        const read = readSync(this.fd, readBuffer, 0, Math.min(readBuffer.byteLength, to - this.at), this.at);
        if (read === 0) throw new Error(`${this.path} ends at byte ${this.at}, before ${to}`);
        this.hash.update(readBuffer.subarray(0, read));
        this.at += read;
      }
    } catch (error) {
      this.failed = String(error);
    }
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

const readBuffer = Buffer.allocUnsafeSlow(4 << 20);
