import { useEffect, useMemo, useState } from 'react';
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, applyNodeChanges } from '@xyflow/react';
import { APPROVAL_NODE_TYPE, type NodeState, type PipelineSpec } from '@kiln/engine';
import { type RunDetail, runEvents } from '@kiln/api-types';
import { getToken, kilnApi } from '../api/client';
import { streamEvents } from '../api/sse';
import { ProgressContext, RunStatesContext, nodeTypes } from '../graph/KilnNodeView';
import { progressOfNodes } from './progress';
import { type KilnEdge, type KilnNode, specToGraph } from '../graph/spec-graph';
import { FIT_ALL, MIN_ZOOM, useOpenLayout } from '../graph/use-open-layout';
import { Loaded, useAsync } from '../ui/async';
import { navigate } from '../ui/router';
import { STATUS_FILL, StatusBadge, formatDuration } from '../ui/status';
import { NodeCharts } from './Charts';
import { NodeLogPanel } from './NodeLogPanel';
import { KeyValues, VerdictBadge } from './NodeOutputs';
import { nodeVerdict } from './outputs';

export function RunView({ runId, theme }: { runId: string; theme: 'light' | 'dark' }) {
  const state = useAsync(async () => {
    const run = await kilnApi.run(runId);
    const { spec } = await kilnApi.version(run.pipelineId, run.version);
    return { run, spec };
  }, [runId]);
  return (
    <Loaded state={state} what="the run">
      {({ run, spec }) => (
        <ReactFlowProvider>
          <LiveRun initial={run} spec={spec} theme={theme} />
        </ReactFlowProvider>
      )}
    </Loaded>
  );
}

function LiveRun({
  initial,
  spec,
  theme,
}: {
  initial: RunDetail;
  spec: PipelineSpec;
  theme: 'light' | 'dark';
}) {
  const [run, setRun] = useState(initial);
  const [states, setStates] = useState<Record<string, NodeState>>(() => initial.state?.nodes ?? {});
  const [streamError, setStreamError] = useState<string>();
  const [selectedId, setSelectedId] = useState<string>();
  const [message, setMessage] = useState<{ kind: 'error' | 'info'; text: string }>();
  const [, tick] = useState(0);
  const graph = useMemo(() => specToGraph(spec), [spec]);
  const [nodes, setNodes] = useState<KilnNode[]>(() =>
    graph.nodes.map((n) => ({ ...n, draggable: false, connectable: false })),
  );
  const runId = initial.id;
  const layingOut = useOpenLayout(nodes, (laid) => setNodes(laid));

  useEffect(() => {
    if (initial.status !== 'running') return;
    const abort = new AbortController();
    let ended = false;
    const token = getToken() ?? '';
    const follow = async () => {
      for (let attempt = 0; !abort.signal.aborted && !ended && attempt < 20; attempt++) {
        try {
          await streamEvents(
            `/api/v1/runs/${encodeURIComponent(runId)}/events`,
            token,
            (e) => {
              // Each event's data parsed by its @kiln/api-types schema (a malformed one fails the stream).
              if (e.event === 'node') {
                const { nodeId, ...node } = runEvents.node.parse(JSON.parse(e.data));
                setStates((s) => ({ ...s, [nodeId]: node }));
              } else if (e.event === 'end') {
                ended = true;
                const ended_ = runEvents.end.parse(JSON.parse(e.data)).status;
                const status = ended_ === 'unknown' ? undefined : ended_;
                if (status) setRun((r) => ({ ...r, status }));
                // The stored record may lag the workflow by a moment: keep the stream's final status.
                void kilnApi.run(runId).then((r) => {
                  setRun({
                    ...r,
                    status: r.status === 'running' ? (status ?? r.status) : r.status,
                    endedAt: r.endedAt ?? r.state?.endedAt ?? new Date().toISOString(),
                  });
                  if (r.state?.nodes) setStates(r.state.nodes);
                });
              }
            },
            abort.signal,
          );
          setStreamError(undefined);
        } catch (err) {
          if (abort.signal.aborted) return;
          setStreamError(`Live updates interrupted (${(err as Error).message}); reconnecting…`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    void follow();
    return () => abort.abort();
  }, [initial.status, runId]);

  const running = run.status === 'running';
  // Heartbeat progress is not in the event stream: poll the run record every second while it runs.
  const [progress, setProgress] = useState<Record<string, number>>(() =>
    progressOfNodes(initial.state?.nodes),
  );
  useEffect(() => {
    if (!running) return;
    let live = true;
    const t = setInterval(() => {
      tick((n) => n + 1);
      kilnApi.run(runId).then(
        (r) => live && setProgress(progressOfNodes(r.state?.nodes)),
        () => undefined,
      );
    }, 1000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [running, runId]);

  const counts = Object.values(states).reduce<Record<string, number>>(
    (acc, s) => ((acc[s.status] = (acc[s.status] ?? 0) + 1), acc),
    {},
  );
  const selectedSpec = spec.nodes.find((n) => n.id === selectedId);
  const selectedState = selectedId ? states[selectedId] : undefined;
  const selectedVerdict = nodeVerdict(selectedState?.outputs);

  // Editors may re-run (the API answers 403 to viewers, shown as the error).
  const rerun = (from?: 'failed') =>
    void kilnApi.rerun(runId, from).then(
      (r) => navigate(`runs/${encodeURIComponent(r.runId)}`),
      (err: Error) => setMessage({ kind: 'error', text: err.message }),
    );

  const act = async (what: string, fn: () => Promise<unknown>) => {
    setMessage(undefined);
    try {
      await fn();
      setMessage({ kind: 'info', text: what });
    } catch (err) {
      setMessage({ kind: 'error', text: (err as Error).message });
    }
  };

  return (
    <div className="editor">
      <div className="toolbar" role="toolbar" aria-label="Run actions">
        <a href={`#/pipelines/${run.pipelineId}`} aria-label="Back to the pipeline">
          ←
        </a>
        <strong className="title">
          {spec.name} <span className="muted small">v{run.version}</span>
        </strong>
        <span aria-label="Run status" role="status">
          <StatusBadge status={run.status} />
        </span>
        <span className="muted small">
          {Object.entries(counts)
            .map(([s, n]) => `${n} ${s}`)
            .join(' · ')}{' '}
          · {formatDuration(run.startedAt, run.endedAt ?? (running ? null : run.state?.endedAt))}
        </span>
        <span className="spacer" />
        <span className="muted small mono" title="Run id">
          {runId}
        </span>
        {run.temporalUrl && (
          <a href={run.temporalUrl} target="_blank" rel="noopener noreferrer" className="small">
            Temporal UI ↗
          </a>
        )}
        {running && (
          <button
            type="button"
            onClick={() => void act('Cancelling the run…', () => kilnApi.cancelRun(runId))}
          >
            Cancel run
          </button>
        )}
        {(run.status === 'failed' || run.status === 'cancelled') && (
          <button
            type="button"
            className="primary"
            title="A new run in which what succeeded here is reused: only failed, skipped and cancelled nodes run"
            onClick={() => rerun('failed')}
          >
            Re-run from failure
          </button>
        )}
        {!running && (
          <button type="button" onClick={() => rerun()}>
            Re-run
          </button>
        )}
      </div>
      {(message || streamError) && (
        <div
          role={message?.kind === 'error' || streamError ? 'alert' : 'status'}
          className={`notice ${message?.kind ?? 'error'}`}
        >
          {message?.text ?? streamError}
        </div>
      )}
      <div className="editor-body run-body">
        <div
          className="canvas"
          role="region"
          aria-label="Run graph"
          aria-busy={layingOut}
          style={layingOut ? { visibility: 'hidden' } : undefined}
        >
          <RunStatesContext.Provider value={states}>
            <ProgressContext.Provider value={progress}>
              <ReactFlow<KilnNode, KilnEdge>
                nodes={nodes}
                edges={graph.edges.map((e) => ({
                  ...e,
                  animated:
                    states[e.source]?.status === 'succeeded' && states[e.target]?.status === 'running',
                }))}
                nodeTypes={nodeTypes}
                onNodesChange={(changes) => setNodes((ns) => applyNodeChanges(changes, ns))}
                onNodeClick={(_, n) => {
                  setSelectedId(n.id);
                  setNodes((ns) => ns.map((x) => ({ ...x, selected: x.id === n.id })));
                }}
                nodesConnectable={false}
                nodesDraggable={false}
                colorMode={theme}
                fitView
                fitViewOptions={FIT_ALL}
                minZoom={MIN_ZOOM}
              >
                <Background />
                <MiniMap
                  pannable
                  zoomable
                  ariaLabel="Minimap"
                  nodeColor={(n) => STATUS_FILL[states[n.id]?.status ?? 'pending'] ?? '#9aa3b2'}
                />
                <Controls aria-label="Zoom controls" showInteractive={false} />
              </ReactFlow>
            </ProgressContext.Provider>
          </RunStatesContext.Provider>
        </div>
        <aside className="inspector" aria-label="Node details">
          {selectedSpec ? (
            <div className="inspector-body">
              <h2>{selectedSpec.title ?? selectedSpec.id}</h2>
              <p className="muted small">{selectedSpec.type}</p>
              <dl>
                <dt>Status</dt>
                <dd>
                  <StatusBadge status={selectedState?.status ?? 'pending'} />
                  {selectedState?.reason && <span className="muted small"> {selectedState.reason}</span>}
                </dd>
                {selectedState?.cachedFrom && (
                  <>
                    <dt>Reused from</dt>
                    <dd className="cached-from">
                      <a href={`#/runs/${encodeURIComponent(selectedState.cachedFrom.runId)}`} aria-label={`Source run ${selectedState.cachedFrom.runId}`}>
                        run {selectedState.cachedFrom.runId}
                      </a>
                      {selectedState.cachedFrom.nodeId !== selectedSpec.id && <span className="muted"> (node {selectedState.cachedFrom.nodeId})</span>}
                    </dd>
                  </>
                )}
                {selectedVerdict && (
                  <>
                    <dt>Decision</dt>
                    <dd>
                      <VerdictBadge verdict={selectedVerdict} />
                    </dd>
                  </>
                )}
                <dt>Attempts</dt>
                <dd>{selectedState?.attempts ?? 0}</dd>
                <dt>Duration</dt>
                <dd>{formatDuration(selectedState?.startedAt, selectedState?.endedAt) || '—'}</dd>
                {selectedState?.queue && (
                  <>
                    <dt>Queue</dt>
                    <dd>{selectedState.queue}</dd>
                  </>
                )}
              </dl>
              {selectedSpec.type === APPROVAL_NODE_TYPE && selectedState?.status === 'running' && (
                <ApprovalForm
                  message={
                    typeof selectedSpec.params?.message === 'string' ? selectedSpec.params.message : undefined
                  }
                  onDecide={(d, comment) =>
                    void act(`${d === 'approve' ? 'Approved' : 'Rejected'} ${selectedSpec.id}.`, () =>
                      kilnApi.decide(runId, selectedSpec.id, d, comment),
                    )
                  }
                />
              )}
              {selectedState?.error && (
                <section aria-label="Error">
                  <h3>Error</h3>
                  <pre className="error-text">
                    {selectedState.error.type}: {selectedState.error.message}
                  </pre>
                </section>
              )}
              <NodeLogPanel key={`log-${selectedSpec.id}`} runId={runId} nodeId={selectedSpec.id} nodeStatus={selectedState?.status} runsAttempts={selectedSpec.type !== APPROVAL_NODE_TYPE} />
              {selectedState?.outputs && <NodeCharts key={selectedSpec.id} outputs={selectedState.outputs} />}
              <section aria-label="Outputs">
                <h3>Outputs</h3>
                {selectedState?.outputs && Object.keys(selectedState.outputs).length ? (
                  <KeyValues name={`Output values of ${selectedSpec.id}`} values={selectedState.outputs} />
                ) : (
                  <p className="muted small">None yet.</p>
                )}
              </section>
              <section aria-label="Params">
                <h3>Params</h3>
                {Object.keys(selectedSpec.params ?? {}).length ? (
                  <KeyValues name={`Param values of ${selectedSpec.id}`} values={selectedSpec.params ?? {}} />
                ) : (
                  <p className="muted small">None.</p>
                )}
              </section>
            </div>
          ) : (
            <div className="inspector-body">
              <h2>Run</h2>
              <p className="muted small">Select a node to see its params, outputs and errors.</p>
              <dl>
                <dt>Trigger</dt>
                <dd>{run.trigger}</dd>
                {run.rerunOf && (
                  <>
                    <dt>Re-run of</dt>
                    <dd>
                      <a href={`#/runs/${encodeURIComponent(run.rerunOf)}`} aria-label={`Re-run of run ${run.rerunOf}`}>
                        run {run.rerunOf}
                      </a>
                    </dd>
                  </>
                )}
                <dt>Started</dt>
                <dd>{new Date(run.startedAt).toLocaleString()}</dd>
                <dt>Params</dt>
                <dd>
                  {Object.keys(run.params ?? {}).length ? (
                    <KeyValues name="Run params" values={run.params} />
                  ) : (
                    <span className="muted small">None.</span>
                  )}
                </dd>
              </dl>
            </div>
          )}
        </aside>
      </div>
    </div>
  );
}

function ApprovalForm({
  message,
  onDecide,
}: {
  message?: string;
  onDecide(d: 'approve' | 'reject', comment?: string): void;
}) {
  const [comment, setComment] = useState('');
  return (
    <section aria-label="Approval" className="card">
      <h3>Waiting for approval</h3>
      {message && <p>{message}</p>}
      <label>
        Comment
        <textarea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <div className="row">
        <button type="button" className="primary" onClick={() => onDecide('approve', comment || undefined)}>
          Approve
        </button>
        <button type="button" className="danger" onClick={() => onDecide('reject', comment || undefined)}>
          Reject
        </button>
      </div>
    </section>
  );
}
