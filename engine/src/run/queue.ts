import type { Catalog } from '../catalog/node-type-info';
import type { NodeSpec, PipelineSpec } from '../spec/schema';

/**
 * The task queue a node runs on: its named queue, else its type's queue (a registered type's workers
 * serve their own, `typeQueues` from the run input), else `gpu` when it asks for one, else `cpu`.
 */
export function queueOf(node: Pick<NodeSpec, 'resources'> & { type?: string }, typeQueues?: Readonly<Record<string, string>>): string {
  if (node.resources?.queue) return node.resources.queue;
  const typeQueue = node.type === undefined ? undefined : typeQueues?.[node.type];
  if (typeQueue) return typeQueue;
  return (node.resources?.gpu ?? 0) > 0 ? 'gpu' : 'cpu';
}

/** The queues of a spec's registered node types (those the catalog gives a queue), chosen when the run starts. */
export function typeQueuesOf(spec: Pick<PipelineSpec, 'nodes'>, catalog: Catalog): Record<string, string> {
  const queues: Record<string, string> = {};
  for (const type of new Set(spec.nodes.map((n) => n.type))) {
    const queue = catalog.get(type)?.queue;
    if (queue) queues[type] = queue;
  }
  return queues;
}

/**
 * The most nodes a run may have and still run light nodes as local activities. A local activity's
 * result joins the history only when its workflow task completes; in a 20,000-node fan-out on a
 * loaded machine those tasks grew past their 10 s timeout, were retried by replaying megabytes of
 * markers, and timed out again: a wedged run. Larger specs, and mapped nodes, use the task queues.
 */
export const MAX_LOCAL_RUN_NODES = 1000;

/** The node types of a spec that run as local activities on the workflow worker: the catalog's light ones. */
export function localTypesOf(spec: Pick<PipelineSpec, 'nodes'>, catalog: Catalog): string[] {
  if (spec.nodes.length > MAX_LOCAL_RUN_NODES) return [];
  return [...new Set(spec.nodes.map((n) => n.type))].filter((type) => catalog.get(type)?.light === true).sort();
}

/** Whether the workflow runs a node as a local activity: a light type, not mapped, and no queue or GPU asked for. */
export function runsLocally(node: Pick<NodeSpec, 'type' | 'resources' | 'map'>, localTypes: readonly string[] | undefined): boolean {
  return (localTypes?.includes(node.type) ?? false) && !node.map && !node.resources?.queue && !(node.resources?.gpu ?? 0);
}
