import type { EdgeSpec, NodeSpec } from '@kiln/engine';
import { edgeSpecOf, freshNodeId } from './spec-graph';
import type { KilnEdge, KilnNode } from './spec-graph';

/** Copied nodes and the edges between them, as specs (positions included). */
export interface Clip {
  nodes: NodeSpec[];
  edges: EdgeSpec[];
}

/** The selected nodes and every edge whose two ends are both selected. */
export function copySelection(nodes: readonly KilnNode[], edges: readonly KilnEdge[]): Clip {
  const picked = nodes.filter((n) => n.selected);
  const ids = new Set(picked.map((n) => n.id));
  return {
    nodes: picked.map((n) => structuredClone({ ...n.data.spec, id: n.id, position: { ...n.position } })),
    edges: edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => edgeSpecOf(e.source, e.sourceHandle, e.target, e.targetHandle)),
  };
}

const nodeOfRef = (ref: string): [string, string] => {
  const dot = ref.indexOf('.');
  return dot < 0 ? [ref, ''] : [ref.slice(0, dot), ref.slice(dot)];
};

/**
 * The clip with fresh ids (none in `taken`), shifted by `offset`, its internal edges following the
 * renamed nodes. Pure: the editor adds the result to the canvas, selected.
 */
export function pasteClip(clip: Clip, taken: ReadonlySet<string>, offset = { x: 40, y: 140 }): Clip {
  const used = new Set(taken);
  const rename = new Map<string, string>();
  for (const n of clip.nodes) {
    const id = freshNodeId(n.type, used);
    used.add(id);
    rename.set(n.id, id);
  }
  const mapRef = (ref: string) => {
    const [node, port] = nodeOfRef(ref);
    return `${rename.get(node) ?? node}${port}`;
  };
  return {
    nodes: clip.nodes.map((n) => ({
      ...structuredClone(n),
      id: rename.get(n.id)!,
      position: { x: (n.position?.x ?? 0) + offset.x, y: (n.position?.y ?? 0) + offset.y },
    })),
    edges: clip.edges.map((e) => ({ from: mapRef(e.from), to: mapRef(e.to) })),
  };
}
