import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { COLUMN_TYPES, type ColumnType } from '../../data/type-inference';
import { DataInputError } from '../../data/input-error';
import { ingestCsvToDataset, ingestJsonlToDataset } from '../../data/dataset-ref';
import { NodeFailure, defineNode } from '../../define-node';

const params = z.strictObject({
  uri: z
    .string()
    .min(1)
    .describe('Where the data is: a local path (relative to the worker’s folder), file://…, or http(s)://… (downloaded, streamed).'),
  format: z
    .enum(['auto', 'csv', 'jsonl'])
    .default('auto')
    .describe('File format; auto picks by extension (.jsonl/.ndjson → JSON Lines, otherwise CSV).'),
  delimiter: z.string().length(1).default(',').describe('CSV field delimiter (one character).'),
  header: z.boolean().default(true).describe('Whether the first CSV row names the columns.'),
  types: z
    .record(z.string(), z.enum(COLUMN_TYPES as [ColumnType, ...ColumnType[]]))
    .default({})
    .describe('Column types that replace inference, by column name (int, float, bool, date, string).'),
  nullValues: z
    .array(z.string())
    .optional()
    .describe('Cells read as null (default: empty, NA, null, NaN for CSV; none for JSON Lines).'),
});

export default defineNode({
  type: 'ingest.file',
  version: 1,
  category: 'ingest',
  title: 'Ingest file',
  description:
    'Reads a CSV or JSON Lines file (local path, file:// or http(s)://) into an Arrow dataset in the artifact store, ' +
    'with inferred column types and per-column statistics. Bad input fails with the line and column.',
  inputs: {},
  outputs: { dataset: 'Dataset' },
  params,
  run: async (ctx, _inputs, p) => {
    let path: string;
    let name: string;
    if (/^https?:\/\//i.test(p.uri)) {
      const url = new URL(p.uri);
      name = url.pathname.split('/').pop() || 'download';
      path = join(await ctx.scratchDir(), 'download');
      let response: Response;
      try {
        response = await fetch(url, { signal: ctx.signal });
      } catch (error) {
        throw new NodeFailure(`cannot fetch ${p.uri}: ${(error as Error).message}`, { type: 'FetchFailed' });
      }
      if (!response.ok || !response.body) {
        throw new NodeFailure(`cannot fetch ${p.uri}: HTTP ${response.status} ${response.statusText}`, {
          type: 'FetchFailed',
          retryable: response.status >= 500 || response.status === 429,
        });
      }
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(path));
    } else {
      path = p.uri.startsWith('file://') ? fileURLToPath(p.uri) : resolve(p.uri);
      name = path.split('/').pop() ?? path;
      const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
        throw new NodeFailure(`cannot read ${path}: ${error.code ?? error.message}`, { type: 'NotFound', retryable: false });
      });
      if (!info.isFile()) throw new NodeFailure(`${path} is not a file`, { type: 'NotFound', retryable: false });
    }
    const ext = extname(name).toLowerCase();
    const format = p.format === 'auto' ? (ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'csv') : p.format;
    const tmpDir = await ctx.scratchDir();
    try {
      const common = {
        source: name,
        types: p.types,
        tmpDir,
        signal: ctx.signal,
        ...(p.nullValues ? { nullValues: p.nullValues } : {}),
      };
      const dataset =
        format === 'jsonl'
          ? await ingestJsonlToDataset(ctx.store, path, common)
          : await ingestCsvToDataset(ctx.store, path, { ...common, delimiter: p.delimiter, header: p.header });
      ctx.progress({ rows: dataset.rowCount, columns: dataset.schema.length });
      return { outputs: { dataset } };
    } catch (error) {
      if (error instanceof DataInputError) {
        throw new NodeFailure(error.message, { type: 'DataInputError', retryable: false });
      }
      throw error;
    }
  },
});
