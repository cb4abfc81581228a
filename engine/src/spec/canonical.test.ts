import { describe, expect, it } from 'vitest';
import { canonicalJson, specHash } from './canonical';

describe('canonical JSON and hashing', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives equal hashes to equal documents written in different orders', () => {
    expect(specHash({ x: 1, y: [1, 2] })).toBe(specHash({ y: [1, 2], x: 1 }));
    expect(specHash({ x: 1 })).not.toBe(specHash({ x: 2 }));
    expect(specHash([1, 2])).not.toBe(specHash([2, 1]));
  });

  it('matches a SHA-256 computed independently', async () => {
    const { createHash } = await import('node:crypto');
    const doc = { name: 'é ✓ \u2028', n: 1.5e-7, list: [true, null] };
    expect(specHash(doc)).toBe(`sha256:${createHash('sha256').update(canonicalJson(doc)).digest('hex')}`);
    expect(canonicalJson(doc)).toBe('{"list":[true,null],"n":1.5e-7,"name":"é ✓ \u2028"}');
  });

  it('refuses numbers JSON cannot carry', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow('cannot hash the number NaN');
    expect(() => canonicalJson([Infinity])).toThrow('cannot hash the number Infinity');
  });
});
