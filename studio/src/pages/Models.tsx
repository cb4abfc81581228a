import { useState } from 'react';
import { kilnApi } from '../api/client';
import { Loaded, useAsync } from '../ui/async';
import { DataTable, ListPage } from '../ui/ListPage';
import { type ModelDetail, type ModelStage, type ModelVersionSummary, registryApi } from '../models/api';
import { STAGE_ORDER, formatBytes, formatMetric, headlineMetrics } from '../models/shaping';
import { Notice, usePageAction } from '../models/page-action';
import { ModelCardView, StageBadge, TrafficBar } from '../models/widgets';

/** The model registry: every model with its version count and the version in production. */
export function ModelList() {
  const state = useAsync(() => registryApi.models(), []);
  const deployments = useAsync(() => registryApi.deployments(), []);
  const [search, setSearch] = useState('');
  return (
    <ListPage
      id="models"
      title="Models"
      toolbar={
        <>
          <input
            type="search"
            aria-label="Search models"
            placeholder="Search…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <button type="button" onClick={state.reload}>
            Refresh
          </button>
        </>
      }
    >
      <Loaded state={state} what="models">
        {(models) =>
          !models.length ? (
            <p className="muted">
              No models yet. Register one from a succeeded run (<code>POST /models/:name/versions</code>) or
              deploy one with a <code>deploy.model</code> node.
            </p>
          ) : (
            <DataTable
              label="Models"
              rows={models.filter((m) => m.name.toLowerCase().includes(search.trim().toLowerCase()))}
              rowKey={(m) => m.name}
              empty="No models match."
              columns={[
                {
                  header: 'Name',
                  cell: (m) => (
                    <>
                      <a href={`#/models/${encodeURIComponent(m.name)}`}>{m.name}</a>
                      {m.description && <div className="muted small">{m.description}</div>}
                    </>
                  ),
                },
                { header: 'Versions', cell: (m) => m.versions },
                { header: 'Latest', cell: (m) => (m.latestVersion ? `v${m.latestVersion}` : '—') },
                {
                  header: 'Production',
                  cell: (m) =>
                    m.production === null ? (
                      <span className="muted">none</span>
                    ) : (
                      <a
                        href={`#/models/${encodeURIComponent(m.name)}/${m.production}`}
                        aria-label={`${m.name} v${m.production} in production`}
                      >
                        v{m.production}
                      </a>
                    ),
                },
                {
                  header: 'Deployments',
                  cell: (m) => {
                    const mine = (deployments.data ?? []).filter((d) => d.modelName === m.name);
                    return mine.length ? (
                      <span className="row">
                        {mine.map((d) => (
                          <a key={d.name} href={`#/deployments/${encodeURIComponent(d.name)}`}>
                            {d.name}
                          </a>
                        ))}
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    );
                  },
                },
                { header: 'Created', cell: (m) => new Date(m.createdAt).toLocaleString() },
              ]}
            />
          )
        }
      </Loaded>
    </ListPage>
  );
}

/** A model: its versions with stages and headline metrics, and one version's card and lineage. */
export function ModelView({ name, version }: { name: string; version?: number }) {
  const state = useAsync(() => registryApi.model(name), [name]);
  const deployments = useAsync(() => registryApi.deployments(), []);
  const [tick, setTick] = useState(0);
  const { act, error, notice, busy } = usePageAction(() => {
    state.reload();
    setTick((t) => t + 1);
  });

  const production = state.data?.versions.find((v) => v.stage === 'production');
  const selected = version ?? production?.version ?? state.data?.versions.at(-1)?.version;
  const serving = (deployments.data ?? []).filter((d) => d.modelName === name);

  return (
    <ListPage
      id="model"
      title={`Model ${name}`}
      error={error}
      toolbar={
        <>
          <a href="#/models" className="button-like">
            All models
          </a>
          <button
            type="button"
            disabled={busy || !production}
            aria-label={`Roll back production of ${name}`}
            title="Put back the version that was in production before the current one"
            onClick={() =>
              void act(
                () => registryApi.rollbackModel(name),
                `Rolled ${name} back to its previous production version.`,
                `Roll back production of "${name}" to the version there before v${production?.version}?`,
              )
            }
          >
            Roll back production
          </button>
        </>
      }
    >
      <div className="registry">
        <Notice text={notice} />
        <Loaded state={state} what={`model ${name}`}>
          {(model) => (
            <>
              {model.description && <p className="muted">{model.description}</p>}
              {serving.length > 0 && (
                <section aria-labelledby="model-serving" className="model-serving">
                  <h2 id="model-serving">Deployments</h2>
                  <ul className="plain-list">
                    {serving.map((d) => (
                      <li key={d.name}>
                        <a href={`#/deployments/${encodeURIComponent(d.name)}`}>{d.name}</a>
                        <TrafficBar deployment={d} compact />
                      </li>
                    ))}
                  </ul>
                </section>
              )}
              <VersionsTable
                model={model}
                selected={selected}
                busy={busy}
                onStage={(v, stage) =>
                  void act(
                    () => registryApi.promoteVersion(name, v.version, stage),
                    `v${v.version} of ${name} is now ${stage}.`,
                    stage === 'production'
                      ? `Promote v${v.version} of "${name}" to production?${
                          production ? ` v${production.version} is archived.` : ''
                        }`
                      : undefined,
                  )
                }
              />
              {selected !== undefined && (
                <VersionPanel key={`${selected}-${tick}`} name={name} version={selected} />
              )}
            </>
          )}
        </Loaded>
      </div>
    </ListPage>
  );
}

function VersionsTable({
  model,
  selected,
  busy,
  onStage,
}: {
  model: ModelDetail;
  selected: number | undefined;
  busy: boolean;
  onStage: (v: ModelVersionSummary, stage: Exclude<ModelStage, 'none'>) => void;
}) {
  const metrics = headlineMetrics(model.versions.map((v) => v.metrics));
  const rows = [...model.versions].sort((a, b) => b.version - a.version);
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <DataTable
        label="Versions"
        rows={rows}
        rowKey={(v) => String(v.version)}
        empty="No versions."
        columns={[
          {
            header: 'Version',
            cell: (v) => (
              <a
                href={`#/models/${encodeURIComponent(model.name)}/${v.version}`}
                aria-current={v.version === selected ? 'true' : undefined}
                className={v.version === selected ? 'selected-link' : undefined}
              >
                v{v.version}
              </a>
            ),
          },
          { header: 'Stage', cell: (v) => <StageBadge stage={v.stage} /> },
          ...metrics.map((m) => ({
            header: m,
            cell: (v: ModelVersionSummary) => <span className="num">{formatMetric(v.metrics?.[m])}</span>,
          })),
          { header: 'Created', cell: (v) => new Date(v.createdAt).toLocaleString() },
          { header: 'By', cell: (v) => v.createdBy ?? '—' },
          {
            header: 'Actions',
            cell: (v) => (
              <div className="row">
                {v.stage !== 'production' && (
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Promote v${v.version} to production`}
                    onClick={() => onStage(v, 'production')}
                  >
                    Promote
                  </button>
                )}
                {v.stage === 'none' && (
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Move v${v.version} to staging`}
                    onClick={() => onStage(v, 'staging')}
                  >
                    Stage
                  </button>
                )}
                {v.stage !== 'archived' && v.stage !== 'production' && (
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Archive v${v.version}`}
                    onClick={() => onStage(v, 'archived')}
                  >
                    Archive
                  </button>
                )}
              </div>
            ),
          },
        ]}
      />
      <p className="muted small">
        Stages: {STAGE_ORDER.join(', ')}. At most one version is in production; promoting one archives the
        other, and rolling back returns to the one before.
      </p>
    </section>
  );
}

/** One version: the model card beside its lineage, signature and metrics. */
function VersionPanel({ name, version }: { name: string; version: number }) {
  const state = useAsync(() => registryApi.version(name, version), [name, version]);
  return (
    <Loaded state={state} what={`version ${version}`}>
      {(v) => (
        <section aria-labelledby="version-title" className="version-panel">
          <h2 id="version-title">
            {name} v{v.version} <StageBadge stage={v.stage} />
          </h2>
          <div className="version-grid">
            <section aria-labelledby="card-title" className="card">
              <h3 id="card-title" className="card-title">
                Model card
              </h3>
              <ModelCardView card={v.card} />
            </section>
            <div className="version-side">
              <section aria-labelledby="lineage-title" className="card">
                <h3 id="lineage-title" className="card-title">
                  Lineage
                </h3>
                <dl className="facts">
                  <dt>Run</dt>
                  <dd>
                    <a
                      href={`#/runs/${encodeURIComponent(v.lineage.runId)}`}
                      className="mono small"
                      aria-label={`Run ${v.lineage.runId} that made v${v.version}`}
                    >
                      {v.lineage.runId}
                    </a>
                    {v.lineage.nodeId && <span className="muted small"> node {v.lineage.nodeId}</span>}
                  </dd>
                  <dt>Pipeline</dt>
                  <dd>
                    <a href={`#/pipelines/${encodeURIComponent(v.lineage.pipelineId)}`}>
                      <PipelineName id={v.lineage.pipelineId} />
                    </a>{' '}
                    <span className="muted">v{v.lineage.pipelineVersion}</span>
                  </dd>
                  <dt>Data</dt>
                  <dd>
                    {v.lineage.datasets.length ? (
                      <ul className="plain-list small">
                        {v.lineage.datasets.map((d) => (
                          <li key={`${d.nodeId}-${d.digest}`}>
                            <code className="mono">{d.nodeId}</code> {d.rowCount ?? '?'} × {d.columns ?? '?'}{' '}
                            <span className="muted mono" title={d.digest}>
                              {d.digest.slice(0, 19)}…
                            </span>
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span className="muted">none recorded</span>
                    )}
                  </dd>
                  <dt>Created</dt>
                  <dd>
                    {new Date(v.createdAt).toLocaleString()} by {v.createdBy ?? '—'}
                  </dd>
                </dl>
              </section>
              <section aria-labelledby="signature-title" className="card">
                <h3 id="signature-title" className="card-title">
                  Model
                </h3>
                <dl className="facts">
                  <dt>Task</dt>
                  <dd>
                    {v.model.task} → <code className="mono">{v.model.target}</code>
                  </dd>
                  {v.model.classes && (
                    <>
                      <dt>Classes</dt>
                      <dd>{v.model.classes.map(String).join(', ')}</dd>
                    </>
                  )}
                  <dt>Artifact</dt>
                  <dd>
                    <span className="mono small" title={v.model.artifact.digest}>
                      {v.model.artifact.digest.slice(0, 23)}…
                    </span>{' '}
                    <span className="muted small">{formatBytes(v.model.artifact.size)}</span>
                  </dd>
                  <dt>Features</dt>
                  <dd>
                    <ul className="feature-list" aria-label="Features">
                      {v.model.features.map((f) => (
                        <li key={f.name}>
                          <code className="mono">{f.name}</code> <span className="muted small">{f.type}</span>
                        </li>
                      ))}
                    </ul>
                  </dd>
                </dl>
              </section>
            </div>
          </div>
        </section>
      )}
    </Loaded>
  );
}

/** A pipeline's name, or "pipeline" while it loads (or when it cannot be read). */
function PipelineName({ id }: { id: string }) {
  const state = useAsync(() => kilnApi.pipeline(id), [id]);
  return <>{state.data?.name ?? 'pipeline'}</>;
}
