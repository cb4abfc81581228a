import { describe, expect, it } from 'vitest';
import { binaryObjective, multiclassObjective, regressionObjective } from './objectives';
import { Rng } from './random';

describe('objectives', () => {
  const rng = new Rng(9);
  const n = 1000;
  const scores = (k: number) =>
    Array.from({ length: k }, () => Float64Array.from({ length: n }, () => (rng.next() - 0.5) * 20));

  it('return from the gradient pass the same loss that loss() computes', () => {
    const binaryLabels = Float64Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
    const classLabels = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 4));
    const cases = [
      { objective: binaryObjective, s: scores(1), labels: binaryLabels },
      { objective: regressionObjective, s: scores(1), labels: binaryLabels },
      { objective: multiclassObjective(4), s: scores(4), labels: classLabels },
    ];
    for (const { objective, s, labels } of cases) {
      const gh = s.map(() => new Float32Array(2 * n));
      expect(objective.gradients(s, labels, gh)).toBeCloseTo(objective.loss(s, labels), 10);
    }
  });

  it('binary gradients are p − y and hessians p(1 − p)', () => {
    const s = [Float64Array.of(0, 2, -3)];
    const gh = [new Float32Array(6)];
    binaryObjective.gradients(s, Float64Array.of(1, 0, 1), gh);
    const p = (x: number) => 1 / (1 + Math.exp(-x));
    // Stored as float32 (see GradientPairs): the float64 values, rounded.
    expect(gh[0]![0]).toBe(-0.5);
    expect(gh[0]![2]).toBe(Math.fround(p(2)));
    expect(gh[0]![5]).toBe(Math.fround(p(-3) * (1 - p(-3))));
  });

  it('start from the loss-minimising constant', () => {
    expect(binaryObjective.initScores(Float64Array.of(1, 0, 0, 0))[0]).toBeCloseTo(Math.log(1 / 3), 12);
    expect(regressionObjective.initScores(Float64Array.of(1, 2, 6))[0]).toBe(3);
    const init = multiclassObjective(3).initScores(Float64Array.of(0, 0, 1, 2));
    expect(init.map(Math.exp)).toEqual([0.5, 0.25, 0.25].map((v) => expect.closeTo(v, 12)));
  });
});
