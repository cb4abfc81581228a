import { NUMERIC_KERNEL_WASM } from './numeric-kernel-wasm';
import { WASM_PAGE, ensureMemory, instantiateKernel, type KernelMemory } from './wasm-instance';

interface NumericExports extends KernelMemory {
  sumAndCount(values: number, n: number, int: number, counts: number, bins: number, halfMin: number, halfRange: number): number;
  squaredDeviations(values: number, n: number, int: number, mean: number): number;
  range(values: number, n: number, int: number, out: number): void;
  sumAndCountValid(
    values: number,
    n: number,
    int: number,
    validity: number,
    counts: number,
    bins: number,
    halfMin: number,
    halfRange: number,
    out: number,
  ): number;
  squaredDeviationsValid(values: number, n: number, int: number, validity: number, mean: number): number;
}

/** Where {@link NumericKernel.range} leaves the least and greatest value (the module has no data of its own). */
const RANGE = 0;
/** Where the kernel leaves the count of valid rows of a batch with nulls. */
const VALID = 16;
/** Where the bins' counts start in the kernel's memory. */
const COUNTS = 1024;

/**
 * The WebAssembly loops of the numeric statistics over a batch (wasm/numeric-kernel.ts),
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
  /** Where the validity of the batch held is, or 0 when it has no nulls. */
  private validity = 0;

  constructor() {
    this.exports = instantiateKernel<NumericExports>(NUMERIC_KERNEL_WASM);
  }

  /**
   * Holds `values[0, n)` for {@link sumAndCount} and {@link squaredDeviations}, with room for `bins`
   * counts (0: none), and their `validity` (bit `i` set for a valid row `i`; null: no nulls).
   */
  load(values: Float64Array | Int32Array, n: number, bins: number, validity: Uint8Array | null = null): void {
    this.bins = bins;
    this.values = Math.ceil((COUNTS + 8 * bins) / WASM_PAGE) * WASM_PAGE;
    const validityAt = this.values + Math.ceil((n * values.BYTES_PER_ELEMENT) / 16) * 16;
    ensureMemory(this.exports.memory, validityAt + (validity === null ? 0 : (n + 7) >> 3));
    const memory = this.exports.memory.buffer;
    if (values instanceof Int32Array) new Int32Array(memory, this.values, n).set(values.subarray(0, n));
    else new Float64Array(memory, this.values, n).set(values.subarray(0, n));
    this.validity = validity === null ? 0 : validityAt;
    if (validity !== null) new Uint8Array(memory, validityAt, (n + 7) >> 3).set(validity.subarray(0, (n + 7) >> 3));
  }

  /**
   * The sum and the number of the valid values held (without nulls, four running sums: see
   * wasm/numeric-kernel.ts; with nulls, one in row order), and, when `counts` is given, the values
   * counted into its bins of equal width from `2 * halfMin` to `2 * (halfMin + halfRange)`
   * (`halfRange` > 0, both finite).
   */
  sumAndCount(
    int: boolean,
    n: number,
    counts: Float64Array | null,
    halfMin = 0,
    halfRange = 1,
  ): { sum: number; valid: number } {
    const bins = counts === null ? 0 : this.bins;
    const memory = this.exports.memory.buffer;
    const scratch = new Int32Array(memory, COUNTS, 2 * bins);
    scratch.fill(0);
    const { exports } = this;
    const sum =
      this.validity === 0
        ? exports.sumAndCount(this.values, n, int ? 1 : 0, COUNTS, bins, halfMin, halfRange)
        : exports.sumAndCountValid(this.values, n, int ? 1 : 0, this.validity, COUNTS, bins, halfMin, halfRange, VALID);
    for (let k = 0; k < bins; k++) counts![k]! += scratch[k]! + scratch[bins + k]!;
    return { sum, valid: this.validity === 0 ? n : new Float64Array(memory, VALID, 1)[0]! };
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
    return this.validity === 0
      ? this.exports.squaredDeviations(this.values, n, int ? 1 : 0, mean)
      : this.exports.squaredDeviationsValid(this.values, n, int ? 1 : 0, this.validity, mean);
  }
}

let kernel: NumericKernel | null = null;

/** This thread's kernel. */
export function numericKernel(): NumericKernel {
  return (kernel ??= new NumericKernel());
}
