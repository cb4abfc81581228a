import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { csvKernel } from './csv-kernel';
import { csvToArrow, type CsvToArrowOptions } from './csv-to-arrow';

const scratch = await mkdtemp(join(tmpdir(), 'kiln-csv-kernel-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

let fileCount = 0;

/** Converts `csv` fed in small pieces (so many regions follow the sample); the file's bytes and result. */
async function convert(csv: string, options: CsvToArrowOptions = {}) {
  const path = join(scratch, `out-${++fileCount}.arrow`);
  const bytes = Buffer.from(csv);
  const pieces = Array.from({ length: Math.ceil(bytes.byteLength / 700) }, (_, i) => bytes.subarray(i * 700, (i + 1) * 700));
  const regions = csvKernel().regions;
  const result = await csvToArrow(Readable.from(pieces), path, { regionBytes: 2048, batchRows: 64, threads: 0, ...options });
  return { file: await readFile(path), result, kernelRegions: csvKernel().regions - regions };
}

async function failure(csv: string): Promise<string> {
  try {
    await convert(csv);
  } catch (error) {
    return String(error);
  }
  throw new Error('expected the conversion to fail');
}

/** Numbers and text of every shape the kernel reads or leaves to the JavaScript path, past the sample. */
function table(rows: number, odd: (row: number) => Partial<Record<'id' | 'price' | 'ratio' | 'name', string>>): string {
  const lines = ['id,price,ratio,name,flag'];
  for (let r = 0; r < rows; r++) {
    const cells = {
      id: String(r * 7919 - 5000),
      price: `${(r * 37) % 1000}.${String(r % 100).padStart(2, '0')}`,
      ratio: r % 3 === 0 ? `-0.${r}` : `0.00${r}`,
      name: ['basic', 'plus', 'enterprise', 'a much longer name than sixteen bytes'][r % 4]!,
      ...(r > 200 ? odd(r) : {}),
    };
    lines.push(`${cells.id},${cells.price},${cells.ratio},${cells.name},${r % 2 === 0 ? 'true' : 'false'}`);
  }
  return lines.join('\n') + '\n';
}

const ODD_CELLS: Record<number, Partial<Record<'id' | 'price' | 'ratio' | 'name', string>>> = {
  211: { price: '', name: '' },
  223: { price: '1e3', ratio: '+5' },
  227: { price: '0.1234567890123456', ratio: '123456789012345' },
  229: { id: '1.0', price: '-0', name: 'NA' },
  233: { id: '', ratio: '  7', name: 'null' },
  239: { price: '-.5', ratio: '5.', name: 'NaN' },
  241: { id: '+12', price: '1234567890123456', name: 'nul' },
  251: { price: 'Infinity', ratio: '1.2.3', name: 'é ünïcode' },
  257: { id: '2147483648', price: '00001.50000' },
};

describe('the WebAssembly CSV kernel', () => {
  it('writes the same file and statistics as the JavaScript path, odd cells included', async () => {
    const csv = table(3000, (r) => ODD_CELLS[r] ?? {});
    const plain = await convert(csv);
    // Carriage returns send every region the JavaScript way.
    const crlf = await convert(csv.replaceAll('\n', '\r\n'));
    expect(plain.kernelRegions).toBeGreaterThan(10);
    expect(crlf.kernelRegions).toBe(0);
    expect(plain.result.schema.map((c) => c.type)).toEqual(['int', 'float', 'float', 'string', 'bool']);
    expect(plain.file.equals(crlf.file)).toBe(true);
    expect(plain.result).toEqual(crlf.result);
    // The cells no reader takes as numbers are reported (and read as null) the same way on both paths.
    const offenders = plain.result.stats.map((stats) => ('offenders' in stats ? stats.offenders?.count : 0));
    expect(offenders).toEqual([1, 1, 1, 0, 0]);
    expect(plain.result.stats.map((stats) => stats.nullCount)).toEqual([2, 2, 1, 4, 0]);
  });

  it('leaves quoted regions, other null tokens and errors to the JavaScript path, with their lines', async () => {
    const csv = table(3000, () => ({}));
    const quoted = csv.replace('\n2501,', '\n"2501",');
    expect((await convert(quoted)).file.equals((await convert(csv)).file)).toBe(true);
    const tokens = { nullValues: ['', 'plus', '-999'] };
    expect((await convert(csv, tokens)).file.equals((await convert(csv.replaceAll('\n', '\r\n'), tokens)).file)).toBe(true);
    const short = csv.split('\n');
    short[2700] = '1,2,3';
    const message = await failure(short.join('\n'));
    expect(message).toContain('expected 5 fields, found 3');
    expect(message).toBe(await failure(short.join('\r\n')));
    expect(message).toContain('line 2701');
  });
});
