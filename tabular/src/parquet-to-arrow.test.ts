import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { csvToArrow } from './csv-to-arrow';
import { DataInputError } from './input-error';
import { parquetToArrow, type ParquetToArrowOptions } from './parquet-to-arrow';

// mixed.parquet (snappy, 3 row groups) and mixed.csv hold the same 300 rows; edge.parquet (zstd) holds
// wide integers, NaN and a list column. All three come from fixtures/make_parquet_fixture.py (pyarrow).
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const scratch = await mkdtemp(join(tmpdir(), 'kiln-parquet-arrow-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

let fileCount = 0;
const outPath = () => join(scratch, `out-${++fileCount}.arrow`);

async function convert(name: string, options: ParquetToArrowOptions = {}) {
  const path = outPath();
  const result = await parquetToArrow(join(fixtures, name), path, options);
  return { result, table: tableFromIPC(await readFile(path)) };
}

function rowsOf(table: Table): unknown[][] {
  const rows: unknown[][] = [];
  for (let r = 0; r < table.numRows; r++) {
    rows.push(table.schema.fields.map((f) => table.getChild(f.name)!.get(r) as unknown));
  }
  return rows;
}

describe('parquetToArrow', () => {
  it('gives the same schema, values and statistics as the same data read from CSV', async () => {
    const parquet = await convert('mixed.parquet');
    const csvPath = outPath();
    const csv = await csvToArrow(join(fixtures, 'mixed.csv'), csvPath);
    const csvTable = tableFromIPC(await readFile(csvPath));

    expect(parquet.result.schema).toEqual([
      { name: 'id', type: 'int', nullable: false },
      { name: 'small', type: 'int', nullable: true },
      { name: 'score', type: 'float', nullable: true },
      { name: 'flag', type: 'bool', nullable: true },
      { name: 'name', type: 'string', nullable: true },
      { name: 'day', type: 'date', nullable: true },
      { name: 'at', type: 'date', nullable: true },
    ]);
    expect(parquet.result.schema).toEqual(csv.schema);
    expect(parquet.result.rowCount).toBe(300);
    expect(csv.rowCount).toBe(300);
    expect(parquet.table.schema.fields.map((f) => String(f.type))).toEqual(
      csvTable.schema.fields.map((f) => String(f.type)),
    );
    expect(rowsOf(parquet.table)).toEqual(rowsOf(csvTable));
    expect(parquet.result.stats).toEqual(csv.stats);
    // The fixture really has nulls, text with commas and quotes, and non-ASCII.
    const nulls = parquet.result.stats.map((s) => s.nullCount);
    expect(nulls[0]).toBe(0);
    expect(nulls.slice(1).every((n) => n > 0)).toBe(true);
    const names = new Set(rowsOf(parquet.table).map((row) => row[4]));
    expect(names).toContain('a, b');
    expect(names).toContain('say "hi"');
    expect(names).toContain('Émile');
    expect(rowsOf(parquet.table)[0]).toEqual([1, -337, 47.2, true, 'cy', Date.UTC(2021, 6, 7), Date.parse('2023-05-30T01:50:24.928Z')]);
  });

  it('writes batches that cross row groups', async () => {
    const whole = await convert('mixed.parquet');
    const small = await convert('mixed.parquet', { batchRows: 50 });
    expect(small.table.batches.length).toBe(6);
    expect(rowsOf(small.table)).toEqual(rowsOf(whole.table));
    // Moments are merged batch by batch, so compare them with CSV read in the same batches.
    const csv = await csvToArrow(join(fixtures, 'mixed.csv'), outPath(), { batchRows: 50 });
    expect(small.result.stats).toEqual(csv.stats);
  });

  it('types wide integers by their values, reads NaN as null and lists as JSON text (zstd)', async () => {
    const { result, table } = await convert('edge.parquet');
    expect(result.schema.map((c) => [c.name, c.type])).toEqual([
      ['wide', 'float'],
      ['huge', 'string'],
      ['ratio', 'float'],
      ['tags', 'string'],
      ['code', 'int'],
    ]);
    expect(rowsOf(table)).toEqual([
      [1, String(2n ** 60n + 1n), 0.5, '["a","b"]', 7],
      [3_000_000_000, '1', null, '[]', 8],
      [null, '2', null, null, 9],
      [-5, null, 2, '["c"]', 10],
    ]);
  });

  it('applies type overrides, and names the row and column of a value that does not fit', async () => {
    const { result, table } = await convert('mixed.parquet', { types: { small: 'float', id: 'string' } });
    expect(result.schema.slice(0, 2).map((c) => c.type)).toEqual(['string', 'float']);
    expect(table.getChild('id')!.get(0)).toBe('1');
    const path = outPath();
    const error = await parquetToArrow(join(fixtures, 'edge.parquet'), path, { types: { wide: 'int' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataInputError);
    expect((error as Error).message).toMatch(/^edge\.parquet: row 2, column "wide": 3000000000 does not fit a 32-bit integer/);
    expect(existsSync(path), 'the partial file is removed').toBe(false);
  });

  it('says a file that is not Parquet is not, naming it', async () => {
    const path = join(scratch, 'fake.parquet');
    await writeFile(path, 'a,b\n1,2\n');
    const error = await parquetToArrow(path, outPath()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataInputError);
    expect((error as Error).message).toMatch(/^fake\.parquet: not a readable Parquet file/);
  });
});
