import { z } from 'zod';
import { declareNode } from '../define-node';

export const ops = ['>=', '>', '<=', '<', '==', '!='] as const;

const rule = z.union([
  z.strictObject({
    metric: z.string().min(1).describe('A headline metric, e.g. roc_auc, f1_macro, rmse, batch1_ms_per_row.'),
    op: z.enum(ops).describe('How the metric compares with the value.'),
    value: z.number().describe('The threshold.'),
  }),
  z.strictObject({
    metric: z.string().min(1).describe('A headline metric present in both metrics and baseline.'),
    op: z.enum(ops).describe('How the metric compares with the baseline’s.'),
    baseline: z.literal(true).describe('Compare with the same metric of the `baseline` input.'),
    tolerance: z
      .number()
      .min(0)
      .default(0)
      .describe('Slack in the rule’s favour: with >=, metric >= baseline − tolerance passes; with <=, metric <= baseline + tolerance.'),
  }),
]);

const params = z.strictObject({
  rules: z.array(rule).min(1).describe('Every rule must hold for the gate to pass.'),
  champion: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A registered model name: baseline rules compare with its production version’s metrics (champion/challenger) ' +
        'when no baseline input is connected; while it has no production version, they pass (nothing to beat).',
    ),
  missing: z
    .enum(['fail', 'error'])
    .default('error')
    .describe('A metric that is absent or null: fails the gate, or is an error of the pipeline (a misspelt name).'),
});

export default declareNode({
  type: 'gate.metrics',
  version: 1,
  category: 'gate',
  capabilities: ['kiln-api'],
  // With a champion, the decision depends on the model registry's state, not only on the inputs.
  deterministic: (p) => p.champion === undefined,
  light: true,
  title: 'Metrics gate',
  description:
    'Checks metrics against thresholds (roc_auc >= 0.9) or against a baseline’s (within a tolerance): a connected ' +
    'baseline input, or the production version of a registered model (champion). When a rule ' +
    'fails, everything downstream is skipped, with the reason, without failing the run.',
  inputs: { metrics: 'Metrics', baseline: { type: 'Metrics', optional: true, description: 'Metrics of the model to beat (for baseline rules).' } },
  outputs: { decision: 'Json' },
  params,
});
