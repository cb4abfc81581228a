/** Charts found in node outputs and JSON report artifacts: pure extraction, drawn by `Charts.tsx`. */

type Json = unknown;
const isObj = (v: Json): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nums = (v: Json): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

export interface Series {
  name: string;
  points: [number, number][];
}
export type Chart =
  | {
      kind: 'line';
      title: string;
      x: string;
      y: string;
      series: Series[];
      /** Draw the y = x reference line over [0, 1] (ROC, calibration). */
      diagonal?: boolean;
      unit?: boolean;
    }
  | { kind: 'matrix'; title: string; labels: string[]; cells: number[][] }
  | { kind: 'bars'; title: string; bars: { label: string; value: number }[]; horizontal?: boolean }
  | {
      kind: 'checks';
      title: string;
      checks: { name: string; passed: boolean; failing: number; total: number; message: string }[];
    };

/** The JSON artifacts an output refers to (`{artifact: {digest, mediaType}}`, or a bare ref). */
export function jsonArtifactDigests(outputs: Json): string[] {
  const found = new Set<string>();
  const walk = (v: Json, depth: number) => {
    if (depth > 6) return;
    if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (isObj(v)) {
      if (typeof v.digest === 'string' && typeof v.mediaType === 'string' && v.mediaType.includes('json'))
        found.add(v.digest);
      Object.values(v).forEach((x) => walk(x, depth + 1));
    }
  };
  walk(outputs, 0);
  return [...found];
}

function evaluationCharts(report: Record<string, unknown>): Chart[] {
  const charts: Chart[] = [];
  const labels = Array.isArray(report.classes) ? report.classes.map(String) : [];
  if (Array.isArray(report.roc_curves)) {
    const series = report.roc_curves.flatMap((c: Json) =>
      isObj(c) && nums(c.fpr) && nums(c.tpr)
        ? [
            {
              name: `class ${String(c.class)}`,
              points: c.fpr.map((x, i): [number, number] => [x, (c.tpr as number[])[i]!]),
            },
          ]
        : [],
    );
    if (series.length)
      charts.push({
        kind: 'line',
        title: 'ROC curve',
        x: 'False positive rate',
        y: 'True positive rate',
        series,
        diagonal: true,
        unit: true,
      });
  }
  if (Array.isArray(report.confusion_matrix) && report.confusion_matrix.every(nums))
    charts.push({
      kind: 'matrix',
      title: 'Confusion matrix',
      labels,
      cells: report.confusion_matrix as number[][],
    });
  if (Array.isArray(report.calibration)) {
    const series = report.calibration.flatMap((c: Json) =>
      isObj(c) && nums(c.prob_pred) && nums(c.prob_true)
        ? [
            {
              name: `class ${String(c.class)}`,
              points: c.prob_pred.map((x, i): [number, number] => [x, (c.prob_true as number[])[i]!]),
            },
          ]
        : [],
    );
    if (series.length)
      charts.push({
        kind: 'line',
        title: 'Calibration',
        x: 'Mean predicted probability',
        y: 'Fraction of positives',
        series,
        diagonal: true,
        unit: true,
      });
  }
  return charts;
}

function trainingCharts(report: Record<string, unknown>): Chart[] {
  const charts: Chart[] = [];
  if (Array.isArray(report.history) && report.history.length > 1) {
    const key = (h: Json, names: string[]) => {
      if (!isObj(h)) return undefined;
      const k = names.find((n) => typeof h[n] === 'number');
      return k ? (h[k] as number) : undefined;
    };
    const line = (name: string, keys: string[]): Series => ({
      name,
      points: (report.history as Json[]).flatMap((h, i) => {
        const y = key(h, keys);
        return y === undefined ? [] : [[i + 1, y] as [number, number]];
      }),
    });
    const series = [
      line('train loss', ['trainLoss', 'train_loss', 'loss']),
      line(`valid ${String(report.metric ?? 'metric')}`, ['validMetric', 'valid_metric', 'val_loss']),
    ].filter((s) => s.points.length > 1);
    if (series.length) charts.push({ kind: 'line', title: 'Loss curve', x: 'Iteration', y: 'Loss', series });
  }
  if (Array.isArray(report.featureImportance)) {
    const bars = report.featureImportance.flatMap((f: Json) => {
      if (!isObj(f) || typeof f.feature !== 'string') return [];
      const v = [f.gain, f.importance, f.weight].find((x) => typeof x === 'number');
      return typeof v === 'number' ? [{ label: f.feature, value: Math.abs(v) }] : [];
    });
    if (bars.length)
      charts.push({
        kind: 'bars',
        title: 'Feature importance',
        bars: bars.sort((a, b) => b.value - a.value).slice(0, 15),
        horizontal: true,
      });
  }
  return charts;
}

function validationCharts(report: Record<string, unknown>): Chart[] {
  if (!Array.isArray(report.checks)) return [];
  const checks = report.checks.flatMap((c: Json) =>
    isObj(c) && typeof c.passed === 'boolean'
      ? [
          {
            name: `${String(c.check)}${c.column ? ` ${String(c.column)}` : ''}`,
            passed: c.passed,
            failing: typeof c.failing === 'number' ? c.failing : 0,
            total: typeof c.total === 'number' ? c.total : 0,
            message: String(c.message ?? ''),
          },
        ]
      : [],
  );
  return checks.length ? [{ kind: 'checks', title: 'Validation results', checks }] : [];
}

/** Column histograms (numeric) and top values (categorical) from a dataset ref's `stats`. */
export function statsCharts(stats: Json): Chart[] {
  if (!Array.isArray(stats)) return [];
  return stats.flatMap((s: Json): Chart[] => {
    if (!isObj(s) || typeof s.name !== 'string') return [];
    const h = s.histogram;
    if (s.kind === 'numeric' && isObj(h) && nums(h.edges) && nums(h.counts) && h.counts.length) {
      const fmt = (x: number) =>
        Math.abs(x) >= 1000 || Number.isInteger(x) ? String(Math.round(x)) : x.toPrecision(3);
      return [
        {
          kind: 'bars',
          title: `Histogram of ${s.name}`,
          bars: h.counts.map((c, i) => ({
            label: `${fmt((h.edges as number[])[i]!)}–${fmt((h.edges as number[])[i + 1]!)}`,
            value: c,
          })),
        },
      ];
    }
    if (s.kind === 'categorical' && Array.isArray(s.topValues) && s.topValues.length)
      return [
        {
          kind: 'bars',
          title: `Top values of ${s.name}`,
          horizontal: true,
          bars: s.topValues
            .slice(0, 10)
            .flatMap((t: Json) =>
              isObj(t) && typeof t.count === 'number' ? [{ label: String(t.value), value: t.count }] : [],
            ),
        },
      ];
    return [];
  });
}

/** Charts of one JSON report artifact, by its `kind`; none for kinds it does not know. */
export function reportCharts(report: Json): Chart[] {
  if (!isObj(report)) return [];
  switch (report.kind) {
    case 'kiln.evaluation-report/v1':
      return isObj(report.report) ? evaluationCharts(report.report) : [];
    case 'kiln.training-report/v1':
      return trainingCharts(report);
    case 'kiln.validation-report/v1':
      return validationCharts(report);
    default:
      return [];
  }
}

/** Charts drawn from the outputs themselves (no fetch): dataset statistics. */
export function inlineCharts(outputs: Json): Chart[] {
  if (!isObj(outputs)) return [];
  return Object.values(outputs).flatMap((v) =>
    isObj(v) && Array.isArray(v.stats) ? statsCharts(v.stats) : [],
  );
}
