import type { Edge, Node } from '@xyflow/react';
import type { EdgeSpec, NodeSpec, PipelineSpec } from '@kiln/engine';

/** The handle that carries ordering only (`"a" → "b"` edges), on every node. */
export const ORDER_PORT = '__order';

/** What a canvas node holds: the node's spec, nothing derived (status and type info are looked up). */
export interface KilnNodeData extends Record<string, unknown> {
  spec: NodeSpec;
}
export type KilnNode = Node<KilnNodeData, 'kiln'>;
export type KilnEdge = Edge;

/** The pipeline-level fields the canvas does not draw. */
export type PipelineMeta = Omit<PipelineSpec, 'nodes' | 'edges'>;

const splitRef = (ref: string): [string, string] => {
  const dot = ref.indexOf('.');
  return dot < 0 ? [ref, ORDER_PORT] : [ref.slice(0, dot), ref.slice(dot + 1)];
};

export const handleId = (direction: 'in' | 'out', port: string): string => `${direction}:${port}`;
export const portOfHandle = (handle: string | null | undefined): string =>
  (handle ?? '').replace(/^(in|out):/, '') || ORDER_PORT;

export function edgeId(edge: EdgeSpec): string {
  return `${edge.from}->${edge.to}`;
}

/** Spec → canvas. Nodes without a position start at the origin until the canvas lays them out (`useOpenLayout`). */
export function specToGraph(spec: PipelineSpec): {
  meta: PipelineMeta;
  nodes: KilnNode[];
  edges: KilnEdge[];
} {
  const { nodes, edges, ...meta } = spec;
  return {
    meta,
    nodes: nodes.map((n) => ({
      id: n.id,
      type: 'kiln',
      position: n.position ?? { x: 0, y: 0 },
      data: { spec: structuredClone(n) },
    })),
    edges: (edges ?? []).map((e) => {
      const [source, sourcePort] = splitRef(e.from);
      const [target, targetPort] = splitRef(e.to);
      return {
        id: edgeId(e),
        source,
        target,
        sourceHandle: handleId('out', sourcePort),
        targetHandle: handleId('in', targetPort),
      };
    }),
  };
}

/** Canvas → spec: node positions (rounded) are written back; edges in canvas order. */
export function graphToSpec(
  meta: PipelineMeta,
  nodes: readonly KilnNode[],
  edges: readonly KilnEdge[],
): PipelineSpec {
  return {
    ...meta,
    nodes: nodes.map((n) => ({
      ...n.data.spec,
      id: n.id,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    })),
    edges: edges.map((e) => edgeSpecOf(e.source, e.sourceHandle, e.target, e.targetHandle)),
  };
}

export function edgeSpecOf(
  source: string,
  sourceHandle: string | null | undefined,
  target: string,
  targetHandle: string | null | undefined,
): EdgeSpec {
  const from = portOfHandle(sourceHandle);
  const to = portOfHandle(targetHandle);
  return {
    from: from === ORDER_PORT ? source : `${source}.${from}`,
    to: to === ORDER_PORT ? target : `${target}.${to}`,
  };
}

/** A fresh node id for a type: its last segment and the first free number (`command_2`). */
export function freshNodeId(type: string, taken: ReadonlySet<string>): string {
  const base = (type.split('.').pop() ?? 'node')
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .replace(/^([^A-Za-z_])/, '_$1');
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}
