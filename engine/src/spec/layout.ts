import { specHash } from './canonical';
import type { PipelineLayout, PipelineSpec } from './schema';

/**
 * A spec split into what it is and where the studio draws it. Node positions are layout, not
 * identity: versions hold the spec without them, the pipeline keeps the layout.
 */
export function splitLayout(spec: PipelineSpec): { spec: PipelineSpec; layout: PipelineLayout } {
  const layout: PipelineLayout = {};
  const nodes = spec.nodes.map(({ position, ...node }) => {
    if (position) layout[node.id] = { x: position.x, y: position.y };
    return node;
  });
  return { spec: { ...spec, nodes }, layout };
}

/** The spec with the layout's positions on the nodes it has one for (other nodes keep theirs). */
export function withLayout(spec: PipelineSpec, layout: PipelineLayout | null | undefined): PipelineSpec {
  if (!layout) return spec;
  return { ...spec, nodes: spec.nodes.map((n) => (layout[n.id] ? { ...n, position: layout[n.id] } : n)) };
}

/** A pipeline's identity: the hash of its spec without node positions (equal for specs that differ only in layout). */
export const pipelineHash = (spec: PipelineSpec): string => specHash(splitLayout(spec).spec);
