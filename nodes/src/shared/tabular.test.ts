import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestCsvToDataset, ingestJsonlToDataset, readDataset } from '@kiln/tabular/dataset-ref';
import { readColumns, writeRows, type Columns } from './tabular';
import { testContext } from './test-context';

const MIXED = fileURLToPath(new URL('../../../tabular/src/fixtures/mixed.csv', import.meta.url));

/** The rows as JSON Lines ingested with the column types: how splits were written before. */
async function viaJsonLines(ctx: ReturnType<typeof testContext>, cols: Columns, rows: number[]) {
  const text = rows
    .map((r) => {
      const obj: Record<string, unknown> = {};
      for (const name of cols.names) {
        const v = cols.values[name]![r]!;
        obj[name] = cols.types[name] === 'date' && typeof v === 'number' ? new Date(v).toISOString() : v;
      }
      return `${JSON.stringify(obj)}\n`;
    })
    .join('');
  return ingestJsonlToDataset(ctx.store, Readable.from([Buffer.from(text)]), {
    columns: cols.names,
    types: cols.types,
    tmpDir: await ctx.scratchDir(),
    source: 'split',
  });
}

describe('readColumns', () => {
  it('reads every type, nulls included, as Arrow’s own get does', async () => {
    const ctx = testContext();
    // Small batches, so columns come in several chunks.
    const ds = await ingestCsvToDataset(ctx.store, MIXED, { batchRows: 64 });
    const cols = await readColumns(ctx.store, ds);
    const table = await readDataset(ctx.store, ds);
    expect(table.batches.length).toBe(5);
    expect(cols.rowCount).toBe(300);
    for (const name of cols.names) {
      const vector = table.getChild(name)!;
      const expected = Array.from({ length: table.numRows }, (_, i) => {
        const v = vector.get(i) as unknown;
        return v === null ? null : typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : v;
      });
      expect(cols.values[name], name).toEqual(expected);
      expect(cols.values[name]!.some((v) => v === null), `${name} has nulls`).toBe(name !== 'id');
    }
    expect(cols.values.name!.slice(0, 3)).toEqual(['cy', 'bob', 'cy']);
  });
});

describe('writeRows', () => {
  it('writes the chosen rows with their types: the same Arrow file as the rows through JSON Lines', async () => {
    const ctx = testContext();
    const ds = await ingestCsvToDataset(ctx.store, MIXED);
    const cols = await readColumns(ctx.store, ds);
    expect(cols.names).toHaveLength(7);
    const rows = Array.from({ length: cols.rowCount }, (_, i) => i).filter((i) => i % 3 !== 1);
    const written = await writeRows(ctx.store, cols, rows, await ctx.scratchDir());
    expect(written.rowCount).toBe(rows.length);
    expect(written.schema).toEqual(ds.schema);
    const reference = await viaJsonLines(ctx, cols, rows);
    expect(written.artifact.digest).toBe(reference.artifact.digest);
    expect(written.stats).toEqual(reference.stats);
    const back = await readColumns(ctx.store, written);
    for (const name of cols.names) expect(back.values[name]).toEqual(rows.map((r) => cols.values[name]![r]));
  });

  it('writes no rows as an empty dataset with the same columns', async () => {
    const ctx = testContext();
    const cols = await readColumns(ctx.store, await ingestCsvToDataset(ctx.store, MIXED));
    const empty = await writeRows(ctx.store, cols, [], await ctx.scratchDir());
    expect(empty.rowCount).toBe(0);
    expect(empty.schema.map((c) => [c.name, c.type])).toEqual(cols.names.map((n) => [n, cols.types[n]]));
  });
});
