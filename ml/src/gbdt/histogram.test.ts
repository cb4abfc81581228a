import { describe, expect, it } from 'vitest';
import { BinMapper } from './binning';
import { buildHistogram, HistogramLayout, maxPartials, nodeBlock, rowBlock, subtractHistogram } from './histogram';
import { Rng } from './random';
import { findBestSplit, type SplitCandidate, emptySplit } from './split-finder';

function setup(rows: number, features: number) {
  const rng = new Rng(5);
  const cols = Array.from({ length: features }, () =>
    Float64Array.from({ length: rows }, () => (rng.next() < 0.1 ? NaN : Math.floor(rng.next() * 20))),
  );
  const mapper = BinMapper.fit(cols);
  const bins = mapper.transformRows(cols);
  const layout = new HistogramLayout(cols.map((_, f) => mapper.numBins(f)));
  const gradHess = Float32Array.from({ length: 2 * rows }, (_, k) =>
    k % 2 ? rng.next() + 0.1 : rng.next() - 0.5,
  );
  return { cols, mapper, bins, layout, gradHess };
}

describe('histograms', () => {
  it('are built in row blocks of at least 16,384 rows, at most 64 of them, whose sums fit in 64 MB', () => {
    expect(rowBlock(1_000, 15_360)).toBe(16_384);
    expect(rowBlock(1_000_000, 15_360)).toBe(16_384); // 20 features of 255 bins: 62 blocks
    expect(rowBlock(10_000_000, 15_360)).toBe(156_250); // 64 blocks
    expect(rowBlock(1_000_000, 768_000)).toBe(100_000); // 1,000 features: 6 MB a histogram, 10 blocks
    expect(rowBlock(1_000_000, 10_000_000)).toBe(1_000_000); // one block
  });

  it('cut nodes within one training block into up to 4 blocks of at least 4,096 rows, unless histograms are huge', () => {
    expect(nodeBlock(1_000_000, 15_360, 500_000)).toBe(16_384);
    expect(nodeBlock(1_000_000, 15_360, 16_000)).toBe(4_096);
    expect(nodeBlock(1_000_000, 15_360, 10_000)).toBe(4_096);
    expect(nodeBlock(1_000_000, 15_360, 3_000)).toBe(4_096); // one block
    expect(nodeBlock(1_000_000, 10_000_000, 10_000)).toBe(1_000_000);
    expect(maxPartials(1_000_000, 15_360)).toBe(61);
    expect(maxPartials(1_000, 15_360)).toBe(3);
    expect(maxPartials(1_000_000, 10_000_000)).toBe(1);
  });

  it('sum rows spanning several blocks block by block, in block order (and ask for the scratch they need)', () => {
    const rows = 40_000; // training blocks of 16,384 rows
    const { bins, layout, gradHess } = setup(rows, 6);
    const all = Int32Array.of(0, 1, 2, 3, 4, 5); // a 32-bit word of bins, then two single bytes
    // Every other row from 1, so blocks are cut in the node's rows, not the training set's: 19,999
    // rows span two training blocks; 9,999 rows (within one) are cut into three of 4,096. Every
    // 17th row: rows this sparse are copied to buffers first (see accumulateFeatures).
    const everyOther = Uint32Array.from({ length: rows / 2 }, (_, k) => 2 * k + 1);
    const every17th = Uint32Array.from({ length: rows / 17 }, (_, k) => 17 * k + 3);
    for (const [indices, end] of [
      [everyOther, everyOther.length],
      [everyOther, 10_000],
      [every17th, every17th.length],
    ] as const) {
      const nodeRows = { indices, start: 1, end };
      const hist = new Float64Array(layout.size);
      buildHistogram(hist, layout, bins, all, nodeRows, gradHess, new Float64Array(layout.size));
      // The reference: each block summed in row order from zero, the blocks added in order.
      const expected = new Float64Array(layout.size);
      const block = nodeBlock(rows, layout.size, end - 1);
      for (let from = 1; from < end; from += block) {
        const sums = new Float64Array(layout.size);
        for (let k = from; k < Math.min(end, from + block); k++) {
          const i = indices[k]!;
          for (let f = 0; f < 6; f++) {
            const o = layout.offsets[f]! + bins.data[i * bins.stride + f]! * 3;
            sums[o]! += gradHess[2 * i]!;
            sums[o + 1]! += gradHess[2 * i + 1]!;
            sums[o + 2]!++;
          }
        }
        sums.forEach((v, o) => (expected[o]! += v));
      }
      expect(Array.from(hist)).toEqual(Array.from(expected));
      if (end - 1 > block) {
        expect(() => buildHistogram(hist, layout, bins, all, nodeRows, gradHess)).toThrow(/no partial buffer/);
      }
    }
  });

  it('sum gradients, hessians and counts per bin, missing values in their own bin', () => {
    const { cols, mapper, bins, layout, gradHess } = setup(500, 3);
    const hist = new Float64Array(layout.size);
    const all = Int32Array.of(0, 1, 2);
    buildHistogram(hist, layout, bins, all, { indices: undefined, start: 0, end: 500 }, gradHess);
    for (let f = 0; f < 3; f++) {
      const colBins = mapper.transform(cols)[f]!;
      const expected = new Float64Array((mapper.numBins(f) + 1) * 3);
      colBins.forEach((b, i) => {
        expected[b * 3]! += gradHess[2 * i]!;
        expected[b * 3 + 1]! += gradHess[2 * i + 1]!;
        expected[b * 3 + 2]!++;
      });
      const [s, e] = layout.range(f);
      const got = hist.subarray(s, e);
      expected.forEach((v, k) => expect(got[k]).toBeCloseTo(v, 10));
    }
  });

  it('parent minus the smaller child equals the larger child', () => {
    const { bins, layout, gradHess } = setup(1000, 5);
    const all = Int32Array.of(0, 1, 2, 3, 4);
    const indices = Uint32Array.from({ length: 1000 }, (_, i) => i);
    // Left: rows with an even index; the partition order does not matter to a histogram.
    const sorted = Uint32Array.from([...indices].sort((a, b) => (a % 2) - (b % 2) || a - b));
    const parent = new Float64Array(layout.size);
    const left = new Float64Array(layout.size);
    const right = new Float64Array(layout.size);
    buildHistogram(parent, layout, bins, all, { indices, start: 0, end: 1000 }, gradHess);
    buildHistogram(left, layout, bins, all, { indices: sorted, start: 0, end: 500 }, gradHess);
    buildHistogram(right, layout, bins, all, { indices: sorted, start: 500, end: 1000 }, gradHess);
    subtractHistogram(parent, left, layout, all);
    right.forEach((v, k) => expect(parent[k]).toBeCloseTo(v, 10));
  });

  it('finds the split a brute-force search finds, including the missing-value direction', () => {
    const { bins, layout, gradHess } = setup(800, 4);
    const all = Int32Array.of(0, 1, 2, 3);
    const hist = new Float64Array(layout.size);
    buildHistogram(hist, layout, bins, all, { indices: undefined, start: 0, end: 800 }, gradHess);
    let G = 0;
    let H = 0;
    for (let i = 0; i < 800; i++) {
      G += gradHess[2 * i]!;
      H += gradHess[2 * i + 1]!;
    }
    const c = { lambdaL2: 1, minDataInLeaf: 10, minSumHessianInLeaf: 1e-3, minGainToSplit: 0 };
    const split: SplitCandidate = findBestSplit(
      hist,
      layout,
      all,
      { grad: G, hess: H, count: 800 },
      c,
      emptySplit(),
    );
    // Brute force over rows: every feature, bin and missing direction.
    const score = (g: number, h: number) => (g * g) / (h + c.lambdaL2);
    let best = 0;
    for (let f = 0; f < 4; f++) {
      const missing = layout.numBins[f]!;
      for (let b = 0; b < missing; b++) {
        for (const missLeft of [false, true]) {
          let gl = 0;
          let hl = 0;
          let nl = 0;
          for (let i = 0; i < 800; i++) {
            const bin = bins.data[i * bins.stride + f]!;
            if (bin === missing ? missLeft : bin <= b) {
              gl += gradHess[2 * i]!;
              hl += gradHess[2 * i + 1]!;
              nl++;
            }
          }
          if (nl < 10 || 800 - nl < 10) continue;
          best = Math.max(best, score(gl, hl) + score(G - gl, H - hl) - score(G, H));
        }
      }
    }
    expect(split.feature).toBeGreaterThanOrEqual(0);
    expect(split.gain).toBeCloseTo(best, 8);
  });
});
