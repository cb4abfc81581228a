import { useState } from 'react';
import { type Webhook, kilnApi } from '../api/client';
import { Loaded, useAsync } from '../ui/async';
import { DataTable, ListPage } from '../ui/ListPage';
import { PipelineSelect } from '../ui/PipelineSelect';

export function Webhooks() {
  const pipelines = useAsync(() => kilnApi.pipelines(), []);
  const [pipelineId, setPipelineId] = useState('');
  const hooks = useAsync(
    () => (pipelineId ? kilnApi.webhooks(pipelineId) : Promise.resolve([] as Webhook[])),
    [pipelineId],
  );
  const [mapping, setMapping] = useState('{}');
  const [created, setCreated] = useState<Webhook>();
  const [error, setError] = useState<string>();
  const create = async () => {
    setError(undefined);
    try {
      setCreated(await kilnApi.createWebhook(pipelineId, JSON.parse(mapping) as Record<string, string>));
      hooks.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <ListPage id="webhooks" title="Webhooks" error={error}>
      <div className="card form-grid">
        <PipelineSelect pipelines={pipelines.data} value={pipelineId} onChange={setPipelineId} />
        <label>
          Param mapping (JSON: run param → JSON path in the payload)
          <input className="mono" value={mapping} onChange={(e) => setMapping(e.target.value)} />
        </label>
        <button type="button" className="primary" disabled={!pipelineId} onClick={() => void create()}>
          Create webhook
        </button>
      </div>
      {created?.secret && (
        <div className="card" role="region" aria-label="New webhook secret">
          <p>
            <strong>Secret (shown once):</strong> <code>{created.secret}</code>
          </p>
          <p className="small muted">
            Deliveries are Standard Webhooks: sign `id.timestamp.body` with HMAC-SHA256 and send:
          </p>
          <pre>{`curl -X POST '${created.url}' \\
  -H 'content-type: application/json' \\
  -H 'webhook-id: msg_1' \\
  -H "webhook-timestamp: $(date +%s)" \\
  -H 'webhook-signature: v1,<base64 HMAC-SHA256 of "msg_1.<timestamp>.<body>">' \\
  -d '{}'`}</pre>
        </div>
      )}
      {pipelineId && (
        <Loaded state={hooks} what="webhooks">
          {(list) => (
            <DataTable
              label="Webhooks"
              rows={list}
              rowKey={(h) => h.id}
              empty="No webhooks for this pipeline."
              columns={[
                { header: 'URL', cell: (h) => <code>{h.url}</code> },
                {
                  header: 'Actions',
                  cell: (h) => (
                    <button
                      type="button"
                      onClick={() =>
                        void kilnApi.deleteWebhook(h.id).then(hooks.reload, (e: Error) => setError(e.message))
                      }
                    >
                      Delete
                    </button>
                  ),
                },
              ]}
            />
          )}
        </Loaded>
      )}
    </ListPage>
  );
}
