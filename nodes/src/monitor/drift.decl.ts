import { z } from 'zod';
import { declareNode } from '../define-node';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const params = z.strictObject({
  deployment: z.string().regex(NAME).describe('The deployment to watch.'),
  windowMinutes: z.number().positive().max(7 * 24 * 60).default(60).describe('How far back production traffic is compared; also the period of at most one retraining start.'),
  minRows: z.number().int().min(1).default(100).describe('Fewest logged predictions needed to judge drift (fewer: the report says so and nothing starts).'),
  psiThreshold: z.number().positive().default(0.2).describe('A feature drifts when its PSI against the training data exceeds this.'),
  ksThreshold: z.number().positive().max(1).default(0.2).describe('…or when its Kolmogorov–Smirnov statistic exceeds this (numeric features).'),
  maxDriftedFeatures: z.number().int().min(0).default(0).describe('Drift is declared when more features than this drift.'),
  predictionPsiThreshold: z.number().positive().default(0.2).describe('Prediction drift: PSI of the predicted classes against the training labels (classification).'),
  maxLatencyP99Ms: z.number().positive().optional().describe('Also trigger when p99 inference latency exceeds this.'),
  maxErrorRate: z.number().min(0).max(1).optional().describe('Also trigger when the share of failed requests exceeds this.'),
  minAccuracy: z.number().min(0).max(1).optional().describe('Also trigger when live accuracy (from feedback labels) falls below this.'),
  retrain: z
    .strictObject({
      pipeline: z.string().min(1).describe('The pipeline (name) to start when drift is found.'),
      params: z.record(z.string(), z.unknown()).default({}).describe('Its run parameters.'),
    })
    .optional()
    .describe('What to start, with trigger "drift", at most once per window.'),
});

export default declareNode({
  type: 'monitor.drift',
  version: 1,
  category: 'monitor',
  capabilities: ['kiln-api'],
  title: 'Monitor drift',
  description:
    'Compares a window of a deployment’s logged production inputs with the training data of the version serving it ' +
    '(PSI and KS per feature, prediction drift), and checks latency, error rate and live accuracy from feedback. ' +
    'Writes a report; when a threshold is crossed it starts the retraining pipeline with trigger "drift", at most once per window.',
  inputs: {},
  outputs: { report: 'Report', result: 'Json' },
  params,
});
