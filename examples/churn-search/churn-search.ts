// Hyperparameter search on the churn data (../churn/churn.csv), written with the authoring API; the
// same spec as churn-search.json. search.space expands a grid into `trials`; `train` maps train.cv
// over them (one activity per trial, 3-fold cross-validation each); search.select keeps the trial with
// the best mean cross-validated ROC-AUC; evaluate.model scores that model on the held-out test split.
import { pipeline } from '@kiln/engine';
import { evaluateModel, featurizeTabular, ingestFile, metricsGate, searchSelect, searchSpace, trainCv } from '@kiln/nodes';

const p = pipeline('churn-search', {
  params: {
    data: { type: 'string', default: 'examples/churn/churn.csv' },
    minRocAuc: { type: 'number', default: 0.75 },
  },
});

const ingest = p.node('ingest', ingestFile, {
  params: { uri: p.param('data'), format: 'csv', types: { churned: 'int', senior_citizen: 'int' } },
});
const featurize = p.node('featurize', featurizeTabular, {
  inputs: { dataset: ingest.out.dataset },
  params: { target: 'churned', task: 'binary', drop: ['customer_id'], impute: 'median', scale: 'standard', encoding: 'onehot', seed: 7 },
});
const space = p.node('space', searchSpace, {
  params: {
    trainer: 'gbdt',
    search: 'grid',
    space: { learningRate: [0.05, 0.2], maxLeaves: [4, 15] },
    fixed: { numIterations: 150, minDataInLeaf: 20, earlyStoppingRounds: 20, seed: 1 },
  },
});
const train = p.node('train', trainCv, {
  inputs: { train: featurize.out.train, transform: featurize.out.transform },
  map: { items: p.output(space.out.trials), maxParallel: 4 },
  params: { trainer: 'gbdt', params: p.item(), cvFolds: 3, seed: 3 },
});
const select = p.node('select', searchSelect, {
  inputs: { metrics: train.out.metrics, model: train.out.model },
  params: { metric: 'cv_roc_auc', mode: 'max', trials: p.output(space.out.trials) },
});
const evaluate = p.node('evaluate', evaluateModel, {
  inputs: { model: select.out.model, dataset: featurize.out.test },
});
p.node('gate', metricsGate, {
  inputs: { metrics: evaluate.out.metrics },
  params: { rules: [{ metric: 'roc_auc', op: '>=', value: p.param('minRocAuc') }] },
});

export default p;
