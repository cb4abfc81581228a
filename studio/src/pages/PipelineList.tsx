import { useState } from 'react';
import { kilnApi } from '../api/client';
import { Loaded, useAsync } from '../ui/async';
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
    <section aria-labelledby="pipelines-title" className="list-page">
      <div className="page-head">
        <h1 id="pipelines-title">Pipelines</h1>
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
      </div>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      <Loaded state={state} what="pipelines">
        {(pipelines) => {
          const shown = pipelines.filter((p) => p.name.toLowerCase().includes(search.trim().toLowerCase()));
          if (!pipelines.length)
            return <p className="muted">No pipelines yet. Create one to start drawing.</p>;
          return (
            <table aria-label="Pipelines">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Latest version</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <a href={`#/pipelines/${p.id}`}>{p.name}</a>
                      {p.description && <div className="muted small">{p.description}</div>}
                    </td>
                    <td>v{p.latestVersion}</td>
                    <td>
                      {p.lastRun ? (
                        <a
                          href={`#/runs/${encodeURIComponent(p.lastRun.id)}`}
                          aria-label={`last run of ${p.name}: ${p.lastRun.status}`}
                        >
                          <StatusBadge status={p.lastRun.status} />
                        </a>
                      ) : (
                        <StatusBadge status={null} />
                      )}
                    </td>
                    <td>
                      <button
                        type="button"
                        onClick={() => void archive(p.id, p.name)}
                        aria-label={`Archive ${p.name}`}
                      >
                        Archive
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </section>
  );
}
