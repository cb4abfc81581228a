import { describe, expect, it } from 'vitest';
import { sortFloat32 } from './float-sort';
import { Rng } from './random';

describe('sortFloat32', () => {
  it('sorts like a numeric sort, signs, infinities and subnormals included', () => {
    const rng = new Rng(7);
    const special = [0, -1, 1, Infinity, -Infinity, 1e-40, -1e-40, 3e38, -3e38, 0.5, -0.5];
    const values = Float32Array.from([
      ...special,
      ...Array.from({ length: 5000 }, () => (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 30 - 15)),
    ]);
    const expected = Float32Array.from(values).sort();
    expect(Array.from(sortFloat32(values))).toEqual(Array.from(expected));
  });

  it('handles empty input', () => {
    expect(sortFloat32(new Float32Array(0))).toHaveLength(0);
  });
});
