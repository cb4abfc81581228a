import { extname } from 'node:path';
import { DataInputError } from '@kiln/tabular/input-error';
import {
  ingestCsvToDataset,
  ingestJsonlToDataset,
  ingestParquetToDataset,
  type DatasetRef,
} from '@kiln/tabular/dataset-ref';
import { NodeFailure, defineNode } from '../define-node';
import { openIngestInput } from './open-input';
import declaration from './file.decl';

export default defineNode({
  ...declaration,
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
    ctx.log.info(`reading ${name} as ${format}`);
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
      const offenders = dataset.stats.flatMap((s) => (s.offenders ? [{ column: s.name, type: s.type, ...s.offenders }] : []));
      ctx.progress({ rows: dataset.rowCount, columns: dataset.schema.length, ...(offenders.length > 0 ? { offenders } : {}) });
      ctx.log.info(`read ${dataset.rowCount} rows × ${dataset.schema.length} columns: ${dataset.schema.map((c) => `${c.name} ${c.type}`).join(', ')}`);
      for (const o of offenders) {
        const samples = o.samples.map((x) => `line ${x.line}: ${JSON.stringify(x.value)}`).join(', ');
        ctx.log.warn(`column ${o.column} is ${o.type}; ${o.count} value(s) did not fit and were read as null (${samples})`);
      }
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
