import { describe, expect, it } from 'vitest';
import { formatNumber, formatScalar } from '../ui/format';
import { artifactFileName, isArtifactRef, nodeVerdict, recordTable, verdictOf } from './outputs';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('reading node outputs', () => {
  it('prints integers as integers and other numbers with at most four decimals', () => {
    expect(formatNumber(45927)).toBe('45927');
    expect(formatNumber(45927.00000000001)).toBe('45927');
    expect(formatNumber(0.812345678)).toBe('0.8123');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(0.0000123)).toBe('0.0000123');
    expect(formatScalar(null)).toBe('—');
    expect(formatScalar(true)).toBe('yes');
  });

  it('tells artifacts by their digest and media type, and names their downloads', () => {
    const ref = { uri: 'file:///x', digest: DIGEST, size: 10, mediaType: 'application/json' };
    expect(isArtifactRef(ref)).toBe(true);
    expect(isArtifactRef({ digest: 'sha256:short', mediaType: 'x' })).toBe(false);
    expect(artifactFileName('report', ref)).toBe('report-abababababab.json');
    expect(artifactFileName('data set', { ...ref, mediaType: 'application/vnd.apache.arrow.file' })).toBe(
      'data_set-abababababab.arrow',
    );
  });

  it('reads gate, promotion and approval decisions with their reasons', () => {
    const failed = {
      passed: false,
      checks: [
        {
          metric: 'roc_auc',
          op: '>=',
          value: 0.9,
          actual: 0.81,
          passed: false,
          message: 'roc_auc 0.81 >= 0.9',
        },
        {
          metric: 'accuracy',
          op: '>=',
          value: 0.5,
          actual: 0.7,
          passed: true,
          message: 'accuracy 0.7 >= 0.5',
        },
      ],
    };
    expect(verdictOf(failed)).toEqual({ ok: false, label: 'failed', reason: 'roc_auc 0.81 >= 0.9' });
    expect(verdictOf({ ...failed, passed: true })?.label).toBe('passed');
    expect(
      verdictOf({ action: 'rollback', version: 3, observed: {}, reasons: ['only 2 predictions (min 20)'] }),
    ).toEqual({
      ok: false,
      label: 'rolled back',
      reason: 'only 2 predictions (min 20)',
    });
    expect(verdictOf({ decision: 'approved', by: 'ann', comment: 'ship it' })).toEqual({
      ok: true,
      label: 'approved',
      reason: 'by ann: ship it',
    });
    expect(verdictOf({ accuracy: 0.9 })).toBeUndefined();
    expect(nodeVerdict({ model: { digest: DIGEST }, decision: failed })?.ok).toBe(false);
  });

  it('makes tables of rows with scalar values only', () => {
    expect(
      recordTable([
        { a: 1, b: 'x' },
        { a: 2, c: true },
      ]),
    ).toEqual({
      columns: ['a', 'b', 'c'],
      rows: [
        { a: 1, b: 'x' },
        { a: 2, c: true },
      ],
    });
    expect(recordTable([{ a: { nested: 1 } }])).toBeUndefined();
    expect(recordTable([])).toBeUndefined();
  });
});
