import { describe, expect, it } from 'vitest';
import { batchMomentsAndCounts, countIntoHistogram, type HistogramRange } from './numeric-batch';
import { numericKernel } from './numeric-kernel';

/*
 * The loops the WebAssembly kernel replaces, as they were in JavaScript: the kernel must give the same
 * numbers bit for bit (the statistics of a dataset do not change with the code that computes them).
 */
function referenceSum(values: Float64Array | Int32Array, n: number): number {
  let [s0, s1, s2, s3] = [0, 0, 0, 0];
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += values[i]!;
    s1 += values[i + 1]!;
    s2 += values[i + 2]!;
    s3 += values[i + 3]!;
  }
  for (; i < n; i++) s0 += values[i]!;
  return s0 + s1 + s2 + s3;
}

function referenceSquaredDeviations(values: Float64Array | Int32Array, n: number, mean: number): number {
  let [s0, s1, s2, s3] = [0, 0, 0, 0];
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const [a, b, c, d] = [values[i]! - mean, values[i + 1]! - mean, values[i + 2]! - mean, values[i + 3]! - mean];
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += d * d;
  }
  for (; i < n; i++) {
    const d = values[i]! - mean;
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

function rangeOf(values: ArrayLike<number>): HistogramRange {
  let [min, max] = [Infinity, -Infinity];
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < min) min = values[i]!;
    if (values[i]! > max) max = values[i]!;
  }
  return { min, max, bins: 20 };
}

/** Deterministic values of every kind the kernel reads: long decimals, tiny and huge magnitudes. */
function floats(n: number, seed: number): Float64Array {
  const values = new Float64Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    values[i] = ((x / 2 ** 32) - 0.3) * 10 ** ((x % 7) - 2) + (i % 5 === 0 ? 1e6 : 0);
  }
  return values;
}

describe('the numeric kernel', () => {
  it('sums, counts into bins and sums squared deviations as the JavaScript loops did, bit for bit', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 7, 65_536, 65_539]) {
      for (const values of [floats(n, n + 1), Int32Array.from(floats(n, n + 2), (x) => Math.round(x))]) {
        const range = rangeOf(values);
        const counts = new Float64Array(20);
        const moments = batchMomentsAndCounts(values, null, n, range, counts);
        const expected = new Float64Array(20);
        countIntoHistogram(expected, range, values, null, n);
        expect(Array.from(counts), `counts, n = ${n}`).toEqual(Array.from(expected));
        if (n === 0) continue;
        const mean = referenceSum(values, n) / n;
        expect(moments).toEqual({ n, mean, m2: referenceSquaredDeviations(values, n, mean) });
      }
    }
  });

  it('reads batches with nulls in row order, one running sum, as the JavaScript loop did', () => {
    for (const n of [1, 9, 65_537]) {
      for (const values of [floats(n, 3 * n), Int32Array.from(floats(n, 5 * n), (x) => Math.round(x))]) {
        const validity = new Uint8Array((n + 7) >> 3);
        for (let i = 0; i < n; i++) if (i % 7 !== 3) validity[i >> 3]! |= 1 << (i & 7);
        const range = rangeOf(values.filter((_, i) => i % 7 !== 3));
        const counts = new Float64Array(20);
        const moments = batchMomentsAndCounts(values, validity, n, range, counts);
        const expected = new Float64Array(20);
        countIntoHistogram(expected, range, values, validity, n);
        expect(Array.from(counts), `counts, n = ${n}`).toEqual(Array.from(expected));
        let [valid, sum] = [0, 0];
        for (let i = 0; i < n; i++) if (i % 7 !== 3) [valid, sum] = [valid + 1, sum + values[i]!];
        const mean = sum / valid;
        let m2 = 0;
        for (let i = 0; i < n; i++) {
          if (i % 7 === 3) continue;
          const d = values[i]! - mean;
          m2 += d * d;
        }
        expect(moments).toEqual({ n: valid, mean, m2 });
      }
    }
  });

  it('counts a NaN in no bin, and a value at the maximum in the last', () => {
    const values = Float64Array.of(0, NaN, 10, 5, NaN, 2.5, 9.999, 10, 0.0001);
    const counts = new Float64Array(4);
    batchMomentsAndCounts(values, null, values.length, { min: 0, max: 10, bins: 4 }, counts);
    expect(Array.from(counts)).toEqual([2, 1, 1, 3]);
  });

  it('averages values whose sum overflows, and counts them with infinite bounds as JavaScript does', () => {
    const values = Float64Array.of(1e308, 1e308, 1e308, -1e308, 1e308);
    const counts = new Float64Array(2);
    const { mean } = batchMomentsAndCounts(values, null, values.length, { min: -1e308, max: 1e308, bins: 2 }, counts);
    expect(mean).toBeCloseTo(0.6e308, -300);
    expect(Array.from(counts)).toEqual([1, 4]);
    const infinite = Float64Array.of(-Infinity, 1, 2, Infinity);
    const inKernel = new Float64Array(3);
    batchMomentsAndCounts(infinite, null, 4, { min: -Infinity, max: Infinity, bins: 3 }, inKernel);
    const expected = new Float64Array(3);
    countIntoHistogram(expected, { min: -Infinity, max: Infinity, bins: 3 }, infinite, null, 4);
    expect(Array.from(inKernel)).toEqual(Array.from(expected));
  });

  it('finds the range by comparisons, never taking a NaN', () => {
    const kernel = numericKernel();
    const values = Float64Array.of(NaN, 3, -2, NaN, 7.5, 0);
    kernel.load(values, values.length, 0);
    const range = { min: Infinity, max: -Infinity };
    kernel.range(false, values.length, range);
    expect(range).toEqual({ min: -2, max: 7.5 });
    const ints = Int32Array.of(5, -9, 12);
    kernel.load(ints, 3, 0);
    kernel.range(true, 3, range);
    expect(range).toEqual({ min: -9, max: 12 });
  });
});
