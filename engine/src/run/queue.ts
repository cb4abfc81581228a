import type { NodeSpec } from '../spec/schema';

/** The task queue a node runs on: its named queue, else `gpu` when it asks for one, else `cpu`. */
export function queueOf(node: Pick<NodeSpec, 'resources'>): string {
  if (node.resources?.queue) return node.resources.queue;
  return (node.resources?.gpu ?? 0) > 0 ? 'gpu' : 'cpu';
}
