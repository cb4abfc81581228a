import { describe, expect, it } from 'vitest';
import { BinMapper } from './binning';
import { Rng } from './random';

describe('BinMapper', () => {
  it('puts each distinct value in its own bin when there are few, with a missing bin after them', () => {
    const col = Float64Array.of(3, 1, 2, 2, NaN, 1, 3);
    const mapper = BinMapper.fit([col]);
    expect(Array.from(mapper.thresholds[0]!)).toEqual([1.5, 2.5]);
    expect(mapper.numBins(0)).toBe(3);
    expect(mapper.missingBin(0)).toBe(3);
    expect(Array.from(mapper.transform([col])[0]!)).toEqual([2, 0, 1, 1, 3, 0, 2]);
  });

  it('uses at most maxBins quantile bins and keeps them balanced', () => {
    const rng = new Rng(1);
    const col = Float64Array.from({ length: 10_000 }, () => rng.next());
    const mapper = BinMapper.fit([col], { maxBins: 16 });
    expect(mapper.numBins(0)).toBe(16);
    const counts = new Array(17).fill(0);
    for (const b of mapper.transform([col])[0]!) counts[b]++;
    for (let b = 0; b < 16; b++) expect(counts[b]).toBeGreaterThan(500);
    expect(counts[16]).toBe(0);
  });

  it('keeps thresholds float32 and routes by float32 comparison', () => {
    const rng = new Rng(2);
    const col = Float64Array.from({ length: 5000 }, () => (rng.next() - 0.5) * 1e3);
    // Values a hair apart in float64 but equal in float32 must land in the same bin.
    col[0] = 0.1;
    col[1] = 0.1 + 1e-12;
    const mapper = BinMapper.fit([col], { maxBins: 255 });
    const t = mapper.thresholds[0]!;
    for (const v of t) expect(Math.fround(v)).toBe(v);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
    const bins = mapper.transform([col])[0]!;
    expect(bins[0]).toBe(bins[1]);
    for (let i = 0; i < col.length; i++) {
      const b = bins[i]!;
      const x = Math.fround(col[i]!);
      if (b < t.length) expect(x <= t[b]!).toBe(true);
      if (b > 0) expect(x > t[b - 1]!).toBe(true);
    }
  });

  it('bins like a plain search on awkward values: signed zeros, infinities, tiny and clustered values', () => {
    const rng = new Rng(4);
    const awkward = [0, -0, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, 1 + 2 ** -23, NaN];
    const clustered = Array.from({ length: 3000 }, () => 1 + rng.next() * 1e-4);
    const spread = Array.from(
      { length: 3000 },
      () => (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 20 - 10),
    );
    const col = Float64Array.from([...awkward, ...clustered, ...spread]);
    const mapper = BinMapper.fit([col], { maxBins: 255 });
    const t = mapper.thresholds[0]!;
    const bins = mapper.transform([col])[0]!;
    col.forEach((v, i) => {
      const x = Math.fround(v);
      const expected = Number.isNaN(x) ? t.length + 1 : t.findIndex((th) => x <= th);
      expect(bins[i], `value ${v}`).toBe(expected < 0 ? t.length : expected);
    });
  });

  it('gives a constant or all-missing feature one value bin', () => {
    const mapper = BinMapper.fit([new Float64Array(10).fill(4), new Float64Array(10).fill(NaN)]);
    expect(mapper.numBins(0)).toBe(1);
    expect(mapper.numBins(1)).toBe(1);
    expect(mapper.thresholdValue(0, 0)).toBe(Infinity);
    expect(
      Array.from(mapper.transform([Float64Array.of(4, NaN, 9), Float64Array.of(1, NaN, 2)])[1]!),
    ).toEqual([0, 1, 0]);
  });

  it('bins into a row-major matrix that matches the columns', () => {
    const rng = new Rng(3);
    const cols = [0, 1, 2].map(() =>
      Float64Array.from({ length: 300 }, () => (rng.next() < 0.1 ? NaN : rng.next())),
    );
    const mapper = BinMapper.fit(cols, { maxBins: 32 });
    const byColumn = mapper.transform(cols);
    const rows = mapper.transformRows(cols);
    expect(rows.numRows).toBe(300);
    expect(rows.stride).toBe(4); // rows padded to whole 32-bit words
    for (let i = 0; i < 300; i++) {
      for (let f = 0; f < 3; f++) expect(rows.data[i * 4 + f]).toBe(byColumn[f]![i]);
      // The same bins as little-endian words, as the histogram kernel reads them.
      expect(rows.words[i]! & 0xffffff).toBe(byColumn[0]![i]! | (byColumn[1]![i]! << 8) | (byColumn[2]![i]! << 16));
    }
  });

  it('rejects maxBins outside 2..255', () => {
    expect(() => BinMapper.fit([Float64Array.of(1, 2)], { maxBins: 300 })).toThrow(
      'maxBins must be an integer from 2 to 255',
    );
  });
});
