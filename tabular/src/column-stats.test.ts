import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { computeFileStats, type ColumnStats, type NumericStats, type StatsOptions } from './column-stats';
import { csvToArrow } from './csv-to-arrow';
import { DistinctCounter } from './distinct-counter';
import type { ColumnType } from './type-inference';

const scratch = await mkdtemp(join(tmpdir(), 'kiln-stats-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));
let count = 0;

async function statsOf(
  csv: string,
  options: { types?: Record<string, ColumnType>; stats?: StatsOptions; batchRows?: number } = {},
) {
  const path = join(scratch, `t${++count}.arrow`);
  const result = await csvToArrow(Readable.from([Buffer.from(csv)]), path, options);
  return { stats: result.stats, path, schema: result.schema };
}

describe('column statistics', () => {
  it('numeric: counts, min/max, Welford mean, sample std and a 20-bin histogram', async () => {
    // 1, 2, 3, 4 and a null: mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; std = sqrt(5 / 3).
    // (A blank line is skipped, not a null: nulls are spelled NA here.)
    const { stats } = await statsOf('x\n1\n2\nNA\n3\n4\n', { batchRows: 2 });
    const x = stats[0] as NumericStats;
    expect(x).toMatchObject({
      name: 'x',
      type: 'int',
      kind: 'numeric',
      count: 4,
      nullCount: 1,
      min: 1,
      max: 4,
      mean: 2.5,
    });
    expect(x.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    // Bins are 0.15 wide from 1 to 4: 1 → bin 0, 2 → bin 6 (1.90–2.05), 3 → bin 13 (2.95–3.10), 4 → the last bin.
    const counts = new Array(20).fill(0);
    counts[0] = counts[6] = counts[13] = counts[19] = 1;
    expect(x.histogram!.counts).toEqual(counts);
    expect(x.histogram!.edges).toHaveLength(21);
    expect(x.histogram!.edges[0]).toBe(1);
    expect(x.histogram!.edges[20]).toBe(4);
    expect(x.histogram!.edges[10]).toBeCloseTo(2.5, 12);
  });

  it('numeric: a constant column has one bin; a single value has no std; an all-null column has nulls', async () => {
    const { stats } = await statsOf('a,b,c\n5,7,\n5,,\n5,,\n', { types: { c: 'float' } });
    expect(stats[0]).toMatchObject({
      min: 5,
      max: 5,
      mean: 5,
      std: 0,
      histogram: { edges: [5, 5], counts: [3] },
    });
    expect(stats[1]).toMatchObject({ count: 1, nullCount: 2, mean: 7, std: null });
    expect(stats[2]).toEqual({
      name: 'c',
      type: 'float',
      kind: 'numeric',
      count: 0,
      nullCount: 3,
      min: null,
      max: null,
      mean: null,
      std: null,
      histogram: null,
    });
  });

  it('numeric: stays finite for extreme values', async () => {
    const { stats } = await statsOf('x\n-1.7e308\n1.7e308\n0\n');
    const x = stats[0] as NumericStats;
    expect(x.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(x.histogram!.counts[0]).toBe(1);
    expect(x.histogram!.counts[10]).toBe(1);
    expect(x.histogram!.counts[19]).toBe(1);
    expect(x.histogram!.edges.every(Number.isFinite)).toBe(true);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('categorical: distinct count and top values by count, then by value', async () => {
    const { stats } = await statsOf('c\nb\na\nc\na\n""\nb\na\né\n');
    expect(stats[0]).toEqual({
      name: 'c',
      type: 'string',
      kind: 'categorical',
      count: 7,
      nullCount: 1,
      distinctCount: 4,
      topValues: [
        { value: 'a', count: 3 },
        { value: 'b', count: 2 },
        { value: 'c', count: 1 },
        { value: 'é', count: 1 },
      ],
      topValuesExact: true,
    });
  });

  it('categorical: reports truncation explicitly past the distinct cap', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `v${i % 10 === 0 ? 'common' : i}`).join('\n');
    const { stats } = await statsOf(`c\n${rows}\n`, { stats: { maxDistinct: 8, topValues: 2 } });
    expect(stats[0]).toMatchObject({
      distinctCount: '>8',
      topValuesExact: false,
      topValues: [
        { value: 'vcommon', count: 5 },
        { value: 'v1', count: 1 },
      ],
    });
  });

  it('bool and date columns', async () => {
    const { stats } = await statsOf('b,d\ntrue,2024-05-01\nfalse,\ntrue,2023-12-31T23:00:00Z\n,2024-01-15\n');
    expect(stats).toEqual([
      { name: 'b', type: 'bool', kind: 'bool', count: 3, nullCount: 1, trueCount: 2, falseCount: 1 },
      {
        name: 'd',
        type: 'date',
        kind: 'date',
        count: 3,
        nullCount: 1,
        min: '2023-12-31T23:00:00.000Z',
        max: '2024-05-01T00:00:00.000Z',
      },
    ]);
  });

  it('gives the same result when computed from the Arrow file afterwards', async () => {
    const { stats, path, schema } = await statsOf('x,c,b\n1.5,a,true\n-2,b,\n,a,false\n8,,true\n', {
      batchRows: 3,
    });
    const again: ColumnStats[] = await computeFileStats(path, schema);
    expect(again).toEqual(stats);
    expect(JSON.parse(JSON.stringify(again))).toEqual(again);
  });
});

describe('DistinctCounter', () => {
  it('counts byte strings through rehashes and reports the top ones', () => {
    const counter = new DistinctCounter(100_000);
    const values = Array.from({ length: 20_000 }, (_, i) => Buffer.from(`value-${i % 5000}`));
    for (const v of values) counter.add(v, 0, v.byteLength);
    expect(counter.size).toBe(5000);
    expect(counter.truncated).toBe(false);
    expect(counter.top(2)).toEqual([
      { value: 'value-0', count: 4 },
      { value: 'value-1', count: 4 },
    ]);
  });

  it('counts tracked values exactly after counting has stopped, and later values that still fit the byte budget', () => {
    // The reference: a value is tracked if it is already, or if there is room when it first comes.
    const reference = (values: string[], maxDistinct: number, maxBytes: number) => {
      const counts = new Map<string, number>();
      let bytes = 0;
      let truncated = false;
      for (const v of values) {
        const n = counts.get(v);
        if (n !== undefined) counts.set(v, n + 1);
        else if (counts.size < maxDistinct && bytes + Buffer.byteLength(v) <= maxBytes) {
          counts.set(v, 1);
          bytes += Buffer.byteLength(v);
        } else truncated = true;
      }
      return { counts, truncated };
    };
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    // Lengths vary, so that a short value may fit the byte budget after a long one did not.
    const values = Array.from({ length: 60_000 }, () => `v${rand(9000)}${'x'.repeat(rand(3) * 7)}`);
    values.push('long value, too long for what is left', 'vv', 'vv', 'long value, too long for what is left');
    for (const [maxDistinct, maxBytes] of [[2000, 1 << 20], [100_000, 20_000]] as const) {
      const counter = new DistinctCounter(maxDistinct, maxBytes);
      for (const v of values) counter.add(Buffer.from(v), 0, Buffer.byteLength(v));
      const expected = reference(values, maxDistinct, maxBytes);
      expect(counter.truncated).toBe(expected.truncated);
      expect(counter.truncated).toBe(true);
      expect(counter.size).toBe(expected.counts.size);
      const top = counter.top(counter.size);
      expect(new Map(top.map((t) => [t.value, t.count]))).toEqual(expected.counts);
    }
    // Past the byte budget, a short value still fits.
    const counter = new DistinctCounter(100, 8);
    for (const text of ['aaaa', 'bbbbbbbbbbbb', 'cc', 'aaaa', 'dd', 'cc', 'ee']) counter.add(Buffer.from(text), 0, text.length);
    expect(counter.truncated).toBe(true);
    expect(counter.top(5)).toEqual([
      { value: 'aaaa', count: 2 },
      { value: 'cc', count: 2 },
      { value: 'dd', count: 1 },
    ]);
  });

  it('stops at the byte budget too', () => {
    const counter = new DistinctCounter(100, 10);
    for (const text of ['aaaa', 'bbbb', 'cccc', 'aaaa']) counter.add(Buffer.from(text), 0, 4);
    expect(counter.size).toBe(2);
    expect(counter.truncated).toBe(true);
    expect(counter.top(5)).toEqual([
      { value: 'aaaa', count: 2 },
      { value: 'bbbb', count: 1 },
    ]);
  });
});
