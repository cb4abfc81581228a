// Pure data shaping for the models and deployments pages: traffic splits, chart series from the
// serving statistics and monitor reports, headline metrics, event summaries and predict inputs.
import type {
  ColumnStats,
  DeploymentEvent,
  DeploymentSummary,
  Feature,
  MinuteStats,
  ModelStage,
} from './api';
import { type DriftCheck, monitorDetail } from '@kiln/api-types';
import { formatScalar } from '../ui/format';

// ---------------------------------------------------------------------------------------------
// Traffic split

export interface TrafficSegment {
  role: 'primary' | 'canary';
  version: number;
  percent: number;
}
export interface TrafficSplit {
  /** Live traffic: the primary's share and the canary's, adding up to 100 (empty when nothing serves). */
  segments: TrafficSegment[];
  /** A shadow candidate sees a mirrored copy of every request; its answers are discarded. */
  shadow: number | null;
  standby: number | null;
  /** One line for screen readers and tooltips. */
  label: string;
}

const clampPercent = (p: number) => Math.min(100, Math.max(0, Number.isFinite(p) ? p : 0));
const pct = (p: number) => `${Number.isInteger(p) ? p : p.toFixed(1)}%`;

/** How a deployment's live traffic divides between its versions. */
export function trafficSplit(
  d: Pick<
    DeploymentSummary,
    'primaryVersion' | 'candidateVersion' | 'candidateMode' | 'canaryPercent' | 'standbyVersion'
  >,
): TrafficSplit {
  const segments: TrafficSegment[] = [];
  const canary = d.candidateMode === 'canary' && d.candidateVersion !== null;
  const canaryShare = canary ? clampPercent(d.canaryPercent) : 0;
  if (d.primaryVersion !== null) {
    segments.push({ role: 'primary', version: d.primaryVersion, percent: 100 - canaryShare });
    if (canary) segments.push({ role: 'canary', version: d.candidateVersion!, percent: canaryShare });
  }
  const shadow = d.candidateMode === 'shadow' ? d.candidateVersion : null;
  const parts = segments.map((s) => `v${s.version} ${pct(s.percent)} (${s.role})`);
  if (shadow !== null) parts.push(`v${shadow} shadow (mirrored, answers discarded)`);
  if (d.standbyVersion !== null) parts.push(`v${d.standbyVersion} on standby`);
  return {
    segments,
    shadow,
    standby: d.standbyVersion,
    label: segments.length ? `Traffic: ${parts.join(', ')}` : 'Traffic: no version serving',
  };
}

// ---------------------------------------------------------------------------------------------
// Time series (drawn by TimeChart)

export interface TimePoint {
  /** Milliseconds since the epoch. */
  t: number;
  y: number;
}
export interface TimeSeries {
  name: string;
  points: TimePoint[];
  /** Index into the chart palette: series of one version share a colour. */
  color: number;
  dashed?: boolean;
}
/** A point singled out on a chart (a drifted feature in a monitor report). */
export interface ChartMark {
  t: number;
  y: number;
  label: string;
}

const roleOrder: Record<string, number> = { primary: 0, canary: 1, shadow: 2 };
const seriesKey = (s: MinuteStats) => `v${s.version} ${s.role}`;

/** The version–role pairs in the stats, primary first, then by version (a stable colour each). */
function servingKeys(stats: MinuteStats[]): { key: string; version: number; role: string }[] {
  const seen = new Map<string, { key: string; version: number; role: string }>();
  for (const s of stats) seen.set(seriesKey(s), { key: seriesKey(s), version: s.version, role: s.role });
  return [...seen.values()].sort(
    (a, b) => (roleOrder[a.role] ?? 9) - (roleOrder[b.role] ?? 9) || a.version - b.version,
  );
}

const byTime = (a: TimePoint, b: TimePoint) => a.t - b.t;

/** p50 (solid) and p99 (dashed) latency per minute for each version and role. */
export function latencySeries(stats: MinuteStats[]): TimeSeries[] {
  return servingKeys(stats).flatMap(({ key }, i) => {
    const mine = stats.filter((s) => seriesKey(s) === key);
    const line = (q: 'p50Ms' | 'p99Ms'): TimePoint[] =>
      mine
        .flatMap((s) => {
          const y = s[q];
          return y === null ? [] : [{ t: Date.parse(s.minute), y }];
        })
        .sort(byTime);
    return [
      { name: `${key} p50`, points: line('p50Ms'), color: i },
      { name: `${key} p99`, points: line('p99Ms'), color: i, dashed: true },
    ].filter((s) => s.points.length > 0);
  });
}

const MINUTE = 60_000;

/** Every minute from the first in the stats to the last (or to `end`, when later). */
function minutes(stats: MinuteStats[], end?: number): number[] {
  if (!stats.length) return [];
  const ts = stats.map((s) => Date.parse(s.minute));
  const last = Math.max(...ts, end === undefined ? -Infinity : Math.floor(end / MINUTE) * MINUTE);
  const out: number[] = [];
  for (let t = Math.min(...ts); t <= last; t += MINUTE) out.push(t);
  return out;
}

/**
 * Requests per minute for each version and role, and errors (all versions) as a dashed line. A
 * minute without requests counts zero (up to `end`, usually now), so quiet minutes drop the line.
 */
export function requestSeries(stats: MinuteStats[], end?: number): TimeSeries[] {
  const all = minutes(stats, end);
  const count = (pick: (s: MinuteStats) => boolean, value: (s: MinuteStats) => number) =>
    all.map((t) => ({
      t,
      y: stats.filter((s) => Date.parse(s.minute) === t && pick(s)).reduce((n, s) => n + value(s), 0),
    }));
  const series: TimeSeries[] = servingKeys(stats).map(({ key }, i) => ({
    name: `${key} requests`,
    color: i,
    points: count(
      (s) => seriesKey(s) === key,
      (s) => s.requests,
    ),
  }));
  if (stats.some((s) => s.errors > 0))
    series.push({
      name: 'errors',
      color: ERROR_COLOR,
      dashed: true,
      points: count(
        () => true,
        (s) => s.errors,
      ),
    });
  return series;
}

/** The time range of the traffic charts: up to now, and at least the last `minSpan` minutes. */
export function statsDomain(stats: MinuteStats[], now: number, minSpan = 15): [number, number] {
  const end = Math.max(Math.floor(now / MINUTE) * MINUTE, ...stats.map((s) => Date.parse(s.minute)));
  const start = Math.min(end - minSpan * MINUTE, ...stats.map((s) => Date.parse(s.minute)));
  return [start, end];
}

/** The palette index TimeChart draws in its error colour. */
export const ERROR_COLOR = -1;

/** Totals over the window, for the line under the charts. */
export function statsTotals(stats: MinuteStats[]): { requests: number; errors: number; errorRate: number } {
  const requests = stats.reduce((n, s) => n + s.requests, 0);
  const errors = stats.reduce((n, s) => n + s.errors, 0);
  return { requests, errors, errorRate: requests ? errors / requests : 0 };
}

// ---------------------------------------------------------------------------------------------
// Monitor reports

export type { DriftCheck };
export interface MonitorReport {
  id: string;
  at: string;
  t: number;
  version: number | null;
  drifted: boolean;
  rows: number | null;
  requests: number | null;
  errorRate: number | null;
  latencyP99Ms: number | null;
  predictionPsi: number | null;
  driftedFeatures: string[];
  reasons: string[];
  checks: DriftCheck[];
  note: string | null;
  retrain: { runId: string; pipeline: string; existing: boolean } | null;
}

/**
 * Monitor and drift events as reports, oldest first (other kinds, and details that are not a monitor
 * report by @kiln/api-types' `monitorDetail`, are left out).
 */
export function monitorReports(events: DeploymentEvent[]): MonitorReport[] {
  return events
    .filter((e) => e.kind === 'monitor' || e.kind === 'drift')
    .flatMap((e) => {
      const parsed = monitorDetail.safeParse(e.detail ?? {});
      if (!parsed.success) return [];
      const d = parsed.data;
      return [
        {
          id: String(e.id),
          at: e.at,
          t: Date.parse(e.at),
          version: e.version,
          drifted: e.kind === 'drift',
          rows: d.rows ?? null,
          requests: d.requests ?? null,
          errorRate: d.errorRate ?? null,
          latencyP99Ms: d.latencyP99Ms ?? null,
          predictionPsi: d.predictionPsi ?? null,
          driftedFeatures: d.driftedFeatures ?? [],
          reasons: d.reasons,
          checks: d.checks,
          note: d.note ?? null,
          retrain: d.retrain ?? null,
        },
      ];
    })
    .sort((a, b) => a.t - b.t || Number(a.id) - Number(b.id));
}

/**
 * PSI per feature over the reports (one series per feature, in the order features first appear),
 * the prediction PSI when reports have it, and a mark on every point where the feature drifted.
 */
export function driftSeries(reports: MonitorReport[]): { series: TimeSeries[]; marks: ChartMark[] } {
  const features: string[] = [];
  for (const r of reports)
    for (const c of r.checks) if (!features.includes(c.column)) features.push(c.column);
  const series: TimeSeries[] = features.map((f, i) => ({
    name: f,
    color: i,
    points: reports.flatMap((r) => {
      const psi = r.checks.find((c) => c.column === f)?.psi;
      return typeof psi === 'number' ? [{ t: r.t, y: psi }] : [];
    }),
  }));
  const prediction = reports.flatMap((r) =>
    r.predictionPsi === null ? [] : [{ t: r.t, y: r.predictionPsi }],
  );
  if (prediction.length)
    series.push({ name: 'prediction', color: features.length, dashed: true, points: prediction });
  const marks = reports.flatMap((r) =>
    r.checks
      .filter((c) => !c.passed && c.psi !== null)
      .map((c) => ({ t: r.t, y: c.psi!, label: `${c.column} drifted (PSI ${c.psi!.toFixed(3)})` })),
  );
  return { series: series.filter((s) => s.points.length > 0), marks };
}

// ---------------------------------------------------------------------------------------------
// Registry

export const STAGE_ORDER: ModelStage[] = ['production', 'staging', 'none', 'archived'];

const HEADLINE = ['roc_auc', 'accuracy', 'f1', 'f1_macro', 'log_loss', 'rmse', 'mae', 'r2'];

/** Up to `n` numeric metrics worth a column: the usual headline ones first, then the rest by name. */
export function headlineMetrics(metrics: Record<string, unknown>[], n = 3): string[] {
  const names = new Set<string>();
  for (const m of metrics)
    for (const [k, v] of Object.entries(m ?? {})) if (typeof v === 'number') names.add(k);
  const known = HEADLINE.filter((k) => names.has(k));
  const rest = [...names].filter((k) => !HEADLINE.includes(k)).sort();
  return [...known, ...rest].slice(0, n);
}

/** A metric value: integers as integers, others with at most four decimals (one rule: `formatNumber`). */
export const formatMetric = (v: unknown): string => formatScalar(v);

export function formatBytes(n: number | undefined | null): string {
  if (typeof n !== 'number') return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// ---------------------------------------------------------------------------------------------
// Events

/** One line saying what an event did. */
export function describeEvent(e: DeploymentEvent): string {
  const d = e.detail ?? {};
  const v = e.version === null ? '' : `v${e.version}`;
  switch (e.kind) {
    case 'rollout': {
      const how = String(d.strategy ?? 'replace');
      const share = typeof d.percent === 'number' && how === 'canary' ? ` at ${d.percent}%` : '';
      return `Rolled out ${v} (${how}${share})${typeof d.note === 'string' ? ` — ${d.note}` : ''}`;
    }
    case 'promote':
      return `Promoted ${v} to all traffic${typeof d.from === 'number' ? ` (v${d.from} on standby)` : ''}`;
    case 'rollback':
      return `${typeof d.dropped === 'string' ? `Dropped ${d.dropped} ${v}` : `Rolled back to ${v}`}${
        typeof d.reason === 'string' ? `: ${d.reason}` : ''
      }`;
    case 'readiness_failed':
      return `${v} failed its readiness check: ${String(d.reason ?? 'unknown reason')}`;
    case 'traffic':
      return `Traffic changed: ${Object.entries(d)
        .map(([k, x]) => `${k} = ${String(x)}`)
        .join(', ')}`;
    case 'monitor':
    case 'drift': {
      const [r] = monitorReports([e]);
      if (!r) return e.kind;
      if (r.note) return `Monitor: ${r.note}`;
      const tail = ` (${r.rows ?? 0} rows${r.retrain ? `, retraining with ${r.retrain.pipeline}` : ''})`;
      if (!r.drifted) return `Monitor: no drift${tail}`;
      // Feature drift as the list of features; other reasons (prediction drift, latency, errors,
      // accuracy) are short enough to say as they are.
      const found = [
        ...(r.driftedFeatures.length ? [`features drifted: ${r.driftedFeatures.join(', ')}`] : []),
        ...r.reasons
          .filter((x) => !/feature\(s\) drifted/.test(x))
          .map((x) => x.replace(/ of predicted .*$/, '')),
      ];
      return `Drift: ${found.join('; ') || 'thresholds crossed'}${tail}`;
    }
    case 'retrain':
      return `Retraining started${typeof d.runId === 'string' ? ` (run ${d.runId})` : ''}`;
    default:
      return Object.keys(d).length ? JSON.stringify(d) : String(e.kind);
  }
}

// ---------------------------------------------------------------------------------------------
// Predict form

/**
 * A plausible starting value per feature: the training mean (rounded for an integer column) or the
 * most frequent value, else empty.
 */
export function defaultInputs(features: Feature[], stats: ColumnStats[] | undefined): Record<string, string> {
  const byName = new Map((stats ?? []).map((s) => [s.name, s]));
  return Object.fromEntries(
    features.map((f) => {
      const s = byName.get(f.name);
      if (f.type === 'float') {
        if (s?.kind === 'bool') return [f.name, String(Number(s.trueCount >= s.falseCount))];
        const m = s?.kind === 'numeric' ? s.mean : null;
        if (typeof m !== 'number') return [f.name, ''];
        return [f.name, s?.type === 'int' ? String(Math.round(m)) : String(Number(m.toPrecision(4)))];
      }
      return [f.name, (s?.kind === 'categorical' && s.topValues[0]?.value) || ''];
    }),
  );
}

/**
 * The form's text as one instance: float features as numbers, empty fields as missing (null).
 * Problems name the feature whose text is not a number.
 */
export function toInstance(
  features: Feature[],
  values: Record<string, string>,
): { instance: Record<string, unknown>; problems: Record<string, string> } {
  const instance: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const f of features) {
    const text = (values[f.name] ?? '').trim();
    if (text === '') instance[f.name] = null;
    else if (f.type === 'float') {
      const n = Number(text);
      if (Number.isFinite(n)) instance[f.name] = n;
      else problems[f.name] = `${f.name} takes a number`;
    } else instance[f.name] = text;
  }
  return { instance, problems };
}
