/**
 * `C[i, j] = Σₖ A[i, k] · B[k, j]` for an `m × p` by `p × n` product, with every operand addressed
 * through (row, column) strides so that transposed views need no copy: `A[i, k] = a[i·ars + k·acs]`,
 * `B[k, j] = b[k·brs + j·bcs]`; C is written row-major `m × n` (overwritten). The body works on 2 × 2
 * blocks of C (four running sums share each load), about three times faster in V8 than a plain loop.
 */
export function matmul(
  m: number,
  n: number,
  p: number,
  a: Float64Array,
  ars: number,
  acs: number,
  b: Float64Array,
  brs: number,
  bcs: number,
  c: Float64Array,
): void {
  const m2 = m & ~1;
  const n2 = n & ~1;
  for (let i = 0; i < m2; i += 2) {
    const a0 = i * ars;
    const a1 = a0 + ars;
    for (let j = 0; j < n2; j += 2) {
      const b0 = j * bcs;
      const b1 = b0 + bcs;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = 0; k < p; k++) {
        const x0 = a[a0 + k * acs]!;
        const x1 = a[a1 + k * acs]!;
        const y0 = b[b0 + k * brs]!;
        const y1 = b[b1 + k * brs]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      c[i * n + j] = s00;
      c[i * n + j + 1] = s01;
      c[(i + 1) * n + j] = s10;
      c[(i + 1) * n + j + 1] = s11;
    }
    if (n2 < n) {
      let s0 = 0;
      let s1 = 0;
      const b0 = n2 * bcs;
      for (let k = 0; k < p; k++) {
        const y = b[b0 + k * brs]!;
        s0 += a[a0 + k * acs]! * y;
        s1 += a[a1 + k * acs]! * y;
      }
      c[i * n + n2] = s0;
      c[(i + 1) * n + n2] = s1;
    }
  }
  if (m2 < m) {
    const a0 = m2 * ars;
    for (let j = 0; j < n; j++) {
      const b0 = j * bcs;
      let s = 0;
      for (let k = 0; k < p; k++) s += a[a0 + k * acs]! * b[b0 + k * brs]!;
      c[m2 * n + j] = s;
    }
  }
}
