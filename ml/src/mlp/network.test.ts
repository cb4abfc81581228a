import { describe, expect, it } from 'vitest';
import { Rng } from '../gbdt/random';
import { matmul } from './matmul';
import { type Activation, Network } from './network';

describe('matmul', () => {
  it('matches a plain triple loop for odd and even shapes and strided (transposed) operands', () => {
    const rng = new Rng(1);
    for (const [m, n, p] of [
      [1, 1, 1],
      [3, 5, 2],
      [4, 4, 7],
      [7, 2, 3],
    ] as const) {
      const a = Float64Array.from({ length: m * p }, () => rng.next() - 0.5);
      const b = Float64Array.from({ length: p * n }, () => rng.next() - 0.5);
      const c = new Float64Array(m * n);
      matmul(m, n, p, a, p, 1, b, n, 1, c);
      const ct = new Float64Array(m * n);
      // Same product with Aᵀ and Bᵀ stored instead.
      const at = Float64Array.from({ length: m * p }, (_, i) => a[(i % m) * p + Math.floor(i / m)]!);
      const bt = Float64Array.from({ length: p * n }, (_, i) => b[(i % p) * n + Math.floor(i / p)]!);
      matmul(m, n, p, at, 1, m, bt, 1, p, ct);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < p; k++) s += a[i * p + k]! * b[k * n + j]!;
          expect(c[i * n + j]).toBeCloseTo(s, 12);
          expect(ct[i * n + j]).toBeCloseTo(s, 12);
        }
      }
    }
  });
});

describe('Network.backward', () => {
  for (const activation of ['relu', 'tanh'] as Activation[]) {
    it(`gives the gradient of a squared-error loss (finite differences, ${activation})`, () => {
      const rng = new Rng(7);
      const rows = 5;
      const net = new Network([3, 4, 3, 2], activation, rows);
      for (let i = 0; i < net.params.length; i++) net.params[i] = rng.next() - 0.5;
      for (let i = 0; i < rows * 3; i++) net.input[i] = 2 * rng.next() - 1;
      const target = Float64Array.from({ length: rows * 2 }, () => rng.next());
      const loss = () => {
        const out = net.forward(rows);
        let s = 0;
        for (let i = 0; i < rows * 2; i++) s += 0.5 * (out[i]! - target[i]!) ** 2;
        return s;
      };
      const out = net.forward(rows);
      for (let i = 0; i < rows * 2; i++) net.outputDelta[i] = out[i]! - target[i]!;
      net.backward(rows, false);
      const analytic = Float64Array.from(net.grads);
      const h = 1e-6;
      for (let i = 0; i < net.params.length; i++) {
        const keep = net.params[i]!;
        net.params[i] = keep + h;
        const up = loss();
        net.params[i] = keep - h;
        const down = loss();
        net.params[i] = keep;
        expect(analytic[i]).toBeCloseTo((up - down) / (2 * h), 6);
      }
    });
  }
});
