import { describe, expect, it } from 'vitest';
import { copyBits } from './column-builder';

describe('copyBits', () => {
  it('copies any range of bits to any offset, counting those set, as a bit-by-bit copy does', () => {
    let seed = 11;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const source = Uint8Array.from({ length: 64 }, () => rand(256));
    for (let trial = 0; trial < 500; trial++) {
      const from = rand(200);
      const to = from + rand(300 - from);
      const at = rand(100);
      const target = new Uint8Array(64);
      const expected = new Uint8Array(64);
      let set = 0;
      for (let r = from, i = at; r < to; r++, i++) {
        if ((source[r >> 3]! >> (r & 7)) & 1) {
          expected[i >> 3]! |= 1 << (i & 7);
          set++;
        }
      }
      expect(copyBits(source, from, to, target, at), `[${from}, ${to}) to ${at}`).toBe(set);
      expect(target).toEqual(expected);
    }
  });
});
