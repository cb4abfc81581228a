import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DatasetRef } from '../../data/dataset-ref';
import { NodeFailure } from '../../define-node';
import { tempFile, testContext } from '../shared/test-context';
import ingest from './file';

const run = (params: Record<string, unknown>) => ingest.run(testContext(), {}, ingest.params.parse(params));

describe('ingest.file', () => {
  it('reads a CSV by path or file:// URL, with types, delimiter and null values', async () => {
    const path = tempFile('people.csv', 'name;age;score\nann;31;1.5\nbob;-;2\n');
    const { outputs } = await run({ uri: pathToFileURL(path).href, delimiter: ';', nullValues: ['-'], types: { score: 'float' } });
    const ds = outputs.dataset as DatasetRef;
    expect(ds.rowCount).toBe(2);
    expect(ds.schema).toEqual([
      { name: 'name', type: 'string', nullable: false },
      { name: 'age', type: 'int', nullable: true },
      { name: 'score', type: 'float', nullable: false },
    ]);
  });

  it('picks JSON Lines by extension', async () => {
    const path = tempFile('rows.jsonl', '{"a":1,"b":"x"}\n{"a":2,"b":null}\n');
    const ds = (await run({ uri: path })).outputs.dataset as DatasetRef;
    expect(ds.schema.map((c) => c.type)).toEqual(['int', 'string']);
  });

  it('picks Parquet by extension, with types from the file schema', async () => {
    const fixture = fileURLToPath(new URL('../../data/fixtures/mixed.parquet', import.meta.url));
    const ds = (await run({ uri: fixture })).outputs.dataset as DatasetRef;
    expect(ds.rowCount).toBe(300);
    expect(ds.schema.map((c) => c.type)).toEqual(['int', 'int', 'float', 'bool', 'string', 'date', 'date']);
    expect(ds.stats[2]!.nullCount).toBeGreaterThan(0);
  });

  it('fails without retrying on a file that is not Parquet, naming it', async () => {
    const path = tempFile('sales.parquet', 'id,amount\n1,10\n');
    const error = (await run({ uri: path }).catch((e: unknown) => e)) as NodeFailure;
    expect(error).toBeInstanceOf(NodeFailure);
    expect(error.retryable).toBe(false);
    expect(error.type).toBe('DataInputError');
    expect(error.message).toMatch(/^sales\.parquet: not a readable Parquet file/);
    // format: parquet forces the reader whatever the extension.
    const csvNamed = tempFile('sales.csv', 'id,amount\n1,10\n');
    await expect(run({ uri: csvNamed, format: 'parquet' })).rejects.toThrow(/^sales\.csv: not a readable Parquet file/);
  });

  it('names the line and column of text in a numeric column', async () => {
    const path = tempFile('bad.csv', 'id,amount\n1,10\n2,ten\n');
    const error = await run({ uri: path, types: { amount: 'int' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeFailure);
    expect((error as NodeFailure).retryable).toBe(false);
    expect((error as Error).message).toMatch(/bad\.csv: line 3, column "amount"/);
  });

  it('reports a missing file without retrying', async () => {
    const error = (await run({ uri: '/nonexistent/data.csv' }).catch((e: unknown) => e)) as NodeFailure;
    expect(error.message).toContain('cannot read /nonexistent/data.csv: ENOENT');
    expect(error.retryable).toBe(false);
  });

  it('downloads http(s) URLs, streamed to a scratch file', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/data.csv') res.end('x,y\n1,a\n2,b\n3,c\n');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ds = (await run({ uri: `${base}/data.csv` })).outputs.dataset as DatasetRef;
      expect(ds.rowCount).toBe(3);
      await expect(run({ uri: `${base}/missing.csv` })).rejects.toThrow('HTTP 404');
    } finally {
      server.close();
    }
  });
});
