import { describe, expect, it } from 'vitest';
import { GbdtInputError, trainBooster } from './index';
import { makeSynthetic } from './synthetic-data';

describe('trainBooster input errors', () => {
  const ok = makeSynthetic('binary', { rows: 50, features: 2 });
  const train = (
    features: unknown,
    labels: ArrayLike<number>,
    params: Record<string, unknown> = {},
    options = {},
  ) =>
    trainBooster(
      { features: features as Float64Array[], labels },
      { objective: 'binary', numIterations: 2, ...params },
      options,
    );

  it('names a label count that does not match the rows', async () => {
    await expect(train(ok.columns, ok.labels.subarray(0, 49))).rejects.toThrow(
      'training labels: 49 labels for 50 rows; give one label per row',
    );
  });

  it('names columns of different lengths', async () => {
    await expect(train([ok.columns[0]!, ok.columns[1]!.subarray(0, 40)], ok.labels)).rejects.toThrow(
      'training features: column 1 has 40 rows but column 0 has 50',
    );
  });

  it('names a row-major buffer that does not match its shape', async () => {
    await expect(train({ values: new Float64Array(99), rows: 50, cols: 2 }, ok.labels)).rejects.toThrow(
      '99 values do not make a 50 × 2 matrix',
    );
  });

  it('names the row of a NaN label', async () => {
    const labels = ok.labels.slice();
    labels[7] = NaN;
    await expect(train(ok.columns, labels)).rejects.toThrow('training labels: label at row 7 is NaN');
  });

  it('rejects a binary problem with a single class', async () => {
    await expect(train(ok.columns, new Float64Array(50).fill(1))).rejects.toThrow(
      'every row has class 1; a binary classifier needs at least two classes',
    );
  });

  it('rejects binary labels other than 0 and 1', async () => {
    const labels = ok.labels.slice();
    labels[3] = 2;
    await expect(train(ok.columns, labels)).rejects.toThrow(
      'label at row 3 is 2; binary labels must be 0 or 1',
    );
  });

  it('rejects empty data', async () => {
    await expect(train([new Float64Array(0)], new Float64Array(0))).rejects.toThrow(
      'training features: no rows',
    );
    await expect(train([], new Float64Array(0))).rejects.toThrow('training features: no feature columns');
  });

  it('rejects parameters out of range, naming them', async () => {
    await expect(train(ok.columns, ok.labels, { learningRate: 0 })).rejects.toThrow(
      'parameter learningRate must be a finite number > 0, got 0',
    );
    await expect(train(ok.columns, ok.labels, { maxLeaves: 1 })).rejects.toThrow('parameter maxLeaves');
    await expect(train(ok.columns, ok.labels, { maxBins: 256 })).rejects.toThrow('parameter maxBins');
    await expect(train(ok.columns, ok.labels, { baggingFraction: 1.5 })).rejects.toThrow('baggingFraction');
  });

  it('rejects early stopping without a validation set, and a validation set of the wrong width', async () => {
    await expect(train(ok.columns, ok.labels, { earlyStoppingRounds: 5 })).rejects.toThrow(
      'earlyStoppingRounds needs a validation set',
    );
    await expect(
      train(ok.columns, ok.labels, {}, { valid: { features: [ok.columns[0]!], labels: ok.labels } }),
    ).rejects.toThrow('validation features: 1 columns, but the training data has 2');
  });

  it('rejects multiclass labels outside the declared classes', async () => {
    const labels = Float64Array.from({ length: 50 }, (_, i) => i % 4);
    await expect(
      trainBooster({ features: ok.columns, labels }, { objective: 'multiclass', numClasses: 3 }),
    ).rejects.toThrow('label at row 3 is 3; multiclass labels must be 0..2');
  });

  it('throws GbdtInputError for all of these', async () => {
    await expect(train(ok.columns, ok.labels.subarray(1))).rejects.toBeInstanceOf(GbdtInputError);
  });
});
