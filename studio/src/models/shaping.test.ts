import { describe, expect, it } from 'vitest';
import type { DeploymentEvent, MinuteStats } from './api';
import {
  ERROR_COLOR,
  defaultInputs,
  describeEvent,
  driftSeries,
  headlineMetrics,
  latencySeries,
  monitorReports,
  requestSeries,
  statsDomain,
  statsTotals,
  toInstance,
  trafficSplit,
} from './shaping';

const base = {
  primaryVersion: 1,
  candidateVersion: null,
  candidateMode: null,
  canaryPercent: 0,
  standbyVersion: null,
};

describe('trafficSplit', () => {
  it('gives all traffic to the primary when there is no candidate', () => {
    const s = trafficSplit(base);
    expect(s.segments).toEqual([{ role: 'primary', version: 1, percent: 100 }]);
    expect(s.shadow).toBeNull();
    expect(s.label).toBe('Traffic: v1 100% (primary)');
  });
  it('splits live traffic between primary and canary', () => {
    const s = trafficSplit({ ...base, candidateVersion: 2, candidateMode: 'canary', canaryPercent: 30 });
    expect(s.segments).toEqual([
      { role: 'primary', version: 1, percent: 70 },
      { role: 'canary', version: 2, percent: 30 },
    ]);
    expect(s.label).toBe('Traffic: v1 70% (primary), v2 30% (canary)');
  });
  it('keeps a shadow out of the split and marks it', () => {
    const s = trafficSplit({
      ...base,
      candidateVersion: 2,
      candidateMode: 'shadow',
      canaryPercent: 0,
      standbyVersion: 3,
    });
    expect(s.segments).toEqual([{ role: 'primary', version: 1, percent: 100 }]);
    expect(s.shadow).toBe(2);
    expect(s.label).toContain('v2 shadow (mirrored');
    expect(s.label).toContain('v3 on standby');
  });
  it('clamps odd percentages and says when nothing serves', () => {
    expect(
      trafficSplit({ ...base, candidateVersion: 2, candidateMode: 'canary', canaryPercent: 140 }).segments,
    ).toEqual([
      { role: 'primary', version: 1, percent: 0 },
      { role: 'canary', version: 2, percent: 100 },
    ]);
    const none = trafficSplit({ ...base, primaryVersion: null });
    expect(none.segments).toEqual([]);
    expect(none.label).toBe('Traffic: no version serving');
  });
});

const m = (
  minute: number,
  version: number,
  role: string,
  requests: number,
  errors: number,
  p50: number | null,
  p99: number | null,
): MinuteStats => ({
  minute: new Date(Date.UTC(2026, 10, 23, 12, minute)).toISOString(),
  version,
  role,
  requests,
  errors,
  p50Ms: p50,
  p99Ms: p99,
});
const t = (minute: number) => Date.UTC(2026, 10, 23, 12, minute);

describe('stats → chart series', () => {
  // Out of order on purpose; the canary comes first in the input but after the primary in the series.
  const stats = [
    m(2, 2, 'canary', 3, 1, 4, 9),
    m(1, 1, 'primary', 10, 0, 2, 5),
    m(2, 1, 'primary', 7, 2, 3, null),
    m(1, 2, 'shadow', 10, 0, 6, 8),
  ];
  it('draws p50 and p99 per version and role, primary first, one colour per pair, sorted by time', () => {
    const s = latencySeries(stats);
    expect(s.map((x) => [x.name, x.color, x.dashed ?? false])).toEqual([
      ['v1 primary p50', 0, false],
      ['v1 primary p99', 0, true],
      ['v2 canary p50', 1, false],
      ['v2 canary p99', 1, true],
      ['v2 shadow p50', 2, false],
      ['v2 shadow p99', 2, true],
    ]);
    expect(s[0]!.points).toEqual([
      { t: t(1), y: 2 },
      { t: t(2), y: 3 },
    ]);
    // A minute without a p99 (no latencies kept) is left out rather than drawn at zero.
    expect(s[1]!.points).toEqual([{ t: t(1), y: 5 }]);
  });
  it('counts requests per pair and errors summed over versions', () => {
    const s = requestSeries(stats);
    expect(s.map((x) => x.name)).toEqual([
      'v1 primary requests',
      'v2 canary requests',
      'v2 shadow requests',
      'errors',
    ]);
    const errors = s.at(-1)!;
    expect(errors.color).toBe(ERROR_COLOR);
    expect(errors.points).toEqual([
      { t: t(1), y: 0 },
      { t: t(2), y: 3 },
    ]);
    // Minutes without requests count zero, up to `end` when given.
    expect(s[1]!.points).toEqual([
      { t: t(1), y: 0 },
      { t: t(2), y: 3 },
    ]);
    const quiet = requestSeries([m(1, 1, 'primary', 4, 0, 1, 2)], t(3) + 20_000);
    expect(quiet.map((x) => [x.name, x.points.map((p) => p.y)])).toEqual([
      ['v1 primary requests', [4, 0, 0]],
    ]);
    expect(statsTotals(stats)).toEqual({ requests: 30, errors: 3, errorRate: 0.1 });
    expect(statsTotals([])).toEqual({ requests: 0, errors: 0, errorRate: 0 });
  });
  it('shows all the stats up to now, and at least the last quarter hour', () => {
    expect(statsDomain(stats, t(30) + 5_000)).toEqual([t(1), t(30)]);
    expect(statsDomain(stats, t(3), 1)).toEqual([t(1), t(3)]);
    expect(statsDomain([], t(30))).toEqual([t(15), t(30)]);
  });
  it('gives nothing to draw without stats', () => {
    expect(latencySeries([])).toEqual([]);
    expect(requestSeries([])).toEqual([]);
  });
});

const ev = (
  id: number,
  at: string,
  kind: string,
  detail: Record<string, unknown>,
  version: number | null = 1,
): DeploymentEvent => ({
  id: String(id),
  deployment: 'churn',
  at,
  kind,
  version,
  detail,
  actor: 'svc',
});

describe('monitor reports → drift chart', () => {
  const events = [
    ev(9, '2026-11-23T12:10:00Z', 'drift', {
      rows: 120,
      requests: 130,
      errors: 0,
      errorRate: 0,
      predictionPsi: 0.31,
      driftedFeatures: ['tenure'],
      reasons: ['1 feature(s) drifted: tenure'],
      checks: [
        { column: 'tenure', psi: 0.9, ks: 0.4, passed: false },
        { column: 'plan', psi: 0.01, ks: null, passed: true },
      ],
      retrain: { runId: 'r-1', pipeline: 'churn', existing: false },
    }),
    ev(8, '2026-11-23T12:05:00Z', 'rollout', { strategy: 'replace' }),
    ev(7, '2026-11-23T12:00:00Z', 'monitor', {
      rows: 100,
      driftedFeatures: [],
      reasons: [],
      checks: [
        { column: 'tenure', psi: 0.05, ks: 0.1, passed: true },
        { column: 'plan', psi: null, ks: null, passed: true },
      ],
    }),
    ev(6, '2026-11-23T11:55:00Z', 'monitor', {
      rows: 3,
      note: '3 logged predictions in the window; drift needs at least 100',
    }),
  ];
  it('keeps monitor and drift events, oldest first, with their figures', () => {
    const r = monitorReports(events);
    expect(r.map((x) => [x.id, x.drifted])).toEqual([
      ['6', false],
      ['7', false],
      ['9', true],
    ]);
    expect(r[2]).toMatchObject({
      rows: 120,
      predictionPsi: 0.31,
      driftedFeatures: ['tenure'],
      retrain: { runId: 'r-1' },
    });
    expect(r[0]!.checks).toEqual([]);
    expect(r[0]!.note).toContain('drift needs');
  });
  it('draws PSI per feature over time, prediction PSI dashed, and marks drifted points', () => {
    const { series, marks } = driftSeries(monitorReports(events));
    expect(series.map((s) => [s.name, s.points.map((p) => p.y), s.dashed ?? false])).toEqual([
      ['tenure', [0.05, 0.9], false],
      ['plan', [0.01], false],
      ['prediction', [0.31], true],
    ]);
    expect(marks).toEqual([
      { t: Date.parse('2026-11-23T12:10:00Z'), y: 0.9, label: 'tenure drifted (PSI 0.900)' },
    ]);
  });
  it('describes every kind of event in a line', () => {
    expect(describeEvent(events[0]!)).toBe(
      'Drift: features drifted: tenure (120 rows, retraining with churn)',
    );
    const predicted = ev(2, '', 'drift', {
      rows: 50,
      driftedFeatures: [],
      reasons: ['prediction drift: PSI 0.3100 of predicted "churned" > 0.2', 'p99 latency 80.00 ms > 50 ms'],
    });
    expect(describeEvent(predicted)).toBe(
      'Drift: prediction drift: PSI 0.3100; p99 latency 80.00 ms > 50 ms (50 rows)',
    );
    expect(describeEvent(events[2]!)).toBe('Monitor: no drift (100 rows)');
    expect(describeEvent(events[3]!)).toContain('Monitor: 3 logged predictions');
    expect(describeEvent(ev(1, '', 'rollout', { strategy: 'canary', percent: 30 }, 2))).toBe(
      'Rolled out v2 (canary at 30%)',
    );
    expect(describeEvent(ev(1, '', 'promote', { from: 1, mode: 'canary' }, 2))).toBe(
      'Promoted v2 to all traffic (v1 on standby)',
    );
    expect(describeEvent(ev(1, '', 'rollback', { dropped: 'canary', reason: 'slow' }, 2))).toBe(
      'Dropped canary v2: slow',
    );
    expect(describeEvent(ev(1, '', 'rollback', { from: 2 }, 1))).toBe('Rolled back to v1');
    expect(describeEvent(ev(1, '', 'readiness_failed', { reason: 'not ONNX' }, 3))).toBe(
      'v3 failed its readiness check: not ONNX',
    );
    expect(describeEvent(ev(1, '', 'traffic', { canaryPercent: 50 }, 2))).toBe(
      'Traffic changed: canaryPercent = 50',
    );
  });
});

describe('registry helpers', () => {
  it('picks headline metrics: known ones first, then others by name', () => {
    expect(headlineMetrics([{ zeta: 1, roc_auc: 0.9, accuracy: 0.8, note: 'x' }, { alpha: 2 }])).toEqual([
      'roc_auc',
      'accuracy',
      'alpha',
    ]);
    expect(headlineMetrics([{}])).toEqual([]);
  });
});

describe('predict form', () => {
  const features = [
    { name: 'tenure', type: 'float' as const },
    { name: 'plan', type: 'string' as const },
    { name: 'senior', type: 'float' as const },
    { name: 'unknown', type: 'float' as const },
  ];
  it('prefills integer columns with a whole number (the rounded mean)', () => {
    expect(
      defaultInputs(features, [
        { name: 'tenure', type: 'int', count: 10, nullCount: 0, kind: 'numeric', min: 1, max: 70, mean: 31.623456, std: 3, histogram: null },
        { name: 'senior', type: 'int', count: 10, nullCount: 0, kind: 'numeric', min: 0, max: 1, mean: 0.16, std: 0.4, histogram: null },
      ]),
    ).toMatchObject({ tenure: '32', senior: '0' });
  });
  it('prefills training means, most frequent values and booleans', () => {
    expect(
      defaultInputs(features, [
        { name: 'tenure', type: 'float', count: 10, nullCount: 0, kind: 'numeric', min: 1, max: 70, mean: 31.123456, std: 3, histogram: null },
        { name: 'plan', type: 'string', count: 10, nullCount: 0, kind: 'categorical', distinctCount: 2, topValues: [{ value: 'pro', count: 9 }], topValuesExact: true },
        { name: 'senior', type: 'bool', count: 10, nullCount: 0, kind: 'bool', trueCount: 2, falseCount: 8 },
      ]),
    ).toEqual({ tenure: '31.12', plan: 'pro', senior: '0', unknown: '' });
  });
  it('turns the text into an instance: numbers, text, empty as missing; names a bad number', () => {
    expect(toInstance(features, { tenure: ' 12.5 ', plan: 'free', senior: '1', unknown: '' })).toEqual({
      instance: { tenure: 12.5, plan: 'free', senior: 1, unknown: null },
      problems: {},
    });
    expect(toInstance(features, { tenure: 'twelve', plan: '', senior: '0', unknown: '' }).problems).toEqual({
      tenure: 'tenure takes a number',
    });
  });
});
