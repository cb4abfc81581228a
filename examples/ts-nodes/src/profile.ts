import { defineNode, readRows, z } from '@kiln/sdk';

/** A small profile of a dataset as a `Report`: rows, and mean, min and max of each numeric column. */
export const profile = defineNode({
  type: 'tsnodes.profile',
  version: 1,
  category: 'tsnodes',
  title: 'Profile a dataset',
  description: 'Counts rows and summarises numeric columns (mean, min, max) into a JSON report.',
  capabilities: [],
  inputs: { dataset: 'Dataset' },
  outputs: { report: 'Report' },
  params: z.object({ columns: z.array(z.string()).optional().describe('numeric columns to summarise (default: all)') }).strict(),
  async run(ctx, { dataset }, { columns }) {
    const numeric = dataset.schema.filter((c) => (c.type === 'int' || c.type === 'float') && (!columns || columns.includes(c.name))).map((c) => c.name);
    const rows = await readRows(ctx, dataset);
    const summary: Record<string, unknown> = { rows: rows.length };
    for (const name of numeric) {
      const values = rows.map((r) => r[name]).filter((v): v is number => typeof v === 'number');
      summary[name] = {
        mean: values.reduce((s, v) => s + v, 0) / (values.length || 1),
        min: Math.min(...values),
        max: Math.max(...values),
      };
    }
    const artifact = await ctx.store.put(Buffer.from(JSON.stringify(summary, null, 2)), { mediaType: 'application/json' });
    return { outputs: { report: { artifact, summary } } };
  },
});
