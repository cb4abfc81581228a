import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sha256OfFile } from '@kiln/artifacts/file-hash';
import { CsvReader, joinPieces, type CsvReadOptions, type CsvRest } from './csv-reader';
import {
  regionErrorToThrow,
  type RegionConverter,
  type RegionResult,
  type RegionSetup,
} from './csv-region';
import type { BatchShare } from './arrow-column-reader';
import type { FromCsvWorker, ToCsvWorker } from './csv-worker';
import type { HistogramColumn, HistogramHelpers, HistogramShareCounts } from './histogram-pass';
import type { TableAssembler } from './table-assembler';
import { recycleChunkMemory } from './text-input';
import type { WriteHasher } from './write-hasher';

const LF = 10;
const QUOTE = 34;

/**
 * The worker threads' module: next to this one, with the same extension (`.ts` when run from source
 * through a loader, `.js` once built).
 */
const WORKER_URL = new URL(`./csv-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url);

/**
 * Starts the module in the thread. The thread gets none of the parent's loaders (`execArgv` is set):
 * TypeScript source is loaded through the swc loader registered here, which works the same under
 * `node --import @swc-node/register/esm-register` and under vitest. A string, so that bundlers leave
 * its `require` alone.
 */
const BOOTSTRAP =
  "const { workerData } = require('node:worker_threads');\n" +
  "if (workerData.url.endsWith('.ts')) require('node:module').register('@swc-node/register/esm', workerData.parent);\n" +
  'import(workerData.url);';

/** A worker thread and the calls it has not answered yet. */
interface CsvThread {
  worker: Worker;
  calls: Map<number, { resolve: (r: RegionResult | HistogramShareCounts | string) => void; reject: (e: Error) => void }>;
  dead: Error | null;
  /** Settles once the thread has loaded its code (or has failed to). */
  loaded: Promise<void>;
}

/**
 * The threads, started when first needed and then kept for later conversions (once loaded, they
 * keep the process alive only while they owe answers): a thread's start-up (loading its code) costs
 * more than a small conversion, and stopping a thread that has registered module hooks can bring
 * down the process under some test runners. Conversions running at the same time share them.
 */
const pool: CsvThread[] = [];
let nextCall = 0;
let nextJob = 0;
/** What worker threads have done since the process started. */
const threadWork = { regions: 0, histogramShares: 0, hashes: 0 };

/**
 * How many CSV regions, shares of second passes and output files' hashes worker threads have done
 * (not the calling thread) since the process started: work a thread cannot do falls back to the
 * calling thread without an error (a thread that cannot load does none), so tests and benchmarks
 * check this.
 */
export function csvThreadWork(): { regions: number; histogramShares: number; hashes: number } {
  return { ...threadWork };
}

function startThread(): CsvThread {
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    // From source, workspace packages (`@kiln/engine`) resolve to their sources too: without the
    // `source` condition they resolve to `dist/`, which a source checkout lacks, the thread cannot
    // load, and every region silently falls back to the calling thread.
    execArgv: WORKER_URL.pathname.endsWith('.ts') ? ['--conditions=source'] : [],
    name: 'kiln-csv',
    workerData: { url: WORKER_URL.href, parent: import.meta.url },
  });
  let loaded = () => undefined as void;
  const thread: CsvThread = { worker, calls: new Map(), dead: null, loaded: new Promise((resolve) => (loaded = resolve)) };
  worker.on('message', (message: FromCsvWorker) => {
    if ('ready' in message) {
      // Kept alive while it loads (so that waiting for it keeps the process up), not after.
      if (thread.calls.size === 0) worker.unref();
      return loaded();
    }
    const call = thread.calls.get(message.id);
    thread.calls.delete(message.id);
    if (thread.calls.size === 0) worker.unref();
    if ('histogram' in message) call?.resolve(message.histogram);
    else if ('digest' in message) call?.resolve(message.digest);
    else if ('error' in message) call?.reject(new Error(message.error));
    else if (message.result === null) call?.reject(new Error('the conversion has ended'));
    else call?.resolve(message.result);
  });
  const fail = (error: Error) => {
    thread.dead ??= error;
    loaded();
    const at = pool.indexOf(thread);
    if (at >= 0) pool.splice(at, 1);
    for (const call of thread.calls.values()) call.reject(error);
    thread.calls.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`a CSV worker thread stopped (exit code ${code})`)));
  return thread;
}

/** Parse threads a large CSV file gets by default: one when there are 2 cores or more. */
export function defaultCsvThreads(): number {
  return availableParallelism() > 1 ? 1 : 0;
}

/**
 * Starts `count` threads (if fewer are running), resolving once they have loaded their code, so that
 * the first large CSV does not wait for them: what a worker process does when it starts.
 */
export async function startCsvThreads(count = defaultCsvThreads()): Promise<void> {
  while (pool.length < count) pool.push(startThread());
  await Promise.all(pool.slice(0, count).map((thread) => thread.loaded));
}

/**
 * One conversion's use of `count` threads, each answering its regions in the order it got them.
 * Threads start loading at once if need be; {@link setup} tells them about the CSV once its header
 * and types are known.
 */
export class RegionWorkers implements HistogramHelpers {
  private readonly threads: CsvThread[];
  private readonly job = nextJob++;
  private closed = false;
  /** The thread each result came from, to give its pieces back to. */
  private readonly origin = new WeakMap<RegionResult, CsvThread>();

  constructor(readonly count: number) {
    while (pool.length < count) pool.push(startThread());
    this.threads = pool.slice(0, count);
  }

  setup(setup: RegionSetup): void {
    for (const { worker } of this.threads) {
      worker.postMessage({ op: 'setup', job: this.job, setup } satisfies ToCsvWorker);
    }
  }

  /** Converts `bytes` (in shared memory, which the thread reads in place) on the next thread. */
  convert(bytes: Buffer, final: boolean): Promise<RegionResult> {
    const id = nextCall++;
    const thread = this.threads[id % this.threads.length]!;
    return this.call<RegionResult>(thread, id, (result) => this.origin.set(result, thread), {
      op: 'region',
      job: this.job,
      id,
      buffer: bytes.buffer,
      offset: bytes.byteOffset,
      length: bytes.byteLength,
      final,
    });
  }

  /** Counts a share of the second pass (moments and histograms) on thread `helper` (see {@link HistogramHelpers}). */
  countHistogramShare(
    helper: number,
    path: string,
    layout: readonly number[],
    columns: readonly HistogramColumn[],
    share: BatchShare,
  ): Promise<HistogramShareCounts> {
    const id = nextCall++;
    return this.call<HistogramShareCounts>(this.threads[helper]!, id, () => threadWork.histogramShares++, {
      op: 'histogram',
      id,
      path,
      layout: [...layout],
      columns: [...columns],
      share,
    });
  }

  /**
   * Hashes the Arrow file at `path` on the first thread as it is written: the thread reads back each
   * batch once written (from the page cache), so this thread, which assembles and writes the batches,
   * does not hash them. If the thread fails, the file is hashed here once closed.
   */
  hasher(path: string): WriteHasher {
    const thread = this.threads[0]!;
    const job = this.job;
    return {
      update: () => undefined,
      written: (to) => {
        if (!thread.dead && !this.closed) thread.worker.postMessage({ op: 'hash', job, path, to } satisfies ToCsvWorker);
      },
      digest: () => {
        const id = nextCall++;
        return this.call<string>(thread, id, () => threadWork.hashes++, { op: 'digest', id, job }).catch(() => sha256OfFile(path));
      },
    };
  }

  private call<T extends RegionResult | HistogramShareCounts | string>(
    thread: CsvThread,
    id: number,
    onResult: (result: T) => void,
    message: ToCsvWorker,
  ): Promise<T> {
    if (thread.dead) return Promise.reject(thread.dead);
    if (this.closed) return Promise.reject(new Error('the conversion has ended'));
    return new Promise((resolve, reject) => {
      // A thread keeps the process alive only while it owes answers.
      if (thread.calls.size === 0) thread.worker.ref();
      const done = (result: RegionResult | HistogramShareCounts | string) => {
        onResult(result as T);
        resolve(result as T);
      };
      thread.calls.set(id, { resolve: done, reject });
      thread.worker.postMessage(message);
    });
  }

  /** Gives the pieces of a result, once copied, back to the thread that made them. */
  giveBack(result: RegionResult): void {
    const thread = this.origin.get(result);
    if (thread === undefined || thread.dead || this.closed) return;
    thread.worker.postMessage({ op: 'giveBack', job: this.job, pieces: result.pieces } satisfies ToCsvWorker);
  }

  /** The threads forget this conversion (once done with the regions they have). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { worker, dead } of this.threads) {
      if (!dead) worker.postMessage({ op: 'end', job: this.job } satisfies ToCsvWorker);
    }
  }
}

/** A region sent to a thread, or converted on this one. */
interface Task {
  bytes: Buffer;
  final: boolean;
  result: Promise<RegionResult>;
  /** Whether the result is in (so taking it will not wait). */
  settled: boolean;
  onThisThread: boolean;
}

/** Options of {@link convertInWorkers}. */
export interface ParallelOptions extends CsvReadOptions {
  /**
   * Converts regions on the calling thread while the threads are behind (it would only wait for
   * them otherwise): the same code as theirs, set up for the same CSV.
   */
  here?: RegionConverter;
  /**
   * Appends what comes before the rest (the type sample): run once the first regions are on their
   * way to the threads, before any of their results is appended, so the threads start meanwhile.
   */
  first?: () => Promise<void>;
}

/**
 * Converts the rest of a CSV on worker threads and appends it to `assembler`, in order. The reader's
 * regions (each piece of input with the incomplete record before it) are cut after the last line
 * feed outside quotes, guessed from quote parity, and sent to the threads in turn, a bounded number
 * at a time. Each thread validates, tokenizes and converts its region into column pieces; this
 * thread takes the results in order, throws a region's syntax error as the single-thread path would
 * (lines counted from the region's first line), and appends the pieces. When a thread finds the cut
 * was not a record boundary (a stray quote in an unquoted field fooled the parity), a cell that does
 * not fit its column, or a thread fails, the rest of the input is converted on this thread, as
 * without workers.
 */
export async function convertInWorkers(
  rest: CsvRest,
  assembler: TableAssembler,
  workers: RegionWorkers,
  options: ParallelOptions,
): Promise<void> {
  const { source, pool, pieces } = rest;
  // Enough queued that a thread always has its next regions while this one appends results or
  // converts a region itself.
  const maxInFlight = workers.count * 6;
  const minRegion = options.regionBytes ?? 1 << 20;
  const inFlight: Task[] = [];
  const used: Buffer[] = [];
  const regionMemory = new SharedMemoryPool();
  let pending = rest.carry;
  let pendingBytes = pending.reduce((n, p) => n + p.byteLength, 0);
  let line = rest.state.line;

  /** Appends what comes before the rest (see {@link ParallelOptions.first}), once. */
  let first = options.first;
  const appendFirst = async () => {
    const append = first;
    first = undefined;
    await append?.();
  };

  /**
   * Takes the oldest result; returns the bytes left unconverted if its cut was wrong, or all of them
   * if its thread failed (it could not load its code, or died).
   */
  const takeResult = async (): Promise<Buffer | null> => {
    await appendFirst();
    const task = inFlight.shift()!;
    let result: RegionResult;
    try {
      result = await task.result;
    } catch {
      return task.bytes;
    }
    if (result.failure) throw regionErrorToThrow(result.failure, line, source);
    // A cell that does not fit its column: this thread converts from this region on, and reads it
    // as null and records it (an inferred type, see BuilderContext.tolerant) or throws what the
    // single-thread path throws, at the same line.
    if (result.cellFailures.length > 0) return task.bytes;
    await assembler.appendPieces(result.pieces, result.rowCount);
    // The pieces are copied: their arrays can be filled again.
    if (task.onThisThread) options.here!.giveBack(result.pieces);
    else {
      workers.giveBack(result);
      threadWork.regions++;
    }
    line += result.lines;
    used.push(task.bytes);
    return result.consumed === task.bytes.byteLength ? null : task.bytes.subarray(result.consumed);
  };

  try {
    for (;;) {
      const piece = await pieces.next();
      const final = piece.done === true;
      if (!final) {
        if (piece.value.byteLength === 0) continue;
        pending.push(piece.value);
        pendingBytes += piece.value.byteLength;
        if (pendingBytes < minRegion) continue;
      }
      const bytes = regionMemory.shared(joinPieces(pending, pendingBytes));
      // The memory of converted regions goes back once no carry points into it.
      for (const done of used.splice(0)) {
        recycleChunkMemory(pool, done);
        regionMemory.recycle(done);
      }
      const cut = final ? bytes.byteLength : recordCut(bytes);
      if (cut > 0) {
        const region = bytes.subarray(0, cut);
        const queued = inFlight.reduce((n, t) => n + (t.onThisThread || t.settled ? 0 : 1), 0);
        if (options.here && queued >= workers.count * 3) {
          // The threads have three regions each still to convert: convert this one here rather than
          // queue it too (they will not run dry meanwhile; its pieces are appended in turn, like theirs).
          const result = Promise.resolve(options.here.convert(region, final));
          inFlight.push({ bytes: region, final, result, settled: true, onThisThread: true });
        } else {
          const result = workers.convert(region, final);
          const task: Task = { bytes: region, final, result, settled: false, onThisThread: false };
          // Results not waited for (after an error) must not count as unhandled.
          result.then(
            () => (task.settled = true),
            () => (task.settled = true),
          );
          inFlight.push(task);
        }
      }
      pending = cut < bytes.byteLength ? [bytes.subarray(cut)] : [];
      pendingBytes = bytes.byteLength - cut;
      while (inFlight.length >= maxInFlight || (final && inFlight.length > 0)) {
        const left = await takeResult();
        if (left !== null) {
          // Everything from `left` on was cut from a wrong place, or its thread failed: convert it
          // (again) on this thread.
          const carry = Buffer.concat([left, ...inFlight.map((t) => t.bytes), ...pending]);
          inFlight.length = 0;
          used.length = 0;
          await appendFirst();
          await convertOnThisThread({ ...rest, carry: [carry], state: { ...rest.state, line } }, assembler, options);
          return;
        }
      }
      if (final) return;
    }
  } finally {
    await pieces.return?.();
  }
}

async function convertOnThisThread(rest: CsvRest, assembler: TableAssembler, options: CsvReadOptions) {
  const reader = new CsvReader(rest, options);
  for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) {
    await assembler.appendCsv(chunk);
    chunk.release?.();
  }
}

/**
 * Shared memory for regions that are not already in it (input from a stream), used again once
 * converted: memory that is shared is not counted by the garbage collector, so it must not pile up.
 */
class SharedMemoryPool {
  private readonly free: SharedArrayBuffer[] = [];
  private readonly ours = new WeakSet<ArrayBufferLike>();

  /** `bytes`, or a copy of them in shared memory. */
  shared(bytes: Buffer): Buffer {
    if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
    let memory = this.free.pop();
    if (memory === undefined || memory.byteLength < bytes.byteLength) {
      memory = new SharedArrayBuffer(Math.max(bytes.byteLength, 4 << 20));
      this.ours.add(memory);
    }
    const copy = Buffer.from(memory, 0, bytes.byteLength);
    copy.set(bytes);
    return copy;
  }

  recycle(bytes: Buffer): void {
    if (this.ours.has(bytes.buffer) && this.free.length < 4) this.free.push(bytes.buffer as SharedArrayBuffer);
  }
}

/**
 * Where the complete records of `bytes` (which start at a record boundary) end, guessed: after the
 * last line feed preceded by an even number of quotes. 0 when there is none.
 */
export function recordCut(bytes: Buffer): number {
  let lf = bytes.lastIndexOf(LF);
  if (lf < 0) return 0;
  let odd = (countQuotes(bytes, 0, lf) & 1) === 1;
  while (odd) {
    const previous = lf === 0 ? -1 : bytes.lastIndexOf(LF, lf - 1);
    if (previous < 0) return 0;
    if ((countQuotes(bytes, previous, lf) & 1) === 1) odd = !odd;
    lf = previous;
  }
  return lf + 1;
}

function countQuotes(bytes: Buffer, from: number, to: number): number {
  const range = bytes.subarray(from, to);
  let count = 0;
  for (let i = range.indexOf(QUOTE); i >= 0; i = range.indexOf(QUOTE, i + 1)) count++;
  return count;
}
