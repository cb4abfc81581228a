import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DataType,
  Field,
  Float64,
  Int32,
  List,
  RecordBatchFileWriter,
  RecordBatchReader,
  Schema,
  tableFromArrays,
  vectorFromArray,
  Table,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { readFixedWidthColumns, type ColumnBuffers } from './arrow-column-reader';
import { csvToArrow } from './csv-to-arrow';

const scratch = await mkdtemp(join(tmpdir(), 'kiln-column-reader-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** What the reader hands out, copied (its buffers are reused), as plain values with nulls. */
async function readBack(path: string, schema: Schema, columns: number[]) {
  const seen = new Map<number, (number | null)[]>(columns.map((c) => [c, []]));
  await readFixedWidthColumns(path, schema, columns, (column, buffers: ColumnBuffers) => {
    const type = schema.fields[column]!.type;
    const values =
      DataType.isInt(type)
        ? new Int32Array(buffers.values.buffer, buffers.values.byteOffset, buffers.length)
        : new Float64Array(buffers.values.buffer, buffers.values.byteOffset, buffers.length);
    for (let i = 0; i < buffers.length; i++) {
      const valid = buffers.validity === null || ((buffers.validity[i >> 3]! >> (i & 7)) & 1) === 1;
      seen.get(column)!.push(valid ? values[i]! : null);
    }
  });
  return seen;
}

describe('readFixedWidthColumns', () => {
  it('reads the numeric columns of a file Kiln wrote, batch by batch, as the Arrow reader does', async () => {
    const path = join(scratch, 'mixed.arrow');
    let csv = 'id,x,label,y\n';
    for (let r = 0; r < 250; r++) csv += `${r},${r % 9 === 0 ? '' : r / 4},text ${r % 13},${r % 50 === 0 ? '' : -r}\n`;
    const result = await csvToArrow(Readable.from([Buffer.from(csv)]), path, { batchRows: 64 });
    expect(result.schema.map((c) => c.type)).toEqual(['int', 'float', 'string', 'int']);
    const table = new Table(RecordBatchReader.from(await readFile(path)));
    expect(table.batches).toHaveLength(4);
    const seen = await readBack(path, table.schema, [0, 1, 3]);
    for (const column of [0, 1, 3]) {
      expect(seen.get(column)).toEqual([...table.getChildAt(column)!].map((v) => v ?? null));
    }
    // Batches of 64 rows: the nulls of later batches are where they belong.
    expect(seen.get(1)![243]).toBeNull();
    expect(seen.get(3)![200]).toBeNull();
  });

  it('refuses what is not an Arrow file, naming it', async () => {
    const path = join(scratch, 'not-arrow.arrow');
    await writeFile(path, 'id,x\n1,2\n');
    const schema = new Schema([new Field('id', new Int32(), true)]);
    await expect(readFixedWidthColumns(path, schema, [0], () => undefined)).rejects.toThrow(
      `${path} is not an Arrow IPC file (no ARROW1 footer)`,
    );
  });

  it('refuses a schema with nested columns, naming the column', async () => {
    const path = join(scratch, 'nested.arrow');
    const nested = new Table({
      x: tableFromArrays({ x: Float64Array.from([1, 2]) }).getChild('x')!,
      tags: vectorFromArray([[1], [2, 3]], new List(new Field('item', new Float64(), true))),
    });
    await writeFile(path, RecordBatchFileWriter.writeAll(nested).toUint8Array(true));
    await expect(readFixedWidthColumns(path, nested.schema, [0], () => undefined)).rejects.toThrow(
      /column "tags" has type List.*which is not flat/,
    );
  });
});
