import { describe, expect, it } from 'vitest';
import type { DatasetRef } from '@kiln/tabular/dataset-ref';
import type { NodeContext } from '../define-node';
import ingest from '../ingest/file';
import { getJson } from '../shared/tabular';
import { tempFile, testContext } from '../shared/test-context';
import { ksStatistic, psi } from '@kiln/ml/drift/drift';
import validate from './tabular';

async function dataset(ctx: NodeContext, csv: string): Promise<DatasetRef> {
  return (await ingest.run(ctx, {}, ingest.params.parse({ uri: tempFile('d.csv', csv) }))).outputs.dataset as DatasetRef;
}

const CSV = 'id,age,plan,email\n1,30,free,a@x.io\n2,,pro,b@x.io\n2,150,gold,nope\n4,40,free,\n';

describe('validate.tabular', () => {
  it('fails with every broken check counted, and up to 5 sample rows in the report', async () => {
    const ctx = testContext();
    const ds = await dataset(ctx, CSV);
    const params = validate.params.parse({
      minRows: 10,
      columns: [
        { name: 'id', type: 'int', unique: true },
        { name: 'age', notNull: true, min: 0, max: 120 },
        { name: 'plan', allowed: ['free', 'pro'] },
        { name: 'email', regex: '[^@]+@[^@]+', maxMissingRatio: 0.1 },
        { name: 'missing_col' },
      ],
    });
    await expect(validate.run(ctx, { dataset: ds, reference: undefined }, params)).rejects.toThrow(/8 of 10 checks failed: 4 rows \(allowed 10/);
    const warned = await validate.run(ctx, { dataset: ds, reference: undefined }, { ...params, onFailure: 'warn' });
    expect(warned.outputs.dataset).toBe(ds);
    const report = warned.outputs.report as { artifact: never; summary: { passed: boolean; failed: number } };
    expect(report.summary).toMatchObject({ passed: false, failed: 8 });
    const full = await getJson<{ checks: any[] }>(ctx.store, report.artifact);
    const byCheck = Object.fromEntries(full.checks.map((c) => [`${c.check}:${c.column ?? ''}`, c]));
    expect(byCheck['unique:id']).toMatchObject({ passed: false, failing: 1, samples: [{ row: 3, values: { id: 2, plan: 'gold' } }] });
    expect(byCheck['not_null:age']).toMatchObject({ failing: 1, samples: [{ row: 2 }] });
    expect(byCheck['max:age']).toMatchObject({ failing: 1 });
    expect(byCheck['min:age']).toMatchObject({ passed: true });
    expect(byCheck['allowed_values:plan']).toMatchObject({ failing: 1 });
    expect(byCheck['regex:email']).toMatchObject({ failing: 1, samples: [{ row: 3 }] });
    expect(byCheck['max_missing_ratio:email']).toMatchObject({ passed: false, ratio: 0.25 });
    expect(byCheck['column_exists:missing_col']).toMatchObject({ passed: false });
    expect(byCheck['type:id']).toMatchObject({ passed: true });
  });

  it("names the line, column and value of a cell that broke its column's inferred type (one `twelve` in ints)", async () => {
    const ctx = testContext();
    const rows = Array.from({ length: 60 }, (_, i) => `${i},${i === 41 ? 'twelve' : (i % 24) + 1}`);
    const ds = await dataset(ctx, `id,tenure_months\n${rows.join('\n')}\n`);
    expect(ds.schema[1]).toMatchObject({ name: 'tenure_months', type: 'int' });
    const params = validate.params.parse({ columns: [{ name: 'tenure_months', type: 'int' }] });
    await expect(validate.run(ctx, { dataset: ds, reference: undefined }, params)).rejects.toThrow(
      '1 of 2 checks failed: tenure_months: 1 value not int (the column\'s type), read as null: line 43: "twelve"',
    );
    const warned = await validate.run(ctx, { dataset: ds, reference: undefined }, { ...params, onFailure: 'warn' });
    const full = await getJson<{ checks: any[] }>(ctx.store, (warned.outputs.report as any).artifact);
    expect(full.checks).toEqual([
      expect.objectContaining({ check: 'type_offenders', column: 'tenure_months', passed: false, failing: 1, total: 60, offenders: [{ line: 43, column: 'tenure_months', value: 'twelve' }] }),
      expect.objectContaining({ check: 'type', column: 'tenure_months', passed: true }),
    ]);
  });

  it('detects drift against a reference (PSI on its histogram bins, KS) and none against itself', async () => {
    const ctx = testContext();
    const rows = (shift: number) =>
      `x,c\n${Array.from({ length: 500 }, (_, i) => `${((i * 37) % 100) + shift},${i % 3 === 0 ? 'a' : 'b'}`).join('\n')}\n`;
    const reference = await dataset(ctx, rows(0));
    const same = await validate.run(ctx, { dataset: reference, reference }, validate.params.parse({}));
    expect((same.outputs.report as any).summary).toMatchObject({ passed: true, checks: 2 });
    const shifted = await dataset(ctx, rows(30));
    const drifted = await validate.run(ctx, { dataset: shifted, reference }, validate.params.parse({ onFailure: 'warn' }));
    const full = await getJson<{ checks: any[] }>(ctx.store, (drifted.outputs.report as any).artifact);
    const x = full.checks.find((c) => c.column === 'x');
    expect(x.passed).toBe(false);
    expect(x.psi).toBeGreaterThan(0.2);
    expect(x.ks).toBeCloseTo(0.3, 2);
    expect(full.checks.find((c) => c.column === 'c').passed).toBe(true);
  });

  it('computes PSI and KS', () => {
    expect(psi([10, 10], [10, 10])).toBe(0);
    expect(psi([50, 50], [90, 10])).toBeCloseTo(0.4 * Math.log(1.8) - 0.4 * Math.log(0.2), 10);
    expect(ksStatistic([1, 2, 3, 4], [1, 2, 3, 4])).toBe(0);
    expect(ksStatistic([1, 2], [3, 4])).toBe(1);
  });
});
