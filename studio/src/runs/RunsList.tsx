import { useState } from 'react';
import { kilnApi } from '../api/client';
import { Loaded, useAsync } from '../ui/async';
import { DataTable, FilterSelect, ListPage } from '../ui/ListPage';
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
    const live = (await Promise.all(running.map((r) => kilnApi.run(r.id).catch(() => undefined)))).filter((r) => r !== undefined);
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
    <ListPage
      id="runs"
      title="Runs"
      toolbar={
        <>
          <FilterSelect
            label="Pipeline"
            value={pipelineId}
            onChange={setPipelineId}
            options={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          />
          <FilterSelect label="Status" value={status} onChange={setStatus} options={STATUSES} />
          <FilterSelect label="Trigger" value={trigger} onChange={setTrigger} options={TRIGGERS} />
          <button type="button" onClick={runs.reload}>
            Refresh
          </button>
        </>
      }
    >
      <Loaded state={runs} what="runs">
        {(list) => (
          <DataTable
            label="Runs"
            rows={list}
            rowKey={(r) => r.id}
            empty="No runs match."
            columns={[
              {
                header: 'Run',
                cell: (r) => (
                  <a href={`#/runs/${encodeURIComponent(r.id)}`} className="mono small">
                    {r.id}
                  </a>
                ),
              },
              {
                header: 'Pipeline',
                cell: (r) => (
                  <>
                    {names.get(r.pipelineId) ?? r.pipelineId} <span className="muted">v{r.version}</span>
                  </>
                ),
              },
              { header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
              { header: 'Trigger', cell: (r) => r.trigger },
              { header: 'Started', cell: (r) => new Date(r.startedAt).toLocaleString() },
              {
                header: 'Duration',
                cell: (r) =>
                  formatDuration(r.startedAt, r.endedAt ?? (r.status === 'running' ? null : r.startedAt)),
              },
            ]}
          />
        )}
      </Loaded>
    </ListPage>
  );
}
