import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { accumulateFeatures, type BinnedRows, type HistogramLayout, type RowSet } from './histogram';

// Control block slots (Int32Array over shared memory).
const GEN = 0; // bumped for every task; workers wait on it
const DONE = 1; // workers that finished the current task
const CMD = 2;
const START = 3;
const END = 4;
const HAS_INDICES = 5;
const SLAB = 6;
const BASE = 7;
const NUM_FEATURES = 8;
const OUTPUT = 9;
const FAILED = 10;
const CONTROL_SIZE = 12;

const CMD_HIST = 1;
const CMD_BUFFERS = 2;
const CMD_EXIT = 3;

/** Histograms per shared slab. */
const SLAB_HISTOGRAMS = 8;

/** Below this many bin updates a node's histogram is built on the calling thread alone. */
const MIN_PARALLEL_WORK = 65_536;

/**
 * Builds histograms on several threads: the caller and `numThreads − 1` workers each take a share of
 * the features (so each bin is summed by one thread in row order and results do not depend on the
 * thread count). Everything the workers read or write is in shared memory: bins, row indices,
 * gradients and the histogram slabs. Tasks are handed over through `Atomics` on a control block, not
 * messages, so a hand-over costs microseconds. Call `close()` when training ends.
 */
export class HistogramThreads {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SIZE * 4));
  private readonly featureList: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly slabs: Float64Array[] = [];
  private readonly free: Float64Array[] = [];
  private readonly slabOf = new Map<Float64Array, [number, number]>();
  private workerError: unknown;

  constructor(
    readonly numThreads: number,
    private readonly layout: HistogramLayout,
    private readonly bins: BinnedRows,
    private readonly indices: Uint32Array,
    private readonly gradHess: readonly Float64Array[],
  ) {
    const shared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;
    if (!shared(bins.data) || !shared(indices) || !gradHess.every(shared)) {
      throw new Error('HistogramThreads: bins, indices and gradients must be in shared memory');
    }
    this.featureList = new Int32Array(new SharedArrayBuffer(Math.max(1, bins.numFeatures) * 4));
    // The prologue is a string so that bundlers leave its `require` alone.
    const source =
      "const wt = require('node:worker_threads');\n" +
      `(${workerMain.toString()})(${accumulateFeatures.toString()}, wt.workerData, wt.receiveMessageOnPort);`;
    for (let id = 1; id < numThreads; id++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(source, {
        eval: true,
        workerData: {
          id,
          count: numThreads,
          port: port2,
          control: this.control,
          features: this.featureList,
          offsets: layout.offsets,
          data: bins.data,
          d: bins.numFeatures,
          indices,
          gradHess,
        },
        transferList: [port2],
      });
      // A worker that fails to start shows up as a timeout in `run`, which blocks the event loop;
      // the listener keeps the error from crashing the process meanwhile.
      worker.on('error', (error) => {
        this.workerError ??= error;
      });
      worker.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  /** A histogram buffer in shared memory, visible to the workers. */
  acquire(): Float64Array {
    const hist = this.free.pop();
    if (hist) return hist;
    const slab = new Float64Array(new SharedArrayBuffer(SLAB_HISTOGRAMS * this.layout.size * 8));
    const slabIndex = this.slabs.length;
    this.slabs.push(slab);
    for (let h = SLAB_HISTOGRAMS - 1; h >= 0; h--) {
      const view = slab.subarray(h * this.layout.size, (h + 1) * this.layout.size);
      this.slabOf.set(view, [slabIndex, h * this.layout.size]);
      this.free.push(view);
    }
    for (const port of this.ports) port.postMessage(slab);
    this.run(CMD_BUFFERS);
    return this.free.pop()!;
  }

  release(hist: Float64Array | undefined): void {
    if (hist) this.free.push(hist);
  }

  /** Like `buildHistogram`, split over the threads; `hist` must come from `acquire`. */
  build(hist: Float64Array, features: Int32Array, rows: RowSet, gradHess: Float64Array): void {
    const { indices, start, end } = rows;
    if (indices && indices !== this.indices)
      throw new Error('HistogramThreads: rows must index the shared indices');
    const [slab, base] = this.slabOf.get(hist) ?? [-1, 0];
    const output = this.gradHess.indexOf(gradHess);
    if (slab < 0 || output < 0)
      throw new Error('HistogramThreads: histogram or gradients not in shared memory');
    const m = features.length;
    const parallel =
      this.workers.length > 0 && (end - start) * m >= MIN_PARALLEL_WORK && m >= this.numThreads;
    const slabArray = this.slabs[slab]!;
    const own = (jEnd: number) =>
      accumulateFeatures(
        slabArray,
        base,
        this.layout.offsets,
        this.bins.data,
        this.bins.numFeatures,
        features,
        0,
        jEnd,
        indices ?? null,
        start,
        end,
        gradHess,
      );
    if (!parallel) {
      own(m);
      return;
    }
    const c = this.control;
    this.featureList.set(features);
    c[START] = start;
    c[END] = end;
    c[HAS_INDICES] = indices ? 1 : 0;
    c[SLAB] = slab;
    c[BASE] = base;
    c[NUM_FEATURES] = m;
    c[OUTPUT] = output;
    this.run(CMD_HIST, () => own(Math.min(m, Math.ceil(m / this.numThreads))));
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    if (this.workers.length > 0) {
      this.control[CMD] = CMD_EXIT;
      Atomics.add(this.control, GEN, 1);
      Atomics.notify(this.control, GEN);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const port of this.ports) port.close();
    this.workers.length = 0;
  }

  /** Hands a command to every worker, does `own` meanwhile, and waits for them all. */
  private run(cmd: number, own?: () => void): void {
    const c = this.control;
    if (this.workers.length === 0) {
      own?.();
      return;
    }
    c[CMD] = cmd;
    Atomics.store(c, DONE, 0);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    own?.();
    const expected = this.workers.length;
    for (let done = Atomics.load(c, DONE); done < expected; done = Atomics.load(c, DONE)) {
      if (Atomics.wait(c, DONE, done, 30_000) === 'timed-out') {
        throw new Error(
          `histogram worker threads did not answer within 30 s (${String(this.workerError ?? 'no error reported')})`,
        );
      }
    }
    if (c[FAILED]) throw new Error('a histogram worker thread failed; see stderr');
  }
}

/**
 * A worker's loop. Runs as source text inside the worker (no imports, no outer variables): it
 * receives the histogram kernel, its `workerData` and `receiveMessageOnPort` as arguments.
 */
function workerMain(
  kernel: typeof accumulateFeatures,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  w: any,
  receiveMessageOnPort: (port: MessagePort) => { message: unknown } | undefined,
): void {
  const control: Int32Array = w.control;
  const slabs: Float64Array[] = [];
  // The control block was fresh (generation 0) when this worker was created; a task may already be
  // waiting when it starts, and then the first wait returns at once.
  let seen = 0;
  for (;;) {
    // Spin briefly before sleeping: tasks often follow each other within microseconds.
    let spins = 0;
    while (Atomics.load(control, 0) === seen && spins++ < 20_000);
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    const cmd = control[2];
    if (cmd === 3) return;
    try {
      if (cmd === 2) {
        for (let msg = receiveMessageOnPort(w.port); msg; msg = receiveMessageOnPort(w.port)) {
          slabs.push(msg.message as Float64Array);
        }
      } else if (cmd === 1) {
        const m = control[8]!;
        const share = Math.ceil(m / w.count);
        const jStart = Math.min(m, share * w.id);
        const jEnd = Math.min(m, jStart + share);
        const indices = control[5] ? (w.indices as Uint32Array) : null;
        kernel(
          slabs[control[6]!]!,
          control[7]!,
          w.offsets,
          w.data,
          w.d,
          w.features,
          jStart,
          jEnd,
          indices,
          control[3]!,
          control[4]!,
          w.gradHess[control[9]!],
        );
      }
    } catch (error) {
      control[10] = 1;
      console.error(error);
    }
    if (Atomics.add(control, 1, 1) + 1 === w.count - 1) Atomics.notify(control, 1);
  }
}
