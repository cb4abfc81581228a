import { columnTypeSchema } from '@kiln/engine';
import { z } from 'zod';
import { dataUriParam } from '../access/data-uri-param';
import { declareNode } from '../define-node';

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
    .record(z.string(), columnTypeSchema)
    .default({})
    .describe('Column types that replace inference, by column name (int, float, bool, date, string).'),
  nullValues: z
    .array(z.string())
    .optional()
    .describe('Cells read as null (default: empty, NA, null, NaN for CSV; none for JSON Lines and Parquet).'),
});

export default declareNode({
  type: 'ingest.file',
  version: 1,
  category: 'ingest',
  capabilities: ['local-files', 'network'],
  deterministic: true,
  title: 'Ingest file',
  description:
    'Reads a CSV, JSON Lines or Parquet file (local path, file://, http(s):// or s3://) into an Arrow dataset in the ' +
    'artifact store, with inferred column types and per-column statistics. A column takes the type all but 1% of its ' +
    'sampled values fit; the cells that break it are read as null and listed with line and value in its statistics ' +
    '(offenders). Bad input fails with the line (or row) and column.',
  inputs: {},
  outputs: { dataset: 'Dataset' },
  params,
});
