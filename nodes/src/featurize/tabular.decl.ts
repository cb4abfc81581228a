import { z } from 'zod';
import { declareNode } from '../define-node';

const params = z.strictObject({
  target: z.string().min(1).describe('The column to predict.'),
  task: z
    .enum(['auto', 'binary', 'multiclass', 'regression'])
    .default('auto')
    .describe('auto: regression for a float target, or an int target with more than 20 values; otherwise classification.'),
  drop: z.array(z.string()).default([]).describe('Columns that are not features (ids, leaks).'),
  impute: z
    .enum(['mean', 'median', 'most_frequent', 'constant'])
    .default('median')
    .describe('How missing numbers are filled (text columns use the most frequent value, or the text constant).'),
  imputeConstant: z.number().default(0).describe('The fill value of numeric columns with impute = constant.'),
  imputeConstantText: z.string().default('missing').describe('The fill value of text columns with impute = constant.'),
  scale: z.enum(['none', 'standard', 'minmax', 'robust']).default('standard').describe('Scaling of numeric columns.'),
  encoding: z
    .enum(['onehot', 'ordinal'])
    .default('onehot')
    .describe('Text columns: one-hot (an unknown value encodes as all zeros) or ordinal (unknown → −1).'),
  maxCategories: z
    .number()
    .int()
    .positive()
    .default(1000)
    .describe('Refuse to encode a text column with more distinct values than this.'),
  testFraction: z.number().gt(0).lt(1).default(0.2).describe('Fraction of rows held out as the test split.'),
  stratify: z.boolean().default(true).describe('Keep class proportions in both splits (classification).'),
  seed: z.number().int().default(42).describe('Seed of the split.'),
});

export default declareNode({
  type: 'featurize.tabular',
  version: 1,
  category: 'featurize',
  capabilities: [],
  deterministic: true,
  title: 'Featurize table',
  description:
    'Splits a dataset into train and test (seeded, stratified for classification) and fits the preprocessing on the ' +
    'training split only: imputation, scaling, one-hot or ordinal encoding. The trainer turns the transform into ONNX.',
  inputs: { dataset: 'Dataset' },
  outputs: { train: 'Dataset', test: 'Dataset', transform: 'Transform' },
  params,
});
