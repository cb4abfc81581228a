import { buildDag, descendants } from '../graph/dag';
import type { PipelineSpec } from '../spec/schema';
import type { NodeReuse } from './node-task';
import { DONE_NODE_STATUSES, type RunState } from './run-state';

/**
 * What a re-run recomputes: `'failed'` — every node that did not succeed (failed, skipped,
 * cancelled, never started); or a list of node ids — those nodes and everything downstream of them.
 * Everything else that succeeded (or was cached) in the source run is reused.
 */
export type RerunFrom = 'failed' | readonly string[];

/** Node ids a re-run names that the pipeline does not have. */
export class UnknownRerunNodesError extends Error {
  constructor(readonly nodeIds: readonly string[]) {
    super(`the pipeline has no node${nodeIds.length === 1 ? '' : 's'} ${nodeIds.map((id) => `"${id}"`).join(', ')}`);
  }
}

/**
 * The results a re-run of `source` reuses, by node id, each pointing at the run that computed it
 * (a node the source run itself reused keeps its original source). A node that succeeded but told
 * its downstream not to run (a rejected gate) decides so again. Throws
 * {@link UnknownRerunNodesError} for node ids the spec lacks.
 */
export function rerunReuse(spec: Pick<PipelineSpec, 'nodes' | 'edges'>, source: Pick<RunState, 'runId' | 'nodes'>, from: RerunFrom): Record<string, NodeReuse> {
  const dag = buildDag(spec);
  const again = new Set<string>();
  if (from !== 'failed') {
    const unknown = from.filter((id) => !dag.preds.has(id));
    if (unknown.length > 0) throw new UnknownRerunNodesError(unknown);
    for (const id of from) {
      again.add(id);
      for (const below of descendants(dag, id)) again.add(below);
    }
  }
  const reuse: Record<string, NodeReuse> = {};
  for (const id of dag.order) {
    const node = source.nodes[id];
    if (!node || again.has(id) || !DONE_NODE_STATUSES.has(node.status)) continue;
    reuse[id] = {
      outputs: node.outputs ?? {},
      from: node.cachedFrom ?? { runId: source.runId, nodeId: id },
      // Only a node that skipped its downstream ends `succeeded` with a reason.
      ...(node.reason !== undefined ? { skipDownstream: { reason: node.reason } } : {}),
    };
  }
  return reuse;
}
