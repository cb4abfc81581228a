import { useState } from 'react';
import { kilnApi } from '../api/client';
import { Loaded, useAsync } from '../ui/async';
import { StatusBadge, formatDuration } from '../ui/status';

const STATUSES = ['running', 'succeeded', 'failed', 'cancelled'];
const TRIGGERS = ['api', 'schedule', 'webhook', 'rerun', 'cli', 'drift'];

export function RunsList() {
  const [pipelineId, setPipelineId] = useState('');
  const [status, setStatus] = useState('');
  const [trigger, setTrigger] = useState('');
  const pipelines = useAsync(() => kilnApi.pipelines(), []);
  const runs = useAsync(async () => {
    const list = await kilnApi.runs({
      ...(pipelineId ? { pipelineId } : {}),
      ...(status ? { status } : {}),
      ...(trigger ? { trigger } : {}),
      limit: '200',
    });
    // A stored record can lag its workflow by a moment: ask the live state of the few still running.
    const running = list.filter((r) => r.status === 'running').slice(0, 20);
    const live = await Promise.all(running.map((r) => kilnApi.run(r.id).catch(() => r)));
    const byId = new Map(
      live.map((r) => [
        r.id,
        r.state?.status && r.state.status !== 'running'
          ? { ...r, status: r.state.status, endedAt: r.endedAt ?? r.state.endedAt ?? null }
          : r,
      ]),
    );
    return list.map((r) => byId.get(r.id) ?? r);
  }, [pipelineId, status, trigger]);
  const names = new Map((pipelines.data ?? []).map((p) => [p.id, p.name]));
  return (
    <section aria-labelledby="runs-title" className="list-page">
      <div className="page-head">
        <h1 id="runs-title">Runs</h1>
        <label>
          Pipeline
          <select aria-label="Pipeline" value={pipelineId} onChange={(e) => setPipelineId(e.target.value)}>
            <option value="">All</option>
            {(pipelines.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Trigger
          <select aria-label="Trigger" value={trigger} onChange={(e) => setTrigger(e.target.value)}>
            <option value="">All</option>
            {TRIGGERS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={runs.reload}>
          Refresh
        </button>
      </div>
      <Loaded state={runs} what="runs">
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No runs match.</p>
          ) : (
            <table aria-label="Runs">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Pipeline</th>
                  <th scope="col">Status</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                </tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <a href={`#/runs/${encodeURIComponent(r.id)}`} className="mono small">
                        {r.id}
                      </a>
                    </td>
                    <td>
                      {names.get(r.pipelineId) ?? r.pipelineId} <span className="muted">v{r.version}</span>
                    </td>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                    <td>{r.trigger}</td>
                    <td>{new Date(r.startedAt).toLocaleString()}</td>
                    <td>
                      {formatDuration(
                        r.startedAt,
                        r.endedAt ?? (r.status === 'running' ? null : r.startedAt),
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
