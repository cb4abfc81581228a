import { describe, expect, it } from 'vitest';
import { PredictionIds } from './prediction-ids';

describe('prediction ids', () => {
  const ids = new PredictionIds(['a'.repeat(64)]);

  it('verifies the ids it issued, for their deployment only', () => {
    const issued = ids.issue('churn', 3);
    expect(new Set(issued).size).toBe(3);
    for (const id of issued) {
      expect(id).toMatch(/^[0-9a-z.A-Z_-]+$/);
      expect(ids.verify('churn', id)).toBe(true);
      expect(ids.verify('other', id)).toBe(false);
    }
    expect(ids.issue('churn', 1)[0]).not.toBe(issued[0]);
  });

  it('refuses forged, altered or out-of-range ids', () => {
    const [id] = ids.issue('churn', 2) as [string];
    const [nonce, rows, , tag] = id.split('.') as [string, string, string, string];
    expect(ids.verify('churn', `${nonce}.${rows}.2.${tag}`)).toBe(false); // row 2 of 2
    expect(ids.verify('churn', `${nonce}.3.2.${tag}`)).toBe(false); // rows changed
    expect(
      ids.verify('churn', `${nonce}.${rows}.0.${tag.slice(0, -1)}${tag.endsWith('A') ? 'B' : 'A'}`),
    ).toBe(false);
    expect(ids.verify('churn', '4f0c9a58-1c6a-4b6e-9d7e-1f2a3b4c5d6e')).toBe(false);
    expect(ids.verify('churn', '')).toBe(false);
    // Another key ring's ids do not verify; a ring listing the old key still does (rotation).
    const other = new PredictionIds(['b'.repeat(64)]);
    expect(other.verify('churn', id)).toBe(false);
    expect(new PredictionIds(['b'.repeat(64), 'a'.repeat(64)]).verify('churn', id)).toBe(true);
  });
});
