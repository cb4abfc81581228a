import type { ModelValue } from '@kiln/engine';
import { describe, expect, it } from 'vitest';
import { testContext } from '../shared/test-context';
import monitorDrift from '../monitor/drift';
import { quantile } from '../monitor/prediction-logs';
import deployModel from './model';

const model: ModelValue = { artifact: { digest: `sha256:${'a'.repeat(64)}`, uri: 'file:///m', size: 1, mediaType: 'application/onnx' }, task: 'binary', features: [{ name: 'x', type: 'float' }], classes: [0, 1], target: 'y' };

describe('nodes that need the Kiln API', () => {
  it('fail clearly, without retrying, when the worker has no API', async () => {
    const ctx = testContext();
    await expect(deployModel.run(ctx, { model, metrics: undefined, data: undefined }, deployModel.params.parse({ deployment: 'd' }))).rejects.toMatchObject({
      message: expect.stringMatching(/needs the Kiln API.*KILN_API_URL and KILN_API_TOKEN/),
      retryable: false,
    });
    await expect(monitorDrift.run(ctx, {}, monitorDrift.params.parse({ deployment: 'd' }))).rejects.toMatchObject({ type: 'NoApi' });
  });

  it('refuse params that are not what the schema says', () => {
    expect(() => deployModel.params.parse({ deployment: 'bad name!' })).toThrow();
  });
});

it('quantile uses the nearest rank', () => {
  expect(quantile([], 0.5)).toBeNull();
  expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
  expect(quantile(Array.from({ length: 100 }, (_, i) => i + 1), 0.99)).toBe(99);
});
