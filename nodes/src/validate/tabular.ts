import type { DatasetRef } from '@kiln/tabular/dataset-ref';
import { NodeFailure, defineNode } from '../define-node';
import { driftChecks } from '../shared/drift';
import type { CheckResult } from '../shared/check-result';
import { putJson, readColumns, type Cell, type Columns } from '../shared/tabular';
import declaration from './tabular.decl';

const SAMPLES = 5;

function rowObject(cols: Columns, r: number): Record<string, Cell> {
  return Object.fromEntries(cols.names.map((n) => [n, cols.values[n]![r]!]));
}

function rowCheck(cols: Columns, check: string, column: string, bad: (v: Cell, r: number) => boolean, what: string): CheckResult {
  const values = cols.values[column]!;
  let failing = 0;
  const samples: CheckResult['samples'] = [];
  for (let r = 0; r < cols.rowCount; r++) {
    if (!bad(values[r]!, r)) continue;
    failing++;
    if (samples.length < SAMPLES) samples.push({ row: r + 1, values: rowObject(cols, r) });
  }
  return {
    check,
    column,
    passed: failing === 0,
    failing,
    total: cols.rowCount,
    message: failing === 0 ? `${column}: ${what}` : `${column}: ${failing} of ${cols.rowCount} rows break "${what}"`,
    samples,
  };
}

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const ref: DatasetRef = inputs.dataset;
    const cols = await readColumns(ctx.store, ref);
    const checks: CheckResult[] = [];
    const n = cols.rowCount;
    if (p.minRows !== undefined || p.maxRows !== undefined) {
      const ok = (p.minRows === undefined || n >= p.minRows) && (p.maxRows === undefined || n <= p.maxRows);
      checks.push({ check: 'row_count', passed: ok, failing: ok ? 0 : 1, total: 1, rows: n, message: `${n} rows (allowed ${p.minRows ?? 0}..${p.maxRows ?? '∞'})` });
    }
    if (p.maxMissingRatio !== undefined) {
      for (const name of cols.names) {
        const nulls = cols.values[name]!.filter((v) => v === null).length;
        const ratio = n === 0 ? 0 : nulls / n;
        checks.push({ check: 'max_missing_ratio', column: name, passed: ratio <= p.maxMissingRatio, failing: nulls, total: n, ratio, message: `${name}: ${(ratio * 100).toFixed(2)}% missing (max ${(p.maxMissingRatio * 100).toFixed(2)}%)` });
      }
    }
    // Cells ingest read as null because they broke their column's inferred type (see toleratedOffenders).
    for (const s of ref.stats ?? []) {
      if (!s.offenders) continue;
      const { count, samples } = s.offenders;
      const shown = samples.slice(0, 3).map((o) => `line ${o.line}: ${JSON.stringify(o.value)}`);
      checks.push({
        check: 'type_offenders',
        column: s.name,
        passed: false,
        failing: count,
        total: s.count + count,
        type: s.type,
        offenders: samples.map((o) => ({ line: o.line, column: s.name, value: o.value })),
        message: `${s.name}: ${count} value${count === 1 ? '' : 's'} not ${s.type} (the column's type), read as null: ${shown.join(', ')}${count > shown.length ? ', …' : ''}`,
      });
    }
    for (const e of p.columns) {
      if (!cols.values[e.name]) {
        checks.push({ check: 'column_exists', column: e.name, passed: false, failing: 1, total: 1, message: `${e.name}: no such column (columns: ${cols.names.join(', ')})` });
        continue;
      }
      const actualType = cols.types[e.name];
      if (e.type) checks.push({ check: 'type', column: e.name, passed: actualType === e.type, failing: actualType === e.type ? 0 : 1, total: 1, actual: actualType, message: `${e.name}: type ${actualType} (expected ${e.type})` });
      if (e.notNull) checks.push(rowCheck(cols, 'not_null', e.name, (v) => v === null, 'not null'));
      if (e.maxMissingRatio !== undefined) {
        const nulls = cols.values[e.name]!.filter((v) => v === null).length;
        const ratio = n === 0 ? 0 : nulls / n;
        checks.push({ check: 'max_missing_ratio', column: e.name, passed: ratio <= e.maxMissingRatio, failing: nulls, total: n, ratio, message: `${e.name}: ${(ratio * 100).toFixed(2)}% missing (max ${(e.maxMissingRatio * 100).toFixed(2)}%)` });
      }
      if (e.min !== undefined) {
        const min = e.min;
        checks.push(rowCheck(cols, 'min', e.name, (v) => typeof v === 'number' && v < min, `>= ${min}`));
      }
      if (e.max !== undefined) {
        const max = e.max;
        checks.push(rowCheck(cols, 'max', e.name, (v) => typeof v === 'number' && v > max, `<= ${max}`));
      }
      if (e.allowed) {
        const allowed = new Set(e.allowed.map(String));
        checks.push(rowCheck(cols, 'allowed_values', e.name, (v) => v !== null && !allowed.has(String(v)), `in [${e.allowed.join(', ')}]`));
      }
      if (e.unique) {
        const seen = new Set<string>();
        checks.push(
          rowCheck(cols, 'unique', e.name, (v) => {
            if (v === null) return false;
            const k = String(v);
            if (seen.has(k)) return true;
            seen.add(k);
            return false;
          }, 'unique'),
        );
      }
      if (e.regex !== undefined) {
        let re: RegExp;
        try {
          re = new RegExp(`^(?:${e.regex})$`, 'u');
        } catch (error) {
          throw new NodeFailure(`columns: "${e.name}": bad regex: ${(error as Error).message}`, { type: 'BadParams', retryable: false });
        }
        checks.push(rowCheck(cols, 'regex', e.name, (v) => v !== null && !re.test(String(v)), `matches /${e.regex}/`));
      }
    }
    if (inputs.reference !== undefined && inputs.reference !== null) {
      const reference = await readColumns(ctx.store, inputs.reference);
      checks.push(...driftChecks(cols, reference, inputs.reference.stats, p.drift));
    }
    const failed = checks.filter((c) => !c.passed);
    const summary = { passed: failed.length === 0, checks: checks.length, failed: failed.length, rows: n, onFailure: p.onFailure };
    const artifact = await putJson(ctx.store, { kind: 'kiln.validation-report/v1', dataset: ref.artifact, summary, checks });
    if (failed.length > 0 && p.onFailure === 'fail') {
      const shown = failed.slice(0, 5).map((c) => c.message).join('; ');
      throw new NodeFailure(
        `${failed.length} of ${checks.length} checks failed: ${shown}${failed.length > 5 ? '; …' : ''} (report ${artifact.digest})`,
        { type: 'ValidationFailed', retryable: false },
      );
    }
    return { outputs: { dataset: ref, report: { artifact, summary } } };
  },
});
