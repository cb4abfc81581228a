// Evaluation metrics in plain TypeScript, checked against scikit-learn (see fixtures/make_fixtures.py).
// Metric functions carry the metric's name as it appears in reports (snake_case, like scikit-learn's);
// the composite entry points are classificationReport, regressionReport and metricsBySlice.
export {
  type ClassScores,
  accuracy,
  argmaxLabels,
  confusion_matrix,
  f1_macro,
  f1_weighted,
  log_loss,
  per_class_metrics,
  precision_macro,
  recall_macro,
} from './classification';
export {
  type PrecisionRecallCurve,
  type RocCurve,
  pr_auc,
  precision_recall_curve,
  roc_auc,
  roc_curve,
} from './roc';
export { type CalibrationBin, type CalibrationCurve, calibration_curve } from './calibration';
export { type ResidualSummary, mae, mape, mse, r2, residual_summary, rmse } from './regression';
export { type SliceMetrics, type SliceValue, metricsBySlice } from './slices';
export {
  type ClassificationMetricSet,
  type ClassificationMetrics,
  type ClassificationReport,
  type ClassificationReportInput,
  type NullReasons,
  type RegressionMetricSet,
  type RegressionMetrics,
  type RegressionReport,
  type RegressionReportInput,
  type ReportRocCurve,
  classificationReport,
  regressionReport,
} from './report';
export { type Label, type Labels, type Numbers, MetricsInputError } from './validate';
