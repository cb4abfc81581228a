import { type Catalog, type PipelineSpec, connectionProblem } from '@kiln/engine';
import { type KilnEdge, edgeSpecOf, portOfHandle } from './spec-graph';

export interface ConnectionAttempt {
  source: string;
  sourceHandle: string | null | undefined;
  target: string;
  targetHandle: string | null | undefined;
}

/**
 * Why a connection may not be made, or undefined when it may. The sentence is shown to the user. The
 * rules are the engine's validator's (`connectionProblem`: ports, port types, an input fed twice, a
 * cycle counting `$output` references), so the canvas refuses what `kiln validate` would report, in
 * the same words; only a connection that is already drawn is the canvas's own refusal.
 */
export function refuseConnection(
  c: ConnectionAttempt,
  spec: Pick<PipelineSpec, 'nodes'>,
  edges: readonly KilnEdge[],
  catalog: Catalog,
): string | undefined {
  const from = portOfHandle(c.sourceHandle);
  const to = portOfHandle(c.targetHandle);
  const drawn = edges.some(
    (e) => e.source === c.source && e.target === c.target && portOfHandle(e.sourceHandle) === from && portOfHandle(e.targetHandle) === to,
  );
  if (drawn) return `"${c.source}" and "${c.target}" are already connected that way`;
  const specEdges = edges.map((e) => edgeSpecOf(e.source, e.sourceHandle, e.target, e.targetHandle));
  return connectionProblem({ nodes: spec.nodes, edges: specEdges }, edgeSpecOf(c.source, c.sourceHandle, c.target, c.targetHandle), catalog);
}
