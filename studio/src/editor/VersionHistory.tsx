import { useMemo, useState } from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider, applyNodeChanges } from '@xyflow/react';
import { kilnApi } from '../api/client';
import { DiffNodesContext, nodeTypes } from '../graph/KilnNodeView';
import { type DiffStatus, type SpecDiff, diffSpecs, diffSummary } from '../graph/spec-diff';
import { FIT_ALL, MIN_ZOOM, useOpenLayout } from '../graph/use-open-layout';
import { type KilnEdge, type KilnNode, specToGraph } from '../graph/spec-graph';
import { Loaded, useAsync } from '../ui/async';

const EDGE_COLOR: Record<DiffStatus, string | undefined> = {
  added: 'var(--diff-added)',
  removed: 'var(--diff-removed)',
  changed: 'var(--diff-changed)',
  same: undefined,
};

/** A pipeline's versions, and the difference between two of them drawn on a read-only canvas. */
export function VersionHistory({ pipelineId, theme }: { pipelineId: string; theme: 'light' | 'dark' }) {
  const state = useAsync(
    () => Promise.all([kilnApi.pipeline(pipelineId), kilnApi.versions(pipelineId)]),
    [pipelineId],
  );
  return (
    <Loaded state={state} what="the version history">
      {([pipeline, versions]) => (
        <Compare pipelineId={pipelineId} name={pipeline.name} versions={versions} theme={theme} />
      )}
    </Loaded>
  );
}

function Compare({
  pipelineId,
  name,
  versions,
  theme,
}: {
  pipelineId: string;
  name: string;
  versions: { version: number; createdAt: string; author: string | null }[];
  theme: 'light' | 'dark';
}) {
  const latest = versions.at(-1)?.version ?? 1;
  const [from, setFrom] = useState(Math.max(1, latest - 1));
  const [to, setTo] = useState(latest);
  const specs = useAsync(
    () => Promise.all([kilnApi.version(pipelineId, from), kilnApi.version(pipelineId, to)]),
    [pipelineId, from, to],
  );
  const pick = (label: string, value: number, set: (v: number) => void) => (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => set(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section aria-labelledby="history-title" className="list-page">
      <div className="page-head">
        <a href={`#/pipelines/${pipelineId}`} aria-label="Back to the editor">
          ←
        </a>
        <h1 id="history-title">Version history of {name}</h1>
        {pick('From version', from, setFrom)}
        {pick('To version', to, setTo)}
      </div>
      <div className="history">
        <div className="versions">
          <table aria-label="Versions">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Saved</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {[...versions].reverse().map((v) => (
                <tr key={v.version} aria-current={v.version === to ? 'true' : undefined}>
                  <td>v{v.version}</td>
                  <td className="small">{new Date(v.createdAt).toLocaleString()}</td>
                  <td className="small">{v.author ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Loaded state={specs} what="the two versions">
            {([a, b]) => <Changes diff={diffSpecs(a.spec, b.spec)} />}
          </Loaded>
        </div>
        <Loaded state={specs} what="the two versions">
          {([a, b]) => (
            <ReactFlowProvider>
              <DiffCanvas key={`${from}-${to}`} diff={diffSpecs(a.spec, b.spec)} theme={theme} />
            </ReactFlowProvider>
          )}
        </Loaded>
      </div>
    </section>
  );
}

function Changes({ diff }: { diff: SpecDiff }) {
  const s = diffSummary(diff);
  const changed = Object.entries(diff.nodes).filter(([, v]) => v !== 'same');
  const edges = Object.entries(diff.edges).filter(([, v]) => v !== 'same');
  return (
    <section aria-label="Changes">
      <h2>Changes</h2>
      <p className="diff-legend" role="status" aria-label="Diff summary">
        <span className="diff-added">+ {s.added} added</span>
        <span className="diff-removed">− {s.removed} removed</span>
        <span className="diff-changed">~ {s.changed} changed</span>
        <span className="muted">{s.edges} edge change(s)</span>
      </p>
      {changed.length + edges.length + diff.pipelineFields.length === 0 && (
        <p className="muted">The two versions draw the same pipeline.</p>
      )}
      <ul>
        {diff.pipelineFields.length > 0 && <li>pipeline: {diff.pipelineFields.join(', ')}</li>}
        {changed.map(([id, status]) => (
          <li key={id}>
            node <code>{id}</code> {status}
            {diff.changedFields[id] && <span className="muted"> ({diff.changedFields[id].join(', ')})</span>}
          </li>
        ))}
        {edges.map(([id, status]) => (
          <li key={id}>
            edge <code>{id.replace('->', ' → ')}</code> {status}
          </li>
        ))}
      </ul>
    </section>
  );
}

function DiffCanvas({ diff, theme }: { diff: SpecDiff; theme: 'light' | 'dark' }) {
  const { nodes: initial, edges } = useMemo(() => {
    const g = specToGraph(diff.merged);
    return {
      nodes: g.nodes.map((n): KilnNode => ({ ...n, draggable: false, connectable: false })),
      edges: g.edges.map((e): KilnEdge => {
        const status = diff.edges[e.id] ?? 'same';
        const color = EDGE_COLOR[status];
        return {
          ...e,
          className: `diff-${status}`,
          ariaLabel: `edge ${e.id.replace('->', ' to ')}, ${status}`,
          style: {
            strokeWidth: status === 'same' ? 1.5 : 3,
            ...(color ? { stroke: color } : { opacity: 0.5 }),
            ...(status === 'removed' ? { strokeDasharray: '6 4' } : {}),
          },
        };
      }),
    };
  }, [diff]);
  // Removed nodes keep their old positions, which may overlap new ones: lay out the union afresh.
  const [nodes, setNodes] = useState(initial);
  const laidOut = !useOpenLayout(initial, setNodes, { all: true });
  return (
    <div
      className="canvas"
      role="region"
      aria-label="Version diff canvas"
      aria-busy={!laidOut}
      style={laidOut ? undefined : { visibility: 'hidden' }}
    >
      <DiffNodesContext.Provider value={diff.nodes}>
        <ReactFlow<KilnNode, KilnEdge>
          nodes={nodes}
          edges={edges}
          // Measured sizes reach the nodes, which the layout on opening waits for and sizes by.
          onNodesChange={(changes) => setNodes((ns) => applyNodeChanges(changes, ns))}
          nodeTypes={nodeTypes}
          colorMode={theme}
          fitView
          fitViewOptions={FIT_ALL}
          minZoom={MIN_ZOOM}
          nodesConnectable={false}
          nodesDraggable={false}
          elementsSelectable={false}
        >
          <Background />
          <Controls aria-label="Zoom controls" showInteractive={false} />
        </ReactFlow>
      </DiffNodesContext.Provider>
    </div>
  );
}
