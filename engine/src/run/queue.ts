import type { Catalog } from '../catalog/node-type-info';
import type { NodeSpec, PipelineSpec } from '../spec/schema';

/** The task queue a node runs on: its named queue, else `gpu` when it asks for one, else `cpu`. */
export function queueOf(node: Pick<NodeSpec, 'resources'>): string {
  if (node.resources?.queue) return node.resources.queue;
  return (node.resources?.gpu ?? 0) > 0 ? 'gpu' : 'cpu';
}

/** The node types of a spec that run as local activities on the workflow worker: the catalog's light ones. */
export function localTypesOf(spec: Pick<PipelineSpec, 'nodes'>, catalog: Catalog): string[] {
  return [...new Set(spec.nodes.map((n) => n.type))].filter((type) => catalog.get(type)?.light === true).sort();
}

/** Whether the workflow runs a node as a local activity: a light type, and no queue or GPU asked for. */
export function runsLocally(node: Pick<NodeSpec, 'type' | 'resources'>, localTypes: readonly string[] | undefined): boolean {
  return (localTypes?.includes(node.type) ?? false) && !node.resources?.queue && !(node.resources?.gpu ?? 0);
}
