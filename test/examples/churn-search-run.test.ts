// The churn hyperparameter search (examples/churn-search) end to end through `kiln run --json`: the
// trials run as separate map-item activities of `train`, and search.select keeps the best one.
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, openHarness, tempDir } from '../support/harness';
import { kiln } from '../support/kiln-process';

const DIR = resolve(import.meta.dirname, '../../examples/churn-search');
const DATA = resolve(import.meta.dirname, '../../examples/churn/churn.csv');
const artifacts = tempDir('kiln-churn-search-artifacts-');
let h: Harness;

beforeAll(async () => {
  // The in-process workers and the CLI use the same artifact folder.
  h = await openHarness({ artifactsDir: artifacts });
});
afterAll(() => h.close());

it('runs a grid search as map items, keeps the best cross-validated trial and evaluates it', async () => {
  const result = await kiln(
    ['run', resolve(DIR, 'churn-search.json'), '--json', '--temporal-address', h.address, '--param', `data=${DATA}`],
    { env: { KILN_ARTIFACTS: artifacts, KILN_HOME: tempDir() } },
  );
  expect(result.code, result.stderr + result.stdout).toBe(0);
  const summary = JSON.parse(result.stdout);
  expect(summary).toMatchObject({ pipeline: 'churn-search', status: 'succeeded' });
  const ids = ['ingest', 'featurize', 'space', 'train', 'select', 'evaluate', 'gate'];
  expect(Object.keys(summary.nodes)).toEqual(ids);
  for (const id of ids) expect(summary.nodes[id].status, id).toBe('succeeded');
  const out = (id: string) => summary.nodes[id].outputs;

  const trials = out('space').trials as Record<string, unknown>[];
  expect(trials).toHaveLength(4);
  expect(trials[0]).toMatchObject({ learningRate: 0.05, maxLeaves: 4, numIterations: 150 });

  // A mapped node's outputs are lists in item order: one model and one metrics per trial.
  const trialMetrics = out('train').metrics as { values: Record<string, number> }[];
  expect(trialMetrics).toHaveLength(4);
  expect(out('train').model).toHaveLength(4);
  for (const m of trialMetrics) {
    expect(m.values.cv_folds).toBe(3);
    expect(m.values.cv_roc_auc).toBeGreaterThan(0.6);
    expect(m.values.cv_roc_auc).toBeLessThanOrEqual(1);
  }

  const board = out('select').leaderboard;
  expect(board).toMatchObject({ metric: 'cv_roc_auc', mode: 'max' });
  expect(board.entries).toHaveLength(4);
  const best = out('select').metrics.values;
  const max = Math.max(...board.entries.map((e: { value: number }) => e.value));
  expect(best.cv_roc_auc).toBe(max);
  expect(board.entries[0].value).toBe(max);
  expect(best.cv_roc_auc).toBe(Math.max(...trialMetrics.map((m) => m.values.cv_roc_auc!)));
  expect(board.entries[0].trial).toBe(best.search_trial);
  expect(board.entries[0].params).toEqual(trials[best.search_trial]);
  expect(out('select').model).toEqual(out('train').model[best.search_trial]);
  expect(out('evaluate').metrics.values.roc_auc).toBeGreaterThan(0.75);

  // Each trial was its own activity (`train#0` … `train#3`) in the run's workflow history.
  const history = await h.client.workflow.getHandle(summary.runId).fetchHistory();
  const scheduled = (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes)
    .filter((a) => a?.activityType?.name === 'train.cv')
    .map((a) => a!.activityId);
  expect(scheduled.sort()).toEqual(['train#0', 'train#1', 'train#2', 'train#3']);
});
