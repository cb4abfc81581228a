import { describe, expect, it } from 'vitest';
import { findRefs, refKind, resolveRefs } from './value-refs';

describe('value references', () => {
  it('recognises only single-key objects with a string target', () => {
    expect(refKind({ $param: 'a' })).toBe('$param');
    expect(refKind({ $param: 'a', extra: 1 })).toBeUndefined();
    expect(refKind({ $param: 3 })).toBeUndefined();
    expect(refKind(['$param'])).toBeUndefined();
  });

  it('finds references with their paths', () => {
    expect(findRefs({ a: [{ $param: 'x' }], b: { c: { $output: 'n.p' } } })).toEqual([
      { kind: '$param', target: 'x', path: ['a', 0] },
      { kind: '$output', target: 'n.p', path: ['b', 'c'] },
    ]);
  });

  it('resolves params, items (whole or a field) and outputs, and says what is missing', () => {
    const scope = { params: { x: 1 }, item: { value: { f: { g: 'deep' } } }, outputs: (n: string, p: string) => `${n}/${p}` };
    expect(resolveRefs({ a: { $param: 'x' }, b: { $item: 'f.g' }, c: { $item: '' }, d: [{ $output: 'n.p' }] }, scope)).toEqual({
      a: 1,
      b: 'deep',
      c: { f: { g: 'deep' } },
      d: ['n/p'],
    });
    expect(() => resolveRefs({ $param: 'y' }, scope)).toThrow('run parameter "y" has no value');
    expect(() => resolveRefs({ $item: 'f.h' }, scope)).toThrow('{"$item": "f.h"}: the item has no field "h"');
    expect(() => resolveRefs({ $item: '' }, { params: {} })).toThrow('only meaningful in a node that maps over items');
  });
});
