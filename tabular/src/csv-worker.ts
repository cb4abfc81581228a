import { parentPort } from 'node:worker_threads';
import type { BatchShare } from './arrow-column-reader';
import type { ColumnPiece } from './column-builder';
import { RegionConverter, type RegionResult, type RegionSetup } from './csv-region';
import { countHistogramShare, type HistogramColumn } from './histogram-pass';

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
  /** A share of the histogram pass over a written Arrow file (see `countHistogramShare`). */
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
  | { id: number; histogram: Float64Array[] }
  | { id: number; error: string }
  | { ready: true };

// The thread's entry: converts the regions it is sent, one at a time, in order.
const converters = new Map<number, RegionConverter>();
parentPort?.on('message', (message: ToCsvWorker) => {
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
