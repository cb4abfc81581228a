import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { COLUMN_TYPES, type ColumnType } from '../../data/type-inference';
import { DataInputError } from '../../data/input-error';
import {
  ingestCsvToDataset,
  ingestJsonlToDataset,
  ingestParquetToDataset,
  type DatasetRef,
} from '../../data/dataset-ref';
import type { ByteInput } from '../../data/text-input';
import { NodeFailure, defineNode } from '../../define-node';
import { openS3Uri } from './s3-input';

const params = z.strictObject({
  uri: z
    .string()
    .min(1)
    .describe(
      'Where the data is: a local path (relative to the worker’s folder), file://…, http(s)://… (downloaded, streamed) ' +
        'or s3://bucket/key (streamed, with the worker’s S3 settings: S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY).',
    ),
  format: z
    .enum(['auto', 'csv', 'jsonl', 'parquet'])
    .default('auto')
    .describe(
      'File format; auto picks by extension (.parquet/.pq → Parquet, .jsonl/.ndjson → JSON Lines, otherwise CSV). ' +
        'Parquet column types come from the file’s schema; snappy, gzip, zstd, brotli and lz4 are read.',
    ),
  delimiter: z.string().length(1).default(',').describe('CSV field delimiter (one character).'),
  header: z.boolean().default(true).describe('Whether the first CSV row names the columns.'),
  types: z
    .record(z.string(), z.enum(COLUMN_TYPES as [ColumnType, ...ColumnType[]]))
    .default({})
    .describe('Column types that replace inference, by column name (int, float, bool, date, string).'),
  nullValues: z
    .array(z.string())
    .optional()
    .describe('Cells read as null (default: empty, NA, null, NaN for CSV; none for JSON Lines and Parquet).'),
});

export default defineNode({
  type: 'ingest.file',
  version: 1,
  category: 'ingest',
  capabilities: ['local-files', 'network'],
  title: 'Ingest file',
  description:
    'Reads a CSV, JSON Lines or Parquet file (local path, file://, http(s):// or s3://) into an Arrow dataset in the ' +
    'artifact store, with inferred column types and per-column statistics. Bad input fails with the line (or row) and column.',
  inputs: {},
  outputs: { dataset: 'Dataset' },
  params,
  run: async (ctx, _inputs, p) => {
    const formatOf = (name: string) => {
      const ext = extname(name).toLowerCase();
      if (p.format !== 'auto') return p.format;
      if (ext === '.parquet' || ext === '.pq') return 'parquet';
      return ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'csv';
    };
    let input: ByteInput;
    let name: string;
    let format: 'csv' | 'jsonl' | 'parquet';
    let s3Stream: Readable | undefined;
    if (/^https?:\/\//i.test(p.uri)) {
      const url = new URL(p.uri);
      name = url.pathname.split('/').pop() || 'download';
      format = formatOf(name);
      const path = join(await ctx.scratchDir(), 'download');
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
      input = path;
    } else if (/^s3:\/\//i.test(p.uri)) {
      const object = await openS3Uri(p.uri);
      name = object.name;
      format = formatOf(name);
      if (format === 'parquet') {
        // Parquet is read from its footer backwards: stream the object to a scratch file first.
        const path = join(await ctx.scratchDir(), 'download');
        try {
          await pipeline(object.stream, createWriteStream(path), { signal: ctx.signal });
        } catch (error) {
          throw new NodeFailure(`cannot read ${p.uri}: ${(error as Error).message}`, { type: 'FetchFailed' });
        }
        input = path;
      } else {
        // CSV and JSON Lines are converted straight from the response stream.
        s3Stream = object.stream;
        input = object.stream;
      }
    } else {
      const path = p.uri.startsWith('file://') ? fileURLToPath(p.uri) : resolve(p.uri);
      name = path.split('/').pop() ?? path;
      format = formatOf(name);
      const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
        throw new NodeFailure(`cannot read ${path}: ${error.code ?? error.message}`, { type: 'NotFound', retryable: false });
      });
      if (!info.isFile()) throw new NodeFailure(`${path} is not a file`, { type: 'NotFound', retryable: false });
      input = path;
    }
    const tmpDir = await ctx.scratchDir();
    try {
      const common = {
        source: name,
        types: p.types,
        tmpDir,
        signal: ctx.signal,
        ...(p.nullValues ? { nullValues: p.nullValues } : {}),
      };
      let dataset: DatasetRef;
      if (format === 'parquet') {
        if (typeof input !== 'string') throw new Error('Parquet is read from a file');
        dataset = await ingestParquetToDataset(ctx.store, input, common);
      } else if (format === 'jsonl') {
        dataset = await ingestJsonlToDataset(ctx.store, input, common);
      } else {
        dataset = await ingestCsvToDataset(ctx.store, input, { ...common, delimiter: p.delimiter, header: p.header });
      }
      ctx.progress({ rows: dataset.rowCount, columns: dataset.schema.length });
      return { outputs: { dataset } };
    } catch (error) {
      if (error instanceof DataInputError) {
        throw new NodeFailure(error.message, { type: 'DataInputError', retryable: false });
      }
      throw error;
    } finally {
      s3Stream?.destroy();
    }
  },
});
