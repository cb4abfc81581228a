/// <reference lib="dom" />
/// <reference types="vite/client" />
// The baseline of bench/studio: the same pipeline, fetched from the same API, drawn by @xyflow/react
// with its default nodes and nothing else (no Kiln node views, no validation, no minimap).
import { createElement, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { type Edge, type Node, ReactFlow, useEdgesState, useNodesState } from '@xyflow/react';
import '@xyflow/react/dist/style.css';

interface Spec {
  nodes: { id: string; position?: { x: number; y: number } }[];
  edges?: { from: string; to: string }[];
}

const nodeOf = (ref: string) => ref.split('.')[0]!;

function Bare({ pipelineId }: { pipelineId: string }) {
  const [nodes, setNodes, onNodesChange] = useNodesState<Node>([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>([]);
  useEffect(() => {
    void (async () => {
      const res = await fetch(`/api/v1/pipelines/${pipelineId}`, {
        headers: { authorization: `Bearer ${localStorage.getItem('kiln.token')}` },
      });
      const { spec } = (await res.json()) as { spec: Spec };
      setNodes(
        spec.nodes.map((n) => ({ id: n.id, position: n.position ?? { x: 0, y: 0 }, data: { label: n.id } })),
      );
      setEdges(
        (spec.edges ?? []).map((e) => ({
          id: `${e.from}->${e.to}`,
          source: nodeOf(e.from),
          target: nodeOf(e.to),
        })),
      );
    })();
  }, [pipelineId, setNodes, setEdges]);
  if (!nodes.length) return null;
  return createElement(ReactFlow, {
    nodes,
    edges,
    onNodesChange,
    onEdgesChange,
    fitView: true,
    fitViewOptions: { maxZoom: 1 },
  });
}

const pipelineId = new URLSearchParams(location.search).get('pipeline') ?? '';
createRoot(document.getElementById('root')!).render(createElement(Bare, { pipelineId }));
