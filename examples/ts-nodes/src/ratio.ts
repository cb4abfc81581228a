import { NodeFailure, defineNode, readRows, writeRows, z } from '@kiln/sdk';

/** A feature of two numeric columns: `output = numerator / denominator` (null where it is undefined). */
export const ratio = defineNode({
  type: 'tsnodes.ratio',
  version: 1,
  category: 'tsnodes',
  title: 'Ratio feature',
  description: 'Adds a column holding one numeric column divided by another (null where the denominator is 0 or missing).',
  capabilities: [],
  inputs: { dataset: 'Dataset' },
  outputs: { dataset: 'Dataset' },
  params: z
    .object({
      numerator: z.string().min(1).describe('column divided'),
      denominator: z.string().min(1).describe('column it is divided by'),
      output: z.string().min(1).describe('name of the new column'),
    })
    .strict(),
  async run(ctx, { dataset }, { numerator, denominator, output }) {
    const names = dataset.schema.map((c) => c.name);
    for (const column of [numerator, denominator]) {
      if (!names.includes(column)) throw new NodeFailure(`no column "${column}" (the columns are ${names.join(', ')})`, { retryable: false });
    }
    if (names.includes(output)) throw new NodeFailure(`column "${output}" exists already`, { retryable: false });
    const rows = await readRows(ctx, dataset);
    let missing = 0;
    const out = rows.map((row) => {
      const a = row[numerator];
      const b = row[denominator];
      const value = typeof a === 'number' && typeof b === 'number' && b !== 0 ? a / b : null;
      if (value === null) missing++;
      return { ...row, [output]: value };
    });
    ctx.log.info(`${output} = ${numerator} / ${denominator} on ${rows.length} rows (${missing} undefined)`);
    const types = Object.fromEntries(dataset.schema.map((c) => [c.name, c.type]));
    return { outputs: { dataset: await writeRows(ctx, out, { columns: [...names, output], types: { ...types, [output]: 'float' } }) } };
  },
});
