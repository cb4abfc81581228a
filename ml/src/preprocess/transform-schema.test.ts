import { describe, expect, it } from 'vitest';
import { TransformError, requireTransformSpec } from './transform';

const good = {
  kind: 'kiln.transform/v1',
  target: 'churned',
  task: 'binary',
  classes: [0, 1],
  features: [
    { name: 'age', kind: 'numeric', impute: 40, offset: 40, scale: 0.1 },
    { name: 'plan', kind: 'categorical', impute: 'basic', encoding: 'onehot', categories: ['basic', 'pro'] },
  ],
  outputFeatures: ['age', 'plan=basic', 'plan=pro'],
};

describe('a transform document read back from the store', () => {
  it('is taken as it is when it fits the schema', () => {
    expect(requireTransformSpec(good)).toEqual(good);
  });

  it.each([
    [{ ...good, kind: 'kiln.transform/v2' }, 'at kind'],
    [{ ...good, task: 'ranking' }, 'at task'],
    [{ ...good, features: [{ ...good.features[0], scale: null }] }, 'at features.0.scale'],
    [{ ...good, features: [{ ...good.features[1], categories: 'basic' }] }, 'at features.0.categories'],
    [{ ...good, features: [{ name: 'x', kind: 'embedding' }] }, 'at features.0.kind'],
    [{ ...good, outputFeatures: undefined }, 'at outputFeatures'],
    [null, 'document: '],
  ])('is refused, naming where it breaks (%#)', (doc, where) => {
    let error: unknown;
    try {
      requireTransformSpec(doc);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TransformError);
    expect((error as TransformError).reason).toBe('BadInput');
    expect((error as Error).message).toContain(where);
  });
});
