import { useState } from 'react';
import { kilnApi } from '../api/client';
import { Loaded, useAsync } from '../ui/async';
import { DataTable, ListPage } from '../ui/ListPage';
import { navigate } from '../ui/router';
import { StatusBadge } from '../ui/status';

export function PipelineList() {
  const state = useAsync(() => kilnApi.pipelines(), []);
  const [search, setSearch] = useState('');
  const [error, setError] = useState<string>();
  const archive = async (id: string, name: string) => {
    if (!window.confirm(`Archive pipeline "${name}"? Its versions and runs are kept.`)) return;
    try {
      await kilnApi.archivePipeline(id);
      state.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <ListPage
      id="pipelines"
      title="Pipelines"
      error={error}
      toolbar={
        <>
          <input
            type="search"
            aria-label="Search pipelines"
            placeholder="Search…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <button type="button" className="primary" onClick={() => navigate('pipelines/new')}>
            New pipeline
          </button>
        </>
      }
    >
      <Loaded state={state} what="pipelines">
        {(pipelines) => {
          if (!pipelines.length)
            return <p className="muted">No pipelines yet. Create one to start drawing.</p>;
          const shown = pipelines.filter((p) => p.name.toLowerCase().includes(search.trim().toLowerCase()));
          return (
            <DataTable
              label="Pipelines"
              rows={shown}
              rowKey={(p) => p.id}
              columns={[
                {
                  header: 'Name',
                  cell: (p) => (
                    <>
                      <a href={`#/pipelines/${p.id}`}>{p.name}</a>
                      {p.description && <div className="muted small">{p.description}</div>}
                    </>
                  ),
                },
                { header: 'Latest version', cell: (p) => `v${p.latestVersion}` },
                {
                  header: 'Last run',
                  cell: (p) =>
                    p.lastRun ? (
                      <a
                        href={`#/runs/${encodeURIComponent(p.lastRun.id)}`}
                        aria-label={`last run of ${p.name}: ${p.lastRun.status}`}
                      >
                        <StatusBadge status={p.lastRun.status} />
                      </a>
                    ) : (
                      <StatusBadge status={null} />
                    ),
                },
                {
                  header: 'Actions',
                  cell: (p) => (
                    <button
                      type="button"
                      onClick={() => void archive(p.id, p.name)}
                      aria-label={`Archive ${p.name}`}
                    >
                      Archive
                    </button>
                  ),
                },
              ]}
            />
          );
        }}
      </Loaded>
    </ListPage>
  );
}
