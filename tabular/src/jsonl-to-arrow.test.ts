import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { DataInputError } from './input-error';
import { jsonlToArrow, type JsonlToArrowOptions } from './jsonl-to-arrow';

const scratch = await mkdtemp(join(tmpdir(), 'kiln-jsonl-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));
let count = 0;

function pieces(text: string | Buffer, size: number): Readable {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function convert(text: string | Buffer, options: JsonlToArrowOptions = {}, size = 1 << 20) {
  const path = join(scratch, `t${++count}.arrow`);
  const result = await jsonlToArrow(pieces(text, size), path, options);
  return { result, table: tableFromIPC(await readFile(path)) };
}

async function conversionError(text: string | Buffer, options: JsonlToArrowOptions = {}): Promise<string> {
  const path = join(scratch, `t${++count}.arrow`);
  try {
    await jsonlToArrow(pieces(text, 1 << 20), path, options);
  } catch (error) {
    expect(error).toBeInstanceOf(DataInputError);
    expect(existsSync(path)).toBe(false);
    return (error as Error).message;
  }
  throw new Error('expected the conversion to fail');
}

describe('jsonlToArrow', () => {
  const lines = [
    '{"id": 1, "price": 9.5, "ok": true, "when": "2024-01-02", "name": "a", "tags": ["x"]}',
    '',
    '{"id": 2, "price": 3, "ok": false, "when": "2024-01-03T10:30:00Z", "name": "é", "tags": {"k": 1}}\r',
    '{"id": 3, "price": null, "when": null, "name": "c"}',
  ];

  it('round-trips values with types from the JSON values', async () => {
    const { result, table } = await convert(lines.join('\n'));
    expect(result.schema).toEqual([
      { name: 'id', type: 'int', nullable: false },
      { name: 'price', type: 'float', nullable: true },
      { name: 'ok', type: 'bool', nullable: true },
      { name: 'when', type: 'date', nullable: true },
      { name: 'name', type: 'string', nullable: false },
      { name: 'tags', type: 'string', nullable: true },
    ]);
    expect(result.rowCount).toBe(3);
    expect(table.toArray().map((row) => row.toJSON())).toEqual([
      { id: 1, price: 9.5, ok: true, when: Date.UTC(2024, 0, 2), name: 'a', tags: '["x"]' },
      { id: 2, price: 3, ok: false, when: Date.UTC(2024, 0, 3, 10, 30), name: 'é', tags: '{"k":1}' },
      { id: 3, price: null, ok: null, when: null, name: 'c', tags: null },
    ]);
    expect(result.stats[0]).toMatchObject({ kind: 'numeric', count: 3, mean: 2 });
  });

  it('gives the same result however the bytes are split', async () => {
    const whole = await convert(lines.join('\n'));
    for (const size of [1, 7, 64])
      expect((await convert(lines.join('\n'), {}, size)).result).toEqual(whole.result);
  });

  it('applies overrides and an explicit column list', async () => {
    const { result, table } = await convert('{"a": 1, "b": "2.5"}\n{"a": 2, "b": "7", "c": true}\n', {
      types: { a: 'float', b: 'float' },
      columns: ['a', 'b', 'c'],
    });
    expect(result.schema.map((c) => c.type)).toEqual(['float', 'float', 'bool']);
    expect(table.toArray().map((row) => row.toJSON())).toEqual([
      { a: 1, b: 2.5, c: null },
      { a: 2, b: 7, c: true },
    ]);
  });

  describe('bad input names the line', () => {
    it('invalid JSON, and lines that are not objects', async () => {
      expect(await conversionError('{"a": 1}\n{"a": \n')).toMatch(
        /^line 2: invalid JSON: .+; each line must hold one JSON object$/,
      );
      expect(await conversionError('{"a": 1}\n\n[1, 2]\n')).toBe(
        'line 3: expected a JSON object ({...}), found an array',
      );
      expect(await conversionError('{"a": 1}\n42\n', { source: 'rows.jsonl' })).toBe(
        'rows.jsonl: line 2: expected a JSON object ({...}), found a number',
      );
    });

    it('a value that does not fit the column type', async () => {
      expect(await conversionError('{"n": 1}\n{"n": 2}\n{"n": "many"}\n', { batchRows: 2 })).toBe(
        'line 3, column "n": "many" is not a number (the column is int, inferred from the first 2 rows); ' +
          'set types: { "n": "string" } to keep the column as text, or list "many" in nullValues to read it as null' +
          ' (1 of 3 values do not fit int; up to 1% of 20 values or more are read as null and reported instead)',
      );
      expect(await conversionError('{"n": 1}\n{"n": 2.5}\n', { batchRows: 1 })).toBe(
        'line 2, column "n": 2.5 is not an integer (the column is int, inferred from the first 1 rows); set types: { "n": "float" }' +
          ' (1 of 2 values do not fit int; up to 1% of 20 values or more are read as null and reported instead)',
      );
      expect(await conversionError('{"b": true}\n{"b": {"x": 1}}\n', { batchRows: 1 })).toBe(
        'line 2, column "b": {"x":1} is not a boolean (true, false, 1 or 0) (the column is bool, inferred from the first 1 rows); ' +
          'set types: { "b": "string" } to keep the column as text' +
          ' (1 of 2 values do not fit bool; up to 1% of 20 values or more are read as null and reported instead)',
      );
    });

    it('a field that appears only after the sample', async () => {
      expect(await conversionError('{"a": 1}\n{"a": 2, "z": 3}\n', { batchRows: 1 })).toBe(
        'line 2: field "z" has no column: it does not appear in the first 1 lines; list every column in the columns option',
      );
    });

    it('invalid UTF-8 and an empty input', async () => {
      expect(
        await conversionError(
          Buffer.concat([Buffer.from('{"a": 1}\n{"a": "'), Buffer.from([0xff]), Buffer.from('"}\n')]),
        ),
      ).toMatch(/^line 2, column 8: invalid UTF-8 \(byte 0xFF\)/);
      expect(await conversionError('\n\n')).toBe('empty file: no JSON object with any field');
    });
  });
});
