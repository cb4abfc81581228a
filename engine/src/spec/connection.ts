import type { Catalog, NodeTypeInfo } from '../catalog/node-type-info';
import { buildDag, findCycles } from '../graph/dag';
import type { EdgeSpec, PipelineSpec } from './schema';
import { edgeProblems } from './validate';
import { splitPortRef } from './value-refs';

/**
 * Why adding `edge` to a spec would break it, in the validator's own words, or undefined when it may
 * be added. The studio asks before it draws a connection, so what it refuses and how it says so is
 * what `validateSpec` reports for the same graph: a node↔port mix, an unknown port, a port type
 * mismatch, an input fed twice, and a cycle (counting `$output` references, as the run does).
 * Browser-safe: no Node modules.
 */
export function connectionProblem(spec: Pick<PipelineSpec, 'nodes' | 'edges'>, edge: EdgeSpec, catalog: Catalog): string | undefined {
  const edges = [...(spec.edges ?? []), edge];
  const candidate = { apiVersion: 'kiln/v1', name: '', nodes: spec.nodes, edges } as PipelineSpec;
  const firstIndex = new Map<string, number>();
  const infoOf = new Map<string, NodeTypeInfo>();
  spec.nodes.forEach((node, i) => {
    if (firstIndex.has(node.id)) return;
    firstIndex.set(node.id, i);
    const info = catalog.get(node.type);
    if (info) infoOf.set(node.id, info);
  });
  const at = `edges[${edges.length - 1}]`;
  const own = edgeProblems(candidate, infoOf, firstIndex).find((p) => p.path === at || p.path.startsWith(`${at}.`));
  if (own) return own.message;
  // The edge closes a cycle when its source can be reached from its target. The validator names one
  // cycle per strongly connected component; name the one of the edge's component, as it would.
  const dag = buildDag(candidate);
  const [from] = splitPortRef(edge.from);
  const component = reachable(from, dag.succs);
  const reaching = reachable(from, dag.preds);
  if (!component.has(splitPortRef(edge.to)[0]) || !reaching.has(splitPortRef(edge.to)[0])) return undefined;
  const cycle = findCycles(dag).find((c) => component.has(c[0]!) && reaching.has(c[0]!));
  return cycle ? `cycle: ${[...cycle, cycle[0]].join(' → ')}` : undefined;
}

/** Every node reachable from `start` along `next` (`start` itself when it is on a cycle). */
function reachable(start: string, next: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const seen = new Set<string>();
  const queue = [...(next.get(start) ?? [])];
  while (queue.length > 0) {
    const node = queue.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    queue.push(...(next.get(node) ?? []));
  }
  return seen;
}
