import { extname } from 'node:path';
import { z } from 'zod';
import { dataUriParam } from '../../access';
import { COLUMN_TYPES, type ColumnType } from '../../data/type-inference';
import { DataInputError } from '../../data/input-error';
import {
  ingestCsvToDataset,
  ingestJsonlToDataset,
  ingestParquetToDataset,
  type DatasetRef,
} from '../../data/dataset-ref';
import { NodeFailure, defineNode } from '../../define-node';
import { openIngestInput } from './open-input';

const params = z.strictObject({
  uri: dataUriParam(
    'Where the data is: a local path (relative to the worker’s folder) or file://… under the data roots ' +
      '(KILN_DATA_ROOTS), http(s)://… (downloaded, streamed; loopback and private addresses only if KILN_FETCH_ALLOW ' +
      'names them) or s3://bucket/key (streamed, with the worker’s S3 settings: S3_ENDPOINT, S3_ACCESS_KEY, ' +
      'S3_SECRET_KEY; the bucket must be allowed by KILN_S3_BUCKETS).',
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
    // Parquet is read from its footer backwards: an S3 object is downloaded to scratch first.
    const opened = await openIngestInput(p.uri, ctx, (name) => formatOf(name) === 'parquet');
    const { input, name } = opened;
    const format = formatOf(name);
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
        dataset = await ingestCsvToDataset(ctx.store, input, {
          ...common,
          delimiter: p.delimiter,
          header: p.header,
        });
      }
      ctx.progress({ rows: dataset.rowCount, columns: dataset.schema.length });
      return { outputs: { dataset } };
    } catch (error) {
      if (error instanceof DataInputError) {
        throw new NodeFailure(error.message, { type: 'DataInputError', retryable: false });
      }
      throw error;
    } finally {
      await opened.close();
    }
  },
});
