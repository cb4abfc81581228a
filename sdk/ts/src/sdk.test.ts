import { describe, expect, it } from 'vitest';
import { NodeFailure, defineNode, readRows, writeRows, z } from './index';
import { runNode, testContext } from './testing';

const scale = defineNode({
  type: 'acme.scale',
  version: 1,
  category: 'acme',
  title: 'Scale a column',
  description: 'Multiplies one numeric column by a factor.',
  capabilities: [],
  inputs: { data: 'Dataset' },
  outputs: { data: 'Dataset', rows: 'Json' },
  params: z.object({ column: z.string(), factor: z.number().default(2) }).strict(),
  async run(ctx, { data }, { column, factor }) {
    const rows = await readRows(ctx, data);
    if (rows.length > 0 && !(column in rows[0]!)) throw new NodeFailure(`no column "${column}"`, { retryable: false });
    ctx.log.info(`scaling ${rows.length} rows`);
    const out = rows.map((r) => ({ ...r, [column]: (r[column] as number) * factor }));
    return { outputs: { data: await writeRows(ctx, out), rows: out.length } };
  },
});

describe('@kiln/sdk', () => {
  it('runs a node as the worker does: datasets in and out, params with defaults, logs', async () => {
    const ctx = testContext();
    const data = await writeRows(ctx, [
      { id: 1, x: 1.5, name: 'a' },
      { id: 2, x: -2, name: 'b' },
    ]);
    expect(data.rowCount).toBe(2);
    expect(data.schema.map((c) => `${c.name}:${c.type}`)).toEqual(['id:int', 'x:float', 'name:string']);
    const result = await runNode(scale, { ctx, inputs: { data }, params: { column: 'x' } });
    expect(result.outputs.rows).toBe(2);
    expect(await readRows(ctx, result.outputs.data)).toEqual([
      { id: 1, x: 3, name: 'a' },
      { id: 2, x: -4, name: 'b' },
    ]);
    expect(result.logLines).toEqual(['info: scaling 2 rows']);
  });

  it("refuses bad params and inputs with the worker's messages", async () => {
    await expect(runNode(scale, { inputs: { data: { artifact: 'x' } }, params: { column: 'x' } })).rejects.toThrow('input "data" is not a valid Dataset');
    await expect(runNode(scale, { inputs: {}, params: { column: 'x', extra: 1 } as never })).rejects.toThrow('invalid params');
    await expect(runNode(scale, { params: { column: 'x' } })).rejects.toThrow('input "data" (Dataset) has no value');
  });

  it('refuses a definition that is not one', () => {
    expect(() => defineNode({ ...scale, type: 'noDot' })).toThrow('must be "category.name"');
  });
});
