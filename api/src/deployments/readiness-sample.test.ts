import { describe, expect, it } from 'vitest';
import { readinessSample, servedSignature } from './readiness-sample';

const artifact = { uri: 'file:///d', digest: `sha256:${'d'.repeat(64)}`, size: 1, mediaType: 'application/vnd.apache.arrow.file' };
const base = { count: 10, nullCount: 0 };
const reference = {
  artifact,
  schema: [],
  rowCount: 10,
  stats: [
    { name: 'age', type: 'float', ...base, kind: 'numeric', min: 1, max: 9, mean: 4.5, std: 1, histogram: null },
    { name: 'plan', type: 'string', ...base, kind: 'categorical', distinctCount: 2, topValues: [{ value: 'pro', count: 7 }], topValuesExact: true },
    { name: 'senior', type: 'bool', ...base, kind: 'bool', trueCount: 7, falseCount: 3 },
  ],
};
const sig = {
  task: 'binary' as const,
  classes: [0, 1],
  features: [
    { name: 'age', type: 'float' as const },
    { name: 'plan', type: 'string' as const },
    { name: 'senior', type: 'float' as const },
  ],
};

describe('the readiness sample', () => {
  it('takes each feature from the reference statistics (a Dataset port value)', () => {
    const served = servedSignature(sig, reference);
    expect(served.features[2]).toEqual({ name: 'senior', type: 'float', json: 'boolean' });
    expect(readinessSample(served, reference)).toEqual({ age: 4.5, plan: 'pro', senior: true });
  });
  it('leaves features missing when the reference is absent or not a Dataset', () => {
    expect(readinessSample(sig, null)).toEqual({ age: null, plan: null, senior: null });
    expect(readinessSample(sig, { stats: [{ name: 'age', mean: 3 }] })).toEqual({ age: null, plan: null, senior: null });
  });
});
