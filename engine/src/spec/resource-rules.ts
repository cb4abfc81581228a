import type { NodeTypeInfo } from '../catalog/node-type-info';
import { APPROVAL_NODE_TYPE } from '../run/approval';
import type { Problem } from './problem';
import type { NodeSpec } from './schema';

/**
 * `resources` a node's runner would not honour, refused instead of ignored: an approval gate runs
 * in the workflow (no worker holds cores for it); a registered type runs on its own workers' queue
 * (a GPU cannot route it elsewhere: name a queue); Python workers hold no core budget and set no
 * memory limit.
 */
export function resourceProblems(node: NodeSpec, i: number, info: NodeTypeInfo | undefined): Problem[] {
  const r = node.resources;
  if (!r) return [];
  const at = (field: string, message: string): Problem => ({ path: `nodes[${i}].resources${field ? `.${field}` : ''}`, message: `node "${node.id}": ${message}`, nodeId: node.id });
  if (node.type === APPROVAL_NODE_TYPE) return [at('', `${node.type} waits for a decision in the workflow, on no worker: remove "resources"`)];
  const problems: Problem[] = [];
  if (info?.queue !== undefined && (r.gpu ?? 0) > 0 && r.queue === undefined) {
    problems.push(at('gpu', `${node.type} runs on its workers' queue "${info.queue}", so "gpu" cannot route it: name the queue of a GPU worker of the type in "resources.queue"`));
  }
  if (info?.language === 'python') {
    for (const field of ['cpu', 'memoryMb'] as const) {
      if (r[field] !== undefined) problems.push(at(field, `${node.type} runs on a Python worker, which holds no core budget and sets no memory limit: remove "${field}"`));
    }
  }
  return problems;
}
