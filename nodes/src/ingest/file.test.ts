import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { DatasetRef } from '@kiln/tabular/dataset-ref';
import { NodeFailure } from '../define-node';
import { tempFile, testContext } from '../shared/test-context';
import ingest from './file';

const run = (params: Record<string, unknown>) => ingest.run(testContext(), {}, ingest.params.parse(params));

describe('ingest.file', () => {
  it('reads a CSV by path or file:// URL, with types, delimiter and null values', async () => {
    const path = tempFile('people.csv', 'name;age;score\nann;31;1.5\nbob;-;2\n');
    const { outputs } = await run({
      uri: pathToFileURL(path).href,
      delimiter: ';',
      nullValues: ['-'],
      types: { score: 'float' },
    });
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
    const fixture = fileURLToPath(new URL('../../../tabular/src/fixtures/mixed.parquet', import.meta.url));
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
    await expect(run({ uri: csvNamed, format: 'parquet' })).rejects.toThrow(
      /^sales\.csv: not a readable Parquet file/,
    );
  });

  it('names the line and column of text in a numeric column', async () => {
    const path = tempFile('bad.csv', 'id,amount\n1,10\n2,ten\n');
    const error = await run({ uri: path, types: { amount: 'int' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeFailure);
    expect((error as NodeFailure).retryable).toBe(false);
    expect((error as Error).message).toMatch(/bad\.csv: line 3, column "amount"/);
  });

  it('reports a missing file without retrying', async () => {
    const missing = join(tempFile('x.csv', ''), '..', 'nonexistent', 'data.csv');
    const error = (await run({ uri: missing }).catch((e: unknown) => e)) as NodeFailure;
    expect(error.message).toContain(`cannot read ${join(missing)}: ENOENT`);
    expect(error.type).toBe('NotFound');
    expect(error.retryable).toBe(false);
  });

  it('refuses, without retrying, data outside the roots, loopback URLs and buckets that are not allowed', async () => {
    // vitest.config.ts sets KILN_DATA_ROOTS to the repository and the temp folder.
    for (const [uri, why] of [
      ['/etc/passwd', '/etc/passwd is outside the data roots'],
      ['file:///etc/passwd', 'outside the data roots'],
      ['http://127.0.0.1:1/x.csv', '127.0.0.1 is a loopback address'],
      ['http://[::ffff:169.254.169.254]/latest', 'IPv4-mapped'],
      ['s3://someone-elses-bucket/x.csv', 'bucket "someone-elses-bucket" is not allowed'],
      ['ftp://example.com/x.csv', 'ftp:// is not read'],
    ]) {
      const error = (await run({ uri }).catch((e: unknown) => e)) as NodeFailure;
      expect(error, uri).toBeInstanceOf(NodeFailure);
      expect(error.type).toBe('DataAccessRefused');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(`${uri} is refused: `);
      expect(error.message).toContain(why);
    }
  });

  it('downloads http(s) URLs, streamed to a scratch file (loopback only when KILN_FETCH_ALLOW names it)', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/data.csv') res.end('x,y\n1,a\n2,b\n3,c\n');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    vi.stubEnv('KILN_FETCH_ALLOW', `127.0.0.1:${port}`);
    try {
      const ds = (await run({ uri: `${base}/data.csv` })).outputs.dataset as DatasetRef;
      expect(ds.rowCount).toBe(3);
      await expect(run({ uri: `${base}/missing.csv` })).rejects.toThrow('HTTP 404');
    } finally {
      vi.unstubAllEnvs();
      server.close();
    }
  });
});
