import { describe, expect, it } from 'vitest';
import { readRows, writeRows } from '@kiln/sdk';
import { runNode, testContext } from '@kiln/sdk/testing';
import { profile, ratio } from './index';

describe('tsnodes', () => {
  it('adds a ratio column, null where the denominator is 0', async () => {
    const ctx = testContext();
    const dataset = await writeRows(ctx, [
      { id: 'a', total: 10, months: 4 },
      { id: 'b', total: 3, months: 0 },
    ]);
    const result = await runNode(ratio, { ctx, inputs: { dataset }, params: { numerator: 'total', denominator: 'months', output: 'per_month' } });
    expect(result.outputs.dataset.schema.at(-1)).toEqual({ name: 'per_month', type: 'float', nullable: true });
    expect(await readRows(ctx, result.outputs.dataset)).toEqual([
      { id: 'a', total: 10, months: 4, per_month: 2.5 },
      { id: 'b', total: 3, months: 0, per_month: null },
    ]);
    expect(result.logLines).toEqual(['info: per_month = total / months on 2 rows (1 undefined)']);
  });

  it('names the columns when one is missing', async () => {
    const ctx = testContext();
    const dataset = await writeRows(ctx, [{ total: 1 }]);
    await expect(runNode(ratio, { ctx, inputs: { dataset }, params: { numerator: 'total', denominator: 'nope', output: 'x' } })).rejects.toThrow('no column "nope" (the columns are total)');
  });

  it('profiles numeric columns into a report', async () => {
    const ctx = testContext();
    const dataset = await writeRows(ctx, [{ x: 1, y: 'a' }, { x: 3, y: 'b' }]);
    const { outputs } = await runNode(profile, { ctx, inputs: { dataset } });
    expect(outputs.report.summary).toEqual({ rows: 2, x: { mean: 2, min: 1, max: 3 } });
  });
});
