import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ChartView } from './Charts';
import { inlineCharts, jsonArtifactDigests, reportCharts } from './charts';

const evaluation = {
  kind: 'kiln.evaluation-report/v1',
  task: 'binary',
  report: {
    kind: 'classification',
    classes: ['no', 'yes'],
    confusion_matrix: [
      [40, 5],
      [3, 12],
    ],
    roc_curves: [{ class: 'yes', fpr: [0, 0.1, 1], tpr: [0, 0.8, 1], thresholds: [null, 0.5, 0] }],
    calibration: [{ class: 'yes', prob_pred: [0.1, 0.5, 0.9], prob_true: [0.05, 0.55, 0.85], bins: [] }],
  },
};

describe('charts from node outputs', () => {
  it('finds the JSON artifacts an output refers to, not datasets or models', () => {
    const outputs = {
      metrics: {
        task: 'binary',
        values: {},
        report: { digest: 'sha256:r', mediaType: 'application/json', size: 9 },
      },
      report: { artifact: { digest: 'sha256:r', mediaType: 'application/json' }, summary: {} },
      dataset: { artifact: { digest: 'sha256:d', mediaType: 'application/vnd.apache.arrow.file' } },
    };
    expect(jsonArtifactDigests(outputs)).toEqual(['sha256:r']);
  });

  it('draws ROC, confusion matrix and calibration from an evaluation report', () => {
    const charts = reportCharts(evaluation);
    expect(charts.map((c) => c.title)).toEqual(['ROC curve', 'Confusion matrix', 'Calibration']);
    const roc = renderToStaticMarkup(createElement(ChartView, { chart: charts[0]! }));
    expect(roc).toContain('role="img" aria-label="ROC curve"');
    expect(roc).toContain('<polyline points="38.0,170.0 63.2,42.0 290.0,10.0"');
    const matrix = renderToStaticMarkup(createElement(ChartView, { chart: charts[1]! }));
    expect(matrix).toContain('true yes, predicted no: 3');
  });

  it('draws feature importance and the loss curve from a training report, and validation results', () => {
    const training = reportCharts({
      kind: 'kiln.training-report/v1',
      metric: 'auc',
      history: [
        { trainLoss: 0.6, validMetric: 0.7 },
        { trainLoss: 0.4, validMetric: 0.8 },
      ],
      featureImportance: [
        { feature: 'tenure', gain: 3 },
        { feature: 'plan', gain: 9 },
      ],
    });
    expect(training.map((c) => c.title)).toEqual(['Loss curve', 'Feature importance']);
    expect(training[1]).toMatchObject({ bars: [{ label: 'plan' }, { label: 'tenure' }] });
    const validation = reportCharts({
      kind: 'kiln.validation-report/v1',
      checks: [
        { check: 'not_null', column: 'id', passed: true, failing: 0, total: 10, message: 'ok' },
        { check: 'range', column: 'age', passed: false, failing: 2, total: 10, message: 'in [0, 120]' },
      ],
    });
    const html = renderToStaticMarkup(createElement(ChartView, { chart: validation[0]! }));
    expect(html).toContain('aria-label="Validation results"');
    expect(html).toContain('1 of 2 checks passed');
    expect(reportCharts({ kind: 'something-else' })).toEqual([]);
  });

  it('draws column histograms and top values from dataset statistics', () => {
    const charts = inlineCharts({
      dataset: {
        artifact: { digest: 'sha256:d' },
        stats: [
          { name: 'age', kind: 'numeric', histogram: { edges: [0, 50, 100], counts: [3, 7] } },
          { name: 'plan', kind: 'categorical', topValues: [{ value: 'pro', count: 4 }] },
          { name: 'when', kind: 'date' },
        ],
      },
    });
    expect(charts.map((c) => c.title)).toEqual(['Histogram of age', 'Top values of plan']);
    expect(charts[0]).toMatchObject({
      bars: [
        { label: '0–50', value: 3 },
        { label: '50–100', value: 7 },
      ],
    });
    expect(renderToStaticMarkup(createElement(ChartView, { chart: charts[0]! }))).toContain(
      'aria-label="Histogram of age"',
    );
  });
});
