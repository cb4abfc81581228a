import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { type Async, Loaded, useAsync } from '../ui/async';
import { DataTable, ListPage } from '../ui/ListPage';
import { ChartView } from '../runs/Charts';
import {
  type DeploymentDetail,
  type DeploymentEvent,
  type Feature,
  type ModelVersionDetail,
  type Prediction,
  type Strategy,
  registryApi,
} from '../models/api';
import {
  type MonitorReport,
  defaultInputs,
  describeEvent,
  driftSeries,
  latencySeries,
  monitorReports,
  requestSeries,
  statsDomain,
  statsTotals,
  toInstance,
} from '../models/shaping';
import { TimeChart } from '../models/TimeChart';
import { Notice, usePageAction } from '../models/page-action';
import { ReadyBadge, TrafficBar } from '../models/widgets';

/** How often the detail page refreshes its serving state, statistics and events. */
const REFRESH_MS = 10_000;

/** Every deployment with its live traffic split. */
export function DeploymentList() {
  const state = useAsync(() => registryApi.deployments(), []);
  return (
    <ListPage
      id="deployments"
      title="Deployments"
      toolbar={
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      }
    >
      <Loaded state={state} what="deployments">
        {(list) => (
          <DataTable
            label="Deployments"
            rows={list}
            rowKey={(d) => d.name}
            empty="No deployments yet. A deploy.model node in a pipeline, or PUT /deployments/:name, creates one."
            columns={[
              {
                header: 'Name',
                cell: (d) => <a href={`#/deployments/${encodeURIComponent(d.name)}`}>{d.name}</a>,
              },
              {
                header: 'Model',
                cell: (d) => <a href={`#/models/${encodeURIComponent(d.modelName)}`}>{d.modelName}</a>,
              },
              { header: 'Traffic', cell: (d) => <TrafficBar deployment={d} compact /> },
              { header: 'Strategy', cell: (d) => d.strategy },
              { header: 'Logged', cell: (d) => `${Math.round(d.logSampleRate * 100)}%` },
              { header: 'Updated', cell: (d) => new Date(d.updatedAt).toLocaleString() },
            ]}
          />
        )}
      </Loaded>
    </ListPage>
  );
}

/** Re-runs `reload` every `ms` while the page is shown. */
function useEvery(ms: number, reload: () => void) {
  useEffect(() => {
    const t = setInterval(reload, ms);
    return () => clearInterval(t);
  }, [ms, reload]);
}

/** A deployment: what serves it, its controls, charts of its traffic and drift, events and a predict form. */
export function DeploymentView({ name }: { name: string }) {
  const state = useAsync(() => registryApi.deployment(name), [name]);
  const stats = useAsync(() => registryApi.stats(name), [name]);
  const monitor = useAsync(async () => {
    const [m, d] = await Promise.all([
      registryApi.events(name, 'monitor', 200),
      registryApi.events(name, 'drift', 200),
    ]);
    return monitorReports([...m, ...d]);
  }, [name]);
  const refreshAll = useMemo(
    () => () => {
      state.reload();
      stats.reload();
      monitor.reload();
    },
    [state.reload, stats.reload, monitor.reload],
  );
  useEvery(REFRESH_MS, refreshAll);
  const { act, error, notice } = usePageAction(refreshAll);

  return (
    <ListPage
      id="deployment"
      title={`Deployment ${name}`}
      error={error}
      toolbar={
        <>
          {state.data && <ReadyBadge ready={state.data.ready} />}
          <a href="#/deployments" className="button-like">
            All deployments
          </a>
          <button type="button" onClick={refreshAll}>
            Refresh
          </button>
        </>
      }
    >
      <div className="registry">
        <Notice text={notice} />
        <Loaded state={state} what={`deployment ${name}`}>
          {(d) => (
            <>
              <div className="deploy-top">
                <ServingCard d={d} />
                <ControlsCard d={d} act={act} />
              </div>
              <section aria-labelledby="traffic-title" className="deploy-charts">
                <h2 id="traffic-title">
                  Traffic{' '}
                  <span className="muted small">last hour, per minute, as this API process served it</span>
                </h2>
                <Loaded state={stats} what="serving statistics">
                  {(s) => {
                    const totals = statsTotals(s);
                    const now = Date.now();
                    const domain = statsDomain(s, now);
                    return (
                      <>
                        <div className="chart-grid">
                          <TimeChart
                            title="Latency (p50 solid, p99 dashed)"
                            unit="ms"
                            series={latencySeries(s)}
                            domain={domain}
                            empty="No requests in the last hour."
                          />
                          <TimeChart
                            title="Requests and errors per minute"
                            unit="requests"
                            series={requestSeries(s, now)}
                            domain={domain}
                            empty="No requests in the last hour."
                          />
                        </div>
                        <p className="muted small" aria-label="Traffic totals">
                          {totals.requests} requests, {totals.errors} errors (
                          {(totals.errorRate * 100).toFixed(2)}%) in the last hour.
                        </p>
                      </>
                    );
                  }}
                </Loaded>
              </section>
              <DriftSection state={monitor} />
              <div className="deploy-bottom">
                <PredictForm d={d} />
                <EventHistory events={d.events} />
              </div>
            </>
          )}
        </Loaded>
      </div>
    </ListPage>
  );
}

function ServingCard({ d }: { d: DeploymentDetail }) {
  const failed = Object.entries(d.serving.failed ?? {});
  const row = (role: string, version: number | null, ready: boolean | null, extra?: string) => (
    <tr key={role}>
      <th scope="row">{role}</th>
      <td>
        {version === null ? (
          <span className="muted">—</span>
        ) : (
          <a href={`#/models/${encodeURIComponent(d.modelName)}/${version}`}>v{version}</a>
        )}
        {extra && <span className="muted small"> {extra}</span>}
      </td>
      <td>{version === null ? null : ready === null ? null : <ReadyBadge ready={ready} what="loaded" />}</td>
    </tr>
  );
  return (
    <section aria-labelledby="serving-title" className="card">
      <h2 id="serving-title" className="card-title">
        Serving{' '}
        <span className="muted small">
          model <a href={`#/models/${encodeURIComponent(d.modelName)}`}>{d.modelName}</a> · strategy{' '}
          {d.strategy} · generation {d.generation}
        </span>
      </h2>
      <TrafficBar deployment={d} />
      <table className="compact-table" aria-label="Serving versions">
        <tbody>
          {row(
            'primary',
            d.primaryVersion,
            d.primaryVersion === null ? null : d.serving.primary?.ready === true,
          )}
          {row(
            d.candidateMode ?? 'candidate',
            d.candidateVersion,
            d.candidateVersion === null ? null : d.serving.candidate?.ready === true,
            d.candidateMode === 'canary'
              ? `${d.canaryPercent}% of traffic`
              : d.candidateMode === 'shadow'
                ? 'mirrored, answers discarded'
                : undefined,
          )}
          {row(
            'standby',
            d.standbyVersion,
            d.standbyVersion === null ? null : d.serving.standby?.ready === true,
          )}
        </tbody>
      </table>
      {failed.length > 0 && (
        <div role="alert" className="error-text small">
          Could not load:{' '}
          {failed.map(([v, reason]) => (
            <div key={v}>
              v{v}: {reason}
            </div>
          ))}
        </div>
      )}
      <p className="muted small">
        Logging {Math.round(d.logSampleRate * 100)}% of requests · updated{' '}
        {new Date(d.updatedAt).toLocaleString()}
      </p>
    </section>
  );
}

function ControlsCard({
  d,
  act,
}: {
  d: DeploymentDetail;
  act: (fn: () => Promise<unknown>, done: string) => Promise<void>;
}) {
  const [percent, setPercent] = useState(String(d.canaryPercent));
  const [sample, setSample] = useState(String(Math.round(d.logSampleRate * 100)));
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const versions = useAsync(() => registryApi.model(d.modelName), [d.modelName]);
  const [rollVersion, setRollVersion] = useState('');
  const [strategy, setStrategy] = useState<Strategy>('canary');
  const [rollPercent, setRollPercent] = useState('10');
  useEffect(() => setPercent(String(d.canaryPercent)), [d.canaryPercent, d.generation]);
  useEffect(() => setSample(String(Math.round(d.logSampleRate * 100))), [d.logSampleRate, d.generation]);

  const run = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await act(fn, done);
    } finally {
      setBusy(false);
    }
  };
  const canRollBack = d.candidateVersion !== null || d.standbyVersion !== null;
  const rollbackWhat =
    d.candidateVersion !== null
      ? `drop the ${d.candidateMode} v${d.candidateVersion}`
      : d.standbyVersion !== null
        ? `switch back to v${d.standbyVersion}`
        : 'nothing to roll back to';
  const percentValue = Number(percent);
  const percentOk = percent.trim() !== '' && percentValue >= 0 && percentValue <= 100;
  const sampleValue = Number(sample);
  const sampleOk = sample.trim() !== '' && sampleValue >= 0 && sampleValue <= 100;

  const rollout = (e: FormEvent) => {
    e.preventDefault();
    const version = Number(rollVersion);
    if (!version) return;
    void run(
      () =>
        registryApi.rollout(d.name, {
          model: d.modelName,
          version,
          strategy,
          ...(strategy === 'canary' ? { canaryPercent: Number(rollPercent) } : {}),
        }),
      `Rolled out v${version} (${strategy}).`,
    );
  };

  return (
    <section aria-labelledby="controls-title" className="card controls">
      <h2 id="controls-title" className="card-title">
        Controls
      </h2>
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={busy || d.candidateVersion === null}
          onClick={() =>
            void run(
              () => registryApi.promote(d.name),
              `v${d.candidateVersion} now takes all traffic; v${d.primaryVersion} is on standby.`,
            )
          }
        >
          {d.candidateVersion === null ? 'Promote candidate' : `Promote v${d.candidateVersion}`}
        </button>
        <input
          aria-label="Rollback reason"
          placeholder="Reason (optional)"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          className="grow"
        />
        <button
          type="button"
          className="danger"
          disabled={busy || !canRollBack}
          title={rollbackWhat}
          onClick={() => {
            if (!window.confirm(`Roll back deployment "${d.name}": ${rollbackWhat}?`)) return;
            void run(
              () => registryApi.rollback(d.name, reason.trim() || undefined),
              `Rolled back: ${rollbackWhat}.`,
            ).then(() => setReason(''));
          }}
        >
          Roll back
        </button>
      </div>
      <p className="muted small">Roll back: {rollbackWhat}.</p>
      <form
        className="row"
        aria-label="Canary traffic"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            () => registryApi.patch(d.name, { canaryPercent: percentValue }),
            `The canary now takes ${percentValue}% of traffic.`,
          );
        }}
      >
        <label className="inline">
          Canary traffic (%)
          <input
            type="number"
            min={0}
            max={100}
            step={1}
            value={percent}
            disabled={d.candidateMode !== 'canary'}
            onChange={(e) => setPercent(e.target.value)}
          />
        </label>
        <input
          type="range"
          aria-label="Canary traffic slider"
          min={0}
          max={100}
          step={1}
          value={percentOk ? percentValue : 0}
          disabled={d.candidateMode !== 'canary'}
          onChange={(e) => setPercent(e.target.value)}
        />
        <button
          type="submit"
          disabled={busy || d.candidateMode !== 'canary' || !percentOk || percentValue === d.canaryPercent}
        >
          Set traffic
        </button>
      </form>
      <form
        className="row"
        aria-label="Prediction logging"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            () => registryApi.patch(d.name, { logSampleRate: sampleValue / 100 }),
            `Logging ${sampleValue}% of requests.`,
          );
        }}
      >
        <label className="inline">
          Log sample (%)
          <input
            type="number"
            min={0}
            max={100}
            step={1}
            value={sample}
            onChange={(e) => setSample(e.target.value)}
          />
        </label>
        <button
          type="submit"
          disabled={busy || !sampleOk || sampleValue === Math.round(d.logSampleRate * 100)}
        >
          Set logging
        </button>
      </form>
      <form className="row rollout" aria-label="Roll out a version" onSubmit={rollout}>
        <label className="inline">
          Version
          <select
            aria-label="Version to roll out"
            value={rollVersion}
            onChange={(e) => setRollVersion(e.target.value)}
          >
            <option value="">choose…</option>
            {[...(versions.data?.versions ?? [])]
              .sort((a, b) => b.version - a.version)
              .map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} ({v.stage})
                </option>
              ))}
          </select>
        </label>
        <label className="inline">
          Strategy
          <select
            aria-label="Rollout strategy"
            value={strategy}
            onChange={(e) => setStrategy(e.target.value as Strategy)}
          >
            <option value="canary">canary</option>
            <option value="shadow">shadow</option>
            <option value="blue-green">blue-green</option>
            <option value="replace">replace</option>
          </select>
        </label>
        {strategy === 'canary' && (
          <label className="inline">
            Canary (%)
            <input
              type="number"
              min={0}
              max={100}
              aria-label="Canary share of the rollout (%)"
              value={rollPercent}
              onChange={(e) => setRollPercent(e.target.value)}
            />
          </label>
        )}
        <button type="submit" disabled={busy || !rollVersion}>
          Roll out
        </button>
      </form>
    </section>
  );
}

function DriftSection({ state }: { state: Async<MonitorReport[]> }) {
  return (
    <section aria-labelledby="drift-title" className="deploy-charts">
      <h2 id="drift-title">
        Drift <span className="muted small">from monitor.drift reports</span>
      </h2>
      <Loaded state={state} what="monitor reports">
        {(reports) => {
          if (!reports.length)
            return (
              <p className="muted">
                No monitor reports yet. A pipeline with a <code>monitor.drift</code> node watching this
                deployment writes one per run.
              </p>
            );
          const { series, marks } = driftSeries(reports);
          const latest = reports.at(-1)!;
          const latestBars = latest.checks
            .filter((c) => c.psi !== null)
            .sort((a, b) => b.psi! - a.psi!)
            .map((c) => ({ label: `${c.passed ? '' : '⚠ '}${c.column}`, value: c.psi! }));
          return (
            <>
              <div className="chart-grid">
                <TimeChart
                  title="PSI per feature over time"
                  unit="PSI"
                  series={series}
                  marks={marks}
                  markLegend="drifted"
                  empty="The reports so far had too few rows to compare."
                />
                <div className="drift-side">
                  {latestBars.length > 0 ? (
                    <ChartView
                      chart={{
                        kind: 'bars',
                        title: `PSI by feature, latest report (⚠ drifted)`,
                        horizontal: true,
                        bars: latestBars,
                      }}
                    />
                  ) : (
                    <p className="muted small">{latest.note ?? 'The latest report has no feature checks.'}</p>
                  )}
                  <LatestReport report={latest} />
                </div>
              </div>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function LatestReport({ report }: { report: MonitorReport }) {
  return (
    <div
      role="group"
      aria-label="Latest monitor report"
      className={`report ${report.drifted ? 'drifted' : 'ok'}`}
    >
      <strong>
        {report.drifted ? '⚠ Drift' : '✓ No drift'} · v{report.version ?? '?'} ·{' '}
        {new Date(report.at).toLocaleString()}
      </strong>
      <div className="small muted">
        {report.rows ?? 0} rows · {report.requests ?? 0} requests
        {report.errorRate !== null && ` · ${(report.errorRate * 100).toFixed(2)}% errors`}
        {report.latencyP99Ms !== null && ` · p99 ${report.latencyP99Ms.toFixed(1)} ms`}
        {report.predictionPsi !== null && ` · prediction PSI ${report.predictionPsi.toFixed(3)}`}
      </div>
      {report.driftedFeatures.length > 0 && (
        <div className="small">Drifted: {report.driftedFeatures.join(', ')}</div>
      )}
      {report.reasons.length > 0 && (
        <ul className="small">
          {report.reasons.map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ul>
      )}
      {report.retrain && (
        <div className="small">
          Retraining:{' '}
          <a href={`#/runs/${encodeURIComponent(report.retrain.runId)}`}>run of {report.retrain.pipeline}</a>
        </div>
      )}
    </div>
  );
}

const KIND_ICON: Record<string, string> = {
  rollout: '⇪',
  promote: '↑',
  rollback: '↶',
  readiness_failed: '✕',
  traffic: '⇄',
  monitor: '◎',
  drift: '⚠',
  retrain: '↻',
};

function EventHistory({ events }: { events: DeploymentEvent[] }) {
  return (
    <section aria-labelledby="events-title" className="events">
      <h2 id="events-title">Events</h2>
      <DataTable
        label="Events"
        rows={events}
        rowKey={(e) => String(e.id)}
        empty="No events yet."
        columns={[
          { header: 'When', cell: (e) => <span className="small">{new Date(e.at).toLocaleString()}</span> },
          {
            header: 'Kind',
            cell: (e) => (
              <span className={`event-kind kind-${e.kind}`}>
                <span aria-hidden="true">{KIND_ICON[e.kind] ?? '·'}</span> {e.kind}
              </span>
            ),
          },
          { header: 'Version', cell: (e) => (e.version === null ? '—' : `v${e.version}`) },
          { header: 'What', cell: (e) => <span className="small">{describeEvent(e)}</span> },
          { header: 'By', cell: (e) => <span className="small">{e.actor}</span> },
        ]}
      />
    </section>
  );
}

/** "Try it": one instance built from the serving version's features, prefilled from its training data. */
function PredictForm({ d }: { d: DeploymentDetail }) {
  const version = d.primaryVersion;
  const state = useAsync(
    () => (version === null ? Promise.resolve(null) : registryApi.version(d.modelName, version)),
    [d.modelName, version],
  );
  return (
    <section aria-labelledby="try-title" className="card try-it">
      <h2 id="try-title" className="card-title">
        Try it
      </h2>
      <Loaded state={state} what="the serving version's features">
        {(v) =>
          v === null ? (
            <p className="muted">No version is serving.</p>
          ) : (
            <PredictFields key={`${v.name}-${v.version}`} deployment={d.name} version={v} />
          )
        }
      </Loaded>
    </section>
  );
}

function PredictFields({ deployment, version }: { deployment: string; version: ModelVersionDetail }) {
  const features: Feature[] = version.model.features;
  const [values, setValues] = useState(() => defaultInputs(features, version.reference?.stats));
  const [result, setResult] = useState<Prediction>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { instance, problems } = toInstance(features, values);
  const categories = useMemo(
    () =>
      new Map(
        (version.reference?.stats ?? []).map(
          (s) => [s.name, s.kind === 'categorical' ? s.topValues.map((t) => t.value) : []] as const,
        ),
      ),
    [version.reference],
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(problems).length) return;
    setBusy(true);
    setError(undefined);
    try {
      setResult(await registryApi.predict(deployment, [instance]));
    } catch (err) {
      setResult(undefined);
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const classes = version.model.classes;
  return (
    <form aria-label="Try a prediction" onSubmit={(e) => void submit(e)}>
      <p className="muted small">
        One row for v{version.version}, prefilled with training means and most frequent values. Empty fields
        are sent as missing.
      </p>
      <div className="predict-grid">
        {features.map((f) => {
          const listId = `values-${f.name}`;
          const options = f.type === 'string' ? (categories.get(f.name) ?? []) : [];
          return (
            <label key={f.name}>
              <span>
                {f.name} <span className="muted">({f.type === 'float' ? 'number' : 'text'})</span>
              </span>
              <input
                value={values[f.name] ?? ''}
                inputMode={f.type === 'float' ? 'decimal' : undefined}
                list={options.length ? listId : undefined}
                aria-invalid={problems[f.name] ? 'true' : undefined}
                onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
              />
              {options.length > 0 && (
                <datalist id={listId}>
                  {options.map((o) => (
                    <option key={o} value={o} />
                  ))}
                </datalist>
              )}
              {problems[f.name] && <span className="error-text small">{problems[f.name]}</span>}
            </label>
          );
        })}
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={busy || Object.keys(problems).length > 0}>
          Predict
        </button>
        <button
          type="button"
          onClick={() => setValues(defaultInputs(features, version.reference?.stats))}
          disabled={busy}
        >
          Reset values
        </button>
      </div>
      {error && (
        <p role="alert" className="error-text small">
          {error}
        </p>
      )}
      {result && (
        <div role="region" aria-label="Prediction" className="prediction">
          <div>
            Prediction <strong className="mono">{String(result.predictions[0])}</strong>{' '}
            <span className="muted small">
              from v{result.modelVersion} · id <span className="mono">{result.ids[0]}</span>
            </span>
          </div>
          {result.probabilities?.[0] && (
            <ul className="probabilities" aria-label="Class probabilities">
              {result.probabilities[0].map((p, i) => (
                <li key={i}>
                  <span className="mono">{String(classes?.[i] ?? i)}</span>
                  <span className="prob-bar" aria-hidden="true">
                    <span style={{ width: `${(p * 100).toFixed(1)}%` }} />
                  </span>
                  <span className="num">{(p * 100).toFixed(1)}%</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}
