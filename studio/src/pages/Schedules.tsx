import { type FormEvent, useEffect, useState } from 'react';
import { type Schedule, kilnApi } from '../api/client';
import { Loaded, useAsync } from '../ui/async';
import { DataTable, ListPage } from '../ui/ListPage';
import { PipelineSelect } from '../ui/PipelineSelect';

const fmt = (iso: string, timeZone: string) => {
  try {
    return new Date(iso).toLocaleString(undefined, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  } catch {
    return iso;
  }
};

export function Schedules() {
  const schedules = useAsync(() => kilnApi.schedules(), []);
  const pipelines = useAsync(() => kilnApi.pipelines(), []);
  const [pipelineId, setPipelineId] = useState('');
  const [cron, setCron] = useState('0 * * * *');
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [paramsText, setParamsText] = useState('{}');
  const [preview, setPreview] = useState<{ times?: string[]; error?: string }>({});
  const [message, setMessage] = useState<{ kind: 'error' | 'info'; text: string }>();
  const names = new Map((pipelines.data ?? []).map((p) => [p.id, p.name]));

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      kilnApi.preview(cron, timezone).then(
        (r) => live && setPreview({ times: r.nextTimes }),
        (err: Error) => live && setPreview({ error: err.message }),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [cron, timezone]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(undefined);
    try {
      const params = JSON.parse(paramsText) as Record<string, unknown>;
      await kilnApi.createSchedule(pipelineId, { cron, timezone, params });
      setMessage({ kind: 'info', text: 'Schedule created.' });
      schedules.reload();
    } catch (err) {
      setMessage({ kind: 'error', text: (err as Error).message });
    }
  };
  const act = async (fn: () => Promise<unknown>, done: string) => {
    setMessage(undefined);
    try {
      await fn();
      setMessage({ kind: 'info', text: done });
      schedules.reload();
    } catch (err) {
      setMessage({ kind: 'error', text: (err as Error).message });
    }
  };

  const actions = (s: Schedule) => (
    <div className="row">
      {s.paused ? (
        <button
          type="button"
          onClick={() => void act(() => kilnApi.scheduleAction(s.id, 'resume'), 'Resumed.')}
        >
          Resume
        </button>
      ) : (
        <button
          type="button"
          onClick={() => void act(() => kilnApi.scheduleAction(s.id, 'pause'), 'Paused.')}
        >
          Pause
        </button>
      )}
      <button
        type="button"
        onClick={() =>
          void act(() => kilnApi.scheduleAction(s.id, 'trigger'), 'Triggered: a run is starting.')
        }
      >
        Trigger now
      </button>
      <button
        type="button"
        onClick={() => void act(() => kilnApi.deleteSchedule(s.id), 'Deleted.')}
        aria-label={`Delete schedule ${s.cron}`}
      >
        Delete
      </button>
    </div>
  );

  return (
    <ListPage
      id="schedules"
      title="Schedules"
      error={message?.kind === 'error' ? message.text : undefined}
      notice={message?.kind === 'info' ? message.text : undefined}
    >
      <form onSubmit={create} className="card form-grid" aria-label="New schedule">
        <PipelineSelect pipelines={pipelines.data} value={pipelineId} onChange={setPipelineId} required />
        <label>
          Cron
          <input value={cron} onChange={(e) => setCron(e.target.value)} className="mono" required />
        </label>
        <label>
          Time zone
          <input value={timezone} onChange={(e) => setTimezone(e.target.value)} required />
        </label>
        <label>
          Run params (JSON)
          <input value={paramsText} onChange={(e) => setParamsText(e.target.value)} className="mono" />
        </label>
        <div aria-label="Next fire times" role="region" className="preview">
          <strong>Next fire times</strong>
          {preview.error ? (
            <p className="error-text small">{preview.error}</p>
          ) : (
            <ol>
              {(preview.times ?? []).map((t) => (
                <li key={t}>{fmt(t, timezone)}</li>
              ))}
            </ol>
          )}
        </div>
        <button type="submit" className="primary" disabled={!pipelineId}>
          Create schedule
        </button>
      </form>
      <Loaded state={schedules} what="schedules">
        {(list) => (
          <DataTable
            label="Schedules"
            rows={list}
            rowKey={(s) => s.id}
            empty="No schedules yet."
            columns={[
              { header: 'Pipeline', cell: (s) => names.get(s.pipelineId) ?? s.pipelineId },
              {
                header: 'Cron',
                cell: (s) => (
                  <>
                    <code>{s.cron}</code> <span className="muted small">{s.timezone}</span>
                  </>
                ),
              },
              { header: 'State', cell: (s) => (s.paused ? 'paused' : 'active') },
              {
                header: 'Next fire times',
                cell: (s) => (
                  <span className="small">
                    {s.paused
                      ? '—'
                      : (s.nextTimes ?? [])
                          .slice(0, 3)
                          .map((t) => fmt(t, s.timezone))
                          .join(' · ') || '—'}
                  </span>
                ),
              },
              { header: 'Actions', cell: actions },
            ]}
          />
        )}
      </Loaded>
    </ListPage>
  );
}
