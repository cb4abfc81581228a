import { NUMERIC_KERNEL_WASM } from './numeric-kernel-wasm';
import { WASM_PAGE, ensureMemory, instantiateKernel, type KernelMemory } from './wasm-instance';

interface NumericExports extends KernelMemory {
  sumAndCount(values: number, n: number, int: number, counts: number, bins: number, halfMin: number, halfRange: number): number;
  squaredDeviations(values: number, n: number, int: number, mean: number): number;
  range(values: number, n: number, int: number, out: number): void;
}

/** Where {@link NumericKernel.range} leaves the least and greatest value (the module has no data of its own). */
const RANGE = 0;
/** Where the bins' counts start in the kernel's memory. */
const COUNTS = 1024;

/**
 * The WebAssembly loops of the numeric statistics over a batch without nulls (wasm/numeric-kernel.ts),
 * one per thread: in the first pass, the range; in the second, the batch's values are copied into its
 * memory once, then summed and counted into bins in one pass and their squared deviations summed in
 * another, while they are in cache. Why
 * WebAssembly: two lanes a step (one double division per value is most of the binning's cost), and
 * no bounds checks; about 3.5× less time than the same loops in JavaScript. Additions happen in the
 * JavaScript loops' order, so the sums are the same bit for bit.
 */
export class NumericKernel {
  private readonly exports: NumericExports;
  private bins = 0;
  private values = 0;

  constructor() {
    this.exports = instantiateKernel<NumericExports>(NUMERIC_KERNEL_WASM);
  }

  /**
   * Holds `values[0, n)` for {@link sumAndCount} and {@link squaredDeviations}, with room for `bins`
   * counts (0: none).
   */
  load(values: Float64Array | Int32Array, n: number, bins: number): void {
    this.bins = bins;
    this.values = Math.ceil((COUNTS + 8 * bins) / WASM_PAGE) * WASM_PAGE;
    ensureMemory(this.exports.memory, this.values + n * values.BYTES_PER_ELEMENT);
    const memory = this.exports.memory.buffer;
    if (values instanceof Int32Array) new Int32Array(memory, this.values, n).set(values.subarray(0, n));
    else new Float64Array(memory, this.values, n).set(values.subarray(0, n));
  }

  /**
   * The sum of the values held (four running sums, see denseSum in wasm/numeric-kernel.ts), and, when
   * `counts` is given, the values counted into its bins of equal width from `2 * halfMin` to
   * `2 * (halfMin + halfRange)` (`halfRange` > 0, both finite).
   */
  sumAndCount(
    int: boolean,
    n: number,
    counts: Float64Array | null,
    halfMin = 0,
    halfRange = 1,
  ): number {
    const bins = counts === null ? 0 : this.bins;
    const memory = this.exports.memory.buffer;
    const scratch = new Int32Array(memory, COUNTS, 2 * bins);
    scratch.fill(0);
    const sum = this.exports.sumAndCount(this.values, n, int ? 1 : 0, COUNTS, bins, halfMin, halfRange);
    for (let k = 0; k < bins; k++) counts![k]! += scratch[k]! + scratch[bins + k]!;
    return sum;
  }

  /** Lowers `range.min` and raises `range.max` to the least and greatest of the values held (NaN aside). */
  range(int: boolean, n: number, range: { min: number; max: number }): void {
    const out = new Float64Array(this.exports.memory.buffer, RANGE, 2);
    out[0] = range.min;
    out[1] = range.max;
    this.exports.range(this.values, n, int ? 1 : 0, RANGE);
    range.min = out[0]!;
    range.max = out[1]!;
  }

  /** The sum of `(x - mean)²` over the values held, in the order of {@link sumAndCount}'s sum. */
  squaredDeviations(int: boolean, n: number, mean: number): number {
    return this.exports.squaredDeviations(this.values, n, int ? 1 : 0, mean);
  }
}

let kernel: NumericKernel | null = null;

/** This thread's kernel. */
export function numericKernel(): NumericKernel {
  return (kernel ??= new NumericKernel());
}
