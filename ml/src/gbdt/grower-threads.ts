import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import {
  accumulateFeatures,
  addPartials,
  buildHistogram,
  maxPartials,
  nodeBlock,
  type BinnedRows,
  type HistogramLayout,
  type RowSet,
} from './histogram';
import { addLog, GRADIENT_BLOCK, GRADIENT_KERNELS, type GradientPairs } from './objectives';
import { addToScores, partitionInPlace, partitionRows } from './partition';
import { sharedArray } from './shared-memory';

// Control block slots (Int32Array over shared memory).
const GEN = 0; // bumped for every task; workers wait on it
const ACTIVE = 1; // workers inside the current task (see `run`)
const CMD = 2;
const START = 3;
const END = 4;
const HAS_INDICES = 5;
const SLAB = 6;
const BASE = 7;
const NUM_FEATURES = 8;
const OUTPUT = 9;
const FAILED = 10;
const NEXT_CHUNK = 11; // the next unit of work to claim (histogram block or feature chunk, gradient block, leaf)
const CHUNK = 12; // histogram: features per chunk
const COLUMN_BASE = 13; // partition: where the split feature's column starts
const KERNEL = 14; // gradients: the objective's kernel
const BLOCK_ROWS = 15; // histogram: rows per block (see nodeBlock)
const NUM_LEAVES = 16; // leaf values: leaves of the tree
const CLOSED = 17; // the last generation whose work units are all claimed (see `run`)
const NUM_SLICES = 18; // partition: slices of the node's rows
const CONTROL_SIZE = 19;

const CMD_HIST = 1;
const CMD_EXIT = 3;
const CMD_PARTITION = 4;
const CMD_GRADIENTS = 5;
const CMD_ADD_PARTIALS = 6;
const CMD_LEAF_VALUES = 7;

/** What a training run's threads share besides the bins: per output, scores and gradients; the labels. */
export interface TrainingArrays {
  readonly scores: readonly Float64Array[];
  readonly labels: Float64Array;
  /** Per output, the gradient and hessian pairs. */
  readonly gradHess: readonly GradientPairs[];
}

/** Histograms per shared slab. */
const SLAB_HISTOGRAMS = 8;

/** Below this many bin updates a node's histogram is built on the calling thread alone. */
const MIN_PARALLEL_WORK = 65_536;

/** Below this many rows a node is partitioned on the calling thread alone. */
const MIN_PARALLEL_PARTITION = 32_768;

/** Rows per slice of a parallel partition: slices are claimed like histogram blocks. */
const PARTITION_SLICE = 16_384;

/**
 * How long the caller spins before it sleeps, waiting for the workers that joined a task to finish
 * their units: waking a sleeping thread can cost a millisecond on a VM, and that would be on the
 * critical path.
 */
const SPIN_MS = 2;

/**
 * How long an idle worker spins before it sleeps, waiting for a task. Short: the caller does not
 * wait for a worker that is late to a task (see `run`), so a wake-up costs that task only the
 * worker's share, while spinning burns CPU time that, on a busy machine, the threads with work lose.
 */
const WORKER_SPIN_MS = 0.1;

/**
 * The tree grower's data-parallel steps, on the calling thread plus `numThreads − 1` workers:
 *
 * - **Histograms.** A node's rows are cut into blocks (`nodeBlock`) that threads claim one at a time,
 *   so a thread that starts late (a worker waking up) just takes fewer, and each row is read once.
 *   Each block is summed over every feature into its own buffer, then the threads add the blocks up
 *   feature by feature in block order: the order `buildHistogram` adds in on one thread, so results
 *   do not depend on the thread count. A node of one block is split by features instead.
 * - **Partitions.** Threads claim slices of a node's rows and split each; the slices are then joined
 *   in order, which is the same stable partition one thread makes.
 * - **Gradients.** Threads claim blocks of rows; the loss is summed over blocks in order.
 * - **Leaf values.** Threads claim a grown tree's leaves and add each one's value to its rows' scores.
 *
 * Everything the workers read or write is in shared memory: bins (row-major and per column), row
 * indices, scores, labels, gradients and the histogram slabs. Tasks are handed over through `Atomics`
 * on a control block, not messages, so a hand-over costs microseconds, and the caller never waits for
 * a worker that has not started on a task (see `run`). Call `close()` when training ends.
 */
export class GrowerThreads {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SIZE * 4));
  private readonly featureList: Int32Array;
  /** Per partition slice: its first row (one more entry: the end), and how many of its rows went left. */
  private readonly sliceStart: Int32Array;
  private readonly sliceLeft: Int32Array;
  /** A grown tree's leaves: `[start, end)` of each one's rows in `indices`, and its value. */
  private readonly leafBounds: Int32Array;
  private readonly leafValues: Float64Array;
  /** Per gradient block: its summed loss. */
  private readonly blockLoss: Float64Array;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly slabs: Float64Array[] = [];
  private readonly free: Float64Array[] = [];
  private readonly slabOf = new Map<Float64Array, [number, number]>();
  /** Sums of row blocks after a node's first, one histogram each. */
  private readonly partials: Float64Array;
  private workerError: unknown;

  constructor(
    readonly numThreads: number,
    private readonly layout: HistogramLayout,
    private readonly bins: BinnedRows,
    /** The per-column copy of the bins: feature `f`'s bin of row `i` is `columns[f * numRows + i]`. */
    private readonly columns: Uint8Array,
    private readonly indices: Uint32Array,
    private readonly scratch: Uint32Array,
    private readonly goesLeft: Uint8Array,
    private readonly training: TrainingArrays,
    maxLeaves: number,
  ) {
    const { scores, labels, gradHess } = training;
    const shared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;
    if (![bins.data, columns, indices, scratch, goesLeft, labels, ...scores, ...gradHess].every(shared)) {
      throw new Error(
        'GrowerThreads: bins, columns, indices, scratch, scores, labels and gradients must be in shared memory',
      );
    }
    this.blockLoss = sharedArray(Float64Array, Math.ceil(labels.length / GRADIENT_BLOCK));
    this.featureList = sharedArray(Int32Array, bins.numFeatures);
    const maxSlices = Math.ceil(bins.numRows / PARTITION_SLICE) + 1;
    this.sliceStart = sharedArray(Int32Array, maxSlices + 1);
    this.sliceLeft = sharedArray(Int32Array, maxSlices);
    this.leafBounds = sharedArray(Int32Array, 2 * maxLeaves);
    this.leafValues = sharedArray(Float64Array, maxLeaves);
    this.partials = sharedArray(Float64Array, maxPartials(bins.numRows, layout.size) * layout.size);
    // The prologue is a string so that bundlers leave its `require` alone.
    const source =
      "const wt = require('node:worker_threads');\n" +
      `const addLog = ${addLog.toString()};\n` +
      `(${workerMain.toString()})(${accumulateFeatures.toString()}, ${addPartials.toString()}, ${partitionRows.toString()}, ${addToScores.toString()}, ` +
      `[${GRADIENT_KERNELS.map(String).join(', ')}], wt.workerData, wt.receiveMessageOnPort);`;
    for (let id = 1; id < numThreads; id++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(source, {
        eval: true,
        workerData: {
          id,
          count: numThreads,
          spinMs: WORKER_SPIN_MS,
          gradientBlock: GRADIENT_BLOCK,
          port: port2,
          control: this.control,
          features: this.featureList,
          sliceStart: this.sliceStart,
          sliceLeft: this.sliceLeft,
          offsets: layout.offsets,
          partials: this.partials,
          leafBounds: this.leafBounds,
          leafValues: this.leafValues,
          data: bins.data,
          stride: bins.stride,
          columns,
          indices,
          scratch,
          goesLeft,
          scores,
          labels,
          gradHess,
          blockLoss: this.blockLoss,
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
    // Workers take it from their port when a task first needs it: the message is queued before the
    // task's generation is published.
    for (const port of this.ports) port.postMessage(slab);
    return this.free.pop()!;
  }

  release(hist: Float64Array | undefined): void {
    if (hist) this.free.push(hist);
  }

  /** Like `buildHistogram`, split over the threads; `hist` must come from `acquire`. */
  build(hist: Float64Array, features: Int32Array, rows: RowSet, gradHess: GradientPairs): void {
    const { indices, start, end } = rows;
    if (indices && indices !== this.indices)
      throw new Error('GrowerThreads: rows must index the shared indices');
    const [slab, base] = this.slabOf.get(hist) ?? [-1, 0];
    const output = this.training.gradHess.indexOf(gradHess);
    if (slab < 0 || output < 0) throw new Error('GrowerThreads: histogram or gradients not in shared memory');
    const m = features.length;
    if (this.workers.length === 0 || (end - start) * m < MIN_PARALLEL_WORK || m < this.numThreads) {
      buildHistogram(hist, this.layout, this.bins, features, rows, gradHess, this.partials);
      return;
    }
    const slabArray = this.slabs[slab]!;
    const blockRows = nodeBlock(this.bins.numRows, this.layout.size, end - start);
    const blocks = Math.max(1, Math.ceil((end - start) / blockRows));
    // Split by features (a chunk per thread, in fours: the kernel reads four bins at once) when the
    // node is a single block, else by row blocks.
    const chunk = blocks === 1 ? Math.ceil(m / this.numThreads / 4) * 4 : m;
    const chunks = Math.ceil(m / chunk);
    const size = this.layout.size;
    const unit = (u: number) => {
      const b = Math.floor(u / chunks);
      const j = (u % chunks) * chunk;
      const from = start + b * blockRows;
      accumulateFeatures(
        b === 0 ? slabArray : this.partials,
        b === 0 ? base : (b - 1) * size,
        this.layout.offsets,
        this.bins.data,
        this.bins.words,
        this.bins.stride,
        features,
        j,
        Math.min(m, j + chunk),
        indices ?? null,
        from,
        Math.min(end, from + blockRows),
        gradHess,
      );
    };
    const c = this.control;
    this.featureList.set(features);
    c[START] = start;
    c[END] = end;
    c[HAS_INDICES] = indices ? 1 : 0;
    c[SLAB] = slab;
    c[BASE] = base;
    c[NUM_FEATURES] = m;
    c[OUTPUT] = output;
    c[CHUNK] = chunk;
    c[BLOCK_ROWS] = blockRows;
    Atomics.store(c, NEXT_CHUNK, 0);
    this.run(CMD_HIST, () => {
      for (let u = Atomics.add(c, NEXT_CHUNK, 1); u < blocks * chunks; u = Atomics.add(c, NEXT_CHUNK, 1)) unit(u);
    });
    if (blocks === 1) return;
    if (blocks <= 4) {
      // A few blocks' sums: adding them here is quicker than handing over a task.
      addPartials(slabArray, base, this.partials, 0, blocks - 1, this.layout.offsets, features, 0, m);
      return;
    }
    Atomics.store(c, NEXT_CHUNK, 0);
    this.run(CMD_ADD_PARTIALS, () => {
      for (let j = Atomics.add(c, NEXT_CHUNK, 1); j < m; j = Atomics.add(c, NEXT_CHUNK, 1)) {
        addPartials(slabArray, base, this.partials, 0, blocks - 1, this.layout.offsets, features, j, j + 1);
      }
    });
  }

  /**
   * Stable partition of `indices[start..end)` by the column at `columnBase` through `goesLeft` (see
   * `partitionRows`): left rows first. Returns where the right rows start.
   */
  partition(start: number, end: number, columnBase: number): number {
    const { indices, scratch, columns, goesLeft } = this;
    if (this.workers.length === 0 || end - start < MIN_PARALLEL_PARTITION) {
      return partitionInPlace(indices, scratch, columns, columnBase, goesLeft, start, end);
    }
    const slices = this.sliceStart;
    const count = Math.ceil((end - start) / PARTITION_SLICE);
    for (let t = 0; t < count; t++) slices[t] = start + t * PARTITION_SLICE;
    slices[count] = end;
    const c = this.control;
    c[COLUMN_BASE] = columnBase;
    c[NUM_SLICES] = count;
    Atomics.store(c, NEXT_CHUNK, 0);
    this.run(CMD_PARTITION, () => {
      for (let t = Atomics.add(c, NEXT_CHUNK, 1); t < count; t = Atomics.add(c, NEXT_CHUNK, 1)) {
        this.sliceLeft[t] = partitionRows(indices, scratch, columns, columnBase, goesLeft, slices[t]!, slices[t + 1]!);
      }
    });
    // Join the slices: every slice's left rows in order, then every slice's right rows in order.
    let at = start;
    for (let t = 0; t < count; t++) {
      const from = slices[t]!;
      const left = this.sliceLeft[t]!;
      if (at !== from) indices.copyWithin(at, from, from + left);
      at += left;
    }
    const mid = at;
    for (let t = 0; t < count; t++) {
      const from = slices[t]! + this.sliceLeft[t]!;
      const to = slices[t + 1]!;
      indices.set(scratch.subarray(slices[t]!, slices[t]! + (to - from)), at);
      at += to - from;
    }
    return mid;
  }

  /** Adds each leaf's value to the scores (of output `output`) of the rows it holds. */
  addLeafValues(leafStart: readonly number[], leafEnd: readonly number[], values: readonly number[], output: number): void {
    const n = values.length;
    const scores = this.training.scores[output]!;
    const c = this.control;
    for (let l = 0; l < n; l++) {
      this.leafBounds[2 * l] = leafStart[l]!;
      this.leafBounds[2 * l + 1] = leafEnd[l]!;
      this.leafValues[l] = values[l]!;
    }
    c[NUM_LEAVES] = n;
    c[OUTPUT] = output;
    Atomics.store(c, NEXT_CHUNK, 0);
    this.run(CMD_LEAF_VALUES, () => {
      for (let l = Atomics.add(c, NEXT_CHUNK, 1); l < n; l = Atomics.add(c, NEXT_CHUNK, 1)) {
        addToScores(scores, this.indices, this.leafBounds[2 * l]!, this.leafBounds[2 * l + 1]!, this.leafValues[l]!);
      }
    });
  }

  /** The objective's gradients (kernel `kernel` of `GRADIENT_KERNELS`) at the scores; returns the mean loss. */
  gradients(kernel: number): number {
    const { scores, labels, gradHess } = this.training;
    const n = labels.length;
    const blocks = this.blockLoss.length;
    const c = this.control;
    c[KERNEL] = kernel;
    Atomics.store(c, NEXT_CHUNK, 0);
    this.run(CMD_GRADIENTS, () => {
      for (let b = Atomics.add(c, NEXT_CHUNK, 1); b < blocks; b = Atomics.add(c, NEXT_CHUNK, 1)) {
        const from = b * GRADIENT_BLOCK;
        this.blockLoss[b] = GRADIENT_KERNELS[kernel]!(
          scores,
          labels,
          gradHess,
          from,
          Math.min(n, from + GRADIENT_BLOCK),
        );
      }
    });
    let total = 0;
    for (let b = 0; b < blocks; b++) total += this.blockLoss[b]!;
    return total / n;
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

  /**
   * Offers a task to the workers and claims its work units on this thread too (`own`); returns once
   * every unit is done. Only workers that joined the task before all its units were claimed are
   * waited for: on a busy machine a worker that is not scheduled in time is not waited for, this
   * thread does its share instead. A worker joins by counting itself in `ACTIVE` and then checking
   * that the task is not `CLOSED`; this thread closes the task once `own` has claimed the last unit,
   * and then waits for `ACTIVE` to drop to 0. (Sequentially consistent atomics: a worker that saw the
   * task open is counted before this thread reads `ACTIVE`.)
   */
  private run(cmd: number, own: () => void): void {
    const c = this.control;
    if (this.workers.length === 0) {
      own();
      return;
    }
    if (this.workerError) throw new Error(`a tree-growing worker thread failed: ${String(this.workerError)}`);
    c[CMD] = cmd;
    const gen = Atomics.add(c, GEN, 1) + 1;
    Atomics.notify(c, GEN);
    own();
    Atomics.store(c, CLOSED, gen);
    const until = performance.now() + SPIN_MS;
    for (let spins = 1; Atomics.load(c, ACTIVE) > 0; spins++) {
      if ((spins & 255) === 0 && performance.now() > until) break;
    }
    for (let active = Atomics.load(c, ACTIVE); active > 0; active = Atomics.load(c, ACTIVE)) {
      if (Atomics.wait(c, ACTIVE, active, 30_000) === 'timed-out') {
        throw new Error(
          `tree-growing worker threads did not finish a task within 30 s (${String(this.workerError ?? 'no error reported')})`,
        );
      }
    }
    if (c[FAILED]) throw new Error('a tree-growing worker thread failed; see stderr');
  }
}

/**
 * A worker's loop. Runs as source text inside the worker (no imports, no outer variables): it
 * receives the kernels, its `workerData` and `receiveMessageOnPort` as arguments.
 */
function workerMain(
  accumulate: typeof accumulateFeatures,
  addUp: typeof addPartials,
  partition: typeof partitionRows,
  addLeaf: typeof addToScores,
  kernels: typeof GRADIENT_KERNELS,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  w: any,
  receiveMessageOnPort: (port: MessagePort) => { message: unknown } | undefined,
): void {
  const control: Int32Array = w.control;
  const slabs: Float64Array[] = [];
  const words = new Uint32Array(w.data.buffer, w.data.byteOffset, w.data.length >> 2);
  // The control block was fresh (generation 0) when this worker was created; a task may already be
  // waiting when it starts, and then the first wait returns at once.
  let seen = 0;
  for (;;) {
    // Spin a little before sleeping: tasks often follow each other within a millisecond.
    const until = performance.now() + w.spinMs;
    let spins = 0;
    while (Atomics.load(control, 0) === seen && ((++spins & 255) !== 0 || performance.now() < until));
    // `Atomics.wait` can return without a new task (a wake-up meant for an earlier one): running the
    // old task again would race with the caller, so only a new generation ends the wait.
    while (Atomics.load(control, 0) === seen) Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    if (control[2] === 3) return;
    // Join the task unless the caller has already claimed all its units (see `run`): then it may
    // be writing the next task's parameters, and this worker must not read them half-written.
    Atomics.add(control, 1, 1);
    if (Atomics.load(control, 17) === seen) {
      if (Atomics.sub(control, 1, 1) === 1) Atomics.notify(control, 1);
      continue;
    }
    const cmd = control[2];
    if (cmd === 3) return;
    try {
      // Histogram slabs made since the last task wait on the port (posted before the task).
      for (let msg = receiveMessageOnPort(w.port); msg; msg = receiveMessageOnPort(w.port)) {
        slabs.push(msg.message as Float64Array);
      }
      if (cmd === 1) {
        // Work units: row block `u / chunks`, feature chunk `u % chunks` (see `build`).
        const m = control[8]!;
        const chunk = control[12]!;
        const blockRows = control[15]!;
        const start = control[3]!;
        const end = control[4]!;
        const chunks = Math.ceil(m / chunk);
        const units = Math.max(1, Math.ceil((end - start) / blockRows)) * chunks;
        const size = w.offsets[w.offsets.length - 1];
        const indices = control[5] ? (w.indices as Uint32Array) : null;
        for (let u = Atomics.add(control, 11, 1); u < units; u = Atomics.add(control, 11, 1)) {
          const b = Math.floor(u / chunks);
          const j = (u % chunks) * chunk;
          const from = start + b * blockRows;
          accumulate(
            b === 0 ? slabs[control[6]!]! : w.partials,
            b === 0 ? control[7]! : (b - 1) * size,
            w.offsets,
            w.data,
            words,
            w.stride,
            w.features,
            j,
            Math.min(m, j + chunk),
            indices,
            from,
            Math.min(end, from + blockRows),
            w.gradHess[control[9]!],
          );
        }
      } else if (cmd === 6) {
        const m = control[8]!;
        const blocks = Math.ceil((control[4]! - control[3]!) / control[15]!);
        for (let j = Atomics.add(control, 11, 1); j < m; j = Atomics.add(control, 11, 1)) {
          addUp(slabs[control[6]!]!, control[7]!, w.partials, 0, blocks - 1, w.offsets, w.features, j, j + 1);
        }
      } else if (cmd === 7) {
        const n = control[16]!;
        const scores = w.scores[control[9]!];
        for (let l = Atomics.add(control, 11, 1); l < n; l = Atomics.add(control, 11, 1)) {
          addLeaf(scores, w.indices, w.leafBounds[2 * l], w.leafBounds[2 * l + 1], w.leafValues[l]);
        }
      } else if (cmd === 4) {
        const n = control[18]!;
        for (let t = Atomics.add(control, 11, 1); t < n; t = Atomics.add(control, 11, 1)) {
          w.sliceLeft[t] = partition(w.indices, w.scratch, w.columns, control[13]!, w.goesLeft, w.sliceStart[t], w.sliceStart[t + 1]);
        }
      } else if (cmd === 5) {
        const kernel = kernels[control[14]!]!;
        const n = w.labels.length;
        const blocks = w.blockLoss.length;
        for (let b = Atomics.add(control, 11, 1); b < blocks; b = Atomics.add(control, 11, 1)) {
          const from = b * w.gradientBlock;
          w.blockLoss[b] = kernel(w.scores, w.labels, w.gradHess, from, Math.min(n, from + w.gradientBlock));
        }
      }
    } catch (error) {
      control[10] = 1;
      console.error(error);
    }
    if (Atomics.sub(control, 1, 1) === 1) Atomics.notify(control, 1);
  }
}
