import { z } from 'zod';
import { declareNode } from '../define-node';

const params = z.strictObject({
  batchSize: z.number().int().positive().max(1_000_000).default(4096).describe('Rows per inference call when scoring the dataset.'),
  latencyRows: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(200)
    .describe('Rows scored one at a time (and in batches of 256) to measure latency per row; 0 skips it.'),
  includePredictions: z.boolean().default(true).describe('Keep every row’s prediction and probabilities in the report.'),
});

export default declareNode({
  type: 'evaluate.model',
  version: 1,
  category: 'evaluate',
  capabilities: [],
  deterministic: true,
  title: 'Evaluate model',
  description:
    'Scores a dataset with the ONNX model in onnxruntime and reports classification or regression metrics ' +
    '(ROC-AUC, F1, confusion matrix, calibration; or MAE, RMSE, R²), latency per row at batch 1 and 256, and model size.',
  inputs: { model: 'Model', dataset: 'Dataset' },
  outputs: { metrics: 'Metrics', report: 'Report' },
  params,
});
