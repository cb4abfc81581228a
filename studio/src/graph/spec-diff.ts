import { type EdgeSpec, type NodeSpec, type PipelineSpec, canonicalJson } from '@kiln/engine';
import { edgeId } from './spec-graph';

export type DiffStatus = 'added' | 'removed' | 'changed' | 'same';

export interface SpecDiff {
  /** Every node id of either version, with what happened to it from `before` to `after`. */
  nodes: Record<string, DiffStatus>;
  /** Every edge id (`from->to`) of either version. Edges have no fields besides their ends. */
  edges: Record<string, DiffStatus>;
  /** Fields of changed nodes that differ (`params`, `retry`, …); positions are ignored. */
  changedFields: Record<string, string[]>;
  /** Pipeline-level fields that differ (name, params, …). */
  pipelineFields: string[];
  /** A spec with every node and edge of both versions (removed ones taken from `before`), to draw. */
  merged: PipelineSpec;
}

const IGNORED_NODE_FIELDS = new Set(['position']);

function fieldsThatDiffer(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  ignore: Set<string>,
): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !ignore.has(k));
  return keys
    .filter((k) => canonicalJson((a[k] ?? null) as never) !== canonicalJson((b[k] ?? null) as never))
    .sort();
}

/** What changed between two versions of a pipeline: nodes by id, edges by their ends. Pure. */
export function diffSpecs(before: PipelineSpec, after: PipelineSpec): SpecDiff {
  const beforeNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const afterNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const nodes: Record<string, DiffStatus> = {};
  const changedFields: Record<string, string[]> = {};
  const mergedNodes: NodeSpec[] = [];
  for (const n of after.nodes) {
    const old = beforeNodes.get(n.id);
    if (!old) nodes[n.id] = 'added';
    else {
      const fields = fieldsThatDiffer(
        old as Record<string, unknown>,
        n as Record<string, unknown>,
        IGNORED_NODE_FIELDS,
      );
      nodes[n.id] = fields.length ? 'changed' : 'same';
      if (fields.length) changedFields[n.id] = fields;
    }
    mergedNodes.push(n);
  }
  for (const n of before.nodes)
    if (!afterNodes.has(n.id)) {
      nodes[n.id] = 'removed';
      mergedNodes.push(n);
    }

  const beforeEdges = new Map((before.edges ?? []).map((e) => [edgeId(e), e]));
  const afterEdges = new Map((after.edges ?? []).map((e) => [edgeId(e), e]));
  const edges: Record<string, DiffStatus> = {};
  const mergedEdges: EdgeSpec[] = [];
  for (const [id, e] of afterEdges) {
    edges[id] = beforeEdges.has(id) ? 'same' : 'added';
    mergedEdges.push(e);
  }
  for (const [id, e] of beforeEdges)
    if (!afterEdges.has(id)) {
      edges[id] = 'removed';
      mergedEdges.push(e);
    }

  const { nodes: _bn, edges: _be, ...beforeMeta } = before;
  const { nodes: _an, edges: _ae, ...afterMeta } = after;
  return {
    nodes,
    edges,
    changedFields,
    pipelineFields: fieldsThatDiffer(beforeMeta, afterMeta, new Set()),
    merged: { ...after, nodes: mergedNodes, edges: mergedEdges },
  };
}

/** Counts per status, for a summary line. */
export function diffSummary(diff: SpecDiff): Record<Exclude<DiffStatus, 'same'>, number> & { edges: number } {
  const count = (s: DiffStatus) => Object.values(diff.nodes).filter((v) => v === s).length;
  return {
    added: count('added'),
    removed: count('removed'),
    changed: count('changed'),
    edges: Object.values(diff.edges).filter((v) => v !== 'same').length,
  };
}
