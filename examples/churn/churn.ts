// The churn pipeline of churn.json, written with the authoring API:
// ingest → validate → featurize → train.gbdt → evaluate → gate.metrics.
import { pipeline } from '@kiln/engine';
import { evaluateModel, featurizeTabular, ingestFile, metricsGate, trainGbdt, validateTabular } from '@kiln/nodes';

const p = pipeline('churn', {
  params: {
    data: { type: 'string', default: 'examples/churn/churn.csv' },
    minRocAuc: { type: 'number', default: 0.75 },
  },
});

const ingest = p.node('ingest', ingestFile, {
  params: { uri: p.param('data'), format: 'csv', types: { churned: 'int', senior_citizen: 'int' } },
});
const validate = p.node('validate', validateTabular, {
  inputs: { dataset: ingest.out.dataset },
  params: {
    minRows: 100,
    columns: [
      { name: 'customer_id', type: 'string', notNull: true, unique: true, regex: 'C[0-9]{5}' },
      { name: 'tenure_months', type: 'int', notNull: true, min: 0, max: 120 },
      { name: 'monthly_charges', type: 'float', min: 0, maxMissingRatio: 0.1 },
      { name: 'contract', allowed: ['month-to-month', 'one-year', 'two-year'], notNull: true },
      { name: 'churned', type: 'int', notNull: true, allowed: [0, 1] },
    ],
    onFailure: 'fail',
  },
});
const featurize = p.node('featurize', featurizeTabular, {
  inputs: { dataset: validate.out.dataset },
  params: { target: 'churned', task: 'binary', drop: ['customer_id'], impute: 'median', scale: 'standard', encoding: 'onehot', seed: 7 },
});
const train = p.node('train', trainGbdt, {
  inputs: { train: featurize.out.train, transform: featurize.out.transform },
  params: { numIterations: 400, learningRate: 0.05, maxLeaves: 15, minDataInLeaf: 20, earlyStoppingRounds: 30, seed: 1 },
});
const evaluate = p.node('evaluate', evaluateModel, {
  inputs: { model: train.out.model, dataset: featurize.out.test },
});
p.node('gate', metricsGate, {
  inputs: { metrics: evaluate.out.metrics },
  params: { rules: [{ metric: 'roc_auc', op: '>=', value: p.param('minRocAuc') }] },
});

export default p;
