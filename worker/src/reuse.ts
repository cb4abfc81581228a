import { type NodeResult, type NodeReuse, type PortMap, artifactRefsOfPorts, portValueProblem } from '@kiln/engine';
import type { ArtifactStore } from '@kiln/artifacts/artifact-store';

/** Why a reuse was turned down, for the worker's log. */
export type ReuseMiss = { reason: string };

/**
 * Reuses a node's result from an earlier run: the outputs must still fit the node type's output
 * ports (a newer type may have changed them) and every artifact they point at (found through the
 * ports' schemas) must still be in the store. Returns the `cached` result, or why not; on a miss the
 * node runs as usual.
 */
export async function reuseOutputs(
  node: { nodeId: string; type: string },
  reuse: NodeReuse,
  ports: PortMap,
  store: Pick<ArtifactStore, 'has'>,
): Promise<NodeResult | ReuseMiss> {
  const misfit = portValueProblem(node, 'output', ports, reuse.outputs);
  if (misfit) return { reason: `the earlier outputs no longer fit: ${misfit}` };
  const refs = artifactRefsOfPorts(ports, reuse.outputs);
  const digests = [...new Set(refs.map((r) => r.digest))];
  const present = await Promise.all(digests.map((d) => store.has(d)));
  const gone = digests.filter((_, i) => !present[i]);
  if (gone.length > 0) return { reason: `artifact${gone.length === 1 ? '' : 's'} ${gone.join(', ')} no longer in the store` };
  return {
    outputs: reuse.outputs,
    attempt: 0,
    cached: true,
    cachedFrom: reuse.from,
    ...(reuse.skipDownstream ? { skipDownstream: reuse.skipDownstream } : {}),
  };
}

export function isReuseMiss(result: NodeResult | ReuseMiss): result is ReuseMiss {
  return 'reason' in result && !('outputs' in result);
}
